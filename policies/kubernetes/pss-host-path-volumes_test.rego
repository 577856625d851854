package tollgate.kubernetes.pss_host_path_volumes_test

import rego.v1

import data.tollgate.kubernetes.pss_host_path_volumes as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"volumes": [{"name": "e", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}], "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/volumes/1/hostPath"}
}

test_replaced_at_restricted if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"volumes": [{"name": "h", "hostPath": {"path": "/"}}], "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	count(results) == 0
}
