# Built-in rule `host-path-volume` (one rule per file; tests in host-path-volume_test.rego).
package tollgate.kubernetes.host_path_volume

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: hostPath volume
# description: >-
#   A hostPath volume mounts a directory of the node into the pod, which can
#   read or change the node's files. The Pod Security Standards (baseline)
#   forbid it.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: host-path-volume
#   severity: error
#   remediation: >-
#     Use a PersistentVolumeClaim, a ConfigMap, a Secret or an emptyDir volume
#     instead.
#   example: |
#     volumes:
#     - name: docker
#       hostPath:
#         path: /var/run/docker.sock
deny contains {"msg": msg, "path": sprintf("%s/volumes/%d/hostPath", [pod.path, i])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some pod in k8s.pod_specs
	some i, volume in k8s.items(pod.spec.volumes)
	volume.hostPath
	msg := sprintf(`%s mounts the node path "%s" (volume "%s")`, [k8s.resource, k8s.get(volume.hostPath, "path", ""), k8s.get(volume, "name", "")])
}
