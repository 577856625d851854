//! The one finding model every stage reports through.
//!
//! A [`Finding`] is a rule id, a severity, a message and a location (file, line,
//! column, end, byte span), optionally with the resource and JSON pointer it
//! concerns. Loader problems, schema errors and policy results all become findings,
//! and reporters only ever read findings.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::load::Span;
use crate::model::resource::ResourceId;
use crate::model::source::{Position, SourceFile};

/// A rule id: built-in ids are static, policy ids are owned.
pub type RuleId = Cow<'static, str>;

/// Whether a finding is new in a change or was already on the base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not found by the same check on the base version.
    New,
    /// Found by the same check on the base version (same rule, resource and path).
    Existing,
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational only.
    Info,
    /// Reported; fails the run only with `--fail-on warning`.
    Warning,
    /// Fails the run.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One reported problem, located in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Stable rule id.
    pub rule: RuleId,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, and what to do about it when known.
    pub message: String,
    /// The file, as given or discovered, with `/` separators.
    pub file: Arc<str>,
    /// Start of the finding.
    pub start: Position,
    /// End of the finding.
    pub end: Position,
    /// Byte range in the decoded source (empty when the file had no text).
    pub span: Span,
    /// The resource concerned, when the finding is about one.
    pub resource: Option<ResourceId>,
    /// JSON pointer of the node concerned, within the resource.
    pub path: Option<String>,
    /// Why the finding is waived (a policy `exception`): reported, counted apart,
    /// never failing the run.
    pub waived: Option<String>,
    /// `new` or `existing` in change review (`--changed`); `None` otherwise.
    pub status: Option<Status>,
    /// Extra keys a policy result carried besides `msg`, `path` and `_loc`.
    pub metadata: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    /// The render targets whose rendered objects produced this finding (empty
    /// for a file checked as written). One source location reported by several
    /// targets is one finding listing them all.
    pub targets: Vec<Arc<str>>,
    /// When `path` names a field the resource does not have (a field to add),
    /// the longest prefix of it that exists: reporters point there instead.
    pub present_path: Option<String>,
}

impl Finding {
    /// A finding located by a byte span in a source.
    pub fn at(
        source: &SourceFile,
        span: Span,
        rule: RuleId,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        // A rendered node's span names the file that wrote it.
        let source = source.resolve(span.file);
        Self {
            rule,
            severity,
            message: message.into(),
            file: source.name.clone(),
            start: source.position(span.start),
            end: source.position(span.end),
            span,
            resource: None,
            path: None,
            waived: None,
            status: None,
            metadata: None,
            targets: Vec::new(),
            present_path: None,
        }
    }

    /// A finding about a whole file that has no usable text (line 1, column 1).
    pub fn whole_file(file: Arc<str>, rule: RuleId, message: impl Into<String>) -> Self {
        let start = Position { line: 1, column: 1 };
        Self {
            rule,
            severity: Severity::Error,
            message: message.into(),
            file,
            start,
            end: start,
            span: Span::default(),
            resource: None,
            path: None,
            waived: None,
            status: None,
            metadata: None,
            targets: Vec::new(),
            present_path: None,
        }
    }

    /// The order every report uses: file, line, column, rule, then message.
    pub fn sort_key(&self) -> (&str, Position, &str, &str) {
        (&self.file, self.start, &self.rule, &self.message)
    }
}

/// Sorts findings into report order (deterministic for any thread count).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.end.cmp(&b.end))
    });
}

/// Applies the config's per-rule levels (`rules:`): `off` drops the rule's
/// findings, any other level sets their severity.
pub fn apply_levels(
    findings: &mut Vec<Finding>,
    levels: &std::collections::BTreeMap<String, RuleLevel>,
) {
    if levels.is_empty() {
        return;
    }
    findings.retain_mut(|f| match levels.get(f.rule.as_ref()) {
        None => true,
        Some(level) => match level.severity() {
            None => false,
            Some(s) => {
                f.severity = s;
                true
            }
        },
    });
}

/// A rule's level in `rules:` (`off` may be written unquoted: YAML 1.1 reads it
/// as `false`, which is accepted as `off`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    /// Do not report (policies: do not evaluate).
    Off,
    /// Report as a note.
    Info,
    /// Report as a warning.
    Warning,
    /// Report as an error.
    Error,
}

impl<'de> serde::Deserialize<'de> for RuleLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bool(false) => Ok(Self::Off),
            Raw::Bool(true) => Err(D::Error::custom(
                "`true` is not a rule level: expected off, info, warning or error",
            )),
            Raw::Text(t) => match t.as_str() {
                "off" => Ok(Self::Off),
                "info" => Ok(Self::Info),
                "warning" => Ok(Self::Warning),
                "error" => Ok(Self::Error),
                _ => Err(D::Error::custom(format!(
                    "unknown rule level `{t}`: expected off, info, warning or error"
                ))),
            },
        }
    }
}

impl RuleLevel {
    /// The severity it sets (`None` for `off`).
    pub fn severity(self) -> Option<crate::model::finding::Severity> {
        use crate::model::finding::Severity;
        match self {
            Self::Off => None,
            Self::Info => Some(Severity::Info),
            Self::Warning => Some(Severity::Warning),
            Self::Error => Some(Severity::Error),
        }
    }
}
