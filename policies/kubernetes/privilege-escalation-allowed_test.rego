package tollgate.kubernetes.privilege_escalation_allowed_test

import rego.v1

import data.tollgate.kubernetes.privilege_escalation_allowed as rule

test_flags_unset if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"}
}

test_allows_false if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}]}}}}
	count(results) == 0
}
