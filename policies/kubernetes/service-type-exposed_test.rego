package tollgate.kubernetes.service_type_exposed_test

import rego.v1

import data.tollgate.kubernetes.service_type_exposed as rule

test_flags_load_balancer if {
	results := {r | some r in rule.warn} with input as {"kind": "Service", "metadata": {"name": "s"}, "spec": {"type": "LoadBalancer"}}
	{r.path | some r in results} == {"/spec/type"}
}

test_allows_cluster_ip if {
	results := {r | some r in rule.warn} with input as {"kind": "Service", "spec": {"type": "ClusterIP"}}
	count(results) == 0
}
