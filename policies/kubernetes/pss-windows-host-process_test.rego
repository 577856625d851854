package tollgate.kubernetes.pss_windows_host_process_test

import rego.v1

import data.tollgate.kubernetes.pss_windows_host_process as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": true}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/windowsOptions/hostProcess", "/spec/securityContext/windowsOptions/hostProcess"}
}
