//! Shards: the partial JSON reports of `check --shard I/N` (and of
//! `report --shard I/N --format json`), `tollgate report merge` that combines
//! them into the report one unsharded run writes, byte for byte, and
//! `tollgate report render` that writes any finding format from a JSON report.
//!
//! A shard checks the files and render targets whose names hash to it
//! (`pipeline::run::Shard`), but reads everything cross-file facts need, so
//! each finding it reports is the finding the whole run reports, except for
//! what only the whole run can know, which the merge settles:
//!
//! - summary counts add up (discovery's skip counts are the first shard's);
//!   error, warning, info and waived counts are recounted from the findings;
//! - one place in a base reported by targets of several shards is one
//!   finding listing every target, with the details (resource, waiver) of the
//!   target the run meets first (`shard.target_order`), `new` when any shard
//!   says so;
//! - a finding with no file or target of its own (the config's
//!   `waiver-expired`) is written by every shard and kept once;
//!   `waiver-unused` is kept only when no shard used the waiver;
//! - in change review the resource diff, change policies, render problems and
//!   approvals are the first shard's; the verdict is the worst shard's.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

use crate::model::finding::{self, Finding, Severity, Status};
use crate::model::report::{Report, SkipReason};
use crate::model::resource::ResourceId;
use crate::model::rules;
use crate::model::source::{Position, SourceFile};
use crate::output::Format;
use crate::pipeline::run::Shard;

/// What a shard's report is the part of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `check`.
    Check,
    /// `check --changed`.
    Changed,
    /// `report --format json` (the approval report).
    Approval,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Changed => "changed",
            Self::Approval => "approval",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Check, Self::Changed, Self::Approval]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// The `shard` object of a partial report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShardInfo {
    shard: Shard,
    mode: Mode,
    target_order: Vec<String>,
}

impl ShardInfo {
    /// The shard object of `report`.
    pub(crate) fn new(shard: Shard, mode: Mode, report: &Report) -> Self {
        Self {
            shard,
            mode,
            target_order: report.target_order.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "index": self.shard.index,
            "count": self.shard.count,
            "mode": self.mode.as_str(),
            "target_order": self.target_order,
        })
    }

    fn from_json(v: &Value, file: &Path) -> anyhow::Result<Self> {
        let bad = || {
            anyhow!(
                "{} is not a shard's report (no valid `shard` object): write it with --shard I/N --format json",
                file.display()
            )
        };
        let shard = v.get("shard").ok_or_else(bad)?;
        let number = |k: &str| {
            shard[k]
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(bad)
        };
        let (index, count) = (number("index")?, number("count")?);
        let mode = shard["mode"]
            .as_str()
            .and_then(Mode::parse)
            .ok_or_else(bad)?;
        let target_order = shard["target_order"]
            .as_array()
            .ok_or_else(bad)?
            .iter()
            .map(|t| t.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<anyhow::Result<_>>()?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Self {
            shard: Shard { index, count },
            mode,
            target_order,
        })
    }
}

/// A shard's check report: the JSON report with its `shard` object.
pub(crate) fn shard_json(report: &Report, info: &ShardInfo) -> anyhow::Result<String> {
    let mut buffer = Vec::new();
    Format::Json.write(report, false, &mut buffer)?;
    let mut value: Value = serde_json::from_slice(&buffer)?;
    value["shard"] = info.to_json();
    Ok(format!("{value:#}\n"))
}

/// A shard's approval report: the JSON approval report with its `shard` object.
pub(crate) fn shard_approval_json(mut value: Value, shard: Shard, report: &Report) -> String {
    value["shard"] = ShardInfo::new(shard, Mode::Approval, report).to_json();
    format!("{value:#}\n")
}

