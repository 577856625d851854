//! `tollgate inspect`: show documents as Kubernetes will read them.
//!
//! Prints every object (documents, and `List` items one by one) as the JSON the
//! API server receives after YAML 1.1 resolution: `yes` as `true`, `0755` as
//! `493`, `<<` merges applied, aliases expanded. Each entry carries its file,
//! document index, line and identity. Load problems go to standard error in
//! `file:line:column` form, so the JSON on standard output stays parseable.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use crate::input::discover::Input;
use crate::load::{self, Syntax};
use crate::model::finding::{Finding, Severity};
use crate::model::resource::{self, ResourceId};
use crate::model::source::{self, SourceFile};
use crate::pipeline::check;
use crate::settings::Settings;

/// One object as loaded: file, document, item, line, identity, value.
type ShownOwned = (
    Arc<str>,
    usize,
    Option<usize>,
    usize,
    Option<ResourceId>,
    serde_json::Value,
);

#[derive(Serialize)]
struct Shown<'a> {
    file: &'a str,
    document: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<usize>,
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'a ResourceId>,
    value: serde_json::Value,
}

/// Loads each input and prints its objects; returns the load findings.
pub fn run(
    inputs: &[Input],
    stdin: Option<&[u8]>,
    settings: &Settings,
    out: &mut dyn Write,
) -> std::io::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let mut shown: Vec<ShownOwned> = Vec::new();
    for input in inputs {
        let bytes = match check::read(input, stdin, settings.limits.max_file_size) {
            Ok(b) => b,
            Err(f) => {
                findings.push(*f);
                continue;
            }
        };
        let text = match source::decode(bytes) {
            Ok(t) => t,
            Err(e) => {
                let mut f = Finding::whole_file(
                    input.name.clone(),
                    crate::model::rules::ENCODING,
                    e.message,
                );
                f.start = source::Position {
                    line: e.line,
                    column: e.column,
                };
                findings.push(f);
                continue;
            }
        };
        let src = SourceFile::new(input.name.clone(), text);
        let loaded = load::load(&src.text, Syntax::for_path(&input.name), &settings.limits);
        for p in &loaded.problems {
            findings.push(Finding::at(
                &src,
                p.span,
                std::borrow::Cow::Borrowed(p.rule),
                crate::model::finding::Severity::Error,
                p.message.clone(),
            ));
        }
        for obj in resource::objects(loaded.documents) {
            let line = src.position(obj.node.span.start).line;
            shown.push((
                input.name.clone(),
                obj.document,
                obj.item,
                line,
                obj.id.clone(),
                obj.node.to_json(),
            ));
        }
    }
    let entries: Vec<Shown<'_>> = shown
        .iter()
        .map(|(file, document, item, line, id, value)| Shown {
            file,
            document: *document,
            item: *item,
            line: *line,
            resource: id.as_ref(),
            value: value.clone(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &entries)?;
    out.write_all(b"\n")?;
    crate::model::finding::sort(&mut findings);
    Ok(findings)
}

/// Formats a finding as one `file:line:column: severity[rule]: message` line.
pub fn one_line(f: &Finding) -> String {
    format!(
        "{}:{}:{}: {}[{}]: {}",
        f.file,
        f.start.line,
        f.start.column,
        f.severity.as_str(),
        f.rule,
        f.message
    )
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
