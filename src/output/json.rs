//! `--format json`: the stable, versioned machine-readable report.
//!
//! The shape is documented in `docs/json-output.md`; `version` changes only when a
//! field is removed or changes meaning (adding fields keeps the version).

use std::io::Write;

use serde::Serialize;

use super::{Report, Summary};
use crate::model::resource::ResourceId;

/// The version of the JSON report shape.
pub(crate) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    summary: &'a Summary,
    findings: Vec<JsonFinding<'a>>,
    /// Only in change review (`--changed`): every changed file, deleted ones included.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changed_files: Vec<ChangedFile<'a>>,
}

#[derive(Serialize)]
struct ChangedFile<'a> {
    status: &'static str,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    old_file: Option<&'a str>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a ResourceId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<crate::model::finding::Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<&'a serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    targets: &'a [std::sync::Arc<str>],
}

/// Writes the report as pretty-printed JSON with a trailing newline.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = report
        .findings
        .iter()
        .map(|f| JsonFinding {
            rule: &f.rule,
            severity: f.severity.as_str(),
            message: &f.message,
            file: &f.file,
            line: f.start.line,
            column: f.start.column,
            end_line: f.end.line,
            end_column: f.end.column,
            resource: f.resource.as_ref(),
            path: f.path.as_deref(),
            status: f.status,
            waived: f.waived.as_deref(),
            metadata: f.metadata.as_deref(),
            targets: &f.targets,
        })
        .collect();
    let output = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "tollgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: &report.summary,
        findings,
        changed_files: report
            .changed_files
            .iter()
            .map(|(status, file, old)| ChangedFile {
                status,
                file,
                old_file: old.as_deref(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    out.write_all(b"\n")
}
