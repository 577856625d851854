package tollgate.kubernetes.pss_host_ports_test

import rego.v1

import data.tollgate.kubernetes.pss_host_ports as rule

test_flags_init if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"initContainers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}]}], "containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 0}]}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/initContainers/0/ports/0/hostPort"}
}
