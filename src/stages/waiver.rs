//! Waivers that auditors can read: findings accepted on purpose, with a reason,
//! an owner and an optional expiry date.
//!
//! Two sources: the `waivers:` list of `.tollgate.yaml` (rule ids plus a
//! selector: file glob and/or kind, namespace, name) and per-object annotations
//! `tollgate.dev/waive.<rule-id>: "<reason>"`. A waived finding stays in every
//! report, marked waived with its reason, and never fails the run. An expired
//! config waiver waives nothing and is itself an error (`waiver-expired`); one
//! that matches nothing is a warning (`waiver-unused`). `--no-waivers` ignores
//! all of them, policy exceptions included: the auditor's view.

use std::path::Path;

use globset::{Glob, GlobMatcher};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::Value;
use crate::model::finding::{Finding, RuleId, Severity};
use crate::model::resource::Object;
use crate::model::source::Position;
use crate::settings::ConfigError;

/// An expired config waiver.
pub(crate) use crate::model::rules::WAIVER_EXPIRED;
/// A config waiver that matched no finding.
pub(crate) use crate::model::rules::WAIVER_UNUSED;
/// The annotation prefix of per-object waivers.
pub(crate) const ANNOTATION_PREFIX: &str = "tollgate.dev/waive.";

/// One entry of `waivers:` in `.tollgate.yaml`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiverOptions {
    /// The rule ids it waives.
    #[serde(default)]
    pub rules: Vec<String>,
    /// One rule id (same as `rules: [id]`).
    #[serde(default)]
    pub rule: Option<String>,
    /// Glob of files (relative to the config file's directory).
    #[serde(default)]
    pub files: Option<String>,
    /// Resource kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// Resource namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Resource name.
    #[serde(default)]
    pub name: Option<String>,
    /// Why the finding is accepted (mandatory).
    pub reason: String,
    /// Who owns the decision (mandatory): a team or a person.
    pub owner: String,
    /// Last day the waiver holds, `YYYY-MM-DD`; after it, the waiver is an error.
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Debug)]
struct Waiver {
    rules: Vec<String>,
    files: Option<GlobMatcher>,
    kind: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    reason: String,
    owner: String,
    expires: Option<String>,
    position: Position,
}

/// The config's waivers, validated.
#[derive(Debug, Default)]
pub struct Waivers {
    list: Vec<Waiver>,
    file: String,
}

/// `YYYY-MM-DD` with a plausible month and day.
fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.split('-').all(|p| p.bytes().all(|c| c.is_ascii_digit()))
        && s[5..7].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && s[8..10].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
}

impl Waivers {
    /// Validates the config entries (`positions` say where each is written).
    pub fn new(
        options: Vec<WaiverOptions>,
        positions: Vec<Position>,
        file: String,
    ) -> Result<Self, ConfigError> {
        let mut list = Vec::new();
        for (i, o) in options.into_iter().enumerate() {
            let position = positions
                .get(i)
                .copied()
                .unwrap_or(Position { line: 1, column: 1 });
            let fail = |message: String| ConfigError {
                file: file.clone(),
                line: position.line,
                column: position.column,
                message,
            };
            let mut rules = o.rules;
            rules.extend(o.rule);
            if rules.is_empty() {
                return Err(fail(format!(
                    "waivers[{i}]: name the waived rule ids in `rules` (or `rule`)"
                )));
            }
            if o.reason.trim().is_empty() || o.owner.trim().is_empty() {
                return Err(fail(format!(
                    "waivers[{i}]: `reason` and `owner` must not be empty"
                )));
            }
            if let Some(date) = &o.expires
                && !valid_date(date)
            {
                return Err(fail(format!(
                    "waivers[{i}]: `expires` must be a date written YYYY-MM-DD, found `{date}`"
                )));
            }
            let files = match &o.files {
                Some(g) => Some(
                    Glob::new(g)
                        .map_err(|e| fail(format!("waivers[{i}]: invalid glob in `files`: {e}")))?
                        .compile_matcher(),
                ),
                None => None,
            };
            list.push(Waiver {
                rules,
                files,
                kind: o.kind,
                namespace: o.namespace,
                name: o.name,
                reason: o.reason,
                owner: o.owner,
                expires: o.expires,
                position,
            });
        }
        Ok(Self { list, file })
    }

