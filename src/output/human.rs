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
        // Never a pointer to a field that is not there: the deepest one that is,
        // and what is missing below it.
        let path = self
            .finding
            .path
            .as_ref()
            .map(|p| match &self.finding.present_path {
                Some(present) => {
                    let missing = p
                        .get(present.len()..)
                        .unwrap_or_default()
                        .trim_start_matches('/')
                        .split('/')
                        .map(crate::load::node::unescape_token)
                        .collect::<Vec<_>>()
                        .join(".");
                    let at = if present.is_empty() { "/" } else { present };
                    format!("path: {at} (no `{missing}` there)")
                }
                None => format!("path: {p}"),
            });
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
    let groups = missing_groups(&report.findings);
    for finding in &report.findings {
        if grouped(finding) {
            continue;
        }
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
    for group in &groups {
        write_group(group, style, out)?;
    }
    if let Some(start) = where_to_start(report) {
        out.write_all(start.as_bytes())?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// How many files a `schema-missing` group lists before "and N more".
const GROUP_FILES: usize = 3;

/// A report this long (findings) gets a "Where to start" block above the summary.
const START_AFTER: usize = 10;

/// Whether a finding is shown in a `schema-missing` group, not on its own: one
/// missing CRD is one entry, however many objects use it (JSON and the other
/// formats keep one finding per object).
fn grouped(f: &Finding) -> bool {
    f.rule == crate::model::rules::SCHEMA_MISSING && f.resource.is_some() && f.waived.is_none()
}

/// The objects of one apiVersion and kind that had no schema.
struct Group<'a> {
    severity: Severity,
    api_version: &'a str,
    kind: &'a str,
    findings: Vec<&'a Finding>,
}

/// `schema-missing` findings grouped by apiVersion and kind, in report order
/// of their first finding.
fn missing_groups(findings: &[Finding]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut index: std::collections::HashMap<(Severity, &str, &str), usize> =
        std::collections::HashMap::new();
    for f in findings.iter().filter(|f| grouped(f)) {
        let Some(id) = &f.resource else { continue };
        let key = (f.severity, id.api_version.as_str(), id.kind.as_str());
        match index.get(&key) {
            Some(&i) => groups[i].findings.push(f),
            None => {
                index.insert(key, groups.len());
                groups.push(Group {
                    severity: f.severity,
                    api_version: &id.api_version,
                    kind: &id.kind,
                    findings: vec![f],
                });
            }
        }
    }
    // The largest first: that is where one CRD would help most.
    groups.sort_by(|a, b| {
        b.findings
            .len()
            .cmp(&a.findings.len())
            .then(a.api_version.cmp(b.api_version))
            .then(a.kind.cmp(b.kind))
    });
    groups
}

/// One entry for a whole group: the count, the first files, what to do.
fn write_group(group: &Group<'_>, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let mut files: Vec<&Finding> = Vec::new();
    for f in &group.findings {
        if !files.iter().any(|g| g.file == f.file) {
            files.push(f);
        }
    }
    let icon = match group.severity {
        Severity::Error => "×",
        Severity::Warning => "⚠",
        Severity::Info => "☞",
    };
    let objects = plural(group.findings.len(), "object", "objects");
    let in_files = plural(files.len(), "file", "files");
    let head = format!(
        "no schema for {} {}: {objects} in {in_files} not validated",
        group.api_version, group.kind
    );
    let head = if style.color {
        let code = match group.severity {
            Severity::Error => "31",
            Severity::Warning => "33",
            Severity::Info => "36",
        };
        format!("\u{1b}[{code}m{icon} {head}\u{1b}[0m")
    } else {
        format!("{icon} {head}")
    };
    writeln!(out, "{}\n", crate::model::rules::SCHEMA_MISSING)?;
    writeln!(out, "  {head}")?;
    for f in files.iter().take(GROUP_FILES) {
        writeln!(out, "    {}:{}:{}", f.file, f.start.line, f.start.column)?;
    }
    if files.len() > GROUP_FILES {
        let more = files.len() - GROUP_FILES;
        writeln!(
            out,
            "    and {more} more {}",
            if more == 1 { "file" } else { "files" }
        )?;
    }
    let (group_name, version) = group
        .api_version
        .rsplit_once('/')
        .unwrap_or(("", group.api_version));
    let file = if group_name.is_empty() {
        format!("{}_{version}.json", group.kind.to_lowercase())
    } else {
        format!("{group_name}/{}_{version}.json", group.kind.to_lowercase())
    };
    writeln!(
        out,
        "  help: add the CustomResourceDefinition of {} to the checked files,\n        or put it (or `{file}`) in a `schemas.directories` directory\n",
        group.kind
    )
}

/// For a long report: the rules with the most findings and the files with the
/// most errors, so a reader knows where to begin.
fn where_to_start(report: &Report) -> Option<String> {
    let counted: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.waived.is_none())
        .collect();
    if counted.len() <= START_AFTER {
        return None;
    }
    let mut rules: std::collections::HashMap<&str, (usize, Severity)> =
        std::collections::HashMap::new();
    let mut files: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in &counted {
        // One rule, one severity (levels apply per rule); the worst if not.
        let e = rules.entry(&f.rule).or_insert((0, f.severity));
        e.0 += 1;
        e.1 = e.1.max(f.severity);
        if f.severity == Severity::Error {
            *files.entry(&f.file).or_default() += 1;
        }
    }
    let mut rules: Vec<(&str, usize, Severity)> =
        rules.into_iter().map(|(r, (n, s))| (r, n, s)).collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut files: Vec<(&str, usize)> = files.into_iter().collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown = 5;
    let mut text = String::from("Where to start:\n");
    for (severity, label) in [
        (Severity::Error, "errors:  "),
        (Severity::Warning, "warnings:"),
        (Severity::Info, "notes:   "),
    ] {
        let of: Vec<&(&str, usize, Severity)> = rules.iter().filter(|r| r.2 == severity).collect();
        if of.is_empty() {
            continue;
        }
        let list: Vec<String> = of
            .iter()
            .take(shown)
            .map(|(r, n, _)| format!("{r} {n}"))
            .collect();
        let more = match of.len().saturating_sub(shown) {
            0 => String::new(),
            1 => " and 1 more rule".to_owned(),
            n => format!(" and {n} more rules"),
        };
        text.push_str(&format!("  {label} {}{more}\n", list.join(", ")));
    }
    if !files.is_empty() {
        text.push_str("  files with the most errors:\n");
        for (f, n) in files.iter().take(shown) {
            text.push_str(&format!("    {f} ({n})\n"));
        }
    }
    text.push('\n');
    Some(text)
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
