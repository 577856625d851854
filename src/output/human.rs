//! `--format human`: miette code frames grouped by file, then a summary line.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::Report;
use crate::model::finding::{Finding, Severity};
use crate::model::source::SourceFile;

/// Rendering options.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

struct Diag<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<Arc<str>>>,
    label: Option<(usize, usize)>,
}

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diag")
            .field("rule", &self.finding.rule)
            .finish()
    }
}

impl fmt::Display for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Diag<'_> {}

impl Diagnostic for Diag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        if self.finding.waived.is_some() {
            return Some(miette::Severity::Advice);
        }
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (start, len) = self.label?;
        let text = self.finding.resource.as_ref().map(|r| format!("in {r}"));
        Some(Box::new(std::iter::once(LabeledSpan::new(
            text, start, len,
        ))))
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let path = self.finding.path.as_ref().map(|p| format!("path: {p}"));
        let waived = self
            .finding
            .waived
            .as_ref()
            .map(|w| format!("waived by {w}"));
        let text = match (path, waived) {
            (Some(p), Some(w)) => format!("{p}; {w}"),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => return None,
        };
        Some(Box::new(text))
    }
}

/// The part of a span to underline: its first line, without trailing blanks.
fn label_span(source: &SourceFile, finding: &Finding) -> (usize, usize) {
    let start = finding.span.start.min(source.text.len());
    let (_, line_end) = source.line_range(start);
    let end = finding.span.end.min(line_end).max(start);
    let trimmed = source.text[start..end].trim_end().len();
    (start, trimmed)
}

/// Writes the report.
pub(crate) fn write(report: &Report, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    for finding in &report.findings {
        let source = report
            .sources
            .get(&finding.file)
            .filter(|s| !s.text.is_empty());
        let diag = match source {
            Some(src) => Diag {
                finding,
                source: Some(NamedSource::new(&finding.file, src.text.clone())),
                label: Some(label_span(src, finding)),
            },
            None => Diag {
                finding,
                source: None,
                label: None,
            },
        };
        let mut rendered = String::new();
        if diag.source.is_none() {
            // No text to show: one line with the location, as compilers print it.
            rendered.push_str(&format!(
                "{}[{}]: {}:{}:{}: {}\n",
                finding.severity.as_str(),
                finding.rule,
                finding.file,
                finding.start.line,
                finding.start.column,
                finding.message
            ));
        } else if handler.render_report(&mut rendered, &diag).is_err() {
            rendered = format!(
                "{}:{}:{}: {}\n",
                finding.file, finding.start.line, finding.start.column, finding.message
            );
        }
        out.write_all(rendered.as_bytes())?;
        out.write_all(b"\n")?;
    }
    writeln!(out, "{}", summary_line(report))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary printed last.
pub(crate) fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let verdict = if s.errors == 0 && s.warnings == 0 {
        "No problems found".to_owned()
    } else {
        let mut parts = vec![
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings"),
        ];
        if s.infos > 0 {
            parts.push(plural(s.infos, "note", "notes"));
        }
        format!("Found {}", parts.join(", "))
    };
    let verdict = if s.waived > 0 {
        format!("{verdict} ({} waived by policy exceptions)", s.waived)
    } else {
        verdict
    };
    let changed = if report.changed_files.is_empty() {
        String::new()
    } else {
        let new = report
            .findings
            .iter()
            .filter(|f| f.status == Some(crate::model::finding::Status::New))
            .count();
        let deleted = report
            .changed_files
            .iter()
            .filter(|(s, _, _)| *s == "deleted")
            .count();
        format!(
            " Change review: {} changed ({deleted} deleted, not checked); {new} new, {} existing findings.",
            plural(report.changed_files.len(), "file", "files"),
            report.findings.len() - new
        )
    };
    // As kubeconform's "Skipped": objects no schema was found for, so not validated.
    let unvalidated = if s.schema_missing > 0 {
        format!(", {} without a schema", s.schema_missing)
    } else {
        String::new()
    };
    let targets = if s.targets > 0 {
        format!(
            " and {} rendered",
            plural(s.targets, "Kustomize target", "Kustomize targets")
        )
    } else {
        String::new()
    };
    format!(
        "{verdict} in {}{targets} ({}, {}{unvalidated}); {} skipped.{changed}",
        plural(s.files, "file", "files"),
        plural(s.documents, "document", "documents"),
        plural(s.resources, "resource", "resources"),
        s.skipped
    )
}
