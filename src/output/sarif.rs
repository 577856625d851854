//! `--format sarif`: SARIF 2.1.0 for code-scanning dashboards.
//!
//! One `reportingDescriptor` per rule id with its metadata; results carry the
//! region (line and column, in Unicode code points), a `partialFingerprints`
//! entry that survives unrelated edits, suppressions for waived findings and,
//! when the run knows what changed, a `baselineState`.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::{Value, json};

use super::{Report, fingerprint};
use crate::model::finding::Severity;
use crate::model::rules::{self, RuleMeta};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn meta_for(report: &Report, id: &str, severity: Severity) -> RuleMeta {
    report
        .rules
        .get(id)
        .cloned()
        .or_else(|| rules::builtin(id))
        .unwrap_or_else(|| RuleMeta {
            id: id.to_owned(),
            title: id.to_owned(),
            description: format!("Findings of rule `{id}`."),
            help_uri: None,
            default_severity: severity,
        })
}

/// Builds the SARIF log as a JSON value.
pub(crate) fn to_value(report: &Report) -> Value {
    // Rules in id order, so rule indexes are stable.
    let mut ids: BTreeMap<&str, Severity> = BTreeMap::new();
    for f in &report.findings {
        ids.entry(&f.rule).or_insert(f.severity);
    }
    let index: BTreeMap<&str, usize> = ids.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<Value> = ids
        .iter()
        .map(|(id, severity)| {
            let meta = meta_for(report, id, *severity);
            let mut rule = json!({
                "id": meta.id,
                "name": meta.title,
                "shortDescription": { "text": meta.title },
                "fullDescription": { "text": meta.description },
                "help": { "text": meta.description },
                "defaultConfiguration": { "level": level(meta.default_severity) },
            });
            if let Some(uri) = meta.help_uri {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let source = report.sources.get(&f.file).map(AsRef::as_ref);
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": f.file.as_ref() },
                    "region": {
                        "startLine": f.start.line,
                        "startColumn": f.start.column,
                        "endLine": f.end.line.max(f.start.line),
                        "endColumn": if f.end.line > f.start.line { f.end.column } else { f.end.column.max(f.start.column + 1) },
                    }
                }
            });
            if let Some(r) = &f.resource {
                let name = match (&r.namespace, &r.name) {
                    (Some(ns), Some(n)) => format!("{}/{ns}/{n}", r.kind),
                    (None, Some(n)) => format!("{}/{n}", r.kind),
                    _ => r.kind.clone(),
                };
                let mut fq = name.clone();
                if let Some(p) = &f.path {
                    fq.push_str(p);
                }
                location["logicalLocations"] = json!([{ "name": name, "fullyQualifiedName": fq, "kind": "resource" }]);
            }
            let mut result = json!({
                "ruleId": f.rule.as_ref(),
                "ruleIndex": index.get(f.rule.as_ref()).copied().unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": f.message },
                "locations": [location],
                "partialFingerprints": { "tollgate/v1": fingerprint::of(f, source) },
            });
            if let Some(reason) = &f.waived {
                result["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
            }
            match f.status {
                Some(crate::model::finding::Status::New) => result["baselineState"] = json!("new"),
                Some(crate::model::finding::Status::Existing) => result["baselineState"] = json!("unchanged"),
                None => {}
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "tollgate",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Writes the SARIF log, pretty-printed, with a trailing newline.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    out.write_all(b"\n")
}
