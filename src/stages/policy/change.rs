//! Change policies: Rego packages under `tollgate.change` evaluated once per
//! changed resource, with an admission-style input
//! `{operation, object, oldObject, file, oldFile, changes}`.
//!
//! `deny`/`violation` rules give errors and `warn` rules warnings, as for
//! documents; `approval` rules return `{group, reason}` objects, each a sign-off
//! the report requires. Change packages are never evaluated per document.

use std::collections::{BTreeMap, BTreeSet};

use super::{PolicySet, convert, scan};
use crate::model::finding::Severity;
use crate::model::rules::RuleMeta;

/// The package prefix of change policies.
pub(crate) const CHANGE_PREFIX: &str = "tollgate.change";

/// What the change policies said about one changed resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangeVerdict {
    /// (rule id, severity, message) of every `deny`/`violation`/`warn` result.
    pub findings: Vec<(String, Severity, String)>,
    /// (group, reason) of every `approval` result.
    pub approvals: Vec<(String, String)>,
    /// Rules that failed to evaluate, with the error.
    pub errors: Vec<(String, String)>,
}

impl PolicySet {
    /// Metadata of every counted rule, for reports that describe rules.
    pub fn rule_meta(&self) -> BTreeMap<String, RuleMeta> {
        self.rules
            .iter()
            .map(|r| {
                let m = &r.metadata;
                let description = [m.description.as_deref(), m.remediation.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let meta = RuleMeta {
                    id: r.id.clone(),
                    title: m.title.clone().unwrap_or_else(|| r.id.clone()),
                    description: if description.is_empty() {
                        format!("Rego rule {} ({}:{}).", r.query, r.file, r.line)
                    } else {
                        description
                    },
                    help_uri: m.help.clone(),
                    default_severity: r.severity,
                };
                (r.id.clone(), meta)
            })
            .collect()
    }

    /// The change packages and their counted rules: (package, rule name).
    pub fn change_rules(&self) -> Vec<(String, String)> {
        let mut out = BTreeSet::new();
        for source in &self.sources {
            if super::sources::is_test_file(&source.name) {
                continue;
            }
            let module = scan::scan(&source.name, &source.text);
            if !module.package.starts_with(CHANGE_PREFIX) {
                continue;
            }
            for head in module.rules {
                if scan::is_failure(&head.name)
                    || scan::is_warning(&head.name)
                    || head.name == "approval"
                {
                    out.insert((module.package.clone(), head.name));
                }
            }
        }
        out.into_iter().collect()
    }

    /// Evaluates every change rule with `input`.
    pub fn evaluate_change(
        &self,
        rules: &[(String, String)],
        input: serde_json::Value,
    ) -> ChangeVerdict {
        let mut verdict = ChangeVerdict::default();
        if rules.is_empty() {
            return verdict;
        }
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::from(input));
        for (package, name) in rules {
            let query = format!("data.{package}.{name}");
            let value = match engine.eval_rule(query.clone()) {
                Ok(v) => v,
                Err(e) => {
                    verdict
                        .errors
                        .push((query, convert::RegoError::parse(&e).to_string()));
                    continue;
                }
            };
            if name == "approval" {
                verdict.approvals.extend(approvals(&value));
                continue;
            }
            let severity = if scan::is_failure(name) {
                Severity::Error
            } else {
                Severity::Warning
            };
            let id = format!("{package}.{name}");
            for v in convert::violations(&value) {
                verdict.findings.push((id.clone(), severity, v.msg));
            }
        }
        verdict
            .findings
            .sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
        verdict.approvals.sort();
        verdict.approvals.dedup();
        verdict
    }
}

/// Reads `{group, reason}` objects from an `approval` rule's value.
fn approvals(value: &regorus::Value) -> Vec<(String, String)> {
    let items: Vec<regorus::Value> = match value {
        regorus::Value::Set(_) => value
            .as_set()
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default(),
        regorus::Value::Array(_) => value.as_array().map(|a| a.to_vec()).unwrap_or_default(),
        regorus::Value::Object(_) => vec![value.clone()],
        _ => Vec::new(),
    };
    items
        .iter()
        .filter_map(|item| {
            let text = |key: &str| item[key].as_string().ok().map(|s| s.to_string());
            Some((text("group")?, text("reason").unwrap_or_default()))
        })
        .collect()
}
