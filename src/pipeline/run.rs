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

use std::path::PathBuf;
use std::sync::Arc;

use crate::input::discover::Input;
use crate::model::finding::{self, Finding, Severity, Status};
use crate::model::report::Report;
use crate::pipeline::check::{RenderedUnit, Unit};
use crate::settings::FailOn;
use crate::stages::render;
use crate::stages::schema::Catalog;
use crate::stages::waiver;

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

pub use super::context::{Run, Shard};

/// Checks `inputs` and gathers a sorted report (without the discovery counts,
/// which the caller knows).
/// `walked`: the directories discovery walked whole (`Discovery::walked`).
pub fn check_files(
    run: &Run,
    inputs: &[Input],
    walked: &[PathBuf],
    stdin: Option<&[u8]>,
) -> anyhow::Result<Report> {
    let mut report = check_unsettled_owned(run, inputs, walked, stdin, Vec::new(), None)?;
    settle(run, &mut report);
    Ok(report)
}

/// The pass of [`check_files`] without rule levels and waivers ([`settle`]),
/// with `rendered`: targets the caller rendered itself (change review renders
/// git snapshots), checked beside the inputs' own units.
pub(crate) fn check_unsettled(
    run: &Run,
    inputs: &[Input],
    stdin: Option<&[u8]>,
    rendered: Vec<RenderedUnit>,
) -> anyhow::Result<Report> {
    check_unsettled_owned(run, inputs, &[], stdin, rendered, None)
}

/// [`check_unsettled`] where `owns` (instead of `run.shard`) says which
/// units this shard checks: change review shards a base file by its head name.
pub(crate) fn check_unsettled_owned(
    run: &Run,
    inputs: &[Input],
    walked: &[PathBuf],
    stdin: Option<&[u8]>,
    rendered: Vec<RenderedUnit>,
    owns: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> anyhow::Result<Report> {
    let settings = &run.settings;
    // Schemas: the embedded Kubernetes set, user directories; CRDs are learned
    // from the files as they are checked.
    let mut catalog = Catalog::new(&settings.schemas, &settings.base_dir)?;
    // Render: the Kustomize targets among the files, each rendered once. Files
    // a complete render reads are checked as rendered, not as written.
    let plan = render::Plan::of_inputs(inputs, walked, settings, &run.cwd);
    let mut units: Vec<Unit> = inputs
        .iter()
        .filter(|i| !plan.covers(i, &run.cwd))
        .map(|i| Unit::File(i.clone()))
        .collect();
    let files = units.len();
    let planned = plan.units.len();
    units.extend(
        plan.units
            .into_iter()
            .map(|t| Unit::Rendered(RenderedUnit::new(t.name, t.source, t.objects))),
    );
    units.extend(rendered.into_iter().map(Unit::Rendered));
    // A shard checks its own units, but every unit is read for what the
    // others need from it (CRDs, kustomize patches).
    let total = plan.targets + units.len() - files - planned;
    let shard = Sharding::new(run, owns, &plan.findings, total, &units);
    let progress = super::progress::Progress::start(shard.mine.iter().filter(|m| **m).count());
    // Per unit, in parallel: read → decode → load → resources (or the rendered
    // objects) → schema → policy.
    let outcomes = super::check::check_some(run, &units, stdin, &mut catalog, &|i| shard.mine[i]);
    drop(progress);
    let mut report = Report::default();
    report.summary.files = (0..files).filter(|&i| shard.mine[i]).count();
    report.summary.targets = shard.targets;
    report.target_order = shard.order;
    report.findings.extend(
        plan.findings
            .into_iter()
            .filter(|f| f.targets.first().map_or(shard.first, |t| (shard.owns)(t))),
    );
    let outcomes = outcomes.into_iter().zip(&units);
    // `--combine`: every unit's documents, for one evaluation of users' rules.
    let mut combined = Vec::new();
    for (mut outcome, unit) in outcomes.filter_map(|(o, u)| Some((o?, u))) {
        combined.extend(outcome.combined.take());
        report.summary.documents += outcome.documents;
        report.summary.resources += outcome.resources;
        report.summary.schema_missing += outcome.schema_missing;
        if outcome.not_kubernetes.is_some() {
            // Counted as skipped, like the entries discovery skips.
            report.summary.files -= 1;
            report.summary.skipped += 1;
            *report
                .summary
                .skipped_by_reason
                .entry(crate::model::report::SkipReason::NotKubernetes)
                .or_default() += 1;
        }
        let mut findings = outcome.findings;
        match unit {
            Unit::Rendered(r) => {
                for f in &mut findings {
                    f.targets = vec![r.name.clone()];
                }
                if let Some(src) = outcome.source {
                    for part in src.parts() {
                        report.sources.insert(part.name.clone(), part.clone());
                    }
                }
            }
            Unit::File(_) => {
                if let Some(src) = outcome.source {
                    report.sources.insert(outcome.name.clone(), src);
                }
            }
        }
        report.findings.extend(findings);
    }
    if let Some(policies) = run.policies.as_ref().filter(|p| p.combine) {
        combined.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        let mut found = Vec::new();
        crate::model::stats::timed(crate::model::stats::Stage::Policy, || {
            policies.check_combined(&combined, &mut found);
        });
        // Code frames: the sources the combined findings point into.
        for f in &found {
            let source = combined.iter().find_map(|(src, _)| {
                std::iter::once(src)
                    .chain(src.parts())
                    .find(|s| s.name == f.file && s.parts().is_empty())
            });
            if let Some(src) = source {
                report
                    .sources
                    .entry(f.file.clone())
                    .or_insert_with(|| src.clone());
            }
        }
        report.findings.extend(found);
    }
    merge_targets(&mut report.findings);
    Ok(report)
}

/// Which units a shard checks, and its share of the target count.
struct Sharding<'a> {
    /// Per unit: checked here.
    mine: Vec<bool>,
    /// Whether a file or target name is this shard's.
    owns: Box<dyn Fn(&str) -> bool + Sync + 'a>,
    /// The first shard (or no sharding): it keeps what has no name.
    first: bool,
    /// Targets counted by this shard; the shards' counts add up to the run's.
    targets: usize,
    /// Every target, in the order the run meets them.
    order: Vec<Arc<str>>,
}

