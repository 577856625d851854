package tollgate.kubernetes.seccomp_profile_missing_test

import rego.v1

import data.tollgate.kubernetes.seccomp_profile_missing as rule

test_flags_unset if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/seccompProfile/type"}
}

test_flags_unconfined if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/seccompProfile/type"}
}

test_allows_pod_runtime_default if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a"}]}}}}
	count(results) == 0
}
