//! Rule metadata for reports that describe rules (SARIF), with the texts of the
//! built-in rules in one place. Policy rules bring their own metadata from their
//! `# METADATA` comments; see [`RuleMeta`].

use crate::model::finding::Severity;

/// What a report says about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable rule id.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What the rule checks and how to fix a finding.
    pub description: String,
    /// A page that explains the rule, when there is one.
    pub help_uri: Option<String>,
    /// The severity the rule reports at by default.
    pub default_severity: Severity,
}

/// (id, title, description) of the rules tollgate itself reports.
const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "syntax",
        "Invalid YAML or JSON",
        "The document does not parse as Kubernetes' reader (go-yaml v2 / JSON) parses it. Fix the syntax at the reported position; the other documents of the file are still checked.",
    ),
    (
        "duplicate-key",
        "Duplicate mapping key",
        "A key is written twice in one mapping. `kubectl apply` rejects it under strict field validation and otherwise silently keeps the last value. Remove one of them.",
    ),
    (
        "encoding",
        "Not UTF-8",
        "Manifests must be UTF-8 (or UTF-16 with a byte order mark). Re-encode the file.",
    ),
    (
        "unreadable",
        "Unreadable file",
        "The file could not be read. Check permissions and that it still exists.",
    ),
    (
        "file-too-large",
        "File too large",
        "The file is above `limits.max_file_size` and was not checked. Raise the limit or split the file.",
    ),
    (
        "document-limit",
        "Too many documents",
        "The file has more documents than `limits.max_documents`; the rest was not checked.",
    ),
    (
        "depth-limit",
        "Nesting too deep",
        "The document nests deeper than `limits.max_depth` and was not checked.",
    ),
    (
        "node-limit",
        "Document too large",
        "The document has more nodes than `limits.max_nodes` and was not checked.",
    ),
    (
        "alias-limit",
        "Alias expansion too large",
        "Aliases would expand the document beyond the limits (an alias bomb?); it was not checked.",
    ),
    (
        "string-limit",
        "String too long",
        "A string is longer than `limits.max_string_length`; the document was not checked.",
    ),
    (
        "unrepresentable-value",
        "Value JSON cannot hold",
        "`.inf` and `.nan` are numbers in YAML that JSON, and so Kubernetes, cannot represent. Quote them if a string is meant.",
    ),
    (
        "internal-error",
        "tollgate crashed on this file",
        "tollgate hit a bug while checking this file; other files were checked. Please report it with the file.",
    ),
    (
        "schema",
        "Schema violation",
        "The value does not match the JSON Schema of its kind (Kubernetes' OpenAPI schema, a CRD, or a configured schema).",
    ),
    (
        "schema-missing",
        "No schema",
        "No schema is known for this apiVersion/kind, so it was not validated. Add its CRD to the checked files or a `schemas:` directory.",
    ),
    (
        "schema-invalid",
        "Invalid schema",
        "A schema could not be read or compiled.",
    ),
    (
        "api-removed",
        "API removed",
        "The target Kubernetes version no longer serves this apiVersion/kind. Move to the replacement named in the message.",
    ),
    (
        "api-unavailable",
        "API not yet served",
        "The target Kubernetes version does not serve this apiVersion/kind yet.",
    ),
    (
        "api-deprecated",
        "API deprecated",
        "This apiVersion/kind is deprecated and will be removed. Move to its replacement.",
    ),
    (
        "resource-identity",
        "Incomplete identity",
        "A document has `apiVersion` without `kind`, or the reverse.",
    ),
];

/// Metadata of a built-in rule.
pub fn builtin(id: &str) -> Option<RuleMeta> {
    BUILTIN
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(id, title, description)| RuleMeta {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            description: (*description).to_owned(),
            help_uri: None,
            default_severity: if matches!(*id, "schema-missing" | "api-deprecated") {
                Severity::Warning
            } else {
                Severity::Error
            },
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::finding::rules;

    #[test]
    fn every_builtin_rule_constant_is_described() {
        for id in [
            rules::SYNTAX,
            rules::DUPLICATE_KEY,
            rules::ENCODING,
            rules::UNREADABLE,
            rules::FILE_TOO_LARGE,
            rules::DOCUMENT_LIMIT,
            rules::DEPTH_LIMIT,
            rules::NODE_LIMIT,
            rules::ALIAS_LIMIT,
            rules::STRING_LIMIT,
            rules::UNREPRESENTABLE,
            rules::INTERNAL_ERROR,
        ] {
            assert!(builtin(&id).is_some(), "{id} has no description");
        }
    }
}
