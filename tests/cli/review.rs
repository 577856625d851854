//! Change review in real (temporary) git repositories: `--changed`, statuses,
//! `--new-only`, the resource diff, change policies and approvals, the report's
//! determinism and `--verify`, the index under `--staged`, and pre-commit's
//! `GIT_DIR`/`GIT_INDEX_FILE`. Commit dates are fixed, so commit ids are stable.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Run, json, root};

/// The rendered review per Kustomize target (a submodule, beside this file).
#[path = "review_render.rs"]
mod rendered;

pub(super) fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(super) fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn deployment(name: &str, replicas: u32, image: &str, privileged: bool) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: prod\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: {image}\n          securityContext:\n            privileged: {privileged}\n"
    )
}

fn configmap(name: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: prod\ndata:\n  key: \"{value}\"\n"
    )
}

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: legacy\n";

/// A repository with `main` and a `feature` branch holding every kind of change.
fn scenario() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "apps/web.yaml",
        &deployment("web", 3, "nginx:latest", false),
    );
    write(d, "apps/cm.yaml", &configmap("settings", "1"));
    write(d, "apps/rename-me.yaml", &configmap("renamed", "same"));
    write(d, "apps/legacy-ns.yaml", NAMESPACE);
    write(d, "README.md", "not checked\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    // Edit: scale down (approval) and a new privileged container (new finding);
    // the latest tag was already there (existing finding).
    write(
        d,
        "apps/web.yaml",
        &format!(
            "# a comment does not count as a change\n{}",
            deployment("web", 1, "nginx:latest", true)
        ),
    );
    // A new file with a duplicate key.
    write(
        d,
        "apps/new.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\n  namespace: prod\ndata:\n  a: \"1\"\n  a: \"2\"\n",
    );
    // A rename, a deletion, and a resource moved between files.
    git(d, &["mv", "apps/rename-me.yaml", "apps/renamed.yaml"]);
    git(d, &["rm", "-q", "apps/legacy-ns.yaml"]);
    git(d, &["rm", "-q", "apps/cm.yaml"]);
    write(
        d,
        "apps/bundle.yaml",
        &format!(
            "{}---\n{}",
            configmap("settings", "1"),
            configmap("extra", "x")
        ),
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "feature"]);
    dir
}

fn tollgate(dir: &Path, args: &[&str], env: &[(&str, PathBuf)]) -> Run {
    let policy = root().join("tests/fixtures/review/policy");
    let policy = policy.to_string_lossy();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--no-builtin", "--policy", &policy]);
    let env: Vec<(&str, &std::ffi::OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    super::tollgate_env(dir, &all, None, &env)
}

fn rules_and_status(run: &Run) -> Vec<String> {
    json(run)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {} {}:{}",
                f["status"].as_str().unwrap_or("-"),
                f["rule"].as_str().unwrap_or(""),
                f["file"].as_str().unwrap_or(""),
                f["line"]
            )
        })
        .collect()
}

