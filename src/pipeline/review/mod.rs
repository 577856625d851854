//! Change review: check what changed between the base and the head, tag each
//! finding `new` or `existing`, diff resources by identity, run change policies,
//! and gather what the approval report states (written by `app`).
//!
//! The git side (snapshots, changed files) is in [`crate::input::git`]; this
//! module runs the normal check pass on the head and base versions of the
//! changed files (bytes read once, from git or the working tree) and combines
//! the results.
//!
//! Kustomize targets are reviewed as rendered ([`targets`]): every target a
//! changed file reaches is rendered at base and at head, diffed, and each
//! rendered change goes through the change policies with its target. Changed
//! files no target reads keep the file-level diff.

pub(crate) mod targets;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use crate::input::discover::{self, Input, Origin};
use crate::input::git::{FileChange, Git, HeadSide, Snapshot};
use crate::input::gitfiles::SnapshotFiles;
use crate::load::{self, Span, Syntax};
use crate::model::digest::sha256;
use crate::model::finding::{Finding, RuleId, Severity, Status};
use crate::model::report::Report;
use crate::model::resource::{self, ResourceId};
use crate::model::source::SourceFile;
use crate::pipeline::check::RenderedUnit;
use crate::pipeline::run::{self, Run};
use crate::settings::Settings;
use crate::stages::diff::{self, Located, ResourceChange};
use tollgate_kustomize::Rendered;

/// A sign-off a change policy requires.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Approval {
    /// Who must approve (a team, a group).
    pub group: String,
    /// Why.
    pub reason: String,
    /// The resource concerned.
    pub resource: ResourceId,
    /// The render target whose rendered change needs it (none for a file-level change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// The sha256 digests recorded in a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct Digests {
    /// Every input file read at head (display path → digest).
    pub inputs: BTreeMap<String, String>,
    /// Every policy file (path → digest).
    pub policies: BTreeMap<String, String>,
    /// The policy set as a whole (digest of the sorted path/digest list).
    pub policy_set: String,
    /// The schema set (embedded Kubernetes schemas and configured schema files).
    pub schema_set: String,
    /// The config file, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// The overall decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Verdict {
    /// No failing finding, no approval needed.
    Pass,
    /// No failing finding; sign-offs are required.
    ApprovalRequired,
    /// At least one failing finding.
    Fail,
}

impl Verdict {
    /// The kebab-case name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::ApprovalRequired => "approval-required",
            Self::Fail => "fail",
        }
    }
}

/// Everything a report states.
#[derive(Debug)]
pub(crate) struct Review {
    /// Base commit id.
    pub base: String,
    /// Head commit id (for the working tree or index: HEAD's id).
    pub head: String,
    /// What the head side was: `commit`, `index` or `worktree`.
    pub head_kind: &'static str,
    /// Changed files.
    pub files: Vec<FileChange>,
    /// Changed resources of the changed files no render target reads.
    pub changes: Vec<ResourceChange>,
    /// The rendered change of every target the change reaches, by target.
    pub targets: Vec<TargetReview>,
    /// Findings on the changed files, each with its status.
    pub findings: Vec<(Finding, Status)>,
    /// Required approvals.
    pub approvals: Vec<Approval>,
    /// Digests.
    pub digests: Digests,
    /// The verdict.
    pub verdict: Verdict,
    /// Optional timestamp (only with `SOURCE_DATE_EPOCH` or `--timestamp`).
    pub timestamp: Option<String>,
}

/// The rendered change of one target, as the report states it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TargetReview {
    /// The target (its directory).
    pub target: String,
    /// Its changed rendered objects.
    pub changes: Vec<targets::TargetChange>,
    /// Render problems at head (`rule: message (file:line)`); a render error
    /// leaves `changes` empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// What to review: which commits, or the index or working tree, against which base.
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    /// The base revision (default: the merge-base with the default branch, or
    /// `HEAD` with `staged`).
    pub base: Option<String>,
    /// The head revision (default: the working tree, or the index with `staged`).
    pub head: Option<String>,
    /// Review the index instead of the working tree.
    pub staged: bool,
    /// Only new findings fail.
    pub new_only: bool,
}

/// The outcome of a change review.
pub(crate) struct Reviewed {
    /// The check report on the head versions of the changed files, with statuses.
    pub report: Report,
    /// Everything the approval report states.
    pub review: Review,
}

