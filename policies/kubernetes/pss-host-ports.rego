# Built-in rule `pss-host-ports` (one rule per file; tests in pss-host-ports_test.rego): the Pod
# Security Standards check `hostPorts`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_host_ports

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Host port (Pod Security)
# description: >-
#   A hostPort binds the node's port. Pod Security baseline allows
#   `ports[*].hostPort` only unset or 0, on every container (init and
#   ephemeral included).
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-host-ports
#   severity: error
#   remediation: >-
#     Remove `hostPort`; expose the port with a Service.
#   example: |
#     ports:
#     - containerPort: 8080
#       hostPort: 8080
deny contains {"msg": msg, "path": sprintf("%s/ports/%d/hostPort", [c.path, i])} if {
	k8s.pss_runs("hostPorts")
	some c in k8s.containers
	some i, port in k8s.items(c.container.ports)
	hp := port.hostPort
	hp != 0
	msg := sprintf(`container "%s" of %s uses hostPort %v%s`, [c.name, k8s.resource, hp, k8s.pss_says("hostPorts")])
}
