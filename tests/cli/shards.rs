//! Shards: `check --shard I/N` 1, 4 and 7 ways over a corpus (`examples/`,
//! `tests/fixtures/render/`, and `../shared/corpus/real` when present), merged
//! with `tollgate report merge`, is byte for byte the unsharded JSON report;
//! the same for `check --changed` and the approval report in a temporary git
//! repository holding the corpus and a change to it; `report render` writes
//! SARIF, JUnit and GitHub output equal to a direct run's.

use std::path::{Path, PathBuf};

use super::review::{git, write};
use super::{Run, root, tollgate_in};

/// Runs tollgate in `cwd`; fails the test on exit 2.
fn run(cwd: &Path, args: &[&str]) -> Run {
    let out = tollgate_in(cwd, args, None);
    assert_ne!(out.code, 2, "tollgate {args:?}: {}", out.stderr);
    out
}

/// The unsharded JSON report of `args`, and the merge of `n` shards' reports.
fn unsharded_and_merged(cwd: &Path, args: &[&str], n: u32) -> (String, String) {
    let whole = run(cwd, args);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut parts: Vec<PathBuf> = Vec::new();
    // Given in reverse: the merge does not depend on the order of its arguments.
    for i in (1..=n).rev() {
        let shard = format!("{i}/{n}");
        let path = dir.path().join(format!("shard-{i}.json"));
        let path_text = path.to_string_lossy().into_owned();
        let mut all = args.to_vec();
        all.extend(["--shard", &shard, "--output", &path_text]);
        run(cwd, &all);
        parts.push(path);
    }
    let mut merge: Vec<&str> = vec!["report", "merge"];
    let texts: Vec<String> = parts
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    merge.extend(texts.iter().map(String::as_str));
    let merged = run(cwd, &merge);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    (whole.stdout, merged.stdout)
}

fn assert_merges(cwd: &Path, args: &[&str], what: &str) {
    for n in [1, 4, 7] {
        let (whole, merged) = unsharded_and_merged(cwd, args, n);
        assert!(whole.len() > 100, "{what}: an empty report?\n{whole}");
        if whole != merged {
            let line = whole
                .lines()
                .zip(merged.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{what}, {n} shards: the merged report differs from the unsharded one at line {}:\n  unsharded: {:?}\n  merged:    {:?}",
                line + 1,
                whole.lines().nth(line),
                merged.lines().nth(line)
            );
        }
    }
}

#[test]
fn check_sharded_1_4_7_ways_merges_to_the_unsharded_report() {
    let args = [
        "check",
        "examples",
        "tests/fixtures/render",
        "--format",
        "json",
    ];
    assert_merges(&root(), &args, "examples and render fixtures");
    // Findings listing targets of several shards are merged back into one.
    let report: serde_json::Value =
        serde_json::from_str(&run(&root(), &args).stdout).expect("json");
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["targets"].as_array().is_some_and(|t| t.len() > 1)),
        "the corpus should hold a finding shared by several targets"
    );
}

#[test]
fn check_sharded_over_the_real_corpus() {
    let real = root().join("../shared/corpus/real");
    if !real.is_dir() {
        eprintln!("skipped: ../shared/corpus/real is absent");
        return;
    }
    assert_merges(
        &root(),
        &["check", "../shared/corpus/real", "--format", "json"],
        "the real corpus",
    );
}

#[test]
fn each_file_and_target_is_checked_by_exactly_one_shard() {
    let args = [
        "check",
        "examples",
        "tests/fixtures/render",
        "--format",
        "json",
    ];
    let whole: serde_json::Value = serde_json::from_str(&run(&root(), &args).stdout).expect("json");
    let mut files = 0;
    let mut targets = 0;
    for i in 1..=4 {
        let shard = format!("{i}/4");
        let mut all = args.to_vec();
        all.extend(["--shard", &shard]);
        let part: serde_json::Value =
            serde_json::from_str(&run(&root(), &all).stdout).expect("json");
        assert_eq!(part["shard"]["index"], i);
        files += part["summary"]["files"].as_u64().expect("files");
        targets += part["summary"]["targets"].as_u64().unwrap_or(0);
    }
    assert_eq!(Some(files), whole["summary"]["files"].as_u64());
    assert_eq!(Some(targets), whole["summary"]["targets"].as_u64());
}

