package tollgate.kubernetes.pss_proc_mount_restricted_test

import rego.v1

import data.tollgate.kubernetes.pss_proc_mount_restricted as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 35, "label": "restricted v1.35"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/procMount"}
}

test_not_before_1_35 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostUsers": false, "containers": [{"name": "a", "securityContext": {"procMount": "Default"}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 34, "label": "restricted v1.34"}
	count(results) == 0
}
