# Built-in rule `pss-apparmor-profile` (one rule per file; tests in pss-apparmor-profile_test.rego): the Pod
# Security Standards check `appArmorProfile`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_apparmor_profile

import rego.v1

import data.tollgate.lib.kubernetes as k8s

prefix := "container.apparmor.security.beta.kubernetes.io/"

# METADATA
# title: Forbidden AppArmor profile (Pod Security)
# description: >-
#   Pod Security baseline allows AppArmor only at the runtime default or a
#   localhost profile: the
#   `container.apparmor.security.beta.kubernetes.io/*` annotations "",
#   `runtime/default` or `localhost/*`, and `appArmorProfile.type` unset,
#   RuntimeDefault or Localhost on the pod and its containers.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-apparmor-profile
#   severity: error
#   remediation: >-
#     Use `runtime/default` (or the field `appArmorProfile.type:
#     RuntimeDefault`).
#   example: |
#     annotations:
#       container.apparmor.security.beta.kubernetes.io/app: unconfined
deny contains {"msg": msg, "path": sprintf("%s/annotations/%s", [pod.meta_path, replace(key, "/", "~1")])} if {
	k8s.pss_runs("appArmorProfile")
	some pod in k8s.pod_specs
	annotations := k8s.get(pod.meta, "annotations", {})
	is_object(annotations)
	some key, value in annotations
	is_string(key)
	startswith(key, prefix)
	not allowed_annotation(value)
	msg := sprintf(`%s sets AppArmor profile "%v" for container "%s"%s`, [k8s.resource, value, trim_prefix(key, prefix), k8s.pss_says("appArmorProfile")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/appArmorProfile/type", [pod.path])} if {
	k8s.pss_runs("appArmorProfile")
	some pod in k8s.pod_specs
	profile := pod.spec.securityContext.appArmorProfile
	is_object(profile)
	not profile.type in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s sets AppArmor profile type %v%s", [k8s.resource, object.get(profile, "type", ""), k8s.pss_says("appArmorProfile")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/appArmorProfile/type", [c.path])} if {
	k8s.pss_runs("appArmorProfile")
	some c in k8s.containers
	profile := c.container.securityContext.appArmorProfile
	is_object(profile)
	not profile.type in {"RuntimeDefault", "Localhost"}
	msg := sprintf(`container "%s" of %s sets AppArmor profile type %v%s`, [c.name, k8s.resource, object.get(profile, "type", ""), k8s.pss_says("appArmorProfile")])
}

allowed_annotation(value) if value in {"", "runtime/default"}

allowed_annotation(value) if {
	is_string(value)
	startswith(value, "localhost/")
}
