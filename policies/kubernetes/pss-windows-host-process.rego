# Built-in rule `pss-windows-host-process` (one rule per file; tests in pss-windows-host-process_test.rego): the Pod
# Security Standards check `windowsHostProcess`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_windows_host_process

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Windows hostProcess (Pod Security)
# description: >-
#   A Windows hostProcess container runs as a process on the node. Pod
#   Security baseline allows `windowsOptions.hostProcess` only unset or
#   false, on the pod and on every container.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# custom:
#   id: pss-windows-host-process
#   severity: error
#   remediation: >-
#     Remove `securityContext.windowsOptions.hostProcess: true`.
#   example: |
#     securityContext:
#       windowsOptions:
#         hostProcess: true
deny contains {"msg": msg, "path": sprintf("%s/securityContext/windowsOptions/hostProcess", [pod.path])} if {
	k8s.pss_runs("windowsHostProcess")
	some pod in k8s.pod_specs
	pod.spec.securityContext.windowsOptions.hostProcess == true
	msg := sprintf("%s sets windowsOptions.hostProcess: true%s", [k8s.resource, k8s.pss_says("windowsHostProcess")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/windowsOptions/hostProcess", [c.path])} if {
	k8s.pss_runs("windowsHostProcess")
	some c in k8s.containers
	c.container.securityContext.windowsOptions.hostProcess == true
	msg := sprintf(`container "%s" of %s sets windowsOptions.hostProcess: true%s`, [c.name, k8s.resource, k8s.pss_says("windowsHostProcess")])
}
