//! The whole run in one place.
//!
//! [`Run`] is the context built once at the top (settings, compiled policies,
//! waivers) and handed down; [`check_files`] is the run over a list of inputs,
//! stage by stage; [`exit_for`] is the one verdict that `check` and `report`
//! share. Read this file to see what tollgate does to a repository:
//!
//! ```text
//! discover ─► load ─► resources ─► schema ─► policy ─► rule levels ─► waivers ─► sort ─► report
//! (app)       └─────────── pipeline::check, per file, in parallel ───────┘
//! ```

use std::sync::Arc;

use crate::input::discover::Input;
use crate::model::finding::{self, Finding, Severity, Status};
use crate::model::report::Report;
use crate::settings::{FailOn, Settings};
use crate::stages::policy::PolicySet;
use crate::stages::schema::Catalog;
use crate::stages::waiver::{self, Waivers};

/// How a run ended; `main` maps it to the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: no finding at or above the failing severity.
    Clean,
    /// 1: at least one failing finding.
    Failures,
    /// 2: tollgate could not do its job (bad flag, bad config, missing path, a crash
    /// while checking a file).
    Trouble,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Clean => 0,
            Self::Failures => 1,
            Self::Trouble => 2,
        }
    }
}

/// Everything a run needs, built once by the app layer and handed down.
#[derive(Debug)]
pub struct Run {
    /// Plain resolved values.
    pub settings: Settings,
    /// The compiled policies, when there are any.
    pub policies: Option<Arc<PolicySet>>,
    /// The config's waivers.
    pub waivers: Waivers,
    /// `--no-waivers`: report every finding as not waived (the auditor's view).
    pub ignore_waivers: bool,
}

impl Run {
    /// A run with `settings`, no policies and no waivers.
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            policies: None,
            waivers: Waivers::default(),
            ignore_waivers: false,
        }
    }
}

/// Checks `inputs` and gathers a sorted report (without the discovery counts,
/// which the caller knows).
pub fn check_files(run: &Run, inputs: &[Input], stdin: Option<&[u8]>) -> anyhow::Result<Report> {
    let settings = &run.settings;
    // Schemas: the embedded Kubernetes set, user directories; CRDs are learned
    // from the files as they are checked.
    let mut catalog = Catalog::new(&settings.schemas, &settings.base_dir)?;
    let progress = super::progress::Progress::start(inputs.len());
    // Per file, in parallel: read → decode → load → resources → schema → policy.
    let outcomes = super::check::check_all(run, inputs, stdin, &mut catalog);
    drop(progress);
    let mut report = Report::default();
    report.summary.files = outcomes.len();
    for outcome in outcomes {
        report.summary.documents += outcome.documents;
        report.summary.resources += outcome.resources;
        report.summary.schema_missing += outcome.schema_missing;
        if let Some(src) = outcome.source {
            report.sources.insert(outcome.name.clone(), src);
        }
        report.findings.extend(outcome.findings);
    }
    // Rule levels from `rules:`, then waivers, then the report order.
    finding::apply_levels(&mut report.findings, &settings.rules);
    if run.ignore_waivers {
        // The auditor's view: nothing is waived, policy exceptions included.
        for f in &mut report.findings {
            f.waived = None;
        }
    } else {
        run.waivers
            .apply(&mut report.findings, &settings.base_dir, &waiver::today());
    }
    finding::sort(&mut report.findings);
    if let Some(policies) = &run.policies {
        report.rules = policies.rule_meta();
    }
    report.count_severities();
    Ok(report)
}

/// Whether a finding fails the run: not waived, at or above `fail_on`, and
/// (with `--new-only`) new in the change.
pub fn fails(f: &Finding, fail_on: FailOn, new_only: bool) -> bool {
    let failing = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    f.waived.is_none() && f.severity >= failing && (!new_only || f.status != Some(Status::Existing))
}

/// The one verdict of `check` and `report`: a crash while checking a file
/// means the check is incomplete (exit 2, after every other finding has been
/// reported); otherwise any failing finding exits 1.
pub fn exit_for(findings: &[Finding], fail_on: FailOn, new_only: bool) -> Exit {
    if findings
        .iter()
        .any(|f| f.rule == crate::model::rules::INTERNAL_ERROR)
    {
        Exit::Trouble
    } else if findings.iter().any(|f| fails(f, fail_on, new_only)) {
        Exit::Failures
    } else {
        Exit::Clean
    }
}
