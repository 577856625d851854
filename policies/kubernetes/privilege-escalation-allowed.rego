# Built-in rule `privilege-escalation-allowed` (one rule per file; tests in privilege-escalation-allowed_test.rego).
package tollgate.kubernetes.privilege_escalation_allowed

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Container may gain privileges
# description: >-
#   Unless `allowPrivilegeEscalation` is false, a process can gain more
#   privileges than its parent (setuid binaries). The Pod Security Standards
#   (restricted) require false.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: privilege-escalation-allowed
#   severity: warning
#   remediation: >-
#     Set `securityContext.allowPrivilegeEscalation: false` on the container.
#   example: |
#     containers:
#     - name: app
#       image: app:1.0   # no allowPrivilegeEscalation: false
warn contains {"msg": msg, "path": sprintf("%s/securityContext/allowPrivilegeEscalation", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	c.field != "ephemeralContainers"
	not c.container.securityContext.allowPrivilegeEscalation == false
	msg := sprintf(`container "%s" of %s does not set allowPrivilegeEscalation: false`, [c.name, k8s.resource])
}
