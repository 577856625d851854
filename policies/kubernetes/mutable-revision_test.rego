package tollgate.kubernetes.mutable_revision_test

import rego.v1

import data.tollgate.kubernetes.mutable_revision as rule

test_flags_argo_head if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"}, "spec": {"source": {"repoURL": "r", "targetRevision": "HEAD"}}}
	{r.path | some r in results} == {"/spec/source/targetRevision"}
}

test_flags_flux_branch if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": {"name": "g"}, "spec": {"ref": {"branch": "main"}}}
	{r.path | some r in results} == {"/spec/ref"}
}

test_allows_tag_and_chart if {
	results := {r | some r in rule.warn} with input as {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"sources": [{"repoURL": "r", "targetRevision": "v1.2.3"}, {"chart": "c", "targetRevision": "1.*"}]}}
	count(results) == 0
}