/// One side's version of a changed file.
struct Version {
    input: Input,
    bytes: Arc<[u8]>,
}

/// Where a resource sits, for locating change-policy findings.
type Places = HashMap<(String, ResourceId), (Arc<SourceFile>, Span)>;

/// Drops Helm chart templates: `templates/` beside a `Chart.yaml`.
fn drop_helm_templates(snapshot: &mut Snapshot, all: &Snapshot) {
    snapshot
        .files
        .retain(|path, _| !discover::is_helm_template(path, |p| all.files.contains_key(p)));
}

/// The base and head commits and the head side, from the flags.
fn resolve(git: &Git, args: &Request) -> anyhow::Result<(gix::ObjectId, gix::ObjectId, HeadSide)> {
    let (head_id, side) = match (&args.head, args.staged) {
        (Some(rev), _) => {
            let id = git.commit(rev)?;
            (id, HeadSide::Commit(id))
        }
        (None, true) => (git.head()?, HeadSide::Index),
        (None, false) => (git.head()?, HeadSide::WorkTree),
    };
    let base = match (&args.base, args.staged) {
        (Some(rev), _) => git.commit(rev)?,
        (None, true) => git.head()?,
        (None, false) => git.default_base()?,
    };
    Ok((base, head_id, side))
}

/// Runs the check on the changed files, with statuses, resource diff and change policies.
pub(crate) fn check_changed(args: &Request, ctx: &Run, cwd: &Path) -> anyhow::Result<Reviewed> {
    let settings = &ctx.settings;
    let git = Git::open(cwd)?;
    let workdir = git.workdir()?;
    let (base_id, head_id, side) = resolve(&git, args)?;
    let keep = |p: &str| discover::selects(p, &workdir, settings);
    let mut base_snap = git.commit_snapshot(base_id)?;
    let base_all = base_snap.clone();
    base_snap.files.retain(|p, _| keep(p));
    drop_helm_templates(&mut base_snap, &base_all);
    let mut head_snap = git.snapshot(&side, &keep)?;
    let head_all = head_snap.clone();
    drop_helm_templates(&mut head_snap, &head_all);
    let files = crate::input::git::changes(&base_snap, &head_snap);

    let display = |path: &str| discover::display_path(&workdir.join(path), cwd);
    let (head_versions, base_versions, base_name_of) = read_versions(
        &git, &workdir, &side, &files, &head_snap, &base_snap, &display,
    )?;

    // The rendered review: every target a changed file reaches, at base and head.
    let (rendered, render_digests) = if settings.render.enabled {
        crate::model::stats::timed(crate::model::stats::Stage::Render, || {
            let selected = (&base_snap, &head_snap);
            review_targets(
                &git, &workdir, &side, &base_all, selected, settings, &display,
            )
        })?
    } else {
        (Vec::new(), BTreeMap::new())
    };

    // The check pass on each side: the objects of every complete render, and
    // the changed files no complete render read, as written (as `check` does).
    // A reconciler object's own file is read by its render but checked as
    // written (as `check` does).
    let side_inputs = |versions: &[Version], renders: &[(&targets::TargetDiff, &Rendered)]| {
        let covered: BTreeSet<String> = renders
            .iter()
            .flat_map(|(t, r)| {
                r.files
                    .iter()
                    .filter(|f| !t.own.contains(&f.path))
                    .map(|f| display(&f.path))
            })
            .collect();
        versions
            .iter()
            .filter(|v| !covered.contains(&*v.input.name))
            .map(|v| v.input.clone())
            .collect::<Vec<Input>>()
    };
    let head_renders: Vec<(&targets::TargetDiff, &Rendered)> = rendered
        .iter()
        .map(|t| (t, &t.head))
        .filter(|(_, r)| r.is_complete())
        .collect();
    let base_renders: Vec<(&targets::TargetDiff, &Rendered)> = rendered
        .iter()
        .map(|t| (t, &t.base))
        .filter(|(_, r)| r.is_complete())
        .collect();
    let head_units = head_renders
        .iter()
        .map(|(t, r)| unit(r, &t.name, &display))
        .collect();
    let base_units = base_renders
        .iter()
        .map(|(t, r)| unit(r, &t.name, &display))
        .collect();
    let head_inputs = side_inputs(&head_versions, &head_renders);
    let base_inputs = side_inputs(&base_versions, &base_renders);
    let mut report = run::check_unsettled(ctx, &head_inputs, None, head_units)?;
    // A shard (`--shard`) checks every base file (a file's finding is
    // `existing` when any base file has it on the same resource), and the
    // base render of its own targets.
    let base_files: BTreeSet<&str> = base_inputs.iter().map(|i| &*i.name).collect();
    let owns_base =
        |name: &str| base_files.contains(name) || ctx.shard.is_none_or(|s| s.owns(name));
    let mut base_report =
        run::check_unsettled_owned(ctx, &base_inputs, &[], None, base_units, Some(&owns_base))?;
    // The diff, change policies, render problems and approvals: the first shard's.
    let first = ctx.shard.is_none_or(|s| s.is_first());
    run::settle(ctx, &mut base_report);

    // new or existing: the same rule on the same resource and path at base;
    // for a rendered object, in the same target too.
    let existing: BTreeSet<(String, String, String)> = base_report
        .findings
        .iter()
        .filter(|f| f.targets.is_empty())
        .map(|f| file_key(f, &f.file))
        .collect();
    let existing_rendered: BTreeSet<RenderedKey> = base_report
        .findings
        .iter()
        .flat_map(rendered_keys)
        .collect();

    // Changed files a target reads are reviewed as rendered; the rest by file.
    let reached: BTreeSet<String> = files
        .iter()
        .flat_map(|c| [c.head_path(), c.base_path()])
        .flatten()
        .filter(|p| rendered.iter().any(|t| t.reads(p)))
        .map(display)
        .collect();
    let by_file = |versions: &[Version]| -> Vec<usize> {
        (0..versions.len())
            .filter(|&i| !reached.contains(&*versions[i].input.name))
            .collect()
    };
    let (head_by_file, base_by_file) = (by_file(&head_versions), by_file(&base_versions));

    // The resource diff, from the same bytes.
    let (changes, places) = crate::model::stats::timed(crate::model::stats::Stage::Diff, || {
        let (head_located, places) = locate(&head_versions, &head_by_file, settings);
        let (base_located, base_places) = locate(&base_versions, &base_by_file, settings);
        let mut changes = diff::diff(base_located, head_located);
        set_lines(&mut changes, &places, &base_places);
        (changes, (places, base_places))
    });
    let (places, base_places) = places;

    // Render problems of the reviewed targets, `existing` when the base render had them.
    for t in rendered.iter().filter(|_| first) {
        let base_problems: BTreeSet<(&str, &str)> = t
            .base
            .problems
            .iter()
            .map(|p| (p.rule, p.message.as_str()))
            .collect();
        let found = crate::stages::render::problem_findings(&t.head, &t.name, &display);
        for (mut f, p) in found.into_iter().zip(&t.head.problems) {
            f.targets = vec![Arc::from(t.name.as_str())];
            f.status = Some(if base_problems.contains(&(p.rule, p.message.as_str())) {
                Status::Existing
            } else {
                Status::New
            });
            report.findings.push(f);
        }
    }

    // Change policies: once per changed resource, and once per rendered
    // change of each target (with `target` in the input).
    let mut approvals = Vec::new();
    let mut rendered_findings = Merged::default();
    if let Some(policies) = ctx.policies.as_ref().filter(|_| first) {
        change_policies(
            policies,
            &changes,
            (&places, &base_places),
            &rendered,
            &mut report.findings,
            &mut rendered_findings,
            &mut approvals,
        );
    }
    report.findings.extend(rendered_findings.finish());
    // Rule levels and waivers over every finding of the review at once, then
    // the statuses of the check pass's findings.
    run::settle(ctx, &mut report);
    // Only the changed files are checked: a config waiver unused here may well be
    // used elsewhere in the tree, so `waiver-unused` is a full-run finding only.
    report
        .findings
        .retain(|f| f.rule != crate::stages::waiver::WAIVER_UNUSED);
    for f in report.findings.iter_mut().filter(|f| f.status.is_none()) {
        let is_existing = if f.targets.is_empty() {
            let base_file = base_name_of
                .get(f.file.as_ref())
                .cloned()
                .unwrap_or_else(|| f.file.to_string());
            existing.contains(&file_key(f, &base_file))
        } else {
            rendered_keys(f).all(|k| existing_rendered.contains(&k))
        };
        f.status = Some(if is_existing {
            Status::Existing
        } else {
            Status::New
        });
    }
    report.count_severities();
    approvals.sort();
    approvals.dedup();

    report.changed_files = changed_files(&files, &display);

    let fails = report
        .findings
        .iter()
        .any(|f| run::fails(f, settings.fail_on, args.new_only));
    let verdict = if fails {
        Verdict::Fail
    } else if approvals.is_empty() {
        Verdict::Pass
    } else {
        Verdict::ApprovalRequired
    };
    let mut digests = digests(&head_versions, ctx)?;
    // Every file a reviewed target's head render read is a rendering input.
    for (path, digest) in render_digests {
        digests.inputs.entry(display(&path)).or_insert(digest);
    }
    let target_reviews = if first {
        target_reviews(&rendered, &report.findings)
    } else {
        Vec::new()
    };
    let findings = report
        .findings
        .iter()
        .map(|f| (f.clone(), f.status.unwrap_or(Status::New)))
        .collect();
    let review = Review {
        base: base_id.to_string(),
        head: head_id.to_string(),
        head_kind: match side {
            HeadSide::WorkTree => "worktree",
            HeadSide::Index => "index",
            HeadSide::Commit(_) => "commit",
        },
        files,
        changes: if first { changes } else { Vec::new() },
        targets: target_reviews,
        findings,
        approvals,
        digests,
        verdict,
        timestamp: None,
    };
    Ok(Reviewed { report, review })
}

