package tollgate.kubernetes.pss_selinux_options_test

import rego.v1

import data.tollgate.kubernetes.pss_selinux_options as rule

test_types_and_user if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"seLinuxOptions": {"user": "u", "level": "s0"}}, "containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "spc_t"}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/seLinuxOptions/type", "/spec/securityContext/seLinuxOptions/user"}
}

test_engine_type_from_1_31 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 31, "label": "baseline v1.31"}
	count(results) == 0
}

test_engine_type_before_1_31 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 30, "label": "baseline v1.30"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/seLinuxOptions/type"}
}
