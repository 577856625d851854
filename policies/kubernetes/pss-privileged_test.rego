package tollgate.kubernetes.pss_privileged_test

import rego.v1

import data.tollgate.kubernetes.pss_privileged as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 30, "label": "baseline v1.30"}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/privileged"}
}

test_allows_false if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"privileged": false}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 30, "label": "baseline v1.30"}
	count(results) == 0
}

test_silent_without_level if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}
	count(results) == 0
}
