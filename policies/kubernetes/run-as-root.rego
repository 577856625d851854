# Built-in rule `run-as-root` (one rule per file; tests in run-as-root_test.rego).
package tollgate.kubernetes.run_as_root

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Container may run as root
# description: >-
#   Without `runAsNonRoot: true` (on the container or the pod), or with
#   `runAsUser: 0`, the container's process may run as root. The Pod Security
#   Standards (restricted) require non-root.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: run-as-root
#   severity: warning
#   remediation: >-
#     Set `securityContext.runAsNonRoot: true` on the pod (and a non-zero
#     `runAsUser` if the image has no numeric USER).
#   example: |
#     spec:
#       containers:
#       - name: app   # no runAsNonRoot anywhere
warn contains {"msg": msg, "path": sprintf("%s/securityContext/runAsNonRoot", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	c.field != "ephemeralContainers"
	not non_root(c)
	msg := sprintf(`container "%s" of %s may run as root (runAsNonRoot is not true)`, [c.name, k8s.resource])
}

warn contains {"msg": msg, "path": sprintf("%s/securityContext/runAsUser", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	k8s.security(c, "runAsUser") == 0
	msg := sprintf(`container "%s" of %s runs as user 0 (root)`, [c.name, k8s.resource])
}

# A helper rather than `not k8s.security(...) == true` inline: OPA evaluates a
# negated expression whose function call is undefined as undefined (OPA issue
# 1877), so the inline form would flag nothing under conftest when the field is
# set nowhere; regorus would flag it. A negated rule call means the same in both.
non_root(c) if k8s.security(c, "runAsNonRoot") == true
