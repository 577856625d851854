//! Rendering never reads outside the repository, whatever a kustomization
//! asks: `..` above the root, an absolute path, a symlink out of it — with
//! either load restrictor. Rendered generator content ends up in reports, so
//! one such read would leak a CI machine's secrets.

use std::path::Path;

use crate::tollgate_in;

/// A git repository in `dir/repo` and a secret beside it, outside.
fn layout(dir: &Path, kustomization: &str) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("app")).expect("mkdir");
    std::fs::create_dir_all(dir.join("outside")).expect("mkdir");
    std::fs::write(dir.join("outside/secret.env"), "TOKEN=supersecret\n").expect("write");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir .git");
    std::fs::write(repo.join("app/kustomization.yaml"), kustomization).expect("write");
    repo
}

fn assert_refused(repo: &Path, extra: &[&str], expect: &str) {
    for command in ["render", "check"] {
        let mut args = vec![command];
        if command == "render" {
            args.extend(extra);
        } else {
            args.extend(["--format", "json"]);
        }
        args.push("app");
        let run = tollgate_in(repo, &args, None);
        assert!(
            !run.stdout.contains("supersecret") && !run.stderr.contains("supersecret"),
            "{command} leaked the secret:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        assert_eq!(run.code, 1, "{command}: {}{}", run.stdout, run.stderr);
        let out = format!("{}{}", run.stdout, run.stderr);
        assert!(out.contains("render-error"), "{command}: {out}");
        assert!(
            out.contains(expect),
            "{command}: expected `{expect}` in {out}"
        );
    }
}

#[test]
fn dot_dot_above_the_root_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = layout(
        dir.path(),
        "configMapGenerator:\n  - name: leak\n    envs:\n      - ../../outside/secret.env\n",
    );
    assert_refused(&repo, &[], "leaves the repository root");
    assert_refused(
        &repo,
        &["--load-restrictor", "none"],
        "leaves the repository root",
    );
}

#[test]
fn an_absolute_path_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = dir.path().join("outside/secret.env");
    let repo = layout(
        dir.path(),
        &format!(
            "configMapGenerator:\n  - name: leak\n    files:\n      - {}\n",
            secret.display()
        ),
    );
    assert_refused(&repo, &["--load-restrictor", "none"], "absolute path");
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_repository_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = layout(
        dir.path(),
        "configMapGenerator:\n  - name: leak\n    envs:\n      - link.env\n",
    );
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret.env"),
        repo.join("app/link.env"),
    )
    .expect("symlink");
    assert_refused(&repo, &[], "symlink");
    assert_refused(&repo, &["--load-restrictor", "none"], "symlink");
}

#[test]
fn a_directory_outside_the_repository_is_not_rendered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = layout(dir.path(), "resources: []\n");
    let run = tollgate_in(&repo, &["render", "../outside"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("outside the repository"),
        "{}",
        run.stderr
    );
}
