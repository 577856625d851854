# Built-in rule `service-type-exposed` (one rule per file; tests in service-type-exposed_test.rego).
package tollgate.kubernetes.service_type_exposed

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Service exposed outside the cluster
# description: >-
#   A Service of type LoadBalancer or NodePort is reachable from outside the
#   cluster; it should be a deliberate choice, reviewed as such.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types
# custom:
#   id: service-type-exposed
#   severity: warning
#   remediation: >-
#     Use a ClusterIP Service behind an Ingress or Gateway, or keep the type
#     and turn this rule off for the file's path in review.
#   example: |
#     kind: Service
#     spec:
#       type: LoadBalancer
warn contains {"msg": msg, "path": "/spec/type"} if {
	input.kind == "Service"
	input.spec.type in {"LoadBalancer", "NodePort"}
	msg := sprintf("%s is of type %s, reachable from outside the cluster", [k8s.resource, input.spec.type])
}
