# Built-in rule `pss-restricted-volumes` (one rule per file; tests in pss-restricted-volumes_test.rego): the Pod
# Security Standards check `restrictedVolumes`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_restricted_volumes

import rego.v1

import data.tollgate.lib.kubernetes as k8s

allowed := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
	"persistentVolumeClaim", "projected", "secret",
}

# METADATA
# title: Restricted volume type (Pod Security)
# description: >-
#   Pod Security restricted allows only configMap, csi, downwardAPI,
#   emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret
#   volumes; a volume with no source is an emptyDir (the API server defaults
#   it).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-restricted-volumes
#   severity: error
#   remediation: >-
#     Use a persistentVolumeClaim (or one of the allowed types) instead.
#   example: |
#     volumes:
#     - name: data
#       nfs:
#         server: nfs.example.com
#         path: /data
deny contains {"msg": msg, "path": sprintf("%s/volumes/%d/%s", [pod.path, i, source])} if {
	k8s.pss_runs("restrictedVolumes")
	some pod in k8s.pod_specs
	some i, volume in k8s.items(pod.spec.volumes)
	is_object(volume)
	some source, _ in volume
	source != "name"
	not source in allowed
	msg := sprintf(`%s uses a %s volume "%v"%s`, [k8s.resource, source, object.get(volume, "name", ""), k8s.pss_says("restrictedVolumes")])
}
