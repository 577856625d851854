//! Reporters: each renders a finished [`Report`] in one format.
//!
//! Reporters are leaves: they read the report and write bytes, nothing else.
//! Everything they print is derived from sorted findings and counts, so the same
//! inputs give byte-identical output whatever the thread count.

pub mod human;
pub mod json;

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
}

impl Report {
    /// Recounts errors, warnings and infos from the findings.
    pub fn count_severities(&mut self) {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
    }
}
