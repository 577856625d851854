# Built-in rule `unsafe-sysctl` (one rule per file; tests in unsafe-sysctl_test.rego).
package tollgate.kubernetes.unsafe_sysctl

import rego.v1

import data.tollgate.lib.kubernetes as k8s

safe := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

# METADATA
# title: Unsafe sysctl
# description: >-
#   Sysctls outside the safe set change kernel settings shared with every other
#   pod on the node. The Pod Security Standards (baseline) allow only the
#   namespaced safe set.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: unsafe-sysctl
#   severity: error
#   remediation: >-
#     Remove the sysctl, or move the workload to dedicated nodes whose kubelet
#     allows it.
#   example: |
#     securityContext:
#       sysctls:
#       - name: kernel.msgmax
#         value: "65536"
deny contains {"msg": msg, "path": sprintf("%s/securityContext/sysctls/%d/name", [pod.path, i])} if {
	not k8s.pss_on # a Pod Security level is in force: the pss-* rules report instead
	some pod in k8s.pod_specs
	some i, sysctl in k8s.items(pod.spec.securityContext.sysctls)
	name := sysctl.name
	not name in safe
	msg := sprintf("%s sets the unsafe sysctl %s", [k8s.resource, name])
}
