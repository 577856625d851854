//! `tollgate test`: Rego unit tests (`test_*` rules) with pass/fail and coverage.
//!
//! Every `test_*` rule of the loaded sources is evaluated once; `true` passes,
//! anything else (false, undefined, an error) fails. With coverage on, regorus
//! records the lines evaluated and the report gives, per policy file (test files
//! left out), the covered and uncovered lines. The result is data; the caller
//! renders it.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::convert::RegoError;
use super::sources::{PolicySource, is_test_file};
use super::{new_engine, scan};

/// The outcome of one test rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TestResult {
    /// `data.<package>.<test>`.
    pub name: String,
    /// Where it is defined (`file:line`).
    pub location: String,
    /// `None`: passed; `Some(why)`: failed.
    pub failure: Option<String>,
}

/// Line coverage of one policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileCoverage {
    /// The policy file.
    pub path: String,
    /// Lines evaluated.
    pub covered: BTreeSet<u32>,
    /// Lines that hold code never evaluated.
    pub not_covered: BTreeSet<u32>,
}

/// Everything one `tollgate test` run found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TestRun {
    /// Results, sorted by name.
    pub results: Vec<TestResult>,
    /// Coverage per non-test policy file, when asked for.
    pub coverage: Option<Vec<FileCoverage>>,
}

impl TestRun {
    /// Tests that failed.
    pub(crate) fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.failure.is_some()).count()
    }

    /// Renders the run: one line per test, coverage, a summary line.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        for r in &self.results {
            match &r.failure {
                None => {
                    let _ = writeln!(out, "PASS {} ({})", r.name, r.location);
                }
                Some(why) => {
                    let _ = writeln!(out, "FAIL {} ({}): {why}", r.name, r.location);
                }
            }
        }
        if let Some(files) = &self.coverage {
            let _ = writeln!(out, "\nCoverage:");
            for f in files {
                let total = f.covered.len() + f.not_covered.len();
                #[allow(clippy::cast_precision_loss, reason = "line counts are far below 2^52")]
                let pct = if total == 0 {
                    100.0
                } else {
                    f.covered.len() as f64 * 100.0 / total as f64
                };
                let _ = write!(
                    out,
                    "  {}: {pct:.1}% ({}/{total} lines)",
                    f.path,
                    f.covered.len()
                );
                if !f.not_covered.is_empty() {
                    let _ = write!(out, ", not covered: {}", ranges(&f.not_covered));
                }
                out.push('\n');
            }
        }
        let passed = self.results.len() - self.failed();
        let _ = writeln!(
            out,
            "\n{} {}, {passed} passed, {} failed",
            self.results.len(),
            if self.results.len() == 1 {
                "test"
            } else {
                "tests"
            },
            self.failed()
        );
        out
    }
}

/// `1-3, 7` for {1, 2, 3, 7}.
fn ranges(lines: &BTreeSet<u32>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = lines.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end += 1;
            iter.next();
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    parts.join(", ")
}

/// Runs every `test_*` rule of `sources`. Errors are policies that do not compile.
pub(crate) fn run(
    sources: &[PolicySource],
    data: Vec<(String, regorus::Value)>,
    coverage: bool,
) -> anyhow::Result<TestRun> {
    let mut engine = new_engine(sources, data)?;
    engine.set_enable_coverage(coverage);
    let mut tests: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    for source in sources {
        let module = scan::scan(&source.name, &source.text);
        for head in &module.rules {
            if !head.name.starts_with("test_") {
                continue;
            }
            let name = format!("data.{}.{}", module.package, head.name);
            if seen.insert(name.clone()) {
                tests.push((name, format!("{}:{}", source.name, head.line)));
            }
        }
    }
    tests.sort();
    let mut results = Vec::with_capacity(tests.len());
    for (name, location) in tests {
        engine.set_input(regorus::Value::Undefined);
        let failure = match engine.eval_rule(name.clone()) {
            Ok(regorus::Value::Bool(true)) => None,
            Ok(regorus::Value::Undefined) => Some("undefined".to_owned()),
            Ok(other) => Some(format!(
                "returned {}",
                other.to_json_str().unwrap_or_default().trim()
            )),
            Err(e) => Some(RegoError::parse(&e).to_string()),
        };
        results.push(TestResult {
            name,
            location,
            failure,
        });
    }
    let coverage = if coverage {
        let report = engine.get_coverage_report()?;
        let mut files: Vec<FileCoverage> = report
            .files
            .into_iter()
            .filter(|f| !is_test_file(&f.path))
            .map(|f| FileCoverage {
                path: f.path,
                covered: f.covered,
                not_covered: f.not_covered,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Some(files)
    } else {
        None
    };
    Ok(TestRun { results, coverage })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::policy::sources;

    /// The built-in pack's own Rego tests all pass.
    #[test]
    fn builtin_pack_tests_pass() {
        let cwd = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = sources::collect(&[], cwd, true, true).unwrap_or_default();
        assert!(sources.len() > 20);
        let run = run(&sources, Vec::new(), false);
        let run = match run {
            Ok(r) => r,
            Err(e) => panic!("the pack compiles: {e}"),
        };
        assert!(run.results.len() > 40, "{}", run.render());
        assert_eq!(run.failed(), 0, "{}", run.render());
    }

    #[test]
    fn failing_test_and_coverage() {
        let sources = vec![
            PolicySource {
                name: "p.rego".into(),
                text: "package main\n\ndeny contains \"x\" if {\n  input.a == 1\n}\n\ndeny contains \"y\" if {\n  input.b == 1\n}\n".into(),
                builtin: false,
            },
            PolicySource {
                name: "p_test.rego".into(),
                text: "package main\n\ntest_a if { deny[\"x\"] with input as {\"a\": 1} }\n\ntest_bad if { deny[\"z\"] with input as {\"a\": 1} }\n".into(),
                builtin: false,
            },
        ];
        let run = run(&sources, Vec::new(), true).ok();
        let run = run.unwrap_or_default();
        assert_eq!(run.failed(), 1);
        let text = run.render();
        assert!(
            text.contains("PASS data.main.test_a (p_test.rego:3)"),
            "{text}"
        );
        assert!(text.contains("p.rego: "), "{text}");
        assert!(
            text.contains("p.rego: 75.0% (3/4 lines), not covered: 7"),
            "{text}"
        );
    }
}
