package tollgate.kubernetes.pss_capabilities_restricted_test

import rego.v1

import data.tollgate.kubernetes.pss_capabilities_restricted as rule

test_drop_and_add if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["all"], "add": ["NET_BIND_SERVICE", "CHOWN"]}}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/capabilities/add/1", "/spec/containers/0/securityContext/capabilities/drop"}
}

test_not_before_1_22 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 21, "label": "restricted v1.21"}
	count(results) == 0
}