/// A finding's identity across base and head for a file as written: rule,
/// resource (or file) and pointer (or message).
fn file_key(f: &Finding, file: &str) -> (String, String, String) {
    let what = match &f.resource {
        Some(r) => resource_key(r),
        None => file.to_owned(),
    };
    let place = f.path.clone().unwrap_or_else(|| {
        if f.resource.is_none() {
            f.message.clone()
        } else {
            String::new()
        }
    });
    (f.rule.to_string(), what, place)
}

fn resource_key(r: &ResourceId) -> String {
    format!(
        "{}|{}|{}|{}",
        r.group(),
        r.kind,
        r.namespace.as_deref().unwrap_or(""),
        r.name.as_deref().unwrap_or("")
    )
}

/// A rendered finding's identity: rule, target, resource, pointer.
type RenderedKey = (String, Arc<str>, String, String);

/// One key per target a rendered finding lists (none for a file's finding).
fn rendered_keys(f: &Finding) -> impl Iterator<Item = RenderedKey> + '_ {
    f.targets.iter().map(move |t| {
        (
            f.rule.to_string(),
            t.clone(),
            f.resource.as_ref().map(resource_key).unwrap_or_default(),
            f.path.clone().unwrap_or_default(),
        )
    })
}

/// A complete render as a unit of the check pass (as `stages::render` builds
/// them from disk) named `name`, its files named as reports name them.
fn unit(r: &Rendered, name: &str, display: &dyn Fn(&str) -> String) -> RenderedUnit {
    let parts: Vec<Arc<SourceFile>> = r
        .files
        .iter()
        .map(|f| Arc::new(SourceFile::new(Arc::from(display(&f.path)), f.text.clone())))
        .collect();
    let name: Arc<str> = Arc::from(name);
    let objects = r
        .resources
        .iter()
        .enumerate()
        .map(|(i, res)| resource::Object {
            document: i,
            item: None,
            id: ResourceId::of(&res.node),
            node: res.node.clone(),
        })
        .collect();
    RenderedUnit::new(
        name.clone(),
        Arc::new(SourceFile::rendered(name, parts)),
        objects,
    )
}

