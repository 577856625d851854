# Built-in rule `seccomp-profile-missing` (one rule per file; tests in seccomp-profile-missing_test.rego).
package tollgate.kubernetes.seccomp_profile_missing

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: No seccomp profile
# description: >-
#   Without a seccomp profile (RuntimeDefault or Localhost) the container can
#   make every system call; Unconfined is forbidden by the baseline profile and
#   an unset profile by the restricted one.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: seccomp-profile-missing
#   severity: warning
#   remediation: >-
#     Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.
#   example: |
#     spec:
#       securityContext:
#         seccompProfile:
#           type: Unconfined
warn contains {"msg": msg, "path": sprintf("%s/securityContext/seccompProfile/type", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	c.field != "ephemeralContainers"
	profile := seccomp_type(c)
	not profile in {"RuntimeDefault", "Localhost"}
	msg := message(c, profile)
}

# The profile type, "" when none is set (two definitions, not `else`: see
# `security` in lib.rego).
seccomp_type(c) := k8s.security(c, "seccompProfile").type

seccomp_type(c) := "" if not has_type(c)

has_type(c) if {
	_ = k8s.security(c, "seccompProfile").type
}

message(c, "") := sprintf(`container "%s" of %s has no seccomp profile`, [c.name, k8s.resource])

message(c, profile) := sprintf(`container "%s" of %s uses seccomp profile %s`, [c.name, k8s.resource, profile]) if profile != ""
