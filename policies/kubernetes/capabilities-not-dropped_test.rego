package tollgate.kubernetes.capabilities_not_dropped_test

import rego.v1

import data.tollgate.kubernetes.capabilities_not_dropped as rule

test_flags_missing_drop if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/capabilities/drop"}
}

test_allows_drop_all if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}}}}
	count(results) == 0
}
