package tollgate.kubernetes.host_port_test

import rego.v1

import data.tollgate.kubernetes.host_port as rule

test_flags_host_port if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 81}]}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/ports/1/hostPort"}
}

test_allows_container_port if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}}}}
	count(results) == 0
}
