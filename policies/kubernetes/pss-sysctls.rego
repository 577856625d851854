# Built-in rule `pss-sysctls` (one rule per file; tests in pss-sysctls_test.rego): the Pod
# Security Standards check `sysctls`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_sysctls

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Forbidden sysctl (Pod Security)
# description: >-
#   Pod Security baseline allows only the safe, namespaced sysctls of its
#   version: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range,
#   net.ipv4.tcp_syncookies, net.ipv4.ping_group_range,
#   net.ipv4.ip_unprivileged_port_start; from v1.27
#   net.ipv4.ip_local_reserved_ports; from v1.29
#   net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl,
#   tcp_keepalive_probes; from v1.32 net.ipv4.tcp_rmem, tcp_wmem; from v1.37
#   net.ipv4.tcp_slow_start_after_idle, tcp_notsent_lowat.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-sysctls
#   severity: error
#   remediation: >-
#     Remove the sysctl, or run the workload in a namespace with a lower
#     level.
#   example: |
#     securityContext:
#       sysctls:
#       - name: kernel.msgmax
#         value: "65536"
deny contains {"msg": msg, "path": sprintf("%s/securityContext/sysctls/%d/name", [pod.path, i])} if {
	k8s.pss_runs("sysctls")
	some pod in k8s.pod_specs
	some i, sysctl in k8s.items(pod.spec.securityContext.sysctls)
	name := sysctl.name
	not allowed[name]
	msg := sprintf("%s sets the forbidden sysctl %v%s", [k8s.resource, name, k8s.pss_says("sysctls")])
}

# The allowed names, by the version that added them.
since := {
	"kernel.shm_rmid_forced": 0, "net.ipv4.ip_local_port_range": 0, "net.ipv4.tcp_syncookies": 0,
	"net.ipv4.ping_group_range": 0, "net.ipv4.ip_unprivileged_port_start": 0,
	"net.ipv4.ip_local_reserved_ports": 27,
	"net.ipv4.tcp_keepalive_time": 29, "net.ipv4.tcp_fin_timeout": 29,
	"net.ipv4.tcp_keepalive_intvl": 29, "net.ipv4.tcp_keepalive_probes": 29,
	"net.ipv4.tcp_rmem": 32, "net.ipv4.tcp_wmem": 32,
	"net.ipv4.tcp_slow_start_after_idle": 37, "net.ipv4.tcp_notsent_lowat": 37,
}

allowed[name] if {
	some name, minor in since
	k8s.pss_from(minor)
}
