# Built-in rule `namespace-missing` (one rule per file; tests in namespace-missing_test.rego).
package tollgate.kubernetes.namespace_missing

import rego.v1

import data.tollgate.lib.kubernetes as k8s

namespaced := {
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Service",
	"ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "Ingress", "NetworkPolicy",
	"PersistentVolumeClaim", "HorizontalPodAutoscaler", "PodDisruptionBudget", "LimitRange",
	"ResourceQuota", "Endpoints",
}

# METADATA
# title: Namespaced resource without a namespace
# description: >-
#   A namespaced resource without `metadata.namespace` lands in whatever
#   namespace the applier defaults to, unless a kustomization or the GitOps tool
#   sets one.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
# custom:
#   id: namespace-missing
#   severity: info
#   remediation: >-
#     Set `metadata.namespace`, or set `namespace:` in the kustomization that
#     includes the file.
#   example: |
#     kind: Deployment
#     metadata:
#       name: web   # no namespace
warn contains {"msg": msg, "path": "/metadata"} if {
	input.kind in namespaced
	not input.metadata.namespace
	msg := sprintf("%s has no metadata.namespace", [k8s.resource])
}