/// Loads one side's changed files into located resources (changed files only,
/// so this second parse is small next to the check pass).
fn locate(versions: &[Version], which: &[usize], settings: &Settings) -> (Vec<Located>, Places) {
    let mut located = Vec::new();
    let mut places = Places::new();
    for v in which.iter().map(|&i| &versions[i]) {
        let Ok(text) = crate::model::source::decode(v.bytes.to_vec()) else {
            continue;
        };
        let src = Arc::new(SourceFile::new(v.input.name.clone(), text));
        let syntax = settings
            .parser
            .unwrap_or_else(|| Syntax::for_path(&v.input.name));
        let loaded = load::load(&src.text, syntax, &settings.limits);
        for obj in resource::objects(loaded.documents) {
            // A Kubernetes object, or the resources a Terraform configuration
            // or plan or a CloudFormation template declares.
            let found: Vec<(ResourceId, Span, serde_json::Value)> = match obj.id.clone() {
                Some(id) => vec![(id, obj.node.span, obj.node.to_json())],
                None if obj.item.is_none() => resource::declared(&obj.node)
                    .into_iter()
                    .map(|d| (d.id, d.at, d.node.to_json()))
                    .collect(),
                None => Vec::new(),
            };
            for (id, span, value) in found {
                places
                    .entry((v.input.name.to_string(), id.clone()))
                    .or_insert((src.clone(), span));
                located.push(Located {
                    file: v.input.name.to_string(),
                    id,
                    value,
                });
            }
        }
    }
    (located, places)
}