/// `tollgate report merge`: the merged report's text.
pub(crate) fn merge_files(paths: &[PathBuf]) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| anyhow!("{} is not a JSON report: {e}", path.display()))?;
        let info = ShardInfo::from_json(&value, path)?;
        parts.push((info, value, path.clone()));
    }
    let Some((first, _, _)) = parts.first() else {
        bail!("name the shards' JSON reports to merge");
    };
    let (count, mode) = (first.shard.count, first.mode);
    let order = first.target_order.clone();
    parts.sort_by_key(|(info, _, _)| info.shard.index);
    for (info, _, path) in &parts {
        if info.shard.count != count || info.mode != mode || info.target_order != order {
            bail!(
                "{} is not a shard of the same run as the others (shard count, mode or targets differ)",
                path.display()
            );
        }
    }
    let indices: Vec<u32> = parts.iter().map(|(i, _, _)| i.shard.index).collect();
    let expected: Vec<u32> = (1..=count).collect();
    if indices != expected {
        bail!(
            "expected the reports of shards 1 to {count}, each once; found shards {}",
            indices
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let values: Vec<Value> = parts.into_iter().map(|(_, v, _)| v).collect();
    match mode {
        Mode::Check | Mode::Changed => {
            let report = merge_check(&values, &order, mode)?;
            let mut buffer = Vec::new();
            Format::Json.write(&report, false, &mut buffer)?;
            Ok(String::from_utf8(buffer)?)
        }
        Mode::Approval => merge_approval(values),
    }
}

/// The merged check report.
fn merge_check(values: &[Value], order: &[String], mode: Mode) -> anyhow::Result<Report> {
    let mut report = Report::default();
    same(values, &["version", "tool", "changed_files"])?;
    for v in values {
        add_summary(&mut report, &v["summary"])?;
    }
    let per_shard: Vec<Vec<Finding>> = values
        .iter()
        .map(|v| findings_of(&v["findings"]))
        .collect::<anyhow::Result<_>>()?;
    report.findings = merge_findings(per_shard, order, mode);
    report.changed_files = changed_files(&values[0]["changed_files"]);
    report.count_severities();
    Ok(report)
}

/// Fails unless every report has the same value at each key.
fn same(values: &[Value], keys: &[&str]) -> anyhow::Result<()> {
    for key in keys {
        if values.iter().any(|v| v.get(key) != values[0].get(key)) {
            bail!("the shards' reports differ in `{key}`: they are not shards of one run");
        }
    }
    Ok(())
}

fn add_summary(report: &mut Report, s: &Value) -> anyhow::Result<()> {
    let n = |k: &str| {
        s[k].as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
    };
    let sum = &mut report.summary;
    sum.files += n("files");
    sum.documents += n("documents");
    sum.resources += n("resources");
    sum.schema_missing += n("schema_missing");
    sum.skipped += n("skipped");
    sum.targets += n("targets");
    if let Some(reasons) = s["skipped_by_reason"].as_object() {
        for (reason, count) in reasons {
            let reason = skip_reason(reason)
                .ok_or_else(|| anyhow!("unknown skip reason `{reason}` in a shard's summary"))?;
            *sum.skipped_by_reason.entry(reason).or_default() += count
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(0);
        }
    }
    Ok(())
}

/// A skip reason by its JSON name (the serde names the report writes).
fn skip_reason(name: &str) -> Option<SkipReason> {
    serde_json::from_value(Value::String(name.to_owned())).ok()
}

fn changed_files(v: &Value) -> Vec<(&'static str, String, Option<String>)> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let status = match c["status"].as_str()? {
                "added" => "added",
                "modified" => "modified",
                "renamed" => "renamed",
                "deleted" => "deleted",
                _ => return None,
            };
            Some((
                status,
                c["file"].as_str()?.to_owned(),
                c["old_file"].as_str().map(str::to_owned),
            ))
        })
        .collect()
}

/// The findings of a JSON report (check or approval shape).
fn findings_of(v: &Value) -> anyhow::Result<Vec<Finding>> {
    v.as_array().into_iter().flatten().map(finding_of).collect()
}

fn finding_of(v: &Value) -> anyhow::Result<Finding> {
    let text = |k: &str| {
        v[k].as_str()
            .ok_or_else(|| anyhow!("a finding without `{k}`: {v}"))
    };
    let number = |k: &str| {
        v[k].as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| anyhow!("a finding without `{k}`: {v}"))
    };
    let mut f = Finding::whole_file(
        Arc::from(text("file")?),
        std::borrow::Cow::Owned(text("rule")?.to_owned()),
        text("message")?,
    );
    f.severity = match text("severity")? {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" => Severity::Info,
        other => bail!("unknown severity `{other}`"),
    };
    f.start = Position {
        line: number("line")?,
        column: number("column")?,
    };
    f.end = Position {
        line: number("end_line")?,
        column: number("end_column")?,
    };
    if let Some(r) = v.get("resource").filter(|r| !r.is_null()) {
        let field = |k: &str| r[k].as_str().map(str::to_owned);
        f.resource = Some(ResourceId {
            api_version: field("apiVersion").unwrap_or_default(),
            kind: field("kind").unwrap_or_default(),
            namespace: field("namespace"),
            name: field("name"),
        });
    }
    f.path = v["path"].as_str().map(str::to_owned);
    f.waived = v["waived"].as_str().map(str::to_owned);
    f.status = match v["status"].as_str() {
        Some("new") => Some(Status::New),
        Some("existing") => Some(Status::Existing),
        _ => None,
    };
    f.metadata = v["metadata"].as_object().cloned().map(Box::new);
    f.targets = v["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(Arc::from))
        .collect();
    Ok(f)
}

