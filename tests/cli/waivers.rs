//! Waivers: config entries with reason, owner and expiry; annotations; unused
//! and expired waivers; `--no-waivers`, the auditor's view.

use super::{json, root};

fn run(extra: &[&str]) -> super::Run {
    let mut args = vec!["check", ".", "--no-builtin", "--format", "json"];
    args.extend_from_slice(extra);
    // A fixed "today" (2026-11-14): expiry is judged reproducibly.
    let epoch = std::ffi::OsStr::new("1794700000");
    super::tollgate_env(
        &root().join("tests/fixtures/waivers"),
        &args,
        None,
        &[("SOURCE_DATE_EPOCH", epoch)],
    )
}

fn summary(run: &super::Run) -> Vec<String> {
    json(run)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] != "schema-missing")
        .map(|f| {
            format!(
                "{} {} {}:{} waived={}",
                f["severity"].as_str().unwrap_or(""),
                f["rule"].as_str().unwrap_or(""),
                f["file"].as_str().unwrap_or(""),
                f["line"],
                f["waived"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
fn waivers_are_reported_with_reason_owner_and_expiry() {
    let run = run(&[]);
    // The expired waiver is an error, so the run fails even though two findings are waived.
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(summary(&run).join("\n"));
    assert_eq!(json(&run)["summary"]["waived"], 2);
}

#[test]
fn no_waivers_is_the_auditors_view() {
    let run = run(&["--no-waivers"]);
    assert_eq!(run.code, 1);
    let lines = summary(&run);
    assert!(lines.iter().all(|l| l.ends_with("waived=-")), "{lines:#?}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("duplicate-key")).count(),
        3
    );
    assert!(
        !lines.iter().any(|l| l.contains("waiver-")),
        "no waiver findings in the auditor's view"
    );
}
