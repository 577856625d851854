//! Change review: check what changed between the base and the head, tag each
//! finding `new` or `existing`, diff resources by identity, run change policies,
//! and write (or verify) the approval report.
//!
//! The git side (snapshots, changed files) is in [`crate::diff::git`]; this
//! module runs the normal check pass on the head and base versions of the
//! changed files (bytes read once, from git or the working tree) and combines
//! the results.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, anyhow};
use serde_json::json;

use crate::cli::{Cli, ReportArgs, ReviewArgs, ReviewFormat};
use crate::config::{FailOn, Settings};
use crate::diff::git::{FileChange, Git, HeadSide, Snapshot};
use crate::diff::report::{Approval, Digests, Review, Verdict, sha256};
use crate::diff::resources::{self, Located};
use crate::discover::{self, Input, Origin};
use crate::finding::{Finding, RuleId, Severity, Status};
use crate::load::{self, Span, Syntax};
use crate::report::Report;
use crate::resource::{self, ResourceId};
use crate::source::SourceFile;
use crate::{Exit, check_inputs, prepare};

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
fn resolve(
    git: &Git,
    args: &ReviewArgs,
) -> anyhow::Result<(gix::ObjectId, gix::ObjectId, HeadSide)> {
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
pub fn check_changed(
    args: &ReviewArgs,
    settings: &Settings,
    cwd: &Path,
) -> anyhow::Result<Reviewed> {
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
    let files = crate::diff::git::changes(&base_snap, &head_snap);

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
    let mut report = check_inputs(&head_inputs, None, settings)?;
    // Only the changed files are checked: a config waiver unused here may well be
    // used elsewhere in the tree, so `waiver-unused` is a full-run finding only.
    report
        .findings
        .retain(|f| f.rule != crate::waiver::WAIVER_UNUSED);
    report.count_severities();
    let base_report = check_inputs(&base_inputs, None, settings)?;

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
    let (changes, places) = crate::stats::timed(crate::stats::Stage::Diff, || {
        let (head_located, places) = locate(&head_versions, settings);
        let (base_located, _) = locate(&base_versions, settings);
        (resources::diff(base_located, head_located), places)
    });

    // Change policies: once per changed resource.
    let mut approvals = Vec::new();
    if let Some(policies) = &settings.policies {
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
                        crate::policy::eval::POLICY_ERROR,
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
            crate::finding::sort(&mut report.findings);
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

    let failing = match settings.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let fails = report.findings.iter().any(|f| {
        f.waived.is_none()
            && f.severity >= failing
            && (!args.new_only || f.status != Some(Status::Existing))
    });
    let verdict = if fails {
        Verdict::Fail
    } else if approvals.is_empty() {
        Verdict::Pass
    } else {
        Verdict::ApprovalRequired
    };
    let digests = digests(&head_versions, settings)?;
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
        let Ok(text) = crate::source::decode(v.bytes.to_vec()) else {
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
    change: &resources::ResourceChange,
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
fn digests(head: &[Version], settings: &Settings) -> anyhow::Result<Digests> {
    let inputs = head
        .iter()
        .map(|v| (v.input.name.to_string(), sha256(&v.bytes)))
        .collect();
    let mut policies = BTreeMap::new();
    if let Some(set) = &settings.policies {
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
    let minor =
        crate::schema::kubernetes::resolve_version(settings.schemas.kubernetes_version.as_deref())?;
    let mut schema_input = format!(
        "kubernetes 1.{minor} permissive={}\n",
        settings.schemas.permissive
    )
    .into_bytes();
    schema_input
        .extend_from_slice(crate::schema::kubernetes::embedded_bytes(minor).unwrap_or_default());
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
            schema_input.extend_from_slice(&std::fs::read(entry.path()).unwrap_or_default());
        }
    }
    let config = match &settings.config_file {
        Some(_) => {
            let path = settings.base_dir.join(crate::config::FILE_NAME);
            std::fs::read(&path).ok().map(|b| sha256(&b))
        }
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

/// RFC 3339 (UTC) for seconds since the epoch.
pub(crate) fn rfc3339(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `tollgate report`: write the approval report, or verify a recorded one.
pub fn run_report(cli: &Cli, args: &ReportArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = prepare(cli, &args.settings, cwd)?;
    if let Some(path) = &args.verify {
        return verify(path, args, &settings, cwd);
    }
    let mut reviewed = check_changed(&args.review, &settings, cwd)?;
    reviewed.review.timestamp = match (&args.timestamp, std::env::var("SOURCE_DATE_EPOCH")) {
        (Some(t), _) => Some(t.clone()),
        (None, Ok(epoch)) => {
            Some(rfc3339(epoch.trim().parse().map_err(|_| {
                anyhow!("SOURCE_DATE_EPOCH is not a number: {epoch}")
            })?))
        }
        (None, Err(_)) => None,
    };
    let text = match args.format {
        ReviewFormat::Markdown => reviewed.review.to_markdown(),
        ReviewFormat::Json => format!("{:#}\n", reviewed.review.to_json()),
        ReviewFormat::Intoto => format!("{:#}\n", reviewed.review.to_intoto()),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| anyhow!("cannot write the report to {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(if reviewed.review.verdict == Verdict::Fail {
        Exit::Failures
    } else {
        Exit::Clean
    })
}

/// Re-runs the check at the recorded commits and compares verdict and digests.
fn verify(path: &Path, args: &ReportArgs, settings: &Settings, cwd: &Path) -> anyhow::Result<Exit> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
    let recorded: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{} is not a JSON report: {e}", path.display()))?;
    let field = |name: &str| {
        recorded[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("the report has no `{name}`"))
    };
    let base = field("base")?;
    let head = field("head")?;
    let head_kind = field("head_kind")?;
    let review_args = ReviewArgs {
        changed: true,
        staged: head_kind == "index",
        base: Some(base),
        head: (head_kind == "commit").then_some(head),
        new_only: args.review.new_only,
    };
    let fresh = check_changed(&review_args, settings, cwd)?.review.to_json();
    let mut differences = Vec::new();
    for key in ["base", "head", "verdict"] {
        if fresh[key] != recorded[key] {
            differences.push(format!(
                "{key}: recorded {} but now {}",
                recorded[key], fresh[key]
            ));
        }
    }
    let recorded_digests: Digests = serde_json::from_value(recorded["digests"].clone())
        .map_err(|e| anyhow!("the report's digests are malformed: {e}"))?;
    let fresh_digests: Digests = serde_json::from_value(fresh["digests"].clone())?;
    compare_maps(
        "input",
        &recorded_digests.inputs,
        &fresh_digests.inputs,
        &mut differences,
    );
    compare_maps(
        "policy",
        &recorded_digests.policies,
        &fresh_digests.policies,
        &mut differences,
    );
    for (name, a, b) in [
        (
            "policy set",
            &recorded_digests.policy_set,
            &fresh_digests.policy_set,
        ),
        (
            "schema set",
            &recorded_digests.schema_set,
            &fresh_digests.schema_set,
        ),
    ] {
        if a != b {
            differences.push(format!("{name}: recorded {a} but now {b}"));
        }
    }
    if recorded_digests.config != fresh_digests.config {
        differences.push(format!(
            "config: recorded {:?} but now {:?}",
            recorded_digests.config, fresh_digests.config
        ));
    }
    let mut out = std::io::stdout().lock();
    if differences.is_empty() {
        writeln!(
            out,
            "verified: {} holds (verdict {}, {} inputs)",
            path.display(),
            fresh["verdict"],
            fresh_digests.inputs.len()
        )?;
        Ok(Exit::Clean)
    } else {
        writeln!(
            out,
            "NOT verified: {} differs from a fresh check:",
            path.display()
        )?;
        for d in &differences {
            writeln!(out, "  - {d}")?;
        }
        Ok(Exit::Failures)
    }
}

fn compare_maps(
    what: &str,
    recorded: &BTreeMap<String, String>,
    fresh: &BTreeMap<String, String>,
    out: &mut Vec<String>,
) {
    for (name, digest) in recorded {
        match fresh.get(name) {
            None => out.push(format!("{what} {name}: recorded but not read now")),
            Some(d) if d != digest => {
                out.push(format!("{what} {name}: recorded {digest} but now {d}"))
            }
            Some(_) => {}
        }
    }
    for name in fresh.keys().filter(|n| !recorded.contains_key(*n)) {
        out.push(format!("{what} {name}: read now but not recorded"));
    }
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn epoch_to_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
