package tollgate.kubernetes.namespace_missing_test

import rego.v1

import data.tollgate.kubernetes.namespace_missing as rule

test_flags_missing if {
	results := {r | some r in rule.warn} with input as {"kind": "ConfigMap", "metadata": {"name": "c"}}
	{r.path | some r in results} == {"/metadata"}
}

test_allows_set if {
	results := {r | some r in rule.warn} with input as {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}}
	count(results) == 0
}
