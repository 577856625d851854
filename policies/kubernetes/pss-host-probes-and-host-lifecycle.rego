# Built-in rule `pss-host-probes-and-host-lifecycle` (one rule per file; tests in pss-host-probes-and-host-lifecycle_test.rego): the Pod
# Security Standards check `hostProbesAndHostLifecycle`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_host_probes_and_host_lifecycle

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Probe or lifecycle host (Pod Security)
# description: >-
#   A probe or lifecycle handler with a `host` makes the kubelet connect to
#   another machine on the pod's behalf. Pod Security baseline (from v1.34)
#   allows `httpGet.host` and `tcpSocket.host` of the liveness, readiness
#   and startup probes and of `lifecycle.postStart`/`preStop` only unset or
#   empty.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-host-probes-and-host-lifecycle
#   severity: error
#   remediation: >-
#     Remove `host` from the probe or handler (it then targets the pod's
#     IP).
#   example: |
#     livenessProbe:
#       httpGet:
#         host: example.com
#         port: 80
deny contains {"msg": msg, "path": sprintf("%s/%s/%s/host", [c.path, handler, action])} if {
	k8s.pss_runs("hostProbesAndHostLifecycle")
	some c in k8s.containers
	some handler in ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle/postStart", "lifecycle/preStop"]
	h := object.get(c.container, split(handler, "/"), {})
	some action in ["httpGet", "tcpSocket"]
	host := h[action].host
	host != ""
	msg := sprintf(`container "%s" of %s sets %s.%s.host "%v"%s`, [c.name, k8s.resource, replace(handler, "/", "."), action, host, k8s.pss_says("hostProbesAndHostLifecycle")])
}