/// The shards' findings as one run reports them.
fn merge_findings(per_shard: Vec<Vec<Finding>>, order: &[String], mode: Mode) -> Vec<Finding> {
    let shards = per_shard.len();
    let rank: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let min_rank = |f: &Finding| {
        f.targets
            .iter()
            .map(|t| rank.get(&**t).copied().unwrap_or(usize::MAX))
            .min()
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<Finding> = Vec::new();
    // Findings of no file or target (about the config): in every shard.
    type Whole = (String, String, String, Position, Position);
    let mut whole: BTreeMap<Whole, (Vec<usize>, Finding)> = BTreeMap::new();
    // One place reported by targets of several shards.
    type Place = (String, String, Position, Position, Option<String>);
    let mut places: HashMap<Place, Vec<(usize, Finding)>> = HashMap::new();
    let mut place_order: Vec<Place> = Vec::new();
    for (shard, findings) in per_shard.into_iter().enumerate() {
        for f in findings {
            let config_level = f.targets.is_empty()
                && (f.rule == rules::WAIVER_UNUSED || f.rule == rules::WAIVER_EXPIRED);
            if config_level {
                let key = (
                    f.rule.to_string(),
                    f.file.to_string(),
                    f.message.clone(),
                    f.start,
                    f.end,
                );
                let entry = whole.entry(key).or_insert_with(|| (vec![0; shards], f));
                entry.0[shard] += 1;
                continue;
            }
            if f.targets.is_empty() || (mode != Mode::Check && !is_check_pass(&f)) {
                out.push(f);
                continue;
            }
            let key = (
                f.rule.to_string(),
                f.file.to_string(),
                f.start,
                f.end,
                f.path.clone(),
            );
            let list = places.entry(key.clone()).or_default();
            if list.is_empty() {
                place_order.push(key);
            }
            list.push((shard, f));
        }
    }
    for ((rule, ..), (counts, f)) in whole {
        // Kept once; an unused waiver only when no shard used it.
        let n = counts.iter().copied().max().unwrap_or(0);
        let everywhere = counts.iter().all(|c| *c > 0);
        if rule == rules::WAIVER_UNUSED && !everywhere {
            continue;
        }
        out.extend(std::iter::repeat_n(f, n));
    }
    for key in place_order {
        let Some(mut list) = places.remove(&key) else {
            continue;
        };
        let shards_seen = {
            let mut s: Vec<usize> = list.iter().map(|(s, _)| *s).collect();
            s.dedup();
            s.len()
        };
        if shards_seen < 2 {
            out.extend(list.into_iter().map(|(_, f)| f));
            continue;
        }
        list.sort_by_key(|(_, f)| min_rank(f));
        let any_new = list.iter().any(|(_, f)| f.status == Some(Status::New));
        let mut targets: Vec<Arc<str>> = list
            .iter()
            .flat_map(|(_, f)| f.targets.iter().cloned())
            .collect();
        let mut f = list.swap_remove(0).1;
        let suffix = format!(" (in {})", join(&f.targets));
        let base = f
            .message
            .strip_suffix(&suffix)
            .unwrap_or(&f.message)
            .to_owned();
        targets.sort();
        targets.dedup();
        f.message = format!("{base} (in {})", join(&targets));
        f.targets = targets;
        if any_new {
            f.status = Some(Status::New);
        }
        out.push(f);
    }
    finding::sort(&mut out);
    out
}

/// In change review, whether a rendered finding comes from the check pass
/// (merged across targets by `pipeline::run`), not from the review's own
/// steps (render problems, change policies), which the first shard alone runs.
fn is_check_pass(f: &Finding) -> bool {
    f.rule != rules::RENDER_ERROR && f.rule != rules::RENDER_UNSUPPORTED
}

fn join(targets: &[Arc<str>]) -> String {
    targets.iter().map(|t| &**t).collect::<Vec<_>>().join(", ")
}

/// The merged approval report (JSON values throughout: its keys are sorted).
fn merge_approval(mut values: Vec<Value>) -> anyhow::Result<String> {
    same(
        &values,
        &[
            "version",
            "tool",
            "base",
            "head",
            "head_kind",
            "files",
            "digests",
            "timestamp",
        ],
    )?;
    let per_shard: Vec<Vec<Finding>> = values
        .iter()
        .map(|v| findings_of(&v["findings"]))
        .collect::<anyhow::Result<_>>()?;
    let order: Vec<String> = values[0]["shard"]["target_order"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    let findings = merge_findings(per_shard, &order, Mode::Approval);
    let verdict = values
        .iter()
        .filter_map(|v| v["verdict"].as_str())
        .max_by_key(|v| match *v {
            "fail" => 2,
            "approval-required" => 1,
            _ => 0,
        })
        .unwrap_or("pass")
        .to_owned();
    let mut merged = values.swap_remove(0);
    if let Some(map) = merged.as_object_mut() {
        map.remove("shard");
    }
    let json_of =
        |f: &Finding| crate::output::approval::finding_json(f, f.status.unwrap_or(Status::New));
    if let Some(targets) = merged["targets"].as_array_mut() {
        for t in targets {
            let name = t["target"].as_str().unwrap_or_default().to_owned();
            t["findings"] = findings
                .iter()
                .filter(|f| f.targets.iter().any(|n| **n == *name))
                .map(json_of)
                .collect();
        }
    }
    merged["findings"] = findings.iter().map(json_of).collect();
    merged["verdict"] = json!(verdict);
    Ok(format!("{merged:#}\n"))
}

/// `tollgate report render`: a JSON report (merged, or any `--format json`
/// report) in another format. Code frames read the files from the working
/// tree; rule descriptions come from the policies `prepare` loads.
pub(crate) fn render(
    path: &Path,
    format: Format,
    color: bool,
    rule_meta: BTreeMap<String, rules::RuleMeta>,
    cwd: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{} is not a JSON report: {e}", path.display()))?;
    if value.get("shard").is_some() {
        bail!(
            "{} is one shard's report: merge the shards first with `tollgate report merge`",
            path.display()
        );
    }
    if value.get("summary").is_none() {
        bail!("{} is not a check report (`--format json`)", path.display());
    }
    let mut report = Report::default();
    add_summary(&mut report, &value["summary"])?;
    report.findings = findings_of(&value["findings"])?;
    report.changed_files = changed_files(&value["changed_files"]);
    report.count_severities();
    report.rules = rule_meta;
    // Sources of the files with findings, for code frames and fingerprints:
    // not of files a run never parses (a render problem's kustomization, the
    // config's waivers, a file too large or unreadable), as a run keeps none.
    let parsed: std::collections::HashSet<Arc<str>> = report
        .findings
        .iter()
        .filter(|f| !UNPARSED.contains(&f.rule))
        .map(|f| f.file.clone())
        .collect();
    for f in &mut report.findings {
        if !parsed.contains(&f.file) {
            continue;
        }
        let source = match report.sources.get(&f.file) {
            Some(s) => Some(s.clone()),
            None => std::fs::read(cwd.join(&*f.file))
                .ok()
                .and_then(|bytes| crate::model::source::decode(bytes).ok())
                .map(|text| {
                    let src = Arc::new(SourceFile::new(f.file.clone(), text));
                    report.sources.insert(f.file.clone(), src.clone());
                    src
                }),
        };
        if let Some(src) = source {
            f.span = crate::load::Span::new(offset(&src, f.start), offset(&src, f.end));
        }
    }
    format.write(&report, color, out)?;
    Ok(())
}

/// Rules about files a run reports without parsing them.
const UNPARSED: [crate::model::finding::RuleId; 8] = [
    rules::RENDER_ERROR,
    rules::RENDER_UNSUPPORTED,
    rules::WAIVER_EXPIRED,
    rules::WAIVER_UNUSED,
    rules::FILE_TOO_LARGE,
    rules::UNREADABLE,
    rules::ENCODING,
    rules::INTERNAL_ERROR,
];

/// The byte offset of a line and column (characters) in a source.
fn offset(src: &SourceFile, at: Position) -> usize {
    let text = &*src.text;
    let mut start = 0;
    for _ in 1..at.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    text[start..]
        .char_indices()
        .nth(at.column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i)
}
