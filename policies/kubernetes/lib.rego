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

# Custom resources (and the core PodTemplate) that embed a pod spec, in one
# table: apiVersion (a group matches every version of it), kind, and the JSON
# pointer of the pod spec; the pod's metadata is the `metadata` beside it.
# `pod_templates:` in .tollgate.yaml adds rows (data.tollgate_settings.pod_templates).
# Kinds matched by name above (the built-in workloads) are not looked up here.
pod_template_table := [
	{"apiVersion": "v1", "kind": "PodTemplate", "path": "/template/spec"},
	{"apiVersion": "argoproj.io", "kind": "Rollout", "path": "/spec/template/spec"},
	{"apiVersion": "serving.knative.dev", "kind": "Service", "path": "/spec/template/spec"},
	{"apiVersion": "serving.knative.dev", "kind": "Configuration", "path": "/spec/template/spec"},
	{"apiVersion": "keda.sh", "kind": "ScaledJob", "path": "/spec/jobTemplate/spec/template/spec"},
	{"apiVersion": "apps.kruise.io", "kind": "CloneSet", "path": "/spec/template/spec"},
	{"apiVersion": "tekton.dev", "kind": "TaskRun", "path": "/spec/podTemplate"},
]

# The table's rows and the config's.
pod_template_rows := array.concat(pod_template_table, data.tollgate_settings.pod_templates) if has_custom_rows

pod_template_rows := pod_template_table if not has_custom_rows

has_custom_rows if is_array(data.tollgate_settings.pod_templates)

# Kinds whose pod specs are found by kind alone.
kind_pod_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController", "CronJob"}

pod_specs[p.path] := p if {
	not input.kind in kind_pod_kinds
	some row in pod_template_rows
	row.kind == input.kind
	api_matches(row.apiVersion)
	keys := split(trim_prefix(row.path, "/"), "/")
	spec := object.get(input, keys, null)
	is_object(spec)
	meta_keys := array.concat(array.slice(keys, 0, count(keys) - 1), ["metadata"])
	meta := object.get(input, meta_keys, {})
	p := {"spec": spec, "path": row.path, "meta": object_or_empty(meta), "meta_path": concat("/", array.concat([""], meta_keys))}
}

object_or_empty(x) := x if is_object(x)

object_or_empty(x) := {} if not is_object(x)

# The row's apiVersion is the object's, or the object's group.
api_matches(api) if input.apiVersion == api

api_matches(api) if {
	contains(input.apiVersion, "/")
	split(input.apiVersion, "/")[0] == api
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

# ---------------------------------------------------------------------------
# Pod Security Standards at a level and version, as the PodSecurity admission
# controller decides them. The setting comes from `pod_security:` in
# .tollgate.yaml (or `--pod-security`) as data.tollgate_settings.pod_security =
# {"level", "version" (the minor number: 30 for v1.30), "label"}, and from the
# `pod-security.kubernetes.io/enforce` labels of the namespaces found in the
# repository (data.tollgate_namespaces[namespace], same
# shape), which win for the objects of their namespace. With neither, the
# `pss-*` rules are silent and the older rules report as they always have.
# ---------------------------------------------------------------------------

# The setting in force for this object.
# (Two definitions that cannot both hold rather than `else`: see `security`.)
pss_setting := data.tollgate_namespaces[input.metadata.namespace]

pss_setting := data.tollgate_settings.pod_security if not namespace_labelled

namespace_labelled if {
	_ = data.tollgate_namespaces[input.metadata.namespace]
}

# A level is in force: the `pss-*` rules report, the older Pod Security rules
# (privileged-container, run-as-root, ...) stay silent so a violation is one
# finding.
pss_on if is_string(pss_setting.level)

pss_level := pss_setting.level

pss_version := pss_setting.version

# Each check, per level: the versions where it runs, [from, until) as minor
# numbers. A restricted check that replaces a baseline one ends the baseline
# one's range at restricted (capabilities_baseline at 22, seccompProfile_baseline
# at 19, procMount at 35; hostPathVolumes never runs at restricted).
pss_table := {
	"privileged": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"hostNamespaces": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"hostPathVolumes": {"baseline": [0, 1000]},
	"hostPorts": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"hostProbesAndHostLifecycle": {"baseline": [34, 1000], "restricted": [34, 1000]},
	"capabilities_baseline": {"baseline": [0, 1000], "restricted": [0, 22]},
	"appArmorProfile": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"seLinuxOptions": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"procMount": {"baseline": [0, 1000], "restricted": [0, 35]},
	"seccompProfile_baseline": {"baseline": [0, 1000], "restricted": [0, 19]},
	"sysctls": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"windowsHostProcess": {"baseline": [0, 1000], "restricted": [0, 1000]},
	"allowPrivilegeEscalation": {"restricted": [8, 1000]},
	"capabilities_restricted": {"restricted": [22, 1000]},
	"procMount_restricted": {"restricted": [35, 1000]},
	"restrictedVolumes": {"restricted": [0, 1000]},
	"runAsNonRoot": {"restricted": [0, 1000]},
	"runAsUser": {"restricted": [23, 1000]},
	"seccompProfile_restricted": {"restricted": [19, 1000]},
}

# The check runs at the level and version in force.
pss_runs(check) if {
	range := pss_table[check][pss_level]
	pss_version >= range[0]
	pss_version < range[1]
}

# From this version on (the minor number).
pss_from(minor) if pss_version >= minor

# " (Pod Security baseline v1.30: privileged)", the end of every message.
pss_says(check) := sprintf(" (Pod Security %s: %s)", [pss_setting.label, check])

# The pod spec a container belongs to.
pod_of(c) := pod_specs[c.pod_path]

# A Windows pod (spec.os.name), exempt from some restricted checks from v1.25.
pss_windows(pod) if {
	pss_from(25)
	pod.spec.os.name == "windows"
}

# A pod in its own user namespace (`hostUsers: false`), relaxed from v1.35.
pss_user_namespace(pod) if {
	pss_from(35)
	pod.spec.hostUsers == false
}
