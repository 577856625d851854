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

rollout := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r", "namespace": "team-a"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}}

test_rollout_from_the_table if {
	results := {r | some r in rule.deny} with input as rollout
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline latest"}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/privileged"}
}

test_custom_row if {
	runner := {"apiVersion": "ci.example.com/v1", "kind": "Runner", "metadata": {"name": "b"}, "spec": {"pod": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}
	results := {r | some r in rule.deny} with input as runner
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline latest"}
		with data.tollgate_settings.pod_templates as [{"apiVersion": "ci.example.com", "kind": "Runner", "path": "/spec/pod"}]
	{r.path | some r in results} == {"/spec/pod/containers/0/securityContext/privileged"}
}

test_core_pod_template if {
	template := {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"}, "template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}
	results := {r | some r in rule.deny} with input as template
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline latest"}
	{r.path | some r in results} == {"/template/spec/containers/0/securityContext/privileged"}
}

test_namespace_label_wins if {
	results := {r | some r in rule.deny} with input as rollout
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline latest"}
		with data.tollgate_namespaces as {"team-a": {"level": "privileged", "version": 37, "label": "privileged latest"}}
	count(results) == 0
}

test_other_group_is_not_a_rollout if {
	other := object.union(rollout, {"apiVersion": "example.com/v1"})
	results := {r | some r in rule.deny} with input as other
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline latest"}
	count(results) == 0
}
