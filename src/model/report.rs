//! The result of a run, as every output format reads it: sorted findings,
//! counts, the sources findings point into, and the metadata of the rules that
//! fired. The pipeline fills a [`Report`]; reporters only read it.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use crate::model::finding::{Finding, Severity};
use crate::model::rules;
use crate::model::source::SourceFile;

/// Why an entry was not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Ignored by a `.gitignore` (or `.git/info/exclude`).
    Gitignored,
    /// A hidden file or directory (name starting with `.`).
    Hidden,
    /// A Helm chart's `templates/` directory.
    HelmTemplates,
    /// Matched a config `exclude` glob.
    Excluded,
    /// A FIFO, socket or device.
    NotRegular,
    /// A symlink to a directory, outside the root, or dangling.
    Symlink,
    /// A directory that could not be read.
    Unreadable,
    /// A well-known file that is not a Kubernetes object (a Helm repository
    /// index, a kind or component config, a kubeconfig, a CI or Renovate
    /// config, plain text named `.json`, a Go template): see `model::format`.
    NotKubernetes,
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
    /// Kustomize targets rendered (their objects are checked as rendered).
    #[serde(skip_serializing_if = "is_zero")]
    pub targets: usize,
    /// Skipped entries per reason.
    pub skipped_by_reason: BTreeMap<SkipReason, usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// Render targets in the order the run met them (those with render
    /// problems, then the rendered units): merging shards' reports keeps the
    /// details of the first target, as one run does.
    pub target_order: Vec<Arc<str>>,
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
