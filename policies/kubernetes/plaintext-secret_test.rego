package tollgate.kubernetes.plaintext_secret_test

import rego.v1

import data.tollgate.kubernetes.plaintext_secret as rule

test_flags_data if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": "Yg=="}}
	{r.path | some r in results} == {"/data"}
}

test_allows_sops if {
	results := {r | some r in rule.deny} with input as {"apiVersion": "v1", "kind": "Secret", "data": {"a": "ENC[AES256_GCM,data:x]"}, "sops": {"version": "3"}}
	count(results) == 0
}
