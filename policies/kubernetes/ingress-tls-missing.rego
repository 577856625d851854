# Built-in rule `ingress-tls-missing` (one rule per file; tests in ingress-tls-missing_test.rego).
package tollgate.kubernetes.ingress_tls_missing

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Ingress without TLS
# description: >-
#   An Ingress without a `tls` section serves its hosts over plain HTTP.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
# custom:
#   id: ingress-tls-missing
#   severity: warning
#   remediation: >-
#     Add `spec.tls` with the hosts and a certificate Secret (cert-manager can
#     issue it).
#   example: |
#     kind: Ingress
#     spec:
#       rules:
#       - host: example.com
warn contains {"msg": msg, "path": "/spec"} if {
	input.kind == "Ingress"
	not has_tls
	msg := sprintf("%s has no spec.tls: its hosts are served over plain HTTP", [k8s.resource])
}

has_tls if {
	tls := input.spec.tls
	is_array(tls)
	count(tls) > 0
}
