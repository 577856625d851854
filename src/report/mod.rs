//! Reporters: each renders a finished [`Report`] in one format.
//!
//! Reporters are leaves: they read the report and write bytes, nothing else.
//! Everything they print is derived from sorted findings and counts, so the same
//! inputs give byte-identical output whatever the thread count.

pub mod fingerprint;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod rules;
pub mod sarif;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::discover::SkipReason;
use crate::finding::{Finding, Severity};
use crate::source::SourceFile;

/// The output formats of `tollgate check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames grouped by file, then a summary line.
    Human,
    /// The versioned JSON report (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions workflow commands (annotations), worst first.
    Github,
}

impl Format {
    /// Renders a finished report in this format (colour only matters for `human`).
    pub fn write(
        self,
        report: &Report,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            Self::Human => human::write(report, human::Style { color, width: 100 }, out),
            Self::Json => json::write(report, out),
            Self::Sarif => sarif::write(report, out),
            Self::Junit => junit::write(report, out),
            Self::Github => github::write(report, out),
        }
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Non-empty documents loaded.
    pub documents: usize,
    /// Kubernetes objects (documents with apiVersion and kind; list items each).
    pub resources: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Info findings.
    pub infos: usize,
    /// Findings waived by a policy `exception` (not counted above; never failing).
    pub waived: usize,
    /// Kubernetes-looking objects that had no schema (reported as `schema-missing`
    /// unless `schemas.missing: off`).
    pub schema_missing: usize,
    /// Entries skipped by discovery.
    pub skipped: usize,
    /// Skipped entries per reason.
    pub skipped_by_reason: BTreeMap<SkipReason, usize>,
}

/// A finished run: sorted findings, counts, and the sources findings point into.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings in report order.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
    /// Decoded sources of files with findings, for code frames.
    pub sources: HashMap<Arc<str>, Arc<SourceFile>>,
    /// Changed files in change review: (status, file, old file for renames).
    pub changed_files: Vec<(&'static str, String, Option<String>)>,
    /// Metadata of rules that bring their own (policies); built-in rules are
    /// described by [`rules::builtin`].
    pub rules: BTreeMap<String, rules::RuleMeta>,
}

impl Report {
    /// Recounts errors, warnings and infos from the findings.
    pub fn count_severities(&mut self) {
        self.summary.waived = self.findings.iter().filter(|f| f.waived.is_some()).count();
        let count = |s| {
            self.findings
                .iter()
                .filter(|f| f.severity == s && f.waived.is_none())
                .count()
        };
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
    }
}
