# Built-in rule `plaintext-secret` (one rule per file; tests in plaintext-secret_test.rego).
package tollgate.kubernetes.plaintext_secret

import rego.v1

import data.tollgate.lib.kubernetes as k8s

# METADATA
# title: Secret committed in plain text
# description: >-
#   A Secret manifest in git holds its values in base64, which is not
#   encryption: anyone with read access to the repository has them.
# related_resources:
# - ref: https://kubernetes.io/docs/concepts/security/secrets-good-practices/
# custom:
#   id: plaintext-secret
#   severity: error
#   remediation: >-
#     Commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret
#     instead, and rotate the values already committed.
#   example: |
#     kind: Secret
#     data:
#       password: aHVudGVyMg==
deny contains {"msg": msg, "path": sprintf("/%s", [field])} if {
	input.kind == "Secret"
	input.apiVersion == "v1"
	some field in ["data", "stringData"]
	is_object(input[field])
	count(input[field]) > 0
	not input.sops
	msg := sprintf("%s holds values in plain text (%s); commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret instead", [k8s.resource, field])
}
