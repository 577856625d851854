//! `check` on Kustomize targets: rendered objects are checked with findings
//! on the line that wrote the field, naming the targets; and `tollgate render`
//! against `kubectl kustomize`.
//!
//! Each scenario is a small kustomize tree under `tests/fixtures/render/`
//! (every complete one renders with `kubectl kustomize`, Kustomize v5.5.0).
//! The bases are clean for the built-in pack, so a finding comes from what
//! the scenario changes. Runs are made in `tests/fixtures/render`, so paths
//! and target names read `<scenario>/...`.

use std::path::PathBuf;
use std::process::Command;

use super::{json, root, tollgate_in};
use insta::assert_snapshot;
use serde_json::Value;

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/render")
}

/// `tollgate check <args>` in the render fixtures.
fn check(args: &[&str]) -> super::Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    tollgate_in(&fixtures(), &all, None)
}

/// `tollgate check <args> --format json`, parsed.
fn check_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    json(&check(&all))
}

/// The findings of `rule` in a JSON report.
fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The one finding of `rule`, failing with the whole report otherwise.
fn only<'a>(report: &'a Value, rule: &str) -> &'a Value {
    let found = findings(report, rule);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one {rule} finding in:\n{report:#}"
    );
    found[0]
}

/// `file:line:column` of a JSON finding.
fn place(f: &Value) -> String {
    format!(
        "{}:{}:{}",
        f["file"].as_str().unwrap_or("?"),
        f["line"],
        f["column"]
    )
}