impl<'a> Sharding<'a> {
    fn new(
        run: &'a Run,
        owns: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
        problems: &[Finding],
        total: usize,
        units: &[Unit],
    ) -> Self {
        let owns: Box<dyn Fn(&str) -> bool + Sync + 'a> = match (owns, run.shard) {
            (Some(f), _) => Box::new(f),
            (None, Some(s)) => Box::new(move |name: &str| s.owns(name)),
            (None, None) => Box::new(|_: &str| true),
        };
        let first = run.shard.is_none_or(|s| s.is_first());
        let mut order: Vec<Arc<str>> = Vec::new();
        for t in problems.iter().filter_map(|f| f.targets.first()) {
            if !order.contains(t) {
                order.push(t.clone());
            }
        }
        order.extend(units.iter().filter_map(|u| match u {
            Unit::Rendered(r) => Some(r.name.clone()),
            Unit::File(_) => None,
        }));
        // Counted targets without a name (none today) go to the first shard.
        let unnamed = total.saturating_sub(order.len());
        let targets = order.iter().filter(|t| owns(t)).count() + if first { unnamed } else { 0 };
        let mine = units.iter().map(|u| owns(u.name())).collect();
        Self {
            mine,
            owns,
            first,
            targets,
            order,
        }
    }
}

/// Rule levels from `rules:`, then waivers, then the report order, the rules'
/// metadata and the severity counts: once per report, over every finding.
pub(crate) fn settle(run: &Run, report: &mut Report) {
    let settings = &run.settings;
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
}

/// One source location reported by several targets (a base shared by
/// overlays) is one finding that lists them, in the message and in `targets`.
fn merge_targets(findings: &mut Vec<Finding>) {
    if findings.iter().all(|f| f.targets.is_empty()) {
        return;
    }
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    type Place = (String, Arc<str>, usize, usize, Option<String>);
    let mut index: std::collections::HashMap<Place, usize> = std::collections::HashMap::new();
    for f in findings.drain(..) {
        if f.targets.is_empty() {
            merged.push(f);
            continue;
        }
        let key = (
            f.rule.to_string(),
            f.file.clone(),
            f.span.start,
            f.span.end,
            f.path.clone(),
        );
        match index.get(&key) {
            Some(&i) => merged[i].targets.extend(f.targets),
            None => {
                index.insert(key, merged.len());
                merged.push(f);
            }
        }
    }
    for f in &mut merged {
        if f.targets.is_empty() {
            continue;
        }
        f.targets.sort();
        f.targets.dedup();
        let list: Vec<&str> = f.targets.iter().map(|t| &**t).collect();
        f.message = format!("{} (in {})", f.message, list.join(", "));
    }
    *findings = merged;
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
