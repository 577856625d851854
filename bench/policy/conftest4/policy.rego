# The 4-rule conftest-style policy of issue 17's benchmark (bench/policy.sh):
# memory limits, the `latest` tag, privileged containers, runAsNonRoot. Written
# as conftest users write them: package `main`, `deny`/`warn` sets of messages,
# no guards against wrongly typed fields (a wrong type is a `policy-error` on
# both engines, through the interpreter).
package main

import rego.v1

workloads := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec := input.spec.template.spec if workloads[input.kind]

pod_spec := input.spec if input.kind == "Pod"

containers contains c if {
	some c in pod_spec.containers
}

containers contains c if {
	some c in pod_spec.initContainers
}

deny_memory_limit contains msg if {
	some c in containers
	not c.resources.limits.memory
	msg := sprintf("%s %s: container %s has no memory limit", [input.kind, input.metadata.name, c.name])
}

deny_latest_tag contains msg if {
	some c in containers
	endswith(c.image, ":latest")
	msg := sprintf("%s %s: container %s uses the latest tag", [input.kind, input.metadata.name, c.name])
}

deny_privileged contains msg if {
	some c in containers
	c.securityContext.privileged == true
	msg := sprintf("%s %s: container %s is privileged", [input.kind, input.metadata.name, c.name])
}

warn_run_as_root contains msg if {
	pod_spec
	not pod_spec.securityContext.runAsNonRoot
	msg := sprintf("%s %s: the pod does not set runAsNonRoot", [input.kind, input.metadata.name])
}