/// The line each changed resource starts on, at head and at base.
fn set_lines(changes: &mut [ResourceChange], head: &Places, base: &Places) {
    let line = |places: &Places, file: &Option<String>, id: &ResourceId| {
        let (src, span) = places.get(&(file.clone()?, id.clone()))?;
        Some(src.position(span.start).line)
    };
    for c in changes {
        c.line = line(head, &c.file, &c.resource);
        c.old_line = line(base, &c.old_file, &c.resource);
    }
}

/// Each reviewed target's changes and render problems, for the report.
fn target_reviews(rendered: &[targets::TargetDiff], findings: &[Finding]) -> Vec<TargetReview> {
    rendered
        .iter()
        .map(|t| TargetReview {
            target: t.name.clone(),
            changes: t.changes.clone(),
            problems: findings
                .iter()
                .filter(|f| {
                    (f.rule == crate::model::rules::RENDER_ERROR
                        || f.rule == crate::model::rules::RENDER_UNSUPPORTED)
                        && f.targets.iter().any(|n| **n == *t.name)
                })
                .map(|f| format!("{} {}:{}: {}", f.rule, f.file, f.start.line, f.message))
                .collect(),
        })
        .collect()
}

/// The changed files as the check report lists them: (status, file, old file).
fn changed_files(
    files: &[FileChange],
    display: &dyn Fn(&str) -> String,
) -> Vec<(&'static str, String, Option<String>)> {
    files
        .iter()
        .map(|c| match c {
            FileChange::Added { path } => ("added", display(path), None),
            FileChange::Modified { path } => ("modified", display(path), None),
            FileChange::Renamed { from, to } => ("renamed", display(to), Some(display(from))),
            FileChange::Deleted { path } => ("deleted", display(path), None),
        })
        .collect()
}

/// Head versions, base versions, and the base name of each renamed head file.
type Versions = (Vec<Version>, Vec<Version>, HashMap<String, String>);

/// Both sides' versions of the changed files (bytes read once: from git, or
/// from the working tree for a working-tree head), and the base name of each
/// renamed head file, so renamed files keep their findings' identity.
fn read_versions(
    git: &Git,
    workdir: &Path,
    side: &HeadSide,
    files: &[FileChange],
    head_snap: &Snapshot,
    base_snap: &Snapshot,
    display: &dyn Fn(&str) -> String,
) -> anyhow::Result<Versions> {
    let mut head_versions = Vec::new();
    let mut base_versions = Vec::new();
    let mut base_name_of: HashMap<String, String> = HashMap::new();
    for change in files {
        if let Some(path) = change.head_path() {
            let bytes: Arc<[u8]> = match side {
                HeadSide::WorkTree => std::fs::read(workdir.join(path))
                    .with_context(|| format!("cannot read {path}"))?
                    .into(),
                _ => git.blob(head_snap.files[path])?.into(),
            };
            let origin = Origin::Blob {
                bytes: bytes.clone(),
                path: Some(workdir.join(path)),
            };
            head_versions.push(Version {
                input: Input {
                    name: display(path).into(),
                    origin,
                },
                bytes,
            });
        }
        if let Some(path) = change.base_path() {
            let bytes: Arc<[u8]> = git.blob(base_snap.files[path])?.into();
            let origin = Origin::Blob {
                bytes: bytes.clone(),
                path: Some(workdir.join(path)),
            };
            base_versions.push(Version {
                input: Input {
                    name: display(path).into(),
                    origin,
                },
                bytes,
            });
        }
        if let (Some(head), Some(base)) = (change.head_path(), change.base_path()) {
            base_name_of.insert(display(head), display(base));
        }
    }

    Ok((head_versions, base_versions, base_name_of))
}

