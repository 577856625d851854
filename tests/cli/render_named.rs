//! Files named one by one (what a pre-commit hook passes): `check` renders the
//! Kustomize targets of the repository that reach them, and only those.

use crate::{json, root, tollgate_in};

#[test]
fn a_named_base_file_is_checked_through_the_targets_that_reach_it() {
    let dir = root().join("tests/fixtures/render");
    let run = tollgate_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "shared-base/base/deployment.yaml",
        ],
        None,
    );
    let report = json(&run);
    // Two overlays include the base; no other target of the repository is rendered.
    assert_eq!(report["summary"]["targets"], 2, "{report:#}");
    assert_eq!(
        report["summary"]["files"], 0,
        "the base is checked as rendered"
    );
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["rule"], "image-tag-latest");
    assert_eq!(findings[0]["file"], "shared-base/base/deployment.yaml");
    assert_eq!(findings[0]["line"], 16);
    assert_eq!(
        findings[0]["targets"],
        serde_json::json!(["shared-base/overlays/prod", "shared-base/overlays/staging"])
    );
}

#[test]
fn a_named_file_no_target_reaches_is_checked_as_written() {
    let dir = root().join("tests/fixtures");
    let run = tollgate_in(&dir, &["check", "--format", "json", "load/dup.json"], None);
    let report = json(&run);
    assert_eq!(report["summary"]["files"], 1, "{report:#}");
    assert!(report["summary"]["targets"].is_null(), "{report:#}");
}
