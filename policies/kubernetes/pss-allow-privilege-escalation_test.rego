package tollgate.kubernetes.pss_allow_privilege_escalation_test

import rego.v1

import data.tollgate.kubernetes.pss_allow_privilege_escalation as rule

test_flags_unset if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}], "initContainers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 8, "label": "restricted v1.8"}
	{r.path | some r in results} == {"/spec/initContainers/0/securityContext/allowPrivilegeEscalation"}
}

test_not_before_1_8 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 7, "label": "restricted v1.7"}
	count(results) == 0
}

test_windows_from_1_25 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 25, "label": "restricted v1.25"}
	count(results) == 0
}

test_windows_before_1_25 if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 24, "label": "restricted v1.24"}
	{r.path | some r in results} == {"/spec/containers/0/securityContext/allowPrivilegeEscalation"}
}

test_ephemeral if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}], "ephemeralContainers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	{r.path | some r in results} == {"/spec/ephemeralContainers/0/securityContext/allowPrivilegeEscalation"}
}