    /// Marks the findings the waivers cover, and reports expired and unused waivers.
    /// `base_dir` is the config's directory (globs are relative to it); `today`
    /// is `YYYY-MM-DD`.
    pub fn apply(&self, findings: &mut Vec<Finding>, base_dir: &Path, today: &str) {
        let mut extra = Vec::new();
        for w in &self.list {
            let at = |rule: RuleId, severity: Severity, message: String| {
                let mut f = Finding::whole_file(self.file.as_str().into(), rule, message);
                f.severity = severity;
                f.start = w.position;
                f.end = w.position;
                f
            };
            if let Some(date) = &w.expires
                && date.as_str() < today
            {
                extra.push(at(
                    WAIVER_EXPIRED,
                    Severity::Error,
                    format!("the waiver of {} (owner {}) expired on {date}; renew it with a new reason or fix the findings", w.rules.join(", "), w.owner),
                ));
                continue;
            }
            let mut used = false;
            for f in findings.iter_mut().filter(|f| f.waived.is_none()) {
                if w.covers(f, base_dir) {
                    let until = w
                        .expires
                        .as_ref()
                        .map(|d| format!(", until {d}"))
                        .unwrap_or_default();
                    f.waived = Some(format!(
                        "config waiver: {} (owner {}{until})",
                        w.reason, w.owner
                    ));
                    used = true;
                }
            }
            if !used {
                extra.push(at(
                    WAIVER_UNUSED,
                    Severity::Warning,
                    format!(
                        "the waiver of {} (owner {}) matches no finding; remove it",
                        w.rules.join(", "),
                        w.owner
                    ),
                ));
            }
        }
        findings.extend(extra);
    }
}

impl Waiver {
    fn covers(&self, f: &Finding, base_dir: &Path) -> bool {
        if !self.rules.iter().any(|r| r == f.rule.as_ref()) {
            return false;
        }
        if let Some(glob) = &self.files {
            let abs = std::path::absolute(Path::new(f.file.as_ref()))
                .unwrap_or_else(|_| Path::new(f.file.as_ref()).to_path_buf());
            let rel = abs
                .strip_prefix(base_dir)
                .map(Path::to_path_buf)
                .unwrap_or(abs);
            if !glob.is_match(&rel) && !glob.is_match(f.file.as_ref()) {
                return false;
            }
        }
        let id = f.resource.as_ref();
        let field = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        field(&self.kind, id.map(|r| r.kind.as_str()))
            && field(&self.namespace, id.and_then(|r| r.namespace.as_deref()))
            && field(&self.name, id.and_then(|r| r.name.as_deref()))
    }
}

/// Waives findings of an object that carries `tollgate.dev/waive.<rule-id>: "<reason>"`.
pub(crate) fn apply_annotations(objects: &[Object], findings: &mut [Finding]) {
    for obj in objects {
        let Some(annotations) = obj.node.get("metadata").and_then(|m| m.get("annotations")) else {
            continue;
        };
        let Value::Map(entries) = &annotations.value else {
            continue;
        };
        for entry in entries {
            let Some(rule) = entry.key.strip_prefix(ANNOTATION_PREFIX) else {
                continue;
            };
            let reason = entry.value.as_str().unwrap_or("").trim();
            let reason = if reason.is_empty() {
                "no reason given"
            } else {
                reason
            };
            let span = obj.node.span;
            for f in findings
                .iter_mut()
                .filter(|f| f.waived.is_none() && f.rule.as_ref() == rule)
            {
                let inside =
                    span.start <= f.span.start && f.span.start < span.end.max(span.start + 1);
                if inside && f.resource == obj.id {
                    f.waived = Some(format!("annotation {}{rule}: {reason}", ANNOTATION_PREFIX));
                }
            }
        }
    }
}

/// Today as `YYYY-MM-DD` (UTC), from `SOURCE_DATE_EPOCH` when set, so runs can be reproduced.
pub(crate) fn today() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    crate::model::time::rfc3339(epoch)[..10].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(valid_date("2027-01-31"));
        assert!(!valid_date("2027-13-01") && !valid_date("27-01-01") && !valid_date("2027/01/01"));
    }
}
