package tollgate.kubernetes.unsafe_sysctl_test

import rego.v1

import data.tollgate.kubernetes.unsafe_sysctl as rule

test_flags_unsafe if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [], "securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}, {"name": "kernel.msgmax", "value": "1"}]}}}
	{r.path | some r in results} == {"/spec/securityContext/sysctls/1/name"}
}

test_allows_safe if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "spec": {"containers": [], "securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced", "value": "1"}]}}}
	count(results) == 0
}
