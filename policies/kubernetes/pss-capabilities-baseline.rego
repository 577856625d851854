# Built-in rule `pss-capabilities-baseline` (one rule per file; tests in pss-capabilities-baseline_test.rego): the Pod
# Security Standards check `capabilities_baseline`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_capabilities_baseline

import rego.v1

import data.tollgate.lib.kubernetes as k8s

allowed := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# METADATA
# title: Capability beyond the baseline set (Pod Security)
# description: >-
#   Pod Security baseline allows `capabilities.add` to hold only
#   AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
#   NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT,
#   spelled exactly so (`chown` and `CAP_CHOWN` are not CHOWN).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-capabilities-baseline
#   severity: error
#   remediation: >-
#     Remove the capability from `securityContext.capabilities.add`.
#   example: |
#     securityContext:
#       capabilities:
#         add: [SYS_ADMIN]
deny contains {"msg": msg, "path": sprintf("%s/securityContext/capabilities/add/%d", [c.path, i])} if {
	k8s.pss_runs("capabilities_baseline")
	some c in k8s.containers
	some i, capability in k8s.items(c.container.securityContext.capabilities.add)
	not capability in allowed
	msg := sprintf(`container "%s" of %s adds capability %v%s`, [c.name, k8s.resource, capability, k8s.pss_says("capabilities_baseline")])
}
