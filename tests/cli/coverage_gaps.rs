//! User-facing options that had no test running the binary: `render --format
//! json`, `render --load-restrictor none` on a read it allows,
//! `report render --format human`, `explain` of one of tollgate's own rules,
//! and `check --parser` on a file named on the command line.

use std::path::Path;

use serde_json::Value;

use crate::{json, root, tollgate_in};

/// The JSON values of a stream of concatenated JSON documents.
fn json_stream(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("a stream of JSON values")
}

/// The kinds of a JSON array of objects.
fn kinds(objects: &Value) -> Vec<&str> {
    objects
        .as_array()
        .expect("an array")
        .iter()
        .map(|o| o["kind"].as_str().expect("a kind"))
        .collect()
}

#[test]
fn render_format_json_prints_one_array_per_target() {
    let run = tollgate_in(
        &root(),
        &[
            "render",
            "--format",
            "json",
            "tests/fixtures/render/overlays/prod",
            "tests/fixtures/render/base",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let values = json_stream(&run.stdout);
    assert_eq!(values.len(), 2, "{}", run.stdout);
    assert_eq!(kinds(&values[0]), ["ConfigMap", "Deployment"]);
    assert_eq!(kinds(&values[1]), ["Deployment"]);
    // The JSON is the YAML stream's objects: the generated ConfigMap keeps its hashed name.
    let name = values[0][0]["metadata"]["name"].as_str().expect("a name");
    assert!(name.starts_with("prod-settings-"), "{name}");
    let yaml = tollgate_in(
        &root(),
        &["render", "tests/fixtures/render/overlays/prod"],
        None,
    );
    assert!(
        yaml.stdout.contains(&format!("name: {name}")),
        "{}",
        yaml.stdout
    );
}

/// A repository whose `app` kustomization names a file in a sibling directory.
fn sibling_file_repo(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("app")).expect("mkdir");
    std::fs::create_dir_all(repo.join("shared")).expect("mkdir");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir .git");
    std::fs::write(
        repo.join("app/kustomization.yaml"),
        "resources:\n- ../shared/settings.yaml\n",
    )
    .expect("write");
    std::fs::write(
        repo.join("shared/settings.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared-settings\ndata:\n  MODE: on\n",
    )
    .expect("write");
    repo
}

#[test]
fn render_load_restrictor_none_reads_a_sibling_file_root_only_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = sibling_file_repo(dir.path());
    let refused = tollgate_in(&repo, &["render", "app"], None);
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    assert_eq!(refused.stdout, "");
    assert!(
        refused.stderr.contains("render-error"),
        "{}",
        refused.stderr
    );
    let allowed = tollgate_in(&repo, &["render", "--load-restrictor", "none", "app"], None);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert!(
        allowed.stdout.contains("name: shared-settings"),
        "{}",
        allowed.stdout
    );
    // YAML 1.1 as Kubernetes reads it: `on` is a boolean.
    assert!(allowed.stdout.contains("MODE: true"), "{}", allowed.stdout);
}

/// The lines of human output that identify findings (`× message`) and the summary.
fn finding_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('×') || l.starts_with("Found "))
        .collect()
}

#[test]
fn report_render_human_gives_the_findings_and_summary_of_a_direct_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.json");
    let report_text = report.to_string_lossy().into_owned();
    let write = tollgate_in(
        &root(),
        &["check", "examples", "--format", "json", "-o", &report_text],
        None,
    );
    assert_eq!(write.code, 1, "{}", write.stderr);
    let direct = tollgate_in(&root(), &["check", "examples", "--color", "never"], None);
    let rendered = tollgate_in(
        &root(),
        &[
            "report",
            "render",
            "--format",
            "human",
            "--color",
            "never",
            &report_text,
        ],
        None,
    );
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    assert!(!finding_lines(&direct.stdout).is_empty());
    // Not byte for byte: the JSON report does not carry the present path, so
    // `help: path:` lines name the full path instead of "(no `x` there)".
    assert_eq!(
        finding_lines(&rendered.stdout),
        finding_lines(&direct.stdout)
    );
}

#[test]
fn explain_a_tollgate_rule_prints_its_registry_entry() {
    let run = tollgate_in(&root(), &["explain", "render-error"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("render-error: Kustomization does not render\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("default severity: error"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("docs/rules.md#render-error"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_parser_reads_a_named_file_with_the_parser_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir .git");
    std::fs::write(dir.path().join("settings.txt"), "[server]\nport = 80\n").expect("write");
    // By name, `.txt` is read as YAML: `[server]` then a plain scalar is a syntax error.
    let as_yaml = tollgate_in(
        dir.path(),
        &["check", "--no-builtin", "--format", "json", "settings.txt"],
        None,
    );
    let report = json(&as_yaml);
    assert_eq!(report["findings"][0]["rule"], "syntax", "{report:#}");
    // With `--parser ini` the same file reads cleanly: no finding.
    let as_ini = tollgate_in(
        dir.path(),
        &[
            "check",
            "--no-builtin",
            "--format",
            "json",
            "--parser",
            "ini",
            "settings.txt",
        ],
        None,
    );
    assert_eq!(as_ini.code, 0, "{}", as_ini.stderr);
    let report = json(&as_ini);
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
}
