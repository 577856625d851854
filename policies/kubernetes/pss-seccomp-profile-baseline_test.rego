package tollgate.kubernetes.pss_seccomp_profile_baseline_test

import rego.v1

import data.tollgate.kubernetes.pss_seccomp_profile_baseline as rule

test_annotations_up_to_1_18 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined", "container.seccomp.security.alpha.kubernetes.io/a": "runtime/default"}}, "spec": {"containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 18, "label": "baseline v1.18"}
	{r.path | some r in results} == {"/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod"}
}

test_annotations_unread_from_1_19 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}, "spec": {"containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 19, "label": "baseline v1.19"}
	count(results) == 0
}

test_pod_level_counts if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/securityContext/seccompProfile/type"}
}
