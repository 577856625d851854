# Shared helpers of the built-in pack: the pod specs of an object wherever they
# live, their containers, and how to name the object in a message. Every element
# carries the JSON pointer of where it was found, so rules can return `path`.
package tollgate.lib.kubernetes

import rego.v1

# Kinds whose pod template is at spec.template.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# Kinds that run long-lived pods (probes make sense there).
long_running_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}

# The pod specs of this object: {"spec", "path", "meta", "meta_path"}.
pod_specs contains {"spec": input.spec, "path": "/spec", "meta": object.get(input, "metadata", {}), "meta_path": "/metadata"} if {
	input.kind == "Pod"
	is_object(input.spec)
}

pod_specs contains p if {
	input.kind in template_kinds
	template := input.spec.template
	is_object(template.spec)
	p := {"spec": template.spec, "path": "/spec/template/spec", "meta": object.get(template, "metadata", {}), "meta_path": "/spec/template/metadata"}
}

pod_specs contains p if {
	input.kind == "CronJob"
	template := input.spec.jobTemplate.spec.template
	is_object(template.spec)
	p := {"spec": template.spec, "path": "/spec/jobTemplate/spec/template/spec", "meta": object.get(template, "metadata", {}), "meta_path": "/spec/jobTemplate/spec/template/metadata"}
}

# Every container of every pod spec:
# {"container", "name", "field", "path", "pod_path", "pod_security"}.
containers contains c if {
	some pod in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some i, container in pod.spec[field]
	is_object(container)
	c := {
		"container": container,
		"name": object.get(container, "name", sprintf("#%d", [i])),
		"field": field,
		"path": sprintf("%s/%s/%d", [pod.path, field, i]),
		"pod_path": pod.path,
		"pod_security": object.get(pod.spec, "securityContext", {}),
	}
}

# The container's securityContext value for `field`, else the pod's.
security(c, field) := v if {
	v := c.container.securityContext[field]
} else := v if {
	v := c.pod_security[field]
}

# The object's name for messages.
name := n if {
	n := input.metadata.name
	is_string(n)
} else := "<unnamed>"

# "Deployment web" for messages.
resource := sprintf("%s %s", [input.kind, name])
