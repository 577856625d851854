//! The real pre-commit framework, in a throwaway git repository, with a local
//! hook pointing at the built binary: a commit with a violation is blocked, a
//! clean commit goes through. Needs `pre-commit` and `git` on PATH; `.ci/run`
//! installs pre-commit and sets `TOLLGATE_REQUIRE_PRECOMMIT=1` so CI cannot skip.

use std::path::Path;
use std::process::{Command, Output};

use super::root;

fn available(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn skip_unless_available() -> bool {
    if available("pre-commit") && available("git") {
        return false;
    }
    assert!(
        std::env::var_os("TOLLGATE_REQUIRE_PRECOMMIT").is_none(),
        "pre-commit or git missing but required"
    );
    eprintln!("SKIPPED: pre-commit or git is not installed (pip install pre-commit)");
    true
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-cache"))
        .env("NO_COLOR", "1")
        .output()
        .expect("git runs")
}

#[test]
fn manifest_is_valid() {
    if skip_unless_available() {
        return;
    }
    let out = Command::new("pre-commit")
        .args(["validate-manifest", ".pre-commit-hooks.yaml"])
        .current_dir(root())
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn commit_with_a_violation_is_blocked_and_a_clean_one_passes() {
    if skip_unless_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    assert!(git(d, &["init", "-q", "-b", "main"]).status.success());
    let binary = env!("CARGO_BIN_EXE_tollgate");
    let config = format!(
        "repos:\n  - repo: local\n    hooks:\n      - id: tollgate\n        name: tollgate\n        entry: {binary} check\n        language: system\n        types_or: [yaml, json]\n        require_serial: true\n"
    );
    std::fs::write(d.join(".pre-commit-config.yaml"), config).expect("write");
    std::fs::write(d.join(".gitignore"), ".pre-commit-cache/\n").expect("write");
    let install = Command::new("pre-commit")
        .arg("install")
        .current_dir(d)
        .env("PRE_COMMIT_HOME", d.join(".pre-commit-cache"))
        .output()
        .expect("runs");
    assert!(
        install.status.success(),
        "{}",
        String::from_utf8_lossy(&install.stderr)
    );
    assert!(
        git(d, &["add", ".pre-commit-config.yaml", ".gitignore"])
            .status
            .success()
    );
    assert!(
        git(d, &["commit", "-q", "-m", "hook config"])
            .status
            .success()
    );

    // A duplicate key: blocked, and the finding is printed on its line.
    std::fs::write(d.join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\ndata:\n  k: \"1\"\n  k: \"2\"\n")
        .expect("write");
    assert!(git(d, &["add", "cm.yaml"]).status.success());
    let blocked = git(d, &["commit", "-m", "bad"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&blocked.stdout),
        String::from_utf8_lossy(&blocked.stderr)
    );
    assert!(
        !blocked.status.success(),
        "the commit went through:\n{text}"
    );
    assert!(
        text.contains("duplicate key `k`") && text.contains("cm.yaml:8:3"),
        "{text}"
    );

    // Fixed: the commit goes through.
    std::fs::write(d.join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\ndata:\n  k: \"2\"\n").expect("write");
    assert!(git(d, &["add", "cm.yaml"]).status.success());
    let passed = git(d, &["commit", "-m", "good"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
    assert!(passed.status.success(), "{text}");
    assert!(
        text.contains("tollgate") && text.contains("Passed"),
        "{text}"
    );
}
