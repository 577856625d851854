//! OPA `# METADATA` annotations, read from the comment text.
//!
//! The YAML after a `# METADATA` line gives a rule its identity and its words:
//! `title`, `description`, `custom.id`, `custom.severity`, `custom.remediation`,
//! `custom.example`, and `related_resources` (the first `ref` is the help URL).
//! It is parsed with tollgate's own YAML loader; a block that does not parse is
//! ignored, as OPA ignores unknown annotations.

use crate::load::{self, Limits, Syntax};
use crate::model::finding::Severity;

/// A rule's annotations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `custom.id`: the stable rule id.
    pub id: Option<String>,
    /// `custom.severity`: `error`, `warning` or `info`.
    pub severity: Option<Severity>,
    /// `custom.remediation`: what to do.
    pub remediation: Option<String>,
    /// `custom.example`: a snippet that the rule flags.
    pub example: Option<String>,
    /// `related_resources[0].ref` (or a plain string entry): the help URL.
    pub help: Option<String>,
}

/// Parses the YAML of one annotation block; `None` when it is not a mapping.
pub(crate) fn parse(yaml: &str) -> Option<Metadata> {
    let loaded = load::load(yaml, Syntax::Yaml, &Limits::default());
    let doc = loaded.documents.into_iter().next()?;
    let json = doc.root.to_json();
    let obj = json.as_object()?;
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
    let custom = obj.get("custom");
    let field = |name: &str| text(custom.and_then(|c| c.get(name)));
    let help = obj
        .get("related_resources")
        .and_then(|r| r.as_array())
        .and_then(|r| r.first())
        .and_then(|first| first.as_str().or_else(|| first.get("ref")?.as_str()))
        .map(str::to_owned);
    Some(Metadata {
        title: text(obj.get("title")),
        description: text(obj.get("description")).map(|d| d.trim_end().to_owned()),
        id: field("id"),
        severity: field("severity").and_then(|s| parse_severity(&s)),
        remediation: field("remediation").map(|d| d.trim_end().to_owned()),
        example: field("example"),
        help,
    })
}

/// Reads a severity name as written in annotations and config.
pub(crate) fn parse_severity(s: &str) -> Option<Severity> {
    match s.to_ascii_lowercase().as_str() {
        "error" | "deny" | "failure" | "high" | "critical" => Some(Severity::Error),
        "warning" | "warn" | "medium" => Some(Severity::Warning),
        "info" | "note" | "low" => Some(Severity::Info),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields() {
        let m = parse(
            "title: Privileged\ndescription: |\n  Runs as root on the node.\nrelated_resources:\n- ref: https://k8s.io/pss\ncustom:\n  id: privileged-container\n  severity: warning\n  remediation: Remove it.\n",
        );
        assert_eq!(
            m,
            Some(Metadata {
                title: Some("Privileged".into()),
                description: Some("Runs as root on the node.".into()),
                id: Some("privileged-container".into()),
                severity: Some(Severity::Warning),
                remediation: Some("Remove it.".into()),
                example: None,
                help: Some("https://k8s.io/pss".into()),
            })
        );
        assert_eq!(parse("- a\n"), None);
    }
}