/// Runs the change policies on every file-level change and every rendered
/// change of each target (with `target` in the input); their findings go to
/// `findings` (file level) or `rendered` (merged across targets), their
/// approvals to `approvals`.
fn change_policies(
    policies: &crate::stages::policy::PolicySet,
    changes: &[diff::ResourceChange],
    (places, base_places): (&Places, &Places),
    rendered: &[targets::TargetDiff],
    findings: &mut Vec<Finding>,
    rendered_findings: &mut Merged,
    approvals: &mut Vec<Approval>,
) {
    let rules = policies.change_rules();
    if !rules.is_empty() {
        for change in changes {
            let input = json!({
                "operation": change.operation.as_str(),
                "resource": change.resource,
                "object": change.object,
                "oldObject": change.old_object,
                "file": change.file,
                "oldFile": change.old_file,
                "changes": change.fields,
            });
            let verdict = policies.evaluate_change(&rules, input);
            // At head; a deleted resource at its base line.
            let place = match &change.file {
                Some(f) => places.get(&(f.clone(), change.resource.clone())),
                None => change
                    .old_file
                    .as_ref()
                    .and_then(|f| base_places.get(&(f.clone(), change.resource.clone()))),
            };
            for (id, severity, message) in verdict.findings {
                findings.push(change_finding(
                    change,
                    place,
                    RuleId::Owned(id),
                    severity,
                    message,
                ));
            }
            for (query, error) in verdict.errors {
                let message = format!("change policy {query} failed: {error}");
                findings.push(change_finding(
                    change,
                    place,
                    crate::stages::policy::eval::POLICY_ERROR,
                    Severity::Error,
                    message,
                ));
            }
            for (group, reason) in verdict.approvals {
                approvals.push(Approval {
                    group,
                    reason,
                    resource: change.resource.clone(),
                    target: None,
                });
            }
        }
        for t in rendered {
            for change in &t.changes {
                let fields: Vec<&diff::FieldChange> =
                    change.fields.iter().map(|f| &f.field).collect();
                let input = json!({
                    "operation": change.operation,
                    "resource": change.resource,
                    "object": change.object,
                    "oldObject": change.old_object,
                    "file": change.file,
                    "oldFile": change.old_file,
                    "changes": fields,
                    // Repository-relative, so a rule does not depend on
                    // the directory tollgate runs from.
                    "target": t.dir,
                });
                let verdict = policies.evaluate_change(&rules, input);
                let errors = verdict.errors.into_iter().map(|(query, error)| {
                    (
                        crate::stages::policy::eval::POLICY_ERROR,
                        Severity::Error,
                        format!("change policy {query} failed: {error}"),
                    )
                });
                let results = verdict
                    .findings
                    .into_iter()
                    .map(|(id, severity, message)| (RuleId::Owned(id), severity, message))
                    .chain(errors);
                for (rule, severity, message) in results {
                    rendered_findings.add(rendered_finding(t, change, rule, severity, message));
                }
                for (group, reason) in verdict.approvals {
                    approvals.push(Approval {
                        group,
                        reason,
                        resource: change.resource.clone(),
                        target: Some(t.name.clone()),
                    });
                }
            }
        }
    }
}

