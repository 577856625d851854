//! `--format junit`: JUnit XML for CI test dashboards.
//!
//! One `<testsuite>` per file; within it one `<testcase>` per resource × rule
//! that reported something (file-level findings use the file as the resource).
//! Error findings are `<failure>`s carrying message and location; warnings,
//! notes and waived findings are passing test cases with the text in
//! `<system-out>`, since JUnit has no warnings.

use std::collections::BTreeMap;
use std::io::Write;

use super::Report;
use crate::model::finding::{Finding, Severity};

/// Escapes text for XML content and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn fails(f: &Finding) -> bool {
    f.waived.is_none() && f.severity == Severity::Error
}

/// Writes the JUnit XML document.
pub(crate) fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // file -> (resource label, rule) -> findings, all in report order.
    let mut suites: BTreeMap<&str, BTreeMap<(String, &str), Vec<&Finding>>> = BTreeMap::new();
    for f in &report.findings {
        let resource = f
            .resource
            .as_ref()
            .map_or_else(|| f.file.to_string(), ToString::to_string);
        suites
            .entry(&f.file)
            .or_default()
            .entry((resource, &f.rule))
            .or_default()
            .push(f);
    }
    let total: usize = suites.values().map(BTreeMap::len).sum();
    let failures: usize = suites
        .values()
        .flat_map(BTreeMap::values)
        .filter(|fs| fs.iter().any(|f| fails(f)))
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="tollgate" tests="{total}" failures="{failures}" errors="0">"#
    )?;
    for (file, cases) in &suites {
        let suite_failures = cases
            .values()
            .filter(|fs| fs.iter().any(|f| fails(f)))
            .count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{suite_failures}" errors="0">"#,
            xml(file),
            cases.len()
        )?;
        for ((resource, rule), findings) in cases {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}: {}">"#,
                xml(file),
                xml(resource),
                xml(rule)
            )?;
            let (failing, other): (Vec<&&Finding>, Vec<&&Finding>) =
                findings.iter().partition(|f| fails(f));
            for f in failing {
                writeln!(
                    out,
                    r#"      <failure message="{}" type="{}">{}:{}:{}: {}</failure>"#,
                    xml(&f.message),
                    xml(&f.rule),
                    xml(&f.file),
                    f.start.line,
                    f.start.column,
                    xml(&f.message)
                )?;
            }
            if !other.is_empty() {
                let text: Vec<String> = other
                    .iter()
                    .map(|f| {
                        let kind = if f.waived.is_some() {
                            "waived"
                        } else {
                            f.severity.as_str()
                        };
                        format!(
                            "{kind}: {}:{}:{}: {}",
                            f.file, f.start.line, f.start.column, f.message
                        )
                    })
                    .collect();
                writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml(&text.join("\n"))
                )?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            xml("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
    }
}
