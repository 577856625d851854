package tollgate.kubernetes.apparmor_unconfined_test

import rego.v1

import data.tollgate.kubernetes.apparmor_unconfined as rule

test_flags_annotation if {
	results := {r | some r in rule.deny} with input as {"kind": "Deployment", "metadata": {"name": "w"}, "spec": {"template": {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}}, "spec": {"containers": [{"name": "a"}]}}}}
	{r.path | some r in results} == {"/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a"}
}

test_flags_field if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/appArmorProfile/type"}
}

test_allows_runtime_default if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "runtime/default"}}, "spec": {"containers": [{"name": "a"}]}}
	count(results) == 0
}
