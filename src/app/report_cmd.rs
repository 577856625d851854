//! `tollgate report`: write the approval report of a change review, or verify
//! a recorded one against a fresh review at the same commits.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::anyhow;

use crate::app::cli::{Cli, ReportArgs, ReviewFormat};
use crate::model::time::rfc3339;
use crate::output::approval::{Digests, Verdict};
use crate::pipeline::review::{self, Request};
use crate::pipeline::run::{Exit, Run};

/// `tollgate report`: write the approval report, or verify a recorded one.
pub(super) fn run_report(cli: &Cli, args: &ReportArgs, cwd: &Path) -> anyhow::Result<Exit> {
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
