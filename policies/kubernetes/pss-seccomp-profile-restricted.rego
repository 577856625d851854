# Built-in rule `pss-seccomp-profile-restricted` (one rule per file; tests in pss-seccomp-profile-restricted_test.rego): the Pod
# Security Standards check `seccompProfile_restricted`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_seccomp_profile_restricted

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Seccomp profile not set (Pod Security)
# description: >-
#   Pod Security restricted (from v1.19) requires `seccompProfile.type`
#   RuntimeDefault or Localhost on the pod, or on every container, and no
#   other value anywhere. Pods with `spec.os.name: windows` are exempt from
#   v1.25.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-seccomp-profile-restricted
#   severity: error
#   remediation: >-
#     Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod.
#   example: |
#     spec:
#       securityContext:
#         seccompProfile:
#           type: Unconfined
deny contains {"msg": msg, "path": sprintf("%s/securityContext/seccompProfile/type", [pod.path])} if {
	k8s.pss_runs("seccompProfile_restricted")
	some pod in k8s.pod_specs
	profile := pod.spec.securityContext.seccompProfile
	is_object(profile)
	not profile.type in {"RuntimeDefault", "Localhost"}
	not k8s.pss_windows(pod)
	msg := sprintf("%s sets seccomp profile type %v%s", [k8s.resource, object.get(profile, "type", ""), k8s.pss_says("seccompProfile_restricted")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/seccompProfile/type", [c.path])} if {
	k8s.pss_runs("seccompProfile_restricted")
	some c in k8s.containers
	profile := c.container.securityContext.seccompProfile
	is_object(profile)
	not profile.type in {"RuntimeDefault", "Localhost"}
	not k8s.pss_windows(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s sets seccomp profile type %v%s`, [c.name, k8s.resource, object.get(profile, "type", ""), k8s.pss_says("seccompProfile_restricted")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/seccompProfile/type", [c.path])} if {
	k8s.pss_runs("seccompProfile_restricted")
	some c in k8s.containers
	not container_sets(c)
	pod := k8s.pod_of(c)
	not pod_sets(pod)
	not k8s.pss_windows(pod)
	msg := sprintf(`container "%s" of %s has no seccomp profile (nor does its pod)%s`, [c.name, k8s.resource, k8s.pss_says("seccompProfile_restricted")])
}

container_sets(c) if is_object(c.container.securityContext.seccompProfile)

pod_sets(pod) if is_object(pod.spec.securityContext.seccompProfile)
