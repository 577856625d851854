package tollgate.kubernetes.pss_host_probes_and_host_lifecycle_test

import rego.v1

import data.tollgate.kubernetes.pss_host_probes_and_host_lifecycle as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "bad.host", "port": 80}}, "lifecycle": {"preStop": {"tcpSocket": {"host": "::1", "port": 1}}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 34, "label": "baseline v1.34"}
	{r.path | some r in results} == {"/spec/containers/0/lifecycle/preStop/tcpSocket/host", "/spec/containers/0/livenessProbe/httpGet/host"}
}

test_not_before_1_34 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "bad.host", "port": 80}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 33, "label": "baseline v1.33"}
	count(results) == 0
}

test_allows_empty_host if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "readinessProbe": {"httpGet": {"host": "", "port": 80}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	count(results) == 0
}
