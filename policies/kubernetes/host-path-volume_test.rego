package tollgate.kubernetes.host_path_volume_test

import rego.v1

import data.tollgate.kubernetes.host_path_volume as rule

test_flags_host_path if {
	results := {r | some r in rule.deny} with input as {"kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [], "volumes": [{"name": "e", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/volumes/1/hostPath"}
}

test_allows_empty_dir if {
	results := {r | some r in rule.deny} with input as {"kind": "Pod", "spec": {"containers": [], "volumes": [{"name": "e", "emptyDir": {}}]}}
	count(results) == 0
}
