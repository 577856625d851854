# Built-in rule `mutable-revision` (one rule per file; tests in mutable-revision_test.rego).
package tollgate.kubernetes.mutable_revision

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# A 40-hex commit or a version-looking tag.
pinned(rev) if regex.match(`^[0-9a-f]{40}$`, rev)

pinned(rev) if regex.match(`^v?[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.-]+)?$`, rev)

# Argo CD: spec.source and spec.sources[i] (git sources; charts are versions).
argo_sources contains {"source": input.spec.source, "path": "/spec/source"} if input.spec.source

argo_sources contains {"source": s, "path": sprintf("/spec/sources/%d", [i])} if some i, s in k8s.items(input.spec.sources)

# METADATA
# title: GitOps source tracks a mutable revision
# description: >-
#   An Argo CD Application or a Flux GitRepository that tracks HEAD or a branch
#   deploys whatever is pushed next, without review of the exact version.
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/tracking_strategies/
# custom:
#   id: mutable-revision
#   severity: warning
#   remediation: >-
#     Track a tag (`v1.4.2`) or a commit SHA, and bump it in a reviewed
#     change.
#   example: |
#     kind: Application
#     spec:
#       source:
#         targetRevision: HEAD
warn contains {"msg": msg, "path": sprintf("%s/targetRevision", [s.path])} if {
	input.kind == "Application"
	is_string(input.apiVersion)
	startswith(input.apiVersion, "argoproj.io/")
	some s in argo_sources
	not s.source.chart
	rev := k8s.get(s.source, "targetRevision", "HEAD")
	is_string(rev)
	not pinned(rev)
	msg := sprintf(`%s tracks the mutable revision "%s"`, [k8s.resource, rev])
}

warn contains {"msg": msg, "path": "/spec/ref"} if {
	input.kind == "GitRepository"
	is_string(input.apiVersion)
	startswith(input.apiVersion, "source.toolkit.fluxcd.io/")
	ref := k8s.get(input.spec, "ref", {})
	not ref.tag
	not ref.semver
	not ref.commit
	not ref.name
	branch := k8s.get(ref, "branch", "master")
	msg := sprintf(`%s tracks the branch "%s"`, [k8s.resource, branch])
}
