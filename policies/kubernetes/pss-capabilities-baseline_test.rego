package tollgate.kubernetes.pss_capabilities_baseline_test

import rego.v1

import data.tollgate.kubernetes.pss_capabilities_baseline as rule

test_literal_names if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["CHOWN", "chown", "CAP_CHOWN", "NET_RAW"]}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/capabilities/add/1", "/spec/containers/0/securityContext/capabilities/add/2", "/spec/containers/0/securityContext/capabilities/add/3"}
}

test_restricted_before_1_22 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 21, "label": "restricted v1.21"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/capabilities/add/0"}
}

test_replaced_from_1_22 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 22, "label": "restricted v1.22"}
	count(results) == 0
}
