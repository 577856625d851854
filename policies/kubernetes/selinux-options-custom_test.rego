package tollgate.kubernetes.selinux_options_custom_test

import rego.v1

import data.tollgate.kubernetes.selinux_options_custom as rule

test_flags_type if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "spc_t"}}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/securityContext/seLinuxOptions/type"}
}

test_flags_pod_user if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"securityContext": {"seLinuxOptions": {"user": "root"}}, "containers": []}}
	{r.path | some r in results} == {"/spec/securityContext/seLinuxOptions/user"}
}

test_allows_container_t if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c1"}}}]}}}}
	count(results) == 0
}
