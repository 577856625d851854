package tollgate.kubernetes.rbac_wildcard_test

import rego.v1

import data.tollgate.kubernetes.rbac_wildcard as rule

test_flags_wildcards if {
	results := {r | some r in rule.warn} with input as {"kind": "ClusterRole", "metadata": {"name": "r"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, {"apiGroups": [""], "resources": ["*"], "verbs": ["*"]}]}
	{r.path | some r in results} == {"/rules/1/verbs", "/rules/1/resources"}
}

test_allows_explicit if {
	results := {r | some r in rule.warn} with input as {"kind": "Role", "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}
	count(results) == 0
}
