package tollgate.kubernetes.pss_sysctls_test

import rego.v1

import data.tollgate.kubernetes.pss_sysctls as rule

test_by_version if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1"}, {"name": "net.ipv4.tcp_keepalive_time", "value": "1"}]}, "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 28, "label": "baseline v1.28"}
	{r.path | some r in results} == {"/spec/securityContext/sysctls/1/name"}
}

test_newest if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_notsent_lowat", "value": "1"}]}, "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	count(results) == 0
}
