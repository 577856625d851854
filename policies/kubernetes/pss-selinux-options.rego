# Built-in rule `pss-selinux-options` (one rule per file; tests in pss-selinux-options_test.rego): the Pod
# Security Standards check `seLinuxOptions`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_selinux_options

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Custom SELinux options (Pod Security)
# description: >-
#   Pod Security baseline allows `seLinuxOptions.type` only empty,
#   container_t, container_init_t or container_kvm_t (and container_engine_t
#   from v1.31), and no `user` or `role`, on the pod and on every container.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-selinux-options
#   severity: error
#   remediation: >-
#     Remove `seLinuxOptions.user`/`role` and use an allowed type.
#   example: |
#     securityContext:
#       seLinuxOptions:
#         type: spc_t
deny contains {"msg": msg, "path": sprintf("%s/securityContext/seLinuxOptions/%s", [pod.path, field])} if {
	k8s.pss_runs("seLinuxOptions")
	some pod in k8s.pod_specs
	options := pod.spec.securityContext.seLinuxOptions
	is_object(options)
	some field, value in options
	bad(field, value)
	msg := sprintf("%s sets seLinuxOptions.%s %v%s", [k8s.resource, field, value, k8s.pss_says("seLinuxOptions")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/seLinuxOptions/%s", [c.path, field])} if {
	k8s.pss_runs("seLinuxOptions")
	some c in k8s.containers
	options := c.container.securityContext.seLinuxOptions
	is_object(options)
	some field, value in options
	bad(field, value)
	msg := sprintf(`container "%s" of %s sets seLinuxOptions.%s %v%s`, [c.name, k8s.resource, field, value, k8s.pss_says("seLinuxOptions")])
}

bad("type", value) if not value in types

bad(field, value) if {
	field in {"user", "role"}
	value != ""
}

types contains t if some t in ["", "container_t", "container_init_t", "container_kvm_t"]

types contains "container_engine_t" if k8s.pss_from(31)
