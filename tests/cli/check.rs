//! `tollgate check`: loading, positions, formats and exit codes.

use super::{json, root, tollgate, tollgate_in};
use insta::assert_snapshot;

#[test]
fn examples_human() {
    let run = tollgate(&["check", "examples"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
}

#[test]
fn examples_json() {
    let run = tollgate(&["check", "examples", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.stdout);
}

#[test]
fn json_output_is_identical_for_any_thread_count() {
    let one = tollgate(&[
        "--jobs",
        "1",
        "check",
        "examples",
        "tests/fixtures/load",
        "--format",
        "json",
    ]);
    let two = tollgate(&[
        "--jobs",
        "2",
        "check",
        "examples",
        "tests/fixtures/load",
        "--format",
        "json",
    ]);
    let many = tollgate(&[
        "-j",
        "7",
        "check",
        "tests/fixtures/load",
        "examples",
        "--format",
        "json",
    ]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, many.stdout);
    assert!(
        json(&one)["findings"]
            .as_array()
            .is_some_and(|f| f.len() > 5)
    );
}

#[test]
fn multi_document_positions() {
    let run = tollgate(&["check", "tests/fixtures/load/multi.yaml"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
}

#[test]
fn json_file_positions() {
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/dup.json",
        "tests/fixtures/load/bad.json",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.stdout);
}

#[test]
fn crlf_positions() {
    let run = tollgate(&["check", "tests/fixtures/load/crlf.yaml"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
}

#[test]
fn list_items_with_bom_keep_their_positions() {
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/list-bom.yaml",
        "--format",
        "json",
    ]);
    let report = json(&run);
    assert_eq!(report["summary"]["resources"], 2);
    assert_snapshot!(run.stdout);
}

#[test]
fn yaml11_scalars_read_as_kubernetes_reads_them() {
    let run = tollgate(&["inspect", "tests/fixtures/load/yaml11.yaml"]);
    assert_eq!(run.code, 0);
    assert_snapshot!(run.transcript());
}

#[test]
fn alias_bomb_is_bounded() {
    let run = tollgate(&["check", "tests/fixtures/load/bomb.yaml"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
}

#[test]
fn not_utf8_is_a_finding_and_the_run_goes_on() {
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/latin1.yaml",
        "tests/fixtures/load/clean.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.stdout);
}

#[test]
fn stdin_with_a_name() {
    let input = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b, a: c}\n";
    let run = tollgate_in(
        &root(),
        &["check", "-", "--stdin-filename", "apps/from-stdin.yaml"],
        Some(input),
    );
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
}

#[test]
fn stdin_json_by_name() {
    let run = tollgate_in(
        &root(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "x.json",
            "--format",
            "json",
        ],
        Some(b"{\"a\":\t1,}"),
    );
    assert_eq!(run.code, 1);
    let report = json(&run);
    assert_eq!(report["findings"][0]["file"], "x.json");
    assert_eq!(report["findings"][0]["rule"], "syntax");
    assert_eq!(report["findings"][0]["column"], 9);
}

#[test]
fn exit_0_on_a_clean_file() {
    let run = tollgate(&["check", "tests/fixtures/load/clean.yaml"]);
    assert_eq!(run.code, 0);
    assert_snapshot!(run.transcript());
}

#[test]
fn exit_2_on_a_missing_path() {
    let run = tollgate(&["check", "no/such/dir"]);
    assert_eq!(run.code, 2);
    assert_snapshot!(run.transcript());
}

#[test]
fn exit_2_on_a_bad_flag() {
    let run = tollgate(&["check", "--format", "xml", "examples"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid value 'xml'"), "{}", run.stderr);
}

#[test]
fn exit_2_on_a_bad_config_with_its_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".tollgate.yaml"),
        "exclude: ['vendor/**']\nlimits:\n  max_depth: 10\n  max_widht: 3\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("a.yaml"), "a: 1\n").expect("write");
    let run = tollgate_in(dir.path(), &["check"], None);
    assert_eq!(run.code, 2);
    assert_snapshot!(run.transcript());
}

#[test]
fn warnings_fail_only_with_fail_on_warning() {
    // No built-in rule warns yet at load time; a config with fail_on proves the plumbing.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.yaml"), "a: 1\n").expect("write");
    let run = tollgate_in(dir.path(), &["check", "--fail-on", "warning"], None);
    assert_eq!(run.code, 0);
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("report.json");
    let out_str = out.to_string_lossy().into_owned();
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/multi.yaml",
        "--format",
        "json",
        "--output",
        &out_str,
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).expect("report written");
    let direct = tollgate(&[
        "check",
        "tests/fixtures/load/multi.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(written, direct.stdout);
}

#[test]
fn size_limit_is_configurable() {
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/clean.yaml",
        "--max-file-size",
        "10",
    ]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
}

#[test]
fn a_crash_in_one_file_costs_no_other_finding_and_exits_2() {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"));
    let out = cmd
        .args([
            "check",
            "tests/fixtures/load/multi.yaml",
            "tests/fixtures/load/clean.yaml",
            "--format",
            "json",
        ])
        .current_dir(root())
        .env("TOLLGATE_DEBUG_PANIC_ON", "clean.yaml")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // Other checks (schemas, policies) may add findings; the loader's must all be there.
    assert_eq!(rules.first(), Some(&"internal-error"));
    assert!(
        rules.contains(&"syntax") && rules.contains(&"duplicate-key"),
        "{rules:?}"
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("please report it"))
    );
}

#[cfg(unix)]
#[test]
fn broken_pipe_exits_quietly() {
    use std::process::{Command, Stdio};
    // `tollgate check ../shared/... | head -1`: the reader goes away early.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["check", "examples", "tests/fixtures/load"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("finishes");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(out.status.code().is_some(), "not killed by a signal");
}

/// `inspect` shows a Kustomize target as rendered: the generated ConfigMap and
/// the patched, prefixed Deployment, each with its target and the line that
/// introduced it; the files the target reads are not shown as written.
#[test]
fn inspect_shows_rendered_objects_with_their_target() {
    let dir = root().join("tests/fixtures/render");
    let run = crate::tollgate_in(&dir, &["inspect", "overlays/prod"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let names: Vec<(&str, &str, u64, &str)> = shown
        .as_array()
        .expect("array")
        .iter()
        .map(|o| {
            (
                o["resource"]["name"].as_str().unwrap_or(""),
                o["file"].as_str().unwrap_or(""),
                o["line"].as_u64().unwrap_or(0),
                o["target"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            (
                "prod-settings-tmk75tcf47",
                "overlays/prod/kustomization.yaml",
                9,
                "overlays/prod"
            ),
            ("prod-web", "base/deployment.yaml", 1, "overlays/prod"),
        ]
    );
    assert_eq!(shown[1]["value"]["spec"]["replicas"], 3);
    assert_eq!(
        shown[1]["value"]["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.27"
    );
}
