//! `--format github`: GitHub Actions workflow commands, worst first.
//!
//! GitHub shows only about ten annotations of each kind per step, so errors come
//! before warnings and notices. When `GITHUB_STEP_SUMMARY` is set, a markdown
//! summary table is appended to that file as well.

use std::fmt::Write as _;
use std::io::Write;

use super::Report;
use crate::model::finding::{Finding, Severity};

/// Escapes a workflow command's message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command property (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(f: &Finding) -> &'static str {
    match (f.waived.is_some(), f.severity) {
        (true, _) | (false, Severity::Info) => "notice",
        (false, Severity::Warning) => "warning",
        (false, Severity::Error) => "error",
    }
}

/// Writes one annotation per finding, errors first.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    // Stable sort: within a severity the report order (file, line) is kept.
    ordered.sort_by_key(|f| {
        std::cmp::Reverse(if f.waived.is_some() {
            Severity::Info
        } else {
            f.severity
        })
    });
    for f in ordered {
        let title = match &f.resource {
            Some(r) => format!("{} ({r})", f.rule),
            None => f.rule.to_string(),
        };
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(f),
            escape_property(&f.file),
            f.start.line,
            f.start.column,
            f.end.line,
            f.end.column,
            escape_property(&title),
            escape_data(&f.message)
        )?;
    }
    Ok(())
}

/// The markdown written to `GITHUB_STEP_SUMMARY`.
pub(crate) fn step_summary(report: &Report) -> String {
    let s = &report.summary;
    let mut md = String::from("## tollgate\n\n");
    let _ = writeln!(
        md,
        "{} errors, {} warnings in {} files ({} resources); {} skipped.\n",
        s.errors, s.warnings, s.files, s.resources, s.skipped
    );
    if report.findings.is_empty() {
        md.push_str("No problems found.\n");
        return md;
    }
    md.push_str("| severity | rule | location | message |\n|---|---|---|---|\n");
    for f in &report.findings {
        let severity = if f.waived.is_some() {
            "waived"
        } else {
            f.severity.as_str()
        };
        let _ = writeln!(
            md,
            "| {severity} | `{}` | `{}:{}:{}` | {} |",
            f.rule,
            f.file,
            f.start.line,
            f.start.column,
            f.message.replace('|', "\\|").replace('\n', " ")
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
