package tollgate.kubernetes.cluster_admin_binding_test

import rego.v1

import data.tollgate.kubernetes.cluster_admin_binding as rule

test_flags_binding if {
	results := {r | some r in rule.deny} with input as {"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"}}
	{r.path | some r in results} == {"/roleRef/name"}
}

test_allows_view if {
	results := {r | some r in rule.deny} with input as {"kind": "RoleBinding", "roleRef": {"kind": "ClusterRole", "name": "view"}}
	count(results) == 0
}
