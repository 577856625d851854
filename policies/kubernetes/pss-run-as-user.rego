# Built-in rule `pss-run-as-user` (one rule per file; tests in pss-run-as-user_test.rego): the Pod
# Security Standards check `runAsUser`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_run_as_user

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: runAsUser 0 (Pod Security)
# description: >-
#   Pod Security restricted (from v1.23) forbids `runAsUser: 0` on the pod
#   and on every container, whatever the other level sets. From v1.35 a pod
#   with `hostUsers: false` is exempt.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-run-as-user
#   severity: error
#   remediation: >-
#     Set a non-zero `runAsUser`, or none.
#   example: |
#     securityContext:
#       runAsUser: 0
deny contains {"msg": msg, "path": sprintf("%s/securityContext/runAsUser", [pod.path])} if {
	k8s.pss_runs("runAsUser")
	some pod in k8s.pod_specs
	pod.spec.securityContext.runAsUser == 0
	not k8s.pss_user_namespace(pod)
	msg := sprintf("%s sets runAsUser: 0%s", [k8s.resource, k8s.pss_says("runAsUser")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/runAsUser", [c.path])} if {
	k8s.pss_runs("runAsUser")
	some c in k8s.containers
	c.container.securityContext.runAsUser == 0
	not k8s.pss_user_namespace(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s sets runAsUser: 0%s`, [c.name, k8s.resource, k8s.pss_says("runAsUser")])
}
