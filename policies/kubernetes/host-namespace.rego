# Built-in rule `host-namespace` (one rule per file; tests in host-namespace_test.rego).
package tollgate.kubernetes.host_namespace

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Pod shares a host namespace
# description: >-
#   `hostNetwork`, `hostPID` or `hostIPC` let the pod see and talk to the node's
#   network, processes or shared memory. The Pod Security Standards (baseline)
#   forbid them.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: host-namespace
#   severity: error
#   remediation: >-
#     Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false);
#     expose ports through a Service instead.
#   example: |
#     spec:
#       hostNetwork: true
#       containers:
#       - name: app
deny contains {"msg": msg, "path": sprintf("%s/%s", [pod.path, field])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some pod in k8s.pod_specs
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	pod.spec[field] == true
	msg := sprintf("%s sets %s: true", [k8s.resource, field])
}
