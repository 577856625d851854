# Built-in rule `pss-seccomp-profile-baseline` (one rule per file; tests in pss-seccomp-profile-baseline_test.rego): the Pod
# Security Standards check `seccompProfile_baseline`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_seccomp_profile_baseline

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Unconfined seccomp profile (Pod Security)
# description: >-
#   Pod Security baseline forbids an explicitly Unconfined seccomp profile:
#   up to v1.18 in the `seccomp.security.alpha.kubernetes.io/pod` and
#   `container.seccomp.security.alpha.kubernetes.io/<name>` annotations
#   (allowed: runtime/default, docker/default, localhost/*), from v1.19 in
#   `seccompProfile.type` of the pod and its containers (allowed: unset,
#   RuntimeDefault, Localhost).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-seccomp-profile-baseline
#   severity: error
#   remediation: >-
#     Set `seccompProfile.type: RuntimeDefault`.
#   example: |
#     securityContext:
#       seccompProfile:
#         type: Unconfined
deny contains {"msg": msg, "path": sprintf("%s/annotations/seccomp.security.alpha.kubernetes.io~1pod", [pod.meta_path])} if {
	k8s.pss_runs("seccompProfile_baseline")
	not k8s.pss_from(19)
	some pod in k8s.pod_specs
	value := k8s.get(k8s.get(pod.meta, "annotations", {}), "seccomp.security.alpha.kubernetes.io/pod", null)
	value != null
	not allowed_annotation(value)
	msg := sprintf(`%s sets seccomp profile "%v"%s`, [k8s.resource, value, k8s.pss_says("seccompProfile_baseline")])
}

deny contains {"msg": msg, "path": sprintf("%s/annotations/%s", [pod.meta_path, replace(key, "/", "~1")])} if {
	k8s.pss_runs("seccompProfile_baseline")
	not k8s.pss_from(19)
	some c in k8s.containers
	pod := k8s.pod_of(c)
	is_string(c.name)
	key := concat("", ["container.seccomp.security.alpha.kubernetes.io/", c.name])
	value := k8s.get(k8s.get(pod.meta, "annotations", {}), key, null)
	value != null
	not allowed_annotation(value)
	msg := sprintf(`container "%s" of %s sets seccomp profile "%v"%s`, [c.name, k8s.resource, value, k8s.pss_says("seccompProfile_baseline")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/seccompProfile/type", [pod.path])} if {
	k8s.pss_runs("seccompProfile_baseline")
	k8s.pss_from(19)
	some pod in k8s.pod_specs
	profile := pod.spec.securityContext.seccompProfile
	is_object(profile)
	not profile.type in {"RuntimeDefault", "Localhost"}
	msg := sprintf("%s sets seccomp profile type %v%s", [k8s.resource, object.get(profile, "type", ""), k8s.pss_says("seccompProfile_baseline")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/seccompProfile/type", [c.path])} if {
	k8s.pss_runs("seccompProfile_baseline")
	k8s.pss_from(19)
	some c in k8s.containers
	profile := c.container.securityContext.seccompProfile
	is_object(profile)
	not profile.type in {"RuntimeDefault", "Localhost"}
	msg := sprintf(`container "%s" of %s sets seccomp profile type %v%s`, [c.name, k8s.resource, object.get(profile, "type", ""), k8s.pss_says("seccompProfile_baseline")])
}

allowed_annotation(value) if value in {"runtime/default", "docker/default"}

allowed_annotation(value) if {
	is_string(value)
	startswith(value, "localhost/")
}
