# Built-in rule `pss-capabilities-restricted` (one rule per file; tests in pss-capabilities-restricted_test.rego): the Pod
# Security Standards check `capabilities_restricted`, run only when a level is in force (see
# `pss_*` in lib.rego).
package tollgate.kubernetes.pss_capabilities_restricted

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Unrestricted capabilities (Pod Security)
# description: >-
#   Pod Security restricted (from v1.22) requires every container to drop
#   `ALL` (exactly so) and to add back at most NET_BIND_SERVICE. Pods with
#   `spec.os.name: windows` are exempt from v1.25.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
# custom:
#   id: pss-capabilities-restricted
#   severity: error
#   remediation: >-
#     Set `securityContext.capabilities.drop: [ALL]` and add only
#     NET_BIND_SERVICE.
#   example: |
#     securityContext:
#       capabilities:
#         drop: [NET_RAW]
deny contains {"msg": msg, "path": sprintf("%s/securityContext/capabilities/drop", [c.path])} if {
	k8s.pss_runs("capabilities_restricted")
	some c in k8s.containers
	not drops_all(c.container)
	not k8s.pss_windows(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s does not drop ALL capabilities%s`, [c.name, k8s.resource, k8s.pss_says("capabilities_restricted")])
}

deny contains {"msg": msg, "path": sprintf("%s/securityContext/capabilities/add/%d", [c.path, i])} if {
	k8s.pss_runs("capabilities_restricted")
	some c in k8s.containers
	some i, capability in k8s.items(c.container.securityContext.capabilities.add)
	capability != "NET_BIND_SERVICE"
	not k8s.pss_windows(k8s.pod_of(c))
	msg := sprintf(`container "%s" of %s adds capability %v%s`, [c.name, k8s.resource, capability, k8s.pss_says("capabilities_restricted")])
}

drops_all(container) if "ALL" in k8s.items(container.securityContext.capabilities.drop)
