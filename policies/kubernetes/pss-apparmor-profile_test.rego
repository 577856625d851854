package tollgate.kubernetes.pss_apparmor_profile_test

import rego.v1

import data.tollgate.kubernetes.pss_apparmor_profile as rule

test_annotation if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined", "container.apparmor.security.beta.kubernetes.io/b": ""}}, "spec": {"containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a"}
}

test_fields if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}]}}
		with data.tollgate_settings.pod_security as {"level": "baseline", "version": 37, "label": "baseline v1.37"}
	{r.path | some r in results} == {"/spec/securityContext/appArmorProfile/type"}
}
