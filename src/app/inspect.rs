//! `tollgate inspect`: show documents as Kubernetes will read them.
//!
//! Prints every object (documents, and `List` items one by one) as the JSON the
//! API server receives after YAML 1.1 resolution: `yes` as `true`, `0755` as
//! `493`, `<<` merges applied, aliases expanded. Each entry carries its file,
//! document index, line and identity. Load problems go to standard error in
//! `file:line:column` form, so the JSON on standard output stays parseable.
//! Kustomize targets are shown as rendered, each object with its `target`.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use crate::input::discover::Input;
use crate::model::finding::{Finding, Severity};
use crate::model::resource::ResourceId;
use crate::pipeline::check;
use crate::settings::Settings;
use crate::stages::render;

/// One object as loaded: file, document, item, line, identity, value, target.
type ShownOwned = (
    Arc<str>,
    usize,
    Option<usize>,
    usize,
    Option<ResourceId>,
    serde_json::Value,
    Option<Arc<str>>,
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
    /// For a rendered object: its render target (`file`/`line` are where the
    /// object was introduced: its base document, or its generator entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    value: serde_json::Value,
}

/// Loads each input and prints its objects; Kustomize targets among them are
/// rendered (unless `render.enabled` is off) and shown as rendered, in place of
/// the files they read. Returns the load and render findings.
pub(crate) fn run(
    inputs: &[Input],
    walked: &[std::path::PathBuf],
    stdin: Option<&[u8]>,
    settings: &Settings,
    cwd: &std::path::Path,
    out: &mut dyn Write,
) -> std::io::Result<Vec<Finding>> {
    let mut findings = Vec::new();
    let mut shown: Vec<ShownOwned> = Vec::new();
    let mut plan = render::Plan::of_inputs(inputs, walked, settings, cwd);
    findings.append(&mut plan.findings);
    for input in inputs {
        if plan.covers(input, cwd) {
            continue;
        }
        let file = check::read_and_load(input, stdin, settings);
        findings.extend(file.findings);
        let Some(src) = file.source else {
            continue;
        };
        for obj in file.objects {
            let line = src.position(obj.node.span.start).line;
            shown.push((
                input.name.clone(),
                obj.document,
                obj.item,
                line,
                obj.id.clone(),
                obj.node.to_json(),
                None,
            ));
        }
    }
    for target in &plan.units {
        for obj in &target.objects {
            let origin = target.source.resolve(obj.node.span.file);
            shown.push((
                origin.name.clone(),
                obj.document,
                None,
                origin.position(obj.node.span.start).line,
                obj.id.clone(),
                obj.node.to_json(),
                Some(target.name.clone()),
            ));
        }
    }
    let entries: Vec<Shown<'_>> = shown
        .iter()
        .map(|(file, document, item, line, id, value, target)| Shown {
            file,
            document: *document,
            item: *item,
            line: *line,
            resource: id.as_ref(),
            target: target.as_deref(),
            value: value.clone(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &entries)?;
    out.write_all(b"\n")?;
    crate::model::finding::sort(&mut findings);
    Ok(findings)
}

/// Formats a finding as one `file:line:column: severity[rule]: message` line.
pub(crate) fn one_line(f: &Finding) -> String {
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
pub(crate) fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
