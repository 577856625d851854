# Built-in rule `pss-privileged` (one rule per file; tests in pss-privileged_test.rego): the Pod
# Security Standards check `privileged`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_privileged

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Privileged container (Pod Security)
# description: >-
#   A privileged container gets every capability and the node's devices. Pod
#   Security baseline (every version) allows `securityContext.privileged`
#   only unset or false.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-privileged
#   severity: error
#   remediation: >-
#     Remove `securityContext.privileged: true`.
#   example: |
#     containers:
#     - name: app
#       securityContext:
#         privileged: true
deny contains {"msg": msg, "path": sprintf("%s/securityContext/privileged", [c.path])} if {
	k8s.pss_runs("privileged")
	some c in k8s.containers
	c.container.securityContext.privileged == true
	msg := sprintf(`container "%s" of %s runs privileged%s`, [c.name, k8s.resource, k8s.pss_says("privileged")])
}
