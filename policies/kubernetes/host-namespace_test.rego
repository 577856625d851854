package tollgate.kubernetes.host_namespace_test

import rego.v1

import data.tollgate.kubernetes.host_namespace as rule

test_flags_host_network_and_pid if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostNetwork": true, "hostPID": true, "containers": []}}
	{r.path | some r in results} == {"/spec/hostNetwork", "/spec/hostPID"}
}

test_allows_false if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "spec": {"hostNetwork": false, "containers": []}}
	count(results) == 0
}
