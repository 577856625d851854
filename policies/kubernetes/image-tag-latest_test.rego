package tollgate.kubernetes.image_tag_latest_test

import rego.v1

import data.tollgate.kubernetes.image_tag_latest as rule

test_flags_latest_and_untagged if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx:latest"}, {"name": "b", "image": "registry:5000/team/app"}, {"name": "c", "image": "app:1.0"}]}}}}
	{r.path | some r in results} == {"/spec/template/spec/containers/0/image", "/spec/template/spec/containers/1/image"}
}

test_allows_digest if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}}}}
	count(results) == 0
}
