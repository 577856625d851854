//! The one rule registry: every rule id tollgate itself can emit — loader,
//! schema and API, policy engine, waivers — with its title, description,
//! default severity and documentation anchor. SARIF rule descriptions,
//! `tollgate explain`, `docs/rules.md` and the README's rule list come from
//! this table or are checked against it by tests. The built-in policy pack's
//! rules carry the same facts in their `# METADATA` blocks (see
//! `stages::policy::pack`); a test checks that every emitted id is one or the
//! other.

use std::borrow::Cow::Borrowed;

use crate::model::finding::{RuleId, Severity};

/// A built-in rule: what it is and how it reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// What the rule checks and how to fix a finding.
    pub description: &'static str,
    /// The severity it reports at unless `rules:` says otherwise.
    pub severity: Severity,
}

impl Rule {
    /// Where the rule is documented, relative to the repository root.
    pub fn doc_anchor(&self) -> String {
        format!("docs/rules.md#{}", self.id)
    }
}

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

/// A file or document that does not parse.
pub const SYNTAX: RuleId = Borrowed("syntax");
/// A mapping key written twice.
pub const DUPLICATE_KEY: RuleId = Borrowed("duplicate-key");
/// A file that is neither UTF-8 nor UTF-16 with a byte order mark.
pub const ENCODING: RuleId = Borrowed("encoding");
/// A file that could not be read.
pub const UNREADABLE: RuleId = Borrowed("unreadable");
/// A file above `limits.max_file_size`.
pub const FILE_TOO_LARGE: RuleId = Borrowed("file-too-large");
/// More documents than `limits.max_documents`.
pub const DOCUMENT_LIMIT: RuleId = Borrowed("document-limit");
/// Nesting deeper than `limits.max_depth`.
pub const DEPTH_LIMIT: RuleId = Borrowed("depth-limit");
/// More nodes than `limits.max_nodes`.
pub const NODE_LIMIT: RuleId = Borrowed("node-limit");
/// Alias expansion beyond `limits.max_aliases` or `limits.max_nodes`.
pub const ALIAS_LIMIT: RuleId = Borrowed("alias-limit");
/// A string longer than `limits.max_string_length`.
pub const STRING_LIMIT: RuleId = Borrowed("string-limit");
/// `.inf` or `.nan`, which JSON cannot hold.
pub const UNREPRESENTABLE: RuleId = Borrowed("unrepresentable-value");
/// A panic inside tollgate while checking a file.
pub const INTERNAL_ERROR: RuleId = Borrowed("internal-error");
/// A value that its schema rejects.
pub const SCHEMA: RuleId = Borrowed("schema");
/// A Kubernetes-looking object with no schema to check it against.
pub const SCHEMA_MISSING: RuleId = Borrowed("schema-missing");
/// A schema that cannot be read or compiled.
pub const SCHEMA_INVALID: RuleId = Borrowed("schema-invalid");
/// An apiVersion/kind that the target Kubernetes version no longer serves.
pub const API_REMOVED: RuleId = Borrowed("api-removed");
/// An apiVersion/kind that the target Kubernetes version does not serve yet.
pub const API_UNAVAILABLE: RuleId = Borrowed("api-unavailable");
/// An apiVersion/kind that is served but deprecated.
pub const API_DEPRECATED: RuleId = Borrowed("api-deprecated");
/// A document with `apiVersion` but no `kind`, or the reverse.
pub const RESOURCE_IDENTITY: RuleId = Borrowed("resource-identity");
/// A policy that failed to evaluate on a document.
pub const POLICY_ERROR: RuleId = Borrowed("policy-error");
/// A policy that ran past its time budget.
pub const POLICY_TIMEOUT: RuleId = Borrowed("policy-timeout");
/// A config waiver past its `expires` date.
pub const WAIVER_EXPIRED: RuleId = Borrowed("waiver-expired");
/// A config waiver that matched no finding.
pub const WAIVER_UNUSED: RuleId = Borrowed("waiver-unused");