/// Renders every target the change reaches at base and at head: the base from
/// its commit's objects, the head from the index or commit objects, or from the
/// disk under the repository root for a working-tree head. `selected` holds
/// each side's files a directory walk would pick (base, head): the files
/// reconciler objects are looked for in, as `check` looks for them.
fn review_targets(
    git: &Git,
    workdir: &Path,
    side: &HeadSide,
    base_all: &Snapshot,
    selected: (&Snapshot, &Snapshot),
    settings: &Settings,
    display: &(dyn Fn(&str) -> String + Sync),
) -> anyhow::Result<(Vec<targets::TargetDiff>, Inputs)> {
    let head_all = git.snapshot(side, &|_| true)?;
    let changed: BTreeSet<String> = crate::input::git::changes(base_all, &head_all)
        .iter()
        .flat_map(|c| [c.head_path(), c.base_path()])
        .flatten()
        .map(str::to_owned)
        .collect();
    if changed.is_empty() {
        return Ok(Default::default());
    }
    let base_dirs = targets::kustomization_dirs(base_all.files.keys());
    let head_dirs = targets::kustomization_dirs(head_all.files.keys());
    let options = tollgate_kustomize::Options {
        load_restrictor: match settings.render.load_restrictor {
            crate::settings::LoadRestrictor::RootOnly => {
                tollgate_kustomize::LoadRestrictor::RootOnly
            }
            crate::settings::LoadRestrictor::None => tollgate_kustomize::LoadRestrictor::None,
        },
        limits: settings.limits.clone(),
    };
    let base_files = SnapshotFiles::new(workdir, base_all.clone());
    let disk;
    let snapshot;
    let head_files: &dyn tollgate_kustomize::Files = match side {
        HeadSide::WorkTree => {
            disk = tollgate_kustomize::DiskFiles::new(workdir)
                .with_context(|| format!("cannot open {}", workdir.display()))?;
            &disk
        }
        _ => {
            snapshot = SnapshotFiles::new(workdir, head_all);
            &snapshot
        }
    };
    // The files that may hold a Flux or Argo CD object, each blob read once
    // (a blob both sides share is read at base only).
    let mut seen = HashMap::new();
    let base_candidates = reconciler_candidates(selected.0, &base_files, &mut seen);
    let head_candidates = reconciler_candidates(selected.1, head_files, &mut seen);
    // Both graphs read and parse every kustomization of their side, and the
    // reconciler objects of each side render: in parallel.
    let urls = &settings.repository.urls;
    let reconcilers = |files: &dyn tollgate_kustomize::Files, paths: &[String]| {
        if paths.is_empty() {
            Vec::new()
        } else {
            crate::stages::reconciler::targets(
                files,
                paths,
                urls,
                &options,
                options.load_restrictor,
            )
        }
    };
    let ((base, base_named), (head, head_named)) = rayon::join(
        || {
            (
                targets::Side::new(&base_files, &base_dirs, &options),
                reconcilers(&base_files, &base_candidates),
            )
        },
        || {
            (
                targets::Side::new(head_files, &head_dirs, &options),
                reconcilers(head_files, &head_candidates),
            )
        },
    );
    let mut reviewed = if base_dirs.is_empty() && head_dirs.is_empty() {
        Vec::new()
    } else {
        targets::review(&base, &head, &changed, &options, display)
    };
    reviewed.extend(targets::review_reconcilers(
        base_named, head_named, &changed, display,
    ));
    // The digest of every file a head render read, from its bytes (a binary
    // generator input is in the render's file table without its text).
    let mut inputs = Inputs::new();
    for f in reviewed.iter().flat_map(|t| &t.head.files) {
        if inputs.contains_key(&f.path) {
            continue;
        }
        let bytes = head_files
            .read_bytes(&f.path)
            .map_err(|e| anyhow::anyhow!("cannot read {} for the report digest: {e:?}", f.path))?;
        inputs.insert(f.path.clone(), sha256(&bytes));
    }
    Ok((reviewed, inputs))
}

