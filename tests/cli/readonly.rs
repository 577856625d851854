//! tollgate never writes inside the checked tree: hash it before and after.

use std::collections::BTreeMap;
use std::path::Path;

use super::tollgate_in;

/// Every file under `dir` (following nothing) with its bytes, plus its mode.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, bool)> {
    let mut out = BTreeMap::new();
    for entry in walkdir_like(dir) {
        let meta = std::fs::symlink_metadata(&entry).expect("metadata");
        let bytes = if meta.is_file() {
            std::fs::read(&entry).expect("read")
        } else {
            Vec::new()
        };
        out.insert(
            entry.to_string_lossy().into_owned(),
            (bytes, meta.permissions().readonly()),
        );
    }
    out
}

fn walkdir_like(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    let mut out = Vec::new();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let path = e.path();
            out.push(path.clone());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
    }
    out
}

#[test]
fn a_full_run_leaves_the_tree_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let examples = super::root().join("examples");
    for src in walkdir_like(&examples) {
        let rel = src.strip_prefix(&examples).expect("below examples");
        let dst = d.join(rel);
        if src.is_dir() {
            std::fs::create_dir_all(&dst).expect("mkdir");
        } else {
            std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
    // A real repository, so change review and reports run too.
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(d)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    std::fs::write(d.join("apps/web/service.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  ports: [{port: 81}]\n")
        .expect("edit");
    let before = snapshot(d);
    let out = tempfile::tempdir().expect("report dir");
    let report = out.path().join("report.json");
    for args in [
        vec!["check"],
        vec!["check", ".", "--format", "json"],
        vec!["check", "--output", report.to_str().expect("utf-8 path")],
        vec!["inspect", "."],
        vec!["check", "--changed", "--format", "sarif"],
        vec!["check", "--changed", "--staged"],
        vec!["report", "--format", "json"],
        vec!["report", "--format", "intoto"],
    ] {
        let run = tollgate_in(d, &args, None);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
    }
    assert!(report.is_file());
    assert!(before == snapshot(d), "the checked tree changed");
}
