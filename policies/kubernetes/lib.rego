# Shared helpers of the built-in pack: the pod specs of an object wherever they
# live, their containers, and how to name the object in a message. Every element
# carries the JSON pointer of where it was found, so rules can return `path`.
package tollgate.lib.kubernetes

import rego.v1

# Kinds whose pod template is at spec.template.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# Kinds that run long-lived pods (probes make sense there).
long_running_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}

# The pod specs of this object, keyed by their JSON pointer:
# {"spec", "path", "meta", "meta_path"}. Keyed (an object, not a set) because
# building a set compares whole pod specs with each other, which costs more
# than everything the rules do with them.
pod_specs[path] := p if {
	input.kind == "Pod"
	is_object(input.spec)
	path := "/spec"
	p := {"spec": input.spec, "path": path, "meta": object.get(input, "metadata", {}), "meta_path": "/metadata"}
}

pod_specs[p.path] := p if {
	input.kind in template_kinds
	template := input.spec.template
	is_object(template.spec)
	p := {"spec": template.spec, "path": "/spec/template/spec", "meta": object.get(template, "metadata", {}), "meta_path": "/spec/template/metadata"}
}

pod_specs[p.path] := p if {
	input.kind == "CronJob"
	template := input.spec.jobTemplate.spec.template
	is_object(template.spec)
	p := {"spec": template.spec, "path": "/spec/jobTemplate/spec/template/spec", "meta": object.get(template, "metadata", {}), "meta_path": "/spec/jobTemplate/spec/template/metadata"}
}

# Every container of every pod spec, keyed by its JSON pointer (as pod_specs):
# {"container", "name", "field", "path", "pod_path", "pod_security"}.
containers[path] := c if {
	some pod in pod_specs
	some field in ["initContainers", "containers", "ephemeralContainers"]
	some i, container in items(pod.spec[field])
	is_object(container)
	path := sprintf("%s/%s/%d", [pod.path, field, i])
	c := {
		"container": container,
		"name": object.get(container, "name", sprintf("#%d", [i])),
		"field": field,
		"path": path,
		"pod_path": pod.path,
		"pod_security": object.get(pod.spec, "securityContext", {}),
	}
}

# The container's securityContext value for `field`, else the pod's (undefined
# when neither sets it). Two definitions that cannot both hold rather than
# `else`: regorus' compiled VM does not take the `else` of a function.
security(c, field) := c.container.securityContext[field]

security(c, field) := c.pod_security[field] if not container_sets(c, field)

container_sets(c, field) if {
	_ = c.container.securityContext[field]
}

# `x` when it is an array, else `[]`: `some .. in` fails on a string or a
# number, and the schema check already reports the wrong type.
items(x) := x if is_array(x)

items(x) := [] if not is_array(x)

# `object.get` for any value: `fallback` when `x` is not an object.
get(x, key, fallback) := object.get(x, key, fallback) if is_object(x)

get(x, key, fallback) := fallback if not is_object(x)

# The object's name for messages.
name := n if {
	n := input.metadata.name
	is_string(n)
} else := "<unnamed>"

# "Deployment web" for messages.
resource := sprintf("%s %s", [input.kind, name])
