# Built-in rule `pss-run-as-non-root` (one rule per file; tests in pss-run-as-non-root_test.rego): the Pod
# Security Standards check `runAsNonRoot`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_run_as_non_root

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: runAsNonRoot not true (Pod Security)
# description: >-
#   Pod Security restricted requires `runAsNonRoot: true` on every
#   container, or on the pod with no container setting it to false; a pod-
#   level false fails even when the containers set true. From v1.35 a pod
#   with `hostUsers: false` is exempt.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-run-as-non-root
#   severity: error
#   remediation: >-
#     Set `securityContext.runAsNonRoot: true` on the pod.
#   example: |
#     spec:
#       containers:
#       - name: app   # no runAsNonRoot anywhere
deny contains {"msg": msg, "path": sprintf("%s/securityContext/runAsNonRoot", [pod.path])} if {
	k8s.pss_runs("runAsNonRoot")
	some pod in k8s.pod_specs
	pod.spec.securityContext.runAsNonRoot == false
	not k8s.pss_user_namespace(pod)
	msg := sprintf("%s sets runAsNonRoot: false%s", [k8s.resource, k8s.pss_says("runAsNonRoot")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/runAsNonRoot", [c.path])} if {
	k8s.pss_runs("runAsNonRoot")
	some c in k8s.containers
	c.container.securityContext.runAsNonRoot == false
	not k8s.pss_user_namespace(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s sets runAsNonRoot: false%s`, [c.name, k8s.resource, k8s.pss_says("runAsNonRoot")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/runAsNonRoot", [c.path])} if {
	k8s.pss_runs("runAsNonRoot")
	some c in k8s.containers
	not container_sets(c)
	pod := k8s.pod_of(c)
	not pod_true(pod)
	not pod_false(pod)
	not k8s.pss_user_namespace(pod)
	msg := sprintf(`container "%s" of %s does not set runAsNonRoot: true (nor does its pod)%s`, [c.name, k8s.resource, k8s.pss_says("runAsNonRoot")])
}

container_sets(c) if is_boolean(c.container.securityContext.runAsNonRoot)

pod_true(pod) if pod.spec.securityContext.runAsNonRoot == true

pod_false(pod) if pod.spec.securityContext.runAsNonRoot == false
