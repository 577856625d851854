# Built-in rule `privileged-container` (one rule per file; tests in privileged-container_test.rego).
package tollgate.kubernetes.privileged_container

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Privileged container
# description: >-
#   A privileged container gets every capability and the node's devices: taking
#   it over means taking over the node. The Pod Security Standards (baseline)
#   forbid it.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: privileged-container
#   severity: error
#   remediation: >-
#     Remove `securityContext.privileged: true` and grant only the
#     capabilities the process needs.
#   example: |
#     containers:
#     - name: app
#       securityContext:
#         privileged: true
deny contains {"msg": msg, "path": sprintf("%s/securityContext/privileged", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	c.container.securityContext.privileged == true
	msg := sprintf(`container "%s" of %s runs privileged`, [c.name, k8s.resource])
}
