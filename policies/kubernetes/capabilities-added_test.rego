package tollgate.kubernetes.capabilities_added_test

import rego.v1

import data.tollgate.kubernetes.capabilities_added as rule

test_flags_sys_admin if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/capabilities/add/1"}
}

test_allows_baseline_set if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}]}}}}
	count(results) == 0
}
