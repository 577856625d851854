//! Change review: check what changed between the base and the head, tag each
//! finding `new` or `existing`, diff resources by identity, run change policies,
//! and gather what the approval report states (written by `app`).
//!
//! The git side (snapshots, changed files) is in [`crate::input::git`]; this
//! module runs the normal check pass on the head and base versions of the
//! changed files (bytes read once, from git or the working tree) and combines
//! the results.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;
use serde_json::json;

use crate::input::discover::{self, Input, Origin};
use crate::input::git::{FileChange, Git, HeadSide, Snapshot};
use crate::load::{self, Span, Syntax};
use crate::model::digest::sha256;
use crate::model::finding::{Finding, RuleId, Severity, Status};
use crate::model::report::Report;
use crate::model::resource::{self, ResourceId};
use crate::model::source::SourceFile;
use crate::pipeline::run::{self, Run};
use crate::settings::Settings;
use crate::stages::diff::{self, Located, ResourceChange};

/// A sign-off a change policy requires.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Approval {
    /// Who must approve (a team, a group).
    pub group: String,
    /// Why.
    pub reason: String,
    /// The resource concerned.
    pub resource: ResourceId,
}

/// The sha256 digests recorded in a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Digests {
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
pub enum Verdict {
    /// No failing finding, no approval needed.
    Pass,
    /// No failing finding; sign-offs are required.
    ApprovalRequired,
    /// At least one failing finding.
    Fail,
}

impl Verdict {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::ApprovalRequired => "approval-required",
            Self::Fail => "fail",
        }
    }
}

