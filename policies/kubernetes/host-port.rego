# Built-in rule `host-port` (one rule per file; tests in host-port_test.rego).
package tollgate.kubernetes.host_port

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Container binds a host port
# description: >-
#   A hostPort binds the port on the node itself, bypassing Services and network
#   policies, and limits where the pod can be scheduled. The Pod Security
#   Standards (baseline) forbid it.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: host-port
#   severity: error
#   remediation: >-
#     Remove `hostPort`; expose the port with a Service (ClusterIP, or an
#     Ingress in front of it).
#   example: |
#     ports:
#     - containerPort: 8080
#       hostPort: 8080
deny contains {"msg": msg, "path": sprintf("%s/ports/%d/hostPort", [c.path, i])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some c in k8s.containers
	some i, port in k8s.items(c.container.ports)
	port.hostPort != 0
	msg := sprintf(`container "%s" of %s binds host port %v`, [c.name, k8s.resource, port.hostPort])
}
