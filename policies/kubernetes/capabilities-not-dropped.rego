# Built-in rule `capabilities-not-dropped` (one rule per file; tests in capabilities-not-dropped_test.rego).
package tollgate.kubernetes.capabilities_not_dropped

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Container does not drop ALL capabilities
# description: >-
#   The Pod Security Standards (restricted) require every container to drop ALL
#   capabilities and add back only NET_BIND_SERVICE when needed.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: capabilities-not-dropped
#   severity: warning
#   remediation: >-
#     Add `securityContext.capabilities.drop: [ALL]` to the container.
#   example: |
#     securityContext:
#       capabilities:
#         drop: [NET_RAW]
warn contains {"msg": msg, "path": sprintf("%s/securityContext/capabilities/drop", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	c.field != "ephemeralContainers"
	not drops_all(c.container)
	msg := sprintf(`container "%s" of %s does not drop ALL capabilities`, [c.name, k8s.resource])
}

drops_all(container) if {
	some capability in k8s.items(container.securityContext.capabilities.drop)
	is_string(capability)
	upper(capability) == "ALL"
}
