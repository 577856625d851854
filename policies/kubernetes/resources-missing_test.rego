package tollgate.kubernetes.resources_missing_test

import rego.v1

import data.tollgate.kubernetes.resources_missing as rule

test_flags_no_resources if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/resources"}
}

test_allows_complete if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "10m", "memory": "1Mi"}, "limits": {"memory": "1Mi"}}}]}}}}
	count(results) == 0
}
