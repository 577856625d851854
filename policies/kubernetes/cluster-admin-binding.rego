# Built-in rule `cluster-admin-binding` (one rule per file; tests in cluster-admin-binding_test.rego).
package tollgate.kubernetes.cluster_admin_binding

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Binding to cluster-admin
# description: >-
#   A binding to the cluster-admin ClusterRole gives its subjects full control
#   of the cluster (or of the namespace, for a RoleBinding).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege
# custom:
#   id: cluster-admin-binding
#   severity: error
#   remediation: >-
#     Bind a role with only the permissions the subjects need.
#   example: |
#     kind: ClusterRoleBinding
#     roleRef:
#       kind: ClusterRole
#       name: cluster-admin
deny contains {"msg": msg, "path": "/roleRef/name"} if {
	input.kind in {"RoleBinding", "ClusterRoleBinding"}
	input.roleRef.name == "cluster-admin"
	msg := sprintf("%s binds cluster-admin", [k8s.resource])
}
