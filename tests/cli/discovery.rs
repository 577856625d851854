//! Directory walks: extensions, .gitignore, Helm templates, hidden files, symlinks.

use std::fs;
use std::path::Path;

use super::{json, tollgate_in};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(path, text).expect("write");
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";

#[test]
fn walk_picks_honours_gitignore_and_skips_helm_templates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::create_dir_all(d.join(".git")).expect("git dir");
    write(&d.join(".gitignore"), "generated/\n*.local.yaml\n");
    write(&d.join("apps/a.yaml"), CM);
    write(&d.join("apps/b.YML"), CM);
    write(
        &d.join("apps/c.Json"),
        "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"}",
    );
    write(&d.join("apps/notes.txt"), "not yaml");
    write(&d.join("apps/secret.local.yaml"), "broken: [");
    write(&d.join("generated/out.yaml"), "broken: [");
    write(&d.join("apps/nested/.gitignore"), "ignored-here.yaml\n");
    write(&d.join("apps/nested/ignored-here.yaml"), "broken: [");
    write(&d.join("apps/nested/kept.yaml"), CM);
    write(
        &d.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    );
    write(&d.join("chart/values.yaml"), "replicas: 1\n");
    write(
        &d.join("chart/templates/deploy.yaml"),
        "name: {{ .Values.name }}\nbroken: [\n",
    );
    write(&d.join("not-a-chart/templates/plain.yaml"), CM);
    write(&d.join(".github/workflows/ci.yaml"), "broken: [");
    let run = tollgate_in(d, &["check", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = json(&run);
    insta::assert_json_snapshot!(report["summary"], @r#"
    {
      "documents": 7,
      "errors": 0,
      "files": 7,
      "infos": 5,
      "resources": 5,
      "schema_missing": 0,
      "skipped": 5,
      "skipped_by_reason": {
        "gitignored": 3,
        "helm-templates": 1,
        "hidden": 1
      },
      "waived": 0,
      "warnings": 0
    }
    "#);
    // Files named explicitly are always checked, ignored or not.
    let run = tollgate_in(
        d,
        &["check", "generated/out.yaml", "--format", "json"],
        None,
    );
    assert_eq!(run.code, 1);
    assert_eq!(json(&run)["findings"][0]["file"], "generated/out.yaml");
}

#[test]
fn config_excludes_and_includes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        &d.join(".tollgate.yaml"),
        "exclude: ['vendor/**', '**/*.gen.yaml']\ninclude: ['**/*.yaml', '**/*.yaml.tpl']\n",
    );
    write(&d.join("a.yaml"), CM);
    write(&d.join("b.yaml.tpl"), CM);
    write(&d.join("c.json"), "{}");
    write(&d.join("x.gen.yaml"), "broken: [");
    write(&d.join("vendor/v.yaml"), "broken: [");
    let run = tollgate_in(d, &["check", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = json(&run);
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["skipped_by_reason"]["excluded"], 2);
}

#[cfg(unix)]
#[test]
fn symlinks_never_leave_the_root_and_loops_do_not_hang() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    write(&outside.path().join("secret.yaml"), "broken: [");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(&d.join("real/a.yaml"), CM);
    symlink(d.join("real/a.yaml"), d.join("inside-link.yaml")).expect("symlink");
    symlink(
        outside.path().join("secret.yaml"),
        d.join("outside-link.yaml"),
    )
    .expect("symlink");
    symlink(outside.path(), d.join("outside-dir")).expect("symlink");
    symlink(d, d.join("real/loop")).expect("symlink");
    symlink(d.join("missing.yaml"), d.join("dangling.yaml")).expect("symlink");
    let run = tollgate_in(d, &["check", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = json(&run);
    assert_eq!(report["summary"]["files"], 2);
    // dangling.yaml, outside-link.yaml, and the two symlinked directories (never followed).
    assert_eq!(report["summary"]["skipped_by_reason"]["symlink"], 4);
}

#[cfg(unix)]
#[test]
fn a_fifo_does_not_block_the_walk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(&d.join("a.yaml"), CM);
    let status = std::process::Command::new("mkfifo")
        .arg(d.join("x.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    let run = tollgate_in(d, &["check", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(json(&run)["summary"]["skipped_by_reason"]["not-regular"], 1);
}

/// Regression: a bad glob in the config was reported at 1:1, not at its line.
#[test]
fn a_bad_glob_is_reported_at_its_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".tollgate.yaml"),
        "fail_on: error\nexclude:\n  - vendor/**\n  - \"a[b\"\n",
    )
    .expect("write");
    let run = crate::tollgate_in(dir.path(), &["check", "."], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(".tollgate.yaml:4:5: invalid glob in `exclude`"),
        "{}",
        run.stderr
    );
}
