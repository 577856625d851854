# Built-in rule `pss-host-path-volumes` (one rule per file; tests in pss-host-path-volumes_test.rego): the Pod
# Security Standards check `hostPathVolumes`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_host_path_volumes

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: hostPath volume (Pod Security)
# description: >-
#   A hostPath volume reads or writes the node's file system. Pod Security
#   baseline forbids it (restricted replaces this check by
#   restrictedVolumes).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-host-path-volumes
#   severity: error
#   remediation: >-
#     Use a persistentVolumeClaim, emptyDir, configMap or secret volume
#     instead.
#   example: |
#     volumes:
#     - name: logs
#       hostPath:
#         path: /var/log
deny contains {"msg": msg, "path": sprintf("%s/volumes/%d/hostPath", [pod.path, i])} if {
	k8s.pss_runs("hostPathVolumes")
	some pod in k8s.pod_specs
	some i, volume in k8s.items(pod.spec.volumes)
	_ = volume.hostPath
	msg := sprintf(`%s mounts the hostPath volume "%s"%s`, [k8s.resource, k8s.get(volume, "name", ""), k8s.pss_says("hostPathVolumes")])
}
