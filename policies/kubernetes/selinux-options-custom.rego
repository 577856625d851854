# Built-in rule `selinux-options-custom` (one rule per file; tests in selinux-options-custom_test.rego).
package tollgate.kubernetes.selinux_options_custom

import rego.v1

import data.tollgate.lib.kubernetes as k8s

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

contexts contains {"options": options, "path": sprintf("%s/securityContext/seLinuxOptions", [pod.path])} if {
	some pod in k8s.pod_specs
	options := pod.spec.securityContext.seLinuxOptions
	is_object(options)
}

contexts contains {"options": options, "path": sprintf("%s/securityContext/seLinuxOptions", [c.path])} if {
	some c in k8s.containers
	options := c.container.securityContext.seLinuxOptions
	is_object(options)
}

# METADATA
# title: Custom SELinux options
# description: >-
#   Setting an SELinux user or role, or a type other than the container types,
#   can escape the label the runtime gives containers. The Pod Security
#   Standards (baseline) forbid it.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: selinux-options-custom
#   severity: error
#   remediation: >-
#     Remove `seLinuxOptions.user` and `.role`, and use one of container_t,
#     container_init_t, container_kvm_t or container_engine_t as type.
#   example: |
#     securityContext:
#       seLinuxOptions:
#         type: spc_t
deny contains {"msg": msg, "path": sprintf("%s/%s", [ctx.path, field])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some ctx in contexts
	some field in ["user", "role"]
	ctx.options[field] != ""
	msg := sprintf("%s sets seLinuxOptions.%s", [k8s.resource, field])
}

deny contains {"msg": msg, "path": sprintf("%s/type", [ctx.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some ctx in contexts
	type := ctx.options.type
	not type in allowed_types
	msg := sprintf("%s sets seLinuxOptions.type %s", [k8s.resource, type])
}
