package tollgate.kubernetes.ingress_tls_missing_test

import rego.v1

import data.tollgate.kubernetes.ingress_tls_missing as rule

test_flags_plain if {
	results := {r | some r in rule.warn} with input as {"kind": "Ingress", "metadata": {"name": "i"}, "spec": {"rules": []}}
	{r.path | some r in results} == {"/spec"}
}

test_allows_tls if {
	results := {r | some r in rule.warn} with input as {"kind": "Ingress", "spec": {"tls": [{"hosts": ["a"]}]}}
	count(results) == 0
}