#[test]
fn changed_checks_only_changed_files_and_tags_new_and_existing() {
    let repo = scenario();
    let run = tollgate(
        repo.path(),
        &["check", "--changed", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run);
    insta::assert_json_snapshot!("changed_files", report["changed_files"]);
    insta::assert_snapshot!("changed_findings", rules_and_status(&run).join("\n"));
    // The schema and policy checks ran on the head versions only.
    assert_eq!(report["summary"]["files"], 4);
}

#[test]
fn new_only_fails_only_on_new_findings() {
    let repo = scenario();
    let d = repo.path();
    // A change that only touches a line near an existing problem: the latest tag stays.
    git(d, &["checkout", "-q", "main"]);
    git(d, &["checkout", "-q", "-b", "tweak"]);
    write(
        d,
        "apps/web.yaml",
        &deployment("web", 4, "nginx:latest", false),
    );
    git(d, &["commit", "-qam", "tweak"]);
    let plain = tollgate(
        d,
        &[
            "check",
            "--changed",
            "--fail-on",
            "warning",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(plain.code, 1, "the existing warning fails a plain run");
    assert_eq!(
        rules_and_status(&plain),
        ["existing main.warn apps/web.yaml:16"]
    );
    let new_only = tollgate(
        d,
        &["check", "--changed", "--new-only", "--fail-on", "warning"],
        &[],
    );
    assert_eq!(new_only.code, 0, "{}", new_only.stdout);
}

#[test]
fn report_has_the_resource_diff_and_the_approval_and_is_deterministic() {
    let repo = scenario();
    let first = tollgate(repo.path(), &["report", "--format", "json"], &[]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let second = tollgate(repo.path(), &["report", "--format", "json"], &[]);
    assert_eq!(first.stdout, second.stdout, "byte-identical");
    let report = json(&first);
    assert_eq!(report["verdict"], "fail");
    insta::assert_json_snapshot!("resource_changes", report["changes"]);
    insta::assert_json_snapshot!("approvals", report["approvals"]);
    assert!(
        report["digests"]["inputs"]["apps/web.yaml"]
            .as_str()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    let markdown = tollgate(repo.path(), &["report"], &[]);
    // The same report is checked in for users as docs/examples/approval-report.md.
    let golden = root().join("docs/examples/approval-report.md");
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&golden, &markdown.stdout).expect("golden written");
    }
    let expected = std::fs::read_to_string(&golden).expect("docs/examples/approval-report.md");
    assert!(
        markdown.stdout == expected,
        "docs/examples/approval-report.md is stale (TOLLGATE_BLESS=1 to refresh):\n{}",
        markdown.stdout
    );
    let intoto = json(&tollgate(
        repo.path(),
        &["report", "--format", "intoto"],
        &[],
    ));
    assert_eq!(intoto["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(intoto["subject"][0]["digest"]["gitCommit"], report["head"]);
    // A timestamp only when asked for.
    let stamped = tollgate(
        repo.path(),
        &["report", "--format", "json"],
        &[("SOURCE_DATE_EPOCH", PathBuf::from("1700000000"))],
    );
    assert_eq!(json(&stamped)["timestamp"], "2023-11-14T22:13:20Z");
}

#[test]
fn verify_passes_untouched_and_fails_after_tampering() {
    let repo = scenario();
    let d = repo.path();
    let out = tempfile::tempdir().expect("tempdir");
    let path = out.path().join("report.json");
    let written = tollgate(
        d,
        &[
            "report",
            "--format",
            "json",
            "--head",
            "feature",
            "--output",
            path.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert_eq!(written.code, 1);
    let ok = tollgate(
        d,
        &["report", "--verify", path.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.starts_with("verified:"), "{}", ok.stdout);
    let text = std::fs::read_to_string(&path).expect("read");
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("json");
    value["verdict"] = serde_json::json!("pass");
    value["digests"]["inputs"]["apps/web.yaml"] = serde_json::json!("sha256:0000");
    std::fs::write(&path, serde_json::to_string_pretty(&value).expect("json")).expect("write");
    let bad = tollgate(
        d,
        &["report", "--verify", path.to_str().expect("utf-8")],
        &[],
    );
    assert_eq!(bad.code, 1);
    insta::assert_snapshot!(
        "verify_tampered",
        bad.stdout.replace(path.to_str().expect("utf-8"), "REPORT")
    );
}

#[test]
fn staged_compares_the_index_with_head_also_under_pre_commit_variables() {
    let repo = scenario();
    let d = repo.path();
    // Staged: a new privileged Deployment. Working tree: the same file fixed, unstaged.
    write(
        d,
        "apps/staged.yaml",
        &deployment("api", 2, "nginx:1.27", true),
    );
    git(d, &["add", "apps/staged.yaml"]);
    write(
        d,
        "apps/staged.yaml",
        &deployment("api", 2, "nginx:1.27", false),
    );
    let run = tollgate(
        d,
        &["check", "--changed", "--staged", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1, "the staged content is checked: {}", run.stdout);
    assert_eq!(
        rules_and_status(&run),
        ["new main.deny apps/staged.yaml:18"]
    );
    // As pre-commit runs hooks: GIT_DIR and GIT_INDEX_FILE set.
    let env = [
        ("GIT_DIR", d.join(".git")),
        ("GIT_INDEX_FILE", d.join(".git/index")),
    ];
    let hooked = tollgate(
        d,
        &["check", "--changed", "--staged", "--format", "json"],
        &env,
    );
    assert_eq!(hooked.stdout, run.stdout);
    // The working tree (unstaged fix) is clean of that finding.
    let worktree = tollgate(
        d,
        &["check", "--changed", "--base", "HEAD", "--format", "json"],
        &[],
    );
    assert_eq!(worktree.code, 0, "{}", worktree.stdout);
}

#[test]
fn no_repository_or_unknown_base_is_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = tollgate(dir.path(), &["check", "--changed"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    let repo = scenario();
    let run = tollgate(
        repo.path(),
        &["check", "--changed", "--base", "no-such-branch"],
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot resolve `no-such-branch`"),
        "{}",
        run.stderr
    );
}

#[test]
fn shallow_clone_without_the_base_is_exit_2_with_advice() {
    let repo = scenario();
    // main moves on after the branch point, so the merge-base is in neither
    // tip's depth-1 history; the remote's HEAD is main, as on a real server.
    git(repo.path(), &["checkout", "-q", "main"]);
    write(repo.path(), "apps/later.yaml", &configmap("later", "1"));
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "later on main"]);
    let clones = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", repo.path().display());
    let out = Command::new("git")
        .args([
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature",
            &url,
            "shallow",
        ])
        .current_dir(clones.path())
        .output()
        .expect("git clone runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = tollgate(&clones.path().join("shallow"), &["check", "--changed"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("shallow clone") && run.stderr.contains("fetch-depth: 0"),
        "{}",
        run.stderr
    );
}

/// Regression: the report's config digest hashed `<root>/.tollgate.yaml`, not the
/// file given with `--config`, so a change to `ci/gate.yaml` still verified.
#[test]
fn verify_notices_a_change_to_the_config_given_with_dash_dash_config() {
    let repo = scenario();
    let d = repo.path();
    write(d, "ci/gate.yaml", "fail_on: error\n");
    let out = tempfile::tempdir().expect("tempdir");
    let path = out.path().join("report.json");
    let path = path.to_str().expect("utf-8");
    let config = d.join("ci/gate.yaml");
    let config = config.to_str().expect("utf-8");
    let written = tollgate(
        d,
        &[
            "--config", config, "report", "--format", "json", "--head", "feature", "--output", path,
        ],
        &[],
    );
    assert_eq!(written.code, 1, "{}", written.stderr);
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json");
    assert!(recorded["digests"]["config"].is_string(), "{recorded:#}");
    let ok = tollgate(d, &["--config", config, "report", "--verify", path], &[]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    write(d, "ci/gate.yaml", "fail_on: warning\n");
    let bad = tollgate(d, &["--config", config, "report", "--verify", path], &[]);
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    assert!(bad.stdout.contains("config: recorded"), "{}", bad.stdout);
}

/// Regression: an unreadable schema file was hashed as if it were empty.
#[cfg(unix)]
#[test]
fn an_unreadable_schema_file_is_an_error_not_an_empty_digest() {
    use std::os::unix::fs::PermissionsExt;
    let repo = scenario();
    let d = repo.path();
    write(d, "schemas/x.json", "{}");
    write(d, ".tollgate.yaml", "schemas:\n  directories: [schemas]\n");
    let file = d.join("schemas/x.json");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&file).is_ok() {
        eprintln!("skipping: running as a user who reads any file (root)");
        return;
    }
    let run = tollgate(d, &["report", "--format", "json", "--head", "feature"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("cannot read schema"), "{}", run.stderr);
}
