package tollgate.kubernetes.privileged_container_test

import rego.v1

import data.tollgate.kubernetes.privileged_container as rule

test_flags_privileged_deployment if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/privileged"}
}

test_flags_cronjob_init_container if {
	results := {r | some r in rule.deny} with input as {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"initContainers": [{"name": "i", "securityContext": {"privileged": true}}], "containers": [{"name": "a"}]}}}}}}
	{r.path | some r in results} == {"/spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/privileged"}
}

test_allows_unprivileged if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": false}}]}}}}
	count(results) == 0
}

test_silent_when_a_pod_security_level_is_in_force if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 30, "label": "baseline v1.30"}
	count(results) == 0
}
