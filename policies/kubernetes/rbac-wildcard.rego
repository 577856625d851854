# Built-in rule `rbac-wildcard` (one rule per file; tests in rbac-wildcard_test.rego).
package tollgate.kubernetes.rbac_wildcard

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: RBAC rule with a wildcard
# description: >-
#   A `*` in the verbs or resources of a Role or ClusterRole grants every
#   current and future permission of that kind, including ones added by new
#   CRDs.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/rbac-good-practices/
# custom:
#   id: rbac-wildcard
#   severity: warning
#   remediation: >-
#     List the verbs and resources the subject really needs.
#   example: |
#     rules:
#     - apiGroups: [""]
#       resources: ["*"]
#       verbs: ["*"]
warn contains {"msg": msg, "path": sprintf("/rules/%d/%s", [i, field])} if {
	input.kind in {"Role", "ClusterRole"}
	some i, r in k8s.items(input.rules)
	some field in ["verbs", "resources"]
	"*" in k8s.items(r[field])
	msg := sprintf("%s grants all %s (*) in rule %d", [k8s.resource, field, i])
}
