package tollgate.kubernetes.run_as_root_test

import rego.v1

import data.tollgate.kubernetes.run_as_root as rule

test_flags_unset if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/runAsNonRoot"}
}

test_flags_uid_zero if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/runAsUser"}
}

test_allows_pod_level if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]}}}}
	count(results) == 0
}
