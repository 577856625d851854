package tollgate.kubernetes.pss_seccomp_profile_restricted_test

import rego.v1

import data.tollgate.kubernetes.pss_seccomp_profile_restricted as rule

test_unset if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}], "initContainers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	{r.path | some r in results} == {"/spec/initContainers/0/securityContext/seccompProfile/type"}
}

test_pod_unconfined if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	{r.path | some r in results} == {"/spec/securityContext/seccompProfile/type"}
}

test_windows if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 29, "label": "restricted v1.29"}
	count(results) == 0
}
