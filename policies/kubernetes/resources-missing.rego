# Built-in rule `resources-missing` (one rule per file; tests in resources-missing_test.rego).
package tollgate.kubernetes.resources_missing

import rego.v1

import data.tollgate.lib.kubernetes as k8s

wanted := [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]

# METADATA
# title: Container without resource requests or memory limit
# description: >-
#   Without CPU and memory requests the scheduler cannot place the pod sensibly,
#   and without a memory limit one container can starve the node.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
# custom:
#   id: resources-missing
#   severity: warning
#   remediation: >-
#     Set `resources.requests.cpu`, `resources.requests.memory` and
#     `resources.limits.memory` on every container.
#   example: |
#     containers:
#     - name: app
#       image: app:1.0   # no resources
warn contains {"msg": msg, "path": sprintf("%s/resources", [c.path])} if {
	some c in k8s.containers
	c.field != "ephemeralContainers"
	missing := [sprintf("%s.%s", w) | some w in wanted; not has(c.container, w)]
	count(missing) > 0
	msg := sprintf(`container "%s" of %s has no resources.%s`, [c.name, k8s.resource, concat(", resources.", missing)])
}

has(container, w) if container.resources[w[0]][w[1]]