/// The paths of `snapshot` whose text may hold a reconciler object (or a
/// ConfigMap one substitutes from), as `stages::reconciler::targets` selects
/// them; `seen` remembers each blob's answer, so a file both sides share is
/// read once.
fn reconciler_candidates(
    snapshot: &Snapshot,
    files: &dyn tollgate_kustomize::Files,
    seen: &mut HashMap<gix::ObjectId, bool>,
) -> Vec<String> {
    snapshot
        .files
        .iter()
        .filter(|(path, _)| crate::stages::reconciler::may_hold_path(path))
        .filter(|(path, id)| {
            *seen.entry(**id).or_insert_with(|| {
                files
                    .read(path)
                    .is_ok_and(|text| crate::stages::reconciler::may_hold(&text))
            })
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// Repository path → sha256 digest.
type Inputs = BTreeMap<String, String>;

/// Change-policy findings on rendered changes: one finding per rule, place
/// and message, listing every target that produced it (a base shared by
/// overlays).
#[derive(Default)]
struct Merged {
    findings: Vec<Finding>,
    index: HashMap<(String, Arc<str>, usize, String), usize>,
}

impl Merged {
    fn add(&mut self, f: Finding) {
        let key = (
            f.rule.to_string(),
            f.file.clone(),
            f.span.start,
            f.message.clone(),
        );
        match self.index.get(&key) {
            Some(&i) => self.findings[i].targets.extend(f.targets),
            None => {
                self.index.insert(key, self.findings.len());
                self.findings.push(f);
            }
        }
    }

    fn finish(mut self) -> Vec<Finding> {
        for f in &mut self.findings {
            f.targets.sort();
            f.targets.dedup();
            let list: Vec<&str> = f.targets.iter().map(|t| &**t).collect();
            f.message = format!("{} (in {})", f.message, list.join(", "));
        }
        self.findings
    }
}

/// A change-policy finding on a target's rendered change, at the line that
/// made the change.
fn rendered_finding(
    target: &targets::TargetDiff,
    change: &targets::TargetChange,
    rule: RuleId,
    severity: Severity,
    message: String,
) -> Finding {
    let mut f = match &change.place {
        Some((src, span)) => Finding::at(
            src,
            Span::new(span.start, span.start),
            rule,
            severity,
            message,
        ),
        None => {
            let mut f = Finding::whole_file(Arc::from(target.name.as_str()), rule, message);
            f.severity = severity;
            f
        }
    };
    f.resource = Some(change.resource.clone());
    f.status = Some(Status::New);
    f.targets = vec![Arc::from(target.name.as_str())];
    f
}

fn change_finding(
    change: &diff::ResourceChange,
    place: Option<&(Arc<SourceFile>, Span)>,
    rule: RuleId,
    severity: Severity,
    message: String,
) -> Finding {
    let mut f = match place {
        Some((src, span)) => Finding::at(
            src,
            Span::new(span.start, span.start),
            rule,
            severity,
            message,
        ),
        None => {
            let file = change
                .file
                .clone()
                .or_else(|| change.old_file.clone())
                .unwrap_or_default();
            let mut f = Finding::whole_file(file.into(), rule, message);
            f.severity = severity;
            f
        }
    };
    f.resource = Some(change.resource.clone());
    f.status = Some(Status::New);
    f
}

/// sha256 of every input, policy file, the policy set, the schema set and the config.
fn digests(head: &[Version], ctx: &Run) -> anyhow::Result<Digests> {
    let settings = &ctx.settings;
    let inputs = head
        .iter()
        .map(|v| (v.input.name.to_string(), sha256(&v.bytes)))
        .collect();
    let mut policies = BTreeMap::new();
    if let Some(set) = &ctx.policies {
        for source in &set.sources {
            policies.insert(source.name.clone(), sha256(source.text.as_bytes()));
        }
    }
    // The set's digest covers contents only, so it does not depend on where the
    // policies are checked out; the per-file map keeps the names.
    let mut contents: Vec<&String> = policies.values().collect();
    contents.sort();
    let listing: String = contents
        .iter()
        .map(|digest| format!("{digest}\n"))
        .collect();
    let minor = crate::stages::schema::kubernetes::resolve_version(
        settings.schemas.kubernetes_version.as_deref(),
    )?;
    let mut schema_input = format!(
        "kubernetes 1.{minor} permissive={}\n",
        settings.schemas.permissive
    )
    .into_bytes();
    schema_input.extend_from_slice(
        crate::stages::schema::kubernetes::embedded_bytes(minor).unwrap_or_default(),
    );
    if !settings.schemas.no_catalog {
        schema_input.extend_from_slice(crate::stages::schema::ecosystem::embedded_bytes());
    }
    let mut extra: Vec<PathBuf> = settings.schemas.directories.clone();
    extra.extend(settings.schemas.associations.iter().map(|(_, p)| p.clone()));
    extra.sort();
    for dir in extra {
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
        {
            schema_input.extend_from_slice(entry.path().to_string_lossy().as_bytes());
            // An unreadable schema must not hash as if it were empty: a report
            // made while it could not be read would then verify against any content.
            let bytes = std::fs::read(entry.path()).with_context(|| {
                format!(
                    "cannot read schema {} for the report digest",
                    entry.path().display()
                )
            })?;
            schema_input.extend_from_slice(&bytes);
        }
    }
    // The config that was used: `--config ci/gate.yaml` as much as a
    // discovered `.tollgate.yaml`.
    let config = match &settings.config_path {
        Some(path) => Some(sha256(&std::fs::read(path).with_context(|| {
            format!(
                "cannot read config {} for the report digest",
                path.display()
            )
        })?)),
        None => None,
    };
    Ok(Digests {
        inputs,
        policies,
        policy_set: sha256(listing.as_bytes()),
        schema_set: sha256(&schema_input),
        config,
    })
}
