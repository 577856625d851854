# Built-in rule `capabilities-added` (one rule per file; tests in capabilities-added_test.rego).
package tollgate.kubernetes.capabilities_added

import rego.v1

import data.tollgate.lib.kubernetes as k8s

baseline_allowed := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

# METADATA
# title: Container adds a dangerous capability
# description: >-
#   Capabilities beyond the Pod Security Standards baseline set (such as
#   SYS_ADMIN or NET_ADMIN) give a container powers over the node's kernel.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: capabilities-added
#   severity: error
#   remediation: >-
#     Remove the capability from `securityContext.capabilities.add`; only
#     NET_BIND_SERVICE is allowed by the restricted profile.
#   example: |
#     securityContext:
#       capabilities:
#         add: [SYS_ADMIN]
deny contains {"msg": msg, "path": sprintf("%s/securityContext/capabilities/add/%d", [c.path, i])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	some i, capability in k8s.items(c.container.securityContext.capabilities.add)
	is_string(capability)
	not upper(trim_prefix(capability, "CAP_")) in baseline_allowed
	msg := sprintf(`container "%s" of %s adds capability %s`, [c.name, k8s.resource, capability])
}
