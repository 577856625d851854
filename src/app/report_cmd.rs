//! `tollgate report`: write the approval report of a change review, or verify
//! a recorded one against a fresh review at the same commits.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::anyhow;

use crate::app::cli::{
    Cli, ColorChoice, MergeArgs, RenderReportArgs, ReportAction, ReportArgs, ReviewFormat,
};
use crate::model::time::rfc3339;
use crate::output::approval::{Digests, Verdict};
use crate::pipeline::review::{self, Request};
use crate::pipeline::run::{Exit, Run};

/// `tollgate report`: write the approval report, or verify a recorded one.
pub(super) fn run_report(cli: &Cli, args: &ReportArgs, cwd: &Path) -> anyhow::Result<Exit> {
    match &args.action {
        Some(ReportAction::Merge(merge)) => return run_merge(merge),
        Some(ReportAction::Render(render)) => return run_render(cli, render, cwd),
        None => {}
    }
    let ctx = super::prepare(cli, &args.settings, cwd)?;
    if let Some(path) = &args.verify {
        return verify(path, args, &ctx, cwd);
    }
    let mut reviewed = review::check_changed(&super::review_request(&args.review), &ctx, cwd)?;
    reviewed.review.timestamp = match (&args.timestamp, std::env::var("SOURCE_DATE_EPOCH")) {
        (Some(t), _) => Some(t.clone()),
        (None, Ok(epoch)) => {
            Some(rfc3339(epoch.trim().parse().map_err(|_| {
                anyhow!("SOURCE_DATE_EPOCH is not a number: {epoch}")
            })?))
        }
        (None, Err(_)) => None,
    };
    let text = match (args.format, ctx.shard) {
        (ReviewFormat::Json, Some(shard)) => {
            super::merge::shard_approval_json(reviewed.review.to_json(), shard, &reviewed.report)
        }
        (_, Some(_)) => {
            anyhow::bail!(
                "--shard writes a partial JSON report: use --format json and merge the shards \
                 with `tollgate report merge`"
            )
        }
        (ReviewFormat::Markdown, None) => reviewed.review.to_markdown(),
        (ReviewFormat::Json, None) => format!("{:#}\n", reviewed.review.to_json()),
        (ReviewFormat::Intoto, None) => format!("{:#}\n", reviewed.review.to_intoto()),
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

/// `tollgate report merge`: the shards' reports as one.
fn run_merge(args: &MergeArgs) -> anyhow::Result<Exit> {
    let text = super::merge::merge_files(&args.reports)?;
    write_out(args.output.as_deref(), text.as_bytes())?;
    Ok(Exit::Clean)
}

/// `tollgate report render`: a JSON check report in another format.
fn run_render(cli: &Cli, args: &RenderReportArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = crate::app::config::Config::discover(cli.config.as_deref(), cwd)?.settings;
    let options = super::policy_options(&settings, &args.policy, cwd);
    let rule_meta = if options.builtin || !options.paths.is_empty() {
        crate::stages::policy::PolicySet::load(&options, cwd)?.rule_meta()
    } else {
        BTreeMap::new()
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut buffer = Vec::new();
    super::merge::render(
        &args.report,
        args.format,
        color,
        rule_meta,
        cwd,
        &mut buffer,
    )?;
    write_out(args.output.as_deref(), &buffer)?;
    Ok(Exit::Clean)
}

fn write_out(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(path) => std::fs::write(path, bytes)
            .map_err(|e| anyhow!("cannot write the report to {}: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}

/// Re-runs the check at the recorded commits and compares verdict and digests.
fn verify(path: &Path, args: &ReportArgs, ctx: &Run, cwd: &Path) -> anyhow::Result<Exit> {
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
    let request = Request {
        staged: head_kind == "index",
        base: Some(base),
        head: (head_kind == "commit").then_some(head),
        new_only: args.review.new_only,
    };
    let fresh = review::check_changed(&request, ctx, cwd)?.review.to_json();
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