/// A kustomization that kustomize would refuse (a missing file, a cycle, a patch that matches nothing).
pub const RENDER_ERROR: RuleId = Borrowed("render-error");
/// A kustomization feature tollgate does not render (remote bases, Helm charts, plugins).
pub const RENDER_UNSUPPORTED: RuleId = Borrowed("render-unsupported");

/// Every built-in rule, in the order `docs/rules.md` lists them.
pub const REGISTRY: &[Rule] = &[
    Rule {
        id: "syntax",
        title: "Invalid YAML or JSON",
        description: "The document does not parse as Kubernetes' reader (go-yaml v2 / JSON) parses it. Fix the syntax at the reported position; the other documents of the file are still checked.",
        severity: Severity::Error,
    },
    Rule {
        id: "duplicate-key",
        title: "Duplicate mapping key",
        description: "A key is written twice in one mapping. `kubectl apply` rejects it under strict field validation and otherwise silently keeps the last value. Remove one of them.",
        severity: Severity::Error,
    },
    Rule {
        id: "encoding",
        title: "Not UTF-8",
        description: "Manifests must be UTF-8 (or UTF-16 with a byte order mark). Re-encode the file.",
        severity: Severity::Error,
    },
    Rule {
        id: "unreadable",
        title: "Unreadable file",
        description: "The file could not be read. Check permissions and that it still exists.",
        severity: Severity::Error,
    },
    Rule {
        id: "file-too-large",
        title: "File too large",
        description: "The file is above `limits.max_file_size` and was not checked. Raise the limit or split the file.",
        severity: Severity::Error,
    },
    Rule {
        id: "document-limit",
        title: "Too many documents",
        description: "The file has more documents than `limits.max_documents`; the rest was not checked.",
        severity: Severity::Error,
    },
    Rule {
        id: "depth-limit",
        title: "Nesting too deep",
        description: "The document nests deeper than `limits.max_depth` and was not checked.",
        severity: Severity::Error,
    },
    Rule {
        id: "node-limit",
        title: "Document too large",
        description: "The document has more nodes than `limits.max_nodes` and was not checked.",
        severity: Severity::Error,
    },
    Rule {
        id: "alias-limit",
        title: "Alias expansion too large",
        description: "Aliases would expand the document beyond the limits (an alias bomb?); it was not checked.",
        severity: Severity::Error,
    },
    Rule {
        id: "string-limit",
        title: "String too long",
        description: "A string is longer than `limits.max_string_length`; the document was not checked.",
        severity: Severity::Error,
    },
    Rule {
        id: "unrepresentable-value",
        title: "Value JSON cannot hold",
        description: "`.inf` and `.nan` are numbers in YAML that JSON, and so Kubernetes, cannot represent. Quote them if a string is meant.",
        severity: Severity::Error,
    },
    Rule {
        id: "internal-error",
        title: "tollgate crashed on this file",
        description: "tollgate hit a bug while checking this file; other files were checked. Please report it with the file.",
        severity: Severity::Error,
    },
    Rule {
        id: "schema",
        title: "Schema violation",
        description: "The value does not match the JSON Schema of its kind (Kubernetes' OpenAPI schema, a CRD, or a configured schema).",
        severity: Severity::Error,
    },
    Rule {
        id: "schema-missing",
        title: "No schema",
        description: "No schema is known for this apiVersion/kind, so it was not validated. Add its CRD to the checked files or a `schemas:` directory.",
        severity: Severity::Warning,
    },
    Rule {
        id: "schema-invalid",
        title: "Invalid schema",
        description: "A schema could not be read or compiled.",
        severity: Severity::Error,
    },
    Rule {
        id: "api-removed",
        title: "API removed",
        description: "The target Kubernetes version no longer serves this apiVersion/kind. Move to the replacement named in the message.",
        severity: Severity::Error,
    },
    Rule {
        id: "api-unavailable",
        title: "API not yet served",
        description: "The target Kubernetes version does not serve this apiVersion/kind yet.",
        severity: Severity::Error,
    },
    Rule {
        id: "api-deprecated",
        title: "API deprecated",
        description: "This apiVersion/kind is deprecated and will be removed. Move to its replacement.",
        severity: Severity::Warning,
    },
    Rule {
        id: "resource-identity",
        title: "Incomplete identity",
        description: "A document has `apiVersion` without `kind`, or the reverse.",
        severity: Severity::Error,
    },
    Rule {
        id: "policy-error",
        title: "Policy failed to evaluate",
        description: "A policy raised an error on this document (a type error, a failing builtin); its verdict is unknown, so the run fails. Fix the policy, or the input it cannot read.",
        severity: Severity::Error,
    },
    Rule {
        id: "policy-timeout",
        title: "Policy took too long",
        description: "A policy did not finish within `policy.timeout_ms` (`--policy-timeout`) on this document; its verdict is unknown. Look for a loop over a large input, or raise the limit.",
        severity: Severity::Error,
    },
    Rule {
        id: "waiver-expired",
        title: "Waiver expired",
        description: "A config waiver's `expires` date has passed; the findings it covered are reported again. Renew it with a reason, or fix the findings.",
        severity: Severity::Warning,
    },
    Rule {
        id: "waiver-unused",
        title: "Waiver matches nothing",
        description: "A config waiver matched no finding in a full run. Remove it, or fix its `rule`/`path`.",
        severity: Severity::Warning,
    },
    Rule {
        id: "render-error",
        title: "Kustomization does not render",
        description: "kustomize would refuse this kustomization: a missing file, a cycle, a duplicate object, a patch that matches nothing or does not apply. The finding is on the line that caused it; fix it there.",
        severity: Severity::Error,
    },
    Rule {
        id: "render-unsupported",
        title: "Kustomization feature not rendered",
        description: "The kustomization uses something tollgate does not render (a remote base, `helmCharts`, a generator or transformer plugin, a KRM function); the finding is on that field. The target's files are checked as written instead.",
        severity: Severity::Warning,
    },
];

