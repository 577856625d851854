package tollgate.kubernetes.probe_missing_test

import rego.v1

import data.tollgate.kubernetes.probe_missing as rule

test_flags_no_probes if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "readinessProbe": {"tcpSocket": {"port": 80}}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0"}
}

test_ignores_jobs if {
	results := {r | some r in rule.warn} with input as {"kind": "Job", "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	count(results) == 0
}
