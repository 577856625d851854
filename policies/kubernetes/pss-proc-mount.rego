# Built-in rule `pss-proc-mount` (one rule per file; tests in pss-proc-mount_test.rego): the Pod
# Security Standards check `procMount`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_proc_mount

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Unmasked /proc (Pod Security)
# description: >-
#   An Unmasked /proc exposes the host's kernel settings. Pod Security
#   baseline allows `procMount` only unset or Default; from v1.35 any value
#   when the pod sets `hostUsers: false` (restricted replaces this check by
#   procMount_restricted from v1.35).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-proc-mount
#   severity: error
#   remediation: >-
#     Remove `securityContext.procMount` or set it to Default.
#   example: |
#     securityContext:
#       procMount: Unmasked
deny contains {"msg": msg, "path": sprintf("%s/securityContext/procMount", [c.path])} if {
	k8s.pss_runs("procMount")
	some c in k8s.containers
	mount := c.container.securityContext.procMount
	mount != "Default"
	not k8s.pss_user_namespace(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s uses procMount %v%s`, [c.name, k8s.resource, mount, k8s.pss_says("procMount")])
}