/// A git repository: the corpus on `main`, then a `feature` commit that
/// edits plain files and overlays, scales a prod Deployment down (an
/// approval), renames a base, deletes a directory and adds a file.
fn corpus_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    copy(&root().join("examples"), &d.join("examples"));
    copy(&root().join("tests/fixtures/render"), &d.join("render"));
    write(
        d,
        "apps/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n",
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    let text = std::fs::read_to_string(d.join("apps/web.yaml")).expect("web");
    write(
        d,
        "apps/web.yaml",
        &text.replace("replicas: 3", "replicas: 1").replace(
            "image: nginx:latest",
            "image: nginx:latest\n          securityContext: {privileged: true}",
        ),
    );
    write(
        d,
        "apps/new.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\n  namespace: prod\ndata:\n  a: \"1\"\n  a: \"2\"\n",
    );
    let mut edited = 0;
    for entry in walk(d) {
        let name = entry.to_string_lossy().into_owned();
        if !(name.ends_with(".yaml") && name.contains("/render/")) || edited >= 25 {
            continue;
        }
        let text = std::fs::read_to_string(&entry).expect("read");
        let new = if name.ends_with("kustomization.yaml") {
            format!("{text}commonLabels:\n  team: shop\n")
        } else {
            text.replace("privileged: false", "privileged: true")
                .replace("replicas: 2", "replicas: 4")
        };
        if new != text {
            std::fs::write(&entry, new).expect("write");
            edited += 1;
        }
    }
    if d.join("render/image-latest").is_dir() {
        git(
            d,
            &["mv", "render/image-latest", "render/image-latest-moved"],
        );
    }
    if d.join("examples/apps").is_dir() {
        git(d, &["rm", "-rq", "examples/apps"]);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "feature"]);
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&d)
            .expect("read_dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn copy(from: &Path, to: &Path) {
    for file in walk(from) {
        let rel = file.strip_prefix(from).expect("inside");
        let target = to.join(rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&file, &target).expect("copy");
    }
}

#[test]
fn changed_and_approval_reports_sharded_merge_to_the_unsharded_ones() {
    let repo = corpus_repo();
    let d = repo.path();
    let policy = root().join("tests/fixtures/review/policy");
    let policy = policy.to_string_lossy();
    let changed = [
        "check",
        "--changed",
        "--base",
        "main",
        "--format",
        "json",
        "--policy",
        &policy,
    ];
    assert_merges(d, &changed, "check --changed");
    let report = [
        "report", "--base", "main", "--format", "json", "--policy", &policy,
    ];
    assert_merges(d, &report, "the approval report");
    let whole: serde_json::Value = serde_json::from_str(&run(d, &report).stdout).expect("json");
    assert!(
        whole["approvals"].as_array().is_some_and(|a| !a.is_empty()),
        "the change should need an approval: {}",
        whole["approvals"]
    );
    assert!(
        whole["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["status"] == "existing")
                && f.iter().any(|f| f["status"] == "new")),
        "new and existing findings"
    );
}

#[test]
fn render_writes_sarif_junit_and_github_as_a_direct_run_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let paths = ["check", "examples", "tests/fixtures/render"];
    let mut parts = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let path = dir.path().join(format!("{i}.json"));
        let path_text = path.to_string_lossy().into_owned();
        let mut all = paths.to_vec();
        all.extend(["--format", "json", "--shard", &shard, "-o", &path_text]);
        run(&root(), &all);
        parts.push(path_text);
    }
    let merged = dir.path().join("merged.json");
    let merged_text = merged.to_string_lossy().into_owned();
    let mut merge = vec!["report", "merge", "-o", &merged_text];
    merge.extend(parts.iter().map(String::as_str));
    assert_eq!(run(&root(), &merge).code, 0);
    for format in ["sarif", "junit", "github"] {
        let mut direct = paths.to_vec();
        direct.extend(["--format", format]);
        let direct = run(&root(), &direct);
        let rendered = run(
            &root(),
            &["report", "render", "--format", format, &merged_text],
        );
        assert_eq!(rendered.code, 0, "{}", rendered.stderr);
        assert!(
            direct.stdout == rendered.stdout,
            "{format} from the merged report differs from a direct run"
        );
    }
}

#[test]
fn bad_shards_and_incomplete_merges_are_exit_2() {
    for bad in ["0/4", "5/4", "1/0", "x/2", "3"] {
        let out = tollgate_in(&root(), &["check", "examples", "--shard", bad], None);
        assert_eq!(out.code, 2, "--shard {bad}");
    }
    let human = tollgate_in(&root(), &["check", "examples", "--shard", "1/2"], None);
    assert_eq!(human.code, 2, "a shard writes JSON only");
    assert!(human.stderr.contains("--format json"), "{}", human.stderr);
    let dir = tempfile::tempdir().expect("tempdir");
    let one = dir.path().join("1.json");
    let one_text = one.to_string_lossy().into_owned();
    run(
        &root(),
        &[
            "check", "examples", "--format", "json", "--shard", "1/2", "-o", &one_text,
        ],
    );
    let missing = tollgate_in(&root(), &["report", "merge", &one_text], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("shards 1 to 2"),
        "{}",
        missing.stderr
    );
}
