# Built-in rule `pss-host-namespaces` (one rule per file; tests in pss-host-namespaces_test.rego): the Pod
# Security Standards check `hostNamespaces`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_host_namespaces

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Host namespaces (Pod Security)
# description: >-
#   Sharing the node's network, PID or IPC namespace breaks the isolation
#   between the pod and the node. Pod Security baseline allows
#   `hostNetwork`, `hostPID` and `hostIPC` only unset or false.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-host-namespaces
#   severity: error
#   remediation: >-
#     Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec.
#   example: |
#     spec:
#       hostNetwork: true
deny contains {"msg": msg, "path": sprintf("%s/%s", [pod.path, field])} if {
	k8s.pss_runs("hostNamespaces")
	some pod in k8s.pod_specs
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	pod.spec[field] == true
	msg := sprintf("%s sets %s: true%s", [k8s.resource, field, k8s.pss_says("hostNamespaces")])
}
