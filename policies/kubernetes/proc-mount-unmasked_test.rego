package tollgate.kubernetes.proc_mount_unmasked_test

import rego.v1

import data.tollgate.kubernetes.proc_mount_unmasked as rule

test_flags_unmasked if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/procMount"}
}

test_allows_default if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"procMount": "Default"}}]}}}}
	count(results) == 0
}
