# Built-in rule `apparmor-unconfined` (one rule per file; tests in apparmor-unconfined_test.rego).
package tollgate.kubernetes.apparmor_unconfined

import rego.v1

import data.tollgate.lib.kubernetes as k8s

prefix := "container.apparmor.security.beta.kubernetes.io/"

# METADATA
# title: AppArmor turned off
# description: >-
#   An `unconfined` AppArmor profile (annotation or `appArmorProfile.type:
#   Unconfined`) removes the confinement the runtime applies by default. The Pod
#   Security Standards (baseline) forbid it.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: apparmor-unconfined
#   severity: error
#   remediation: >-
#     Remove the override, or use RuntimeDefault or a Localhost profile.
#   example: |
#     metadata:
#       annotations:
#         container.apparmor.security.beta.kubernetes.io/app: unconfined
deny contains {"msg": msg, "path": sprintf("%s/annotations/%s", [pod.meta_path, replace(key, "/", "~1")])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some pod in k8s.pod_specs
	annotations := pod.meta.annotations
	is_object(annotations)
	some key, value in annotations
	is_string(key)
	is_string(value)
	startswith(key, prefix)
	not value == "runtime/default"
	not startswith(value, "localhost/")
	msg := sprintf(`%s sets AppArmor profile "%s" for container "%s"`, [k8s.resource, value, trim_prefix(key, prefix)])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/appArmorProfile/type", [pod.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some pod in k8s.pod_specs
	pod.spec.securityContext.appArmorProfile.type == "Unconfined"
	msg := sprintf("%s sets an Unconfined AppArmor profile", [k8s.resource])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/appArmorProfile/type", [c.path])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	c.container.securityContext.appArmorProfile.type == "Unconfined"
	msg := sprintf(`container "%s" of %s sets an Unconfined AppArmor profile`, [c.name, k8s.resource])
}
