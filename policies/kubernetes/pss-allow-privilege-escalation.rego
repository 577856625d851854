# Built-in rule `pss-allow-privilege-escalation` (one rule per file; tests in pss-allow-privilege-escalation_test.rego): the Pod
# Security Standards check `allowPrivilegeEscalation`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_allow_privilege_escalation

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Privilege escalation allowed (Pod Security)
# description: >-
#   Pod Security restricted (from v1.8) requires `allowPrivilegeEscalation:
#   false` on every container; unset fails. Pods with `spec.os.name:
#   windows` are exempt from v1.25.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-allow-privilege-escalation
#   severity: error
#   remediation: >-
#     Set `securityContext.allowPrivilegeEscalation: false` on the
#     container.
#   example: |
#     containers:
#     - name: app   # no allowPrivilegeEscalation: false
deny contains {"msg": msg, "path": sprintf("%s/securityContext/allowPrivilegeEscalation", [c.path])} if {
	k8s.pss_runs("allowPrivilegeEscalation")
	some c in k8s.containers
	not c.container.securityContext.allowPrivilegeEscalation == false
	not k8s.pss_windows(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s does not set allowPrivilegeEscalation: false%s`, [c.name, k8s.resource, k8s.pss_says("allowPrivilegeEscalation")])
}
