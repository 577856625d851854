# Built-in rule `proc-mount-unmasked` (one rule per file; tests in proc-mount-unmasked_test.rego).
package tollgate.kubernetes.proc_mount_unmasked

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Unmasked /proc mount
# description: >-
#   `procMount: Unmasked` exposes the node's /proc paths that the container
#   runtime normally masks. The Pod Security Standards (baseline) allow only
#   Default.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: proc-mount-unmasked
#   severity: error
#   remediation: >-
#     Remove `securityContext.procMount` or set it to Default.
#   example: |
#     securityContext:
#       procMount: Unmasked
deny contains {"msg": msg, "path": sprintf("%s/securityContext/procMount", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	mount := c.container.securityContext.procMount
	mount != "Default"
	msg := sprintf(`container "%s" of %s uses procMount %s`, [c.name, k8s.resource, mount])
}
