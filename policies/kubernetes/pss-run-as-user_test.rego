package tollgate.kubernetes.pss_run_as_user_test

import rego.v1

import data.tollgate.kubernetes.pss_run_as_user as rule

test_pod_zero if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"runAsUser": 0}, "containers": [{"name": "a", "securityContext": {"runAsUser": 1000}}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	{r.path | some r in results} == {"/spec/securityContext/runAsUser"}
}

test_not_before_1_23 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"runAsUser": 0}, "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 22, "label": "restricted v1.22"}
	count(results) == 0
}