/// A JSON finding's `targets` (empty when absent).
fn targets(f: &Value) -> Vec<&str> {
    f["targets"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Asserts one `rule` finding at `at` (`file:line:col`) listing exactly `names`,
/// and that its message names them as `(in a, b)`.
fn assert_one(report: &Value, rule: &str, at: &str, names: &[&str]) {
    let f = only(report, rule);
    assert_eq!(place(f), at, "{rule} is on the line that wrote it: {f:#}");
    assert_eq!(targets(f), names, "{rule} lists its targets: {f:#}");
    let message = f["message"].as_str().unwrap_or_default();
    assert!(
        message.ends_with(&format!("(in {})", names.join(", "))),
        "the message names the targets: {message}"
    );
}

#[test]
fn privileged_in_a_strategic_merge_patch_file_is_on_the_patch_line() {
    let run = check(&["privileged-smp"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    let report = check_json(&["privileged-smp"]);
    assert_one(
        &report,
        "privileged-container",
        "privileged-smp/overlay/privileged.yaml:11:25",
        &["privileged-smp/overlay"],
    );
    // The clean base adds nothing: the patch is the only finding.
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["summary"]["targets"], 1);
}

#[test]
fn privileged_in_an_inline_patch_is_on_its_line_in_the_kustomization() {
    let run = check(&["privileged-inline"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    // Line 16 of kustomization.yaml is `privileged: true` inside `patch: |-`.
    assert_one(
        &check_json(&["privileged-inline"]),
        "privileged-container",
        "privileged-inline/overlay/kustomization.yaml:16:31",
        &["privileged-inline/overlay"],
    );
}

#[test]
fn privileged_in_a_json6902_op_is_on_the_value_line() {
    let run = check(&["privileged-json6902"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    // Line 3 of the op file is `  value: true`.
    assert_one(
        &check_json(&["privileged-json6902"]),
        "privileged-container",
        "privileged-json6902/overlay/privileged.yaml:3:10",
        &["privileged-json6902/overlay"],
    );
}

#[test]
fn images_new_tag_latest_is_on_the_entry_line() {
    let run = check(&["image-latest"]);
    assert_eq!(run.code, 0, "image-tag-latest is a warning");
    assert_snapshot!(run.transcript());
    // Line 6 of kustomization.yaml is `    newTag: latest`; the base says 1.27.
    assert_one(
        &check_json(&["image-latest"]),
        "image-tag-latest",
        "image-latest/overlay/kustomization.yaml:6:13",
        &["image-latest/overlay"],
    );
}

#[test]
fn a_base_latest_pinned_by_the_overlay_is_not_latest() {
    let report = check_json(&["image-pinned"]);
    assert!(
        findings(&report, "image-tag-latest").is_empty(),
        "the overlay pins 1.27:\n{report:#}"
    );
    assert_eq!(report["summary"]["targets"], 1);
    // The fixture does have the problem as written.
    let written = check_json(&["--no-render", "image-pinned"]);
    assert_eq!(
        place(only(&written, "image-tag-latest")),
        "image-pinned/base/deployment.yaml:16:18"
    );
}

#[test]
fn a_selector_from_common_labels_is_not_a_schema_error() {
    let report = check_json(&["common-labels-selector"]);
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "commonLabels writes spec.selector:\n{report:#}"
    );
    assert_eq!(report["summary"]["resources"], 1);
    // As written, the Deployment has no spec.selector.
    let written = check_json(&["--no-render", "common-labels-selector"]);
    let schema = only(&written, "schema");
    assert_eq!(
        schema["file"], "common-labels-selector/deployment.yaml",
        "{schema:#}"
    );
    assert!(targets(schema).is_empty());
}

#[test]
fn a_namespace_from_the_kustomization_is_not_missing() {
    let report = check_json(&["namespace-from-kustomization"]);
    assert!(
        findings(&report, "namespace-missing").is_empty(),
        "namespace: shop is set by the kustomization:\n{report:#}"
    );
    assert_eq!(report["summary"]["resources"], 1);
    let written = check_json(&["--no-render", "namespace-from-kustomization"]);
    assert_eq!(
        place(only(&written, "namespace-missing")),
        "namespace-from-kustomization/deployment.yaml:4:3"
    );
}

#[test]
fn secret_generator_literals_are_a_plaintext_secret() {
    let run = check(&["secret-generator"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    let report = check_json(&["secret-generator"]);
    // The pack's rule reports `/data` (the whole map); a generated `data` map
    // carries the span of the first literal that wrote into it, so the
    // finding lands on `- password=hunter2`.
    assert_one(
        &report,
        "plaintext-secret",
        "secret-generator/kustomization.yaml:5:9",
        &["secret-generator"],
    );
    let f = only(&report, "plaintext-secret");
    assert_eq!(f["path"], "/data");
}

#[test]
fn a_patch_file_is_not_checked_on_its_own() {
    let report = check_json(&["patch-standalone"]);
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(0),
        "the patch is only checked through the render:\n{report:#}"
    );
    assert_eq!(report["summary"]["files"], 0, "every file is covered");
    assert_eq!(report["summary"]["targets"], 1);
    // Checked as written, the partial Deployment in the patch has findings.
    let written = check_json(&["--no-render", "patch-standalone"]);
    let on_patch = written["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["file"] == "patch-standalone/overlay/replicas.yaml")
        .count();
    assert!(on_patch >= 2, "{written:#}");
}

#[test]
fn a_remote_base_is_unsupported_and_local_files_are_checked_as_written() {
    let run = check(&["remote-base"]);
    assert_eq!(run.code, 0, "render-unsupported is a warning");
    assert_snapshot!(run.transcript());
    let report = check_json(&["remote-base"]);
    assert_one(
        &report,
        "render-unsupported",
        "remote-base/kustomization.yaml:4:5",
        &["remote-base"],
    );
    // The incomplete render covers nothing: deployment.yaml is checked as
    // written (no namespace: the kustomization's is not applied), no target.
    let ns = only(&report, "namespace-missing");
    assert_eq!(place(ns), "remote-base/deployment.yaml:4:3");
    assert!(targets(ns).is_empty(), "{ns:#}");
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["targets"], 1);
}

#[test]
fn a_base_shared_by_two_overlays_is_reported_once_with_both_targets() {
    let run = check(&["shared-base"]);
    assert_eq!(run.code, 0);
    assert_snapshot!(run.transcript());
    let report = check_json(&["shared-base"]);
    assert_one(
        &report,
        "image-tag-latest",
        "shared-base/base/deployment.yaml:16:18",
        &["shared-base/overlays/prod", "shared-base/overlays/staging"],
    );
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["summary"]["targets"], 2);
    assert_eq!(report["summary"]["resources"], 2);
}

/// Regression: a render problem in a shared base was reported once per
/// target, each naming one, with no JSON `targets`.
#[test]
fn a_render_problem_in_a_shared_base_is_reported_once_with_both_targets() {
    let report = check_json(&["shared-base-remote"]);
    assert_one(
        &report,
        "render-unsupported",
        "shared-base-remote/base/kustomization.yaml:3:5",
        &[
            "shared-base-remote/overlays/prod",
            "shared-base-remote/overlays/staging",
        ],
    );
    assert_eq!(report["summary"]["targets"], 2);
}

#[test]
fn no_render_checks_files_as_written() {
    let run = check(&["--no-render", "privileged-smp"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    let report = check_json(&["--no-render", "privileged-smp"]);
    let f = only(&report, "privileged-container");
    assert_eq!(place(f), "privileged-smp/overlay/privileged.yaml:11:25");
    assert!(!f["message"].as_str().unwrap_or_default().contains("(in "));
    let all = report["findings"].as_array().expect("findings");
    assert!(
        all.iter().all(|f| targets(f).is_empty()),
        "no targets without rendering"
    );
    // The patch's partial object is checked as a whole: what the base sets is
    // missing there.
    assert!(all.iter().any(|f| f["rule"] == "namespace-missing"
        && f["file"] == "privileged-smp/overlay/privileged.yaml"));
    assert_eq!(report["summary"]["files"], 4);
    assert!(
        report["summary"]["targets"].is_null() || report["summary"]["targets"] == 0,
        "{:#}",
        report["summary"]
    );
}

#[test]
fn render_is_byte_identical_to_kubectl_kustomize() {
    let dir = "tests/fixtures/render/overlays/prod";
    let run = tollgate_in(&root(), &["render", dir], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    // Produced with `kubectl kustomize tests/fixtures/render/overlays/prod`
    // (Kustomize v5.5.0).
    let golden = std::fs::read_to_string(fixtures().join("golden/overlays-prod.golden"))
        .expect("the golden file");
    assert_eq!(run.stdout, golden);
    match Command::new("kubectl")
        .args(["kustomize", dir])
        .current_dir(root())
        .output()
    {
        Ok(out) if out.status.success() => {
            assert_eq!(run.stdout, String::from_utf8_lossy(&out.stdout));
        }
        Ok(out) => panic!(
            "kubectl kustomize {dir} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("skipping the live comparison: kubectl is not available ({e})"),
    }
}

#[test]
fn render_of_a_broken_tree_is_exit_1_with_the_location() {
    let run = tollgate_in(&fixtures(), &["render", "broken"], None);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "", "nothing is rendered");
    assert!(
        run.stderr
            .starts_with("broken/kustomization.yaml:2:5: error[render-error]: "),
        "{}",
        run.stderr
    );
    assert_snapshot!(run.transcript());
}
