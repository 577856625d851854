# Built-in rule `pss-proc-mount-restricted` (one rule per file; tests in pss-proc-mount-restricted_test.rego): the Pod
# Security Standards check `procMount_restricted`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_proc_mount_restricted

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Unmasked /proc (Pod Security, restricted)
# description: >-
#   Pod Security restricted (from v1.35) allows `procMount` only unset or
#   Default, `hostUsers: false` or not.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-proc-mount-restricted
#   severity: error
#   remediation: >-
#     Remove `securityContext.procMount` or set it to Default.
#   example: |
#     spec:
#       hostUsers: false
#       containers:
#       - name: app
#         securityContext:
#           procMount: Unmasked
deny contains {"msg": msg, "path": sprintf("%s/securityContext/procMount", [c.path])} if {
	k8s.pss_runs("procMount_restricted")
	some c in k8s.containers
	mount := c.container.securityContext.procMount
	mount != "Default"
	msg := sprintf(`container "%s" of %s uses procMount %v%s`, [c.name, k8s.resource, mount, k8s.pss_says("procMount_restricted")])
}
