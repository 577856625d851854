package tollgate.kubernetes.pss_proc_mount_test

import rego.v1

import data.tollgate.kubernetes.pss_proc_mount as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 34, "label": "baseline v1.34"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/procMount"}
}

test_user_namespace_from_1_35 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 35, "label": "baseline v1.35"}
	count(results) == 0
}
