# Built-in rule `probe-missing` (one rule per file; tests in probe-missing_test.rego).
package tollgate.kubernetes.probe_missing

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Container without liveness or readiness probe
# description: >-
#   Without a readiness probe a Service sends traffic to pods that are not
#   ready; without a liveness probe a hung process is never restarted.
# related_resources:
# - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
# custom:
#   id: probe-missing
#   severity: warning
#   remediation: >-
#     Add `readinessProbe` and `livenessProbe` to the long-running containers
#     of Deployments, StatefulSets, DaemonSets and ReplicaSets.
#   example: |
#     containers:
#     - name: app
#       image: app:1.0   # no probes
warn contains {"msg": msg, "path": c.path} if {
	input.kind in k8s.long_running_kinds
	some c in k8s.containers
	c.field == "containers"
	missing := [p | some p in ["livenessProbe", "readinessProbe"]; not c.container[p]]
	count(missing) > 0
	msg := sprintf(`container "%s" of %s has no %s`, [c.name, k8s.resource, concat(" and no ", missing)])
}