/// The registry entry of a built-in rule.
pub fn lookup(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().find(|r| r.id == id)
}

/// Report metadata of a built-in rule.
pub fn builtin(id: &str) -> Option<RuleMeta> {
    lookup(id).map(|r| RuleMeta {
        id: r.id.to_owned(),
        title: r.title.to_owned(),
        description: r.description.to_owned(),
        help_uri: None,
        default_severity: r.severity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_described() {
        let mut seen = std::collections::BTreeSet::new();
        for r in REGISTRY {
            assert!(seen.insert(r.id), "{} is registered twice", r.id);
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                r.id
            );
            assert!(
                r.title.len() > 5 && r.description.len() > 20,
                "{} is not described",
                r.id
            );
        }
    }

    #[test]
    fn every_rule_constant_is_registered() {
        for id in [
            SYNTAX,
            DUPLICATE_KEY,
            ENCODING,
            UNREADABLE,
            FILE_TOO_LARGE,
            DOCUMENT_LIMIT,
            DEPTH_LIMIT,
            NODE_LIMIT,
            ALIAS_LIMIT,
            STRING_LIMIT,
            UNREPRESENTABLE,
            INTERNAL_ERROR,
            SCHEMA,
            SCHEMA_MISSING,
            SCHEMA_INVALID,
            API_REMOVED,
            API_UNAVAILABLE,
            API_DEPRECATED,
            RESOURCE_IDENTITY,
            POLICY_ERROR,
            POLICY_TIMEOUT,
            WAIVER_EXPIRED,
            WAIVER_UNUSED,
            RENDER_ERROR,
            RENDER_UNSUPPORTED,
        ] {
            assert!(lookup(&id).is_some(), "{id} is not in the registry");
        }
    }

    #[test]
    fn the_loader_crate_ids_are_registered() {
        use crate::load::rules as l;
        for id in [
            l::SYNTAX,
            l::DUPLICATE_KEY,
            l::DOCUMENT_LIMIT,
            l::DEPTH_LIMIT,
            l::NODE_LIMIT,
            l::ALIAS_LIMIT,
            l::STRING_LIMIT,
            l::UNREPRESENTABLE,
        ] {
            assert!(lookup(id).is_some(), "{id} is not in the registry");
        }
    }
}