/// Everything a report states.
#[derive(Debug)]
pub struct Review {
    /// Base commit id.
    pub base: String,
    /// Head commit id (for the working tree or index: HEAD's id).
    pub head: String,
    /// What the head side was: `commit`, `index` or `worktree`.
    pub head_kind: &'static str,
    /// Changed files.
    pub files: Vec<FileChange>,
    /// Changed resources.
    pub changes: Vec<ResourceChange>,
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

/// What to review: which commits, or the index or working tree, against which base.
#[derive(Clone, Debug, Default)]
pub struct Request {
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
pub struct Reviewed {
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

/// Whether a repository path is one a directory walk would check.
fn picks(path: &str, workdir: &Path, settings: &Settings) -> bool {
    let hidden = path.split('/').any(|c| c.starts_with('.'));
    let abs = workdir.join(path);
    let rel = abs.strip_prefix(&settings.base_dir).ok();
    let name = path.rsplit('/').next().unwrap_or(path);
    let picked = match (&settings.include, rel) {
        (Some(include), Some(r)) => include.is_match(r),
        (Some(_), None) => false,
        (None, _) => discover::is_manifest_name(name),
    };
    picked && !hidden && !rel.is_some_and(|r| settings.exclude.is_match(r))
}

/// Drops Helm chart templates: `templates/` beside a `Chart.yaml`.
fn drop_helm_templates(snapshot: &mut Snapshot, all: &Snapshot) {
    snapshot.files.retain(|path, _| {
        let parts: Vec<&str> = path.split('/').collect();
        !parts.iter().enumerate().any(|(i, part)| {
            *part == "templates"
                && i + 1 < parts.len()
                && all
                    .files
                    .contains_key(&[&parts[..i], &["Chart.yaml"]].concat().join("/"))
        })
    });
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
pub fn check_changed(args: &Request, ctx: &Run, cwd: &Path) -> anyhow::Result<Reviewed> {
    let settings = &ctx.settings;
    let git = Git::open(cwd)?;
    let workdir = git.workdir()?;
    let (base_id, head_id, side) = resolve(&git, args)?;
    let keep = |p: &str| picks(p, &workdir, settings);
    let mut base_snap = git.commit_snapshot(base_id)?;
    let base_all = base_snap.clone();
    base_snap.files.retain(|p, _| keep(p));
    drop_helm_templates(&mut base_snap, &base_all);
    let mut head_snap = git.snapshot(&side, &keep)?;
    let head_all = head_snap.clone();
    drop_helm_templates(&mut head_snap, &head_all);
    let files = crate::input::git::changes(&base_snap, &head_snap);

    let display = |path: &str| discover::display_path(&workdir.join(path), cwd);
    let mut head_versions = Vec::new();
    let mut base_versions = Vec::new();
    // Head file name → base file name, so renamed files keep their findings' identity.
    let mut base_name_of: HashMap<String, String> = HashMap::new();
    for change in &files {
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

    let head_inputs: Vec<Input> = head_versions.iter().map(|v| v.input.clone()).collect();
    let base_inputs: Vec<Input> = base_versions.iter().map(|v| v.input.clone()).collect();
    let mut report = run::check_files(ctx, &head_inputs, None)?;
    // Only the changed files are checked: a config waiver unused here may well be
    // used elsewhere in the tree, so `waiver-unused` is a full-run finding only.
    report
        .findings
        .retain(|f| f.rule != crate::stages::waiver::WAIVER_UNUSED);
    report.count_severities();
    let base_report = run::check_files(ctx, &base_inputs, None)?;

    // new or existing: the same rule on the same resource and path at base.
    let key = |f: &Finding, file: &str| -> (String, String, String) {
        let what = match &f.resource {
            Some(r) => format!(
                "{}|{}|{}|{}",
                r.group(),
                r.kind,
                r.namespace.as_deref().unwrap_or(""),
                r.name.as_deref().unwrap_or("")
            ),
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
    };
    let existing: BTreeSet<(String, String, String)> = base_report
        .findings
        .iter()
        .map(|f| key(f, &f.file))
        .collect();
    for f in &mut report.findings {
        let base_file = base_name_of
            .get(f.file.as_ref())
            .cloned()
            .unwrap_or_else(|| f.file.to_string());
        f.status = Some(if existing.contains(&key(f, &base_file)) {
            Status::Existing
        } else {
            Status::New
        });
    }

    // The resource diff, from the same bytes.
    let (changes, places) = crate::model::stats::timed(crate::model::stats::Stage::Diff, || {
        let (head_located, places) = locate(&head_versions, settings);
        let (base_located, _) = locate(&base_versions, settings);
        (diff::diff(base_located, head_located), places)
    });

    // Change policies: once per changed resource.
    let mut approvals = Vec::new();
    if let Some(policies) = &ctx.policies {
        let rules = policies.change_rules();
        if !rules.is_empty() {
            for change in &changes {
                let input = json!({
                    "operation": change.operation.as_str(),
                    "object": change.object,
                    "oldObject": change.old_object,
                    "file": change.file,
                    "oldFile": change.old_file,
                    "changes": change.fields,
                });
                let verdict = policies.evaluate_change(&rules, input);
                let place = change
                    .file
                    .as_ref()
                    .and_then(|f| places.get(&(f.clone(), change.resource.clone())));
                for (id, severity, message) in verdict.findings {
                    report.findings.push(change_finding(
                        change,
                        place,
                        RuleId::Owned(id),
                        severity,
                        message,
                    ));
                }
                for (query, error) in verdict.errors {
                    let message = format!("change policy {query} failed: {error}");
                    report.findings.push(change_finding(
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
                    });
                }
            }
            crate::model::finding::sort(&mut report.findings);
            report.count_severities();
        }
    }
    approvals.sort();
    approvals.dedup();

    report.changed_files = files
        .iter()
        .map(|c| match c {
            FileChange::Added { path } => ("added", display(path), None),
            FileChange::Modified { path } => ("modified", display(path), None),
            FileChange::Renamed { from, to } => ("renamed", display(to), Some(display(from))),
            FileChange::Deleted { path } => ("deleted", display(path), None),
        })
        .collect();

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
    let digests = digests(&head_versions, ctx)?;
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
        changes,
        findings,
        approvals,
        digests,
        verdict,
        timestamp: None,
    };
    Ok(Reviewed { report, review })
}

/// Loads one side's changed files into located resources (changed files only,
/// so this second parse is small next to the check pass).
fn locate(versions: &[Version], settings: &Settings) -> (Vec<Located>, Places) {
    let mut located = Vec::new();
    let mut places = Places::new();
    for v in versions {
        let Ok(text) = crate::model::source::decode(v.bytes.to_vec()) else {
            continue;
        };
        let src = Arc::new(SourceFile::new(v.input.name.clone(), text));
        let loaded = load::load(&src.text, Syntax::for_path(&v.input.name), &settings.limits);
        for obj in resource::objects(loaded.documents) {
            let Some(id) = obj.id.clone() else { continue };
            let key_span = obj.node.span;
            places
                .entry((v.input.name.to_string(), id.clone()))
                .or_insert((src.clone(), key_span));
            located.push(Located {
                file: v.input.name.to_string(),
                id,
                value: obj.node.to_json(),
            });
        }
    }
    (located, places)
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
