package tollgate.kubernetes.pss_restricted_volumes_test

import rego.v1

import data.tollgate.kubernetes.pss_restricted_volumes as rule

test_flags if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"volumes": [{"name": "a"}, {"name": "b", "nfs": {"server": "s", "path": "/"}}, {"name": "c", "projected": {"sources": []}}], "containers": [{"name": "a"}]}}
		with data.tollgate_settings.pod_security as {"level": "restricted", "version": 37, "label": "restricted v1.37"}
	{r.path | some r in results} == {"/spec/volumes/1/nfs"}
}
