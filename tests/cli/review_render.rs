//! Rendered change review per Kustomize target, in temporary git repositories:
//! a base edit shows every overlay that includes it, an overlay edit one
//! target, an `images` bump the pointer and the kustomization line, a
//! generator edit the renamed ConfigMap and its rewritten references, a change
//! policy fires from an overlay edit and from a base edit; the report is
//! deterministic, verifies, and its markdown is the golden in `docs/examples/`.

use std::path::Path;

use serde_json::Value;

use super::{git, write};
use crate::{Run, json, root};

const BASE_KUSTOMIZATION: &str = "resources:
- deployment.yaml
configMapGenerator:
- name: web-config
  literals:
  - LEVEL=info
";

fn deployment(replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.26
        envFrom:
        - configMapRef:
            name: web-config
"
    )
}

const PROD: &str = "namespace: shop
resources:
- ../../base
images:
- name: nginx
  newTag: \"1.26\"
";

const STAGING: &str = "namespace: staging
resources:
- ../../base
";

/// `main`: a base with a Deployment and a generated ConfigMap, two overlays,
/// and a plain manifest no kustomization reads. Then branch `feature`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "base/kustomization.yaml", BASE_KUSTOMIZATION);
    write(d, "base/deployment.yaml", &deployment(3));
    write(d, "overlays/prod/kustomization.yaml", PROD);
    write(d, "overlays/staging/kustomization.yaml", STAGING);
    write(
        d,
        "plain/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: tools\ndata:\n  a: \"1\"\n",
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    dir
}

fn commit(d: &Path, message: &str) {
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", message]);
}

fn tollgate(dir: &Path, args: &[&str]) -> Run {
    let policy = root().join("tests/fixtures/review/rendered-policy");
    let policy = policy.to_string_lossy();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--no-builtin", "--policy", &policy]);
    crate::tollgate_env(dir, &all, None, &[])
}

fn report(d: &Path) -> Value {
    let run = tollgate(d, &["report", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
    json(&run)
}

/// Every target's changes as lines: "target: op resource path old → new (source)".
fn lines(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for t in report["targets"].as_array().into_iter().flatten() {
        let name = t["target"].as_str().unwrap_or("");
        for c in t["changes"].as_array().into_iter().flatten() {
            let r = &c["resource"];
            let id = format!(
                "{} {}/{}",
                r["kind"].as_str().unwrap_or(""),
                r["namespace"].as_str().unwrap_or(""),
                r["name"].as_str().unwrap_or("")
            );
            let op = c["operation"].as_str().unwrap_or("");
            out.push(format!(
                "{name}: {op} {id} ({})",
                c["source"].as_str().unwrap_or("-")
            ));
            for f in c["fields"].as_array().into_iter().flatten() {
                out.push(format!(
                    "  {} {} → {} ({})",
                    f["path"].as_str().unwrap_or(""),
                    f.get("old").map_or("-".to_owned(), Value::to_string),
                    f.get("new").map_or("-".to_owned(), Value::to_string),
                    f["source"].as_str().unwrap_or("-")
                ));
            }
            for r in c["references"].as_array().into_iter().flatten() {
                out.push(format!(
                    "  reference {} {}",
                    r["resource"]["name"].as_str().unwrap_or(""),
                    r["path"].as_str().unwrap_or("")
                ));
            }
        }
    }
    out
}

#[test]
fn a_base_edit_shows_every_overlay_with_the_same_field_change() {
    let repo = repo();
    let d = repo.path();
    write(d, "base/deployment.yaml", &deployment(4));
    commit(d, "scale up in the base");
    let report = report(d);
    assert_eq!(
        lines(&report),
        [
            "overlays/prod: update Deployment shop/web (base/deployment.yaml:1)",
            "  /spec/replicas 3 → 4 (base/deployment.yaml:6)",
            "overlays/staging: update Deployment staging/web (base/deployment.yaml:1)",
            "  /spec/replicas 3 → 4 (base/deployment.yaml:6)",
        ]
    );
    // The base file is reviewed as rendered, not as written.
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
}

#[test]
fn an_overlay_only_edit_shows_that_one_target() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "overlays/staging/kustomization.yaml",
        &format!("{STAGING}commonLabels:\n  tier: edge\n"),
    );
    commit(d, "label staging");
    let report = report(d);
    let targets: Vec<&str> = report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["target"].as_str())
        .collect();
    assert_eq!(targets, ["overlays/staging"]);
    let lines = lines(&report);
    assert!(
        lines.contains(
            &"  /metadata/labels - → {\"tier\":\"edge\"} (overlays/staging/kustomization.yaml:5)"
                .to_owned()
        ),
        "{lines:#?}"
    );
}

#[test]
fn an_images_bump_is_an_update_at_the_kustomization_line() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "overlays/prod/kustomization.yaml",
        &PROD.replace("\"1.26\"", "\"1.27\""),
    );
    commit(d, "nginx 1.27 in prod");
    let report = report(d);
    assert_eq!(
        lines(&report),
        [
            "overlays/prod: update Deployment shop/web (base/deployment.yaml:1)",
            "  /spec/template/spec/containers/0/image \"nginx:1.26\" → \"nginx:1.27\" (overlays/prod/kustomization.yaml:6)",
        ]
    );
}

#[test]
fn a_generator_edit_renames_the_config_map_and_rewrites_its_references() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "base/kustomization.yaml",
        &BASE_KUSTOMIZATION.replace("LEVEL=info", "LEVEL=debug"),
    );
    commit(d, "debug logging");
    let report = report(d);
    let lines = lines(&report);
    insta::assert_snapshot!("rendered_generator_edit", lines.join("\n"));
    // Each target: the ConfigMap renamed (not a delete plus a create) and the
    // Deployment's reference rewritten.
    for target in ["shop", "staging"] {
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("rename ConfigMap {target}/web-config-"))),
            "{lines:#?}"
        );
    }
    assert!(
        lines
            .iter()
            .all(|l| !l.contains(": delete ") && !l.contains(": create ")),
        "{lines:#?}"
    );
}

#[test]
fn a_change_policy_fires_from_an_overlay_edit_and_from_a_base_edit() {
    let repo = repo();
    let d = repo.path();
    // The overlay scales prod to 1 with a patch.
    write(
        d,
        "overlays/prod/kustomization.yaml",
        &format!(
            "{PROD}patches:\n- patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 1\n  target:\n    kind: Deployment\n    name: web\n"
        ),
    );
    commit(d, "prod to 1 replica");
    let report = report(d);
    assert_eq!(report["verdict"], "approval-required", "{report:#}");
    insta::assert_json_snapshot!("rendered_overlay_approval", report["approvals"]);
    let prod = report["targets"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["target"] == "overlays/prod"))
        .expect("prod is reviewed");
    assert_eq!(prod["approvals"][0]["group"], "sre");
    assert_eq!(
        lines(&report)[1],
        "  /spec/replicas 3 → 1 (overlays/prod/kustomization.yaml:11)"
    );

    // The same rule fires when the base scales every overlay to 1: for prod only.
    git(d, &["checkout", "-q", "main"]);
    git(d, &["checkout", "-q", "-b", "base-scale"]);
    write(d, "base/deployment.yaml", &deployment(1));
    commit(d, "everything to 1 replica");
    let report = self::report(d);
    assert_eq!(report["verdict"], "approval-required");
    let approvals = report["approvals"].as_array().expect("approvals");
    assert_eq!(approvals.len(), 1, "{approvals:#?}");
    assert_eq!(approvals[0]["target"], "overlays/prod");
}

#[test]
fn the_grouped_report_is_deterministic_verifies_and_matches_the_golden() {
    let repo = repo();
    let d = repo.path();
    // A base edit, a tag bump, a generator edit and a plain file edit at once.
    write(d, "base/deployment.yaml", &deployment(1));
    write(
        d,
        "base/kustomization.yaml",
        &BASE_KUSTOMIZATION.replace("LEVEL=info", "LEVEL=debug"),
    );
    write(
        d,
        "overlays/prod/kustomization.yaml",
        &PROD.replace("\"1.26\"", "\"1.27\""),
    );
    write(
        d,
        "plain/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n  namespace: tools\ndata:\n  a: \"2\"\n",
    );
    commit(d, "many things");
    let first = tollgate(d, &["report", "--format", "json"]);
    let second = tollgate(d, &["report", "--format", "json"]);
    assert_eq!(first.stdout, second.stdout, "byte-identical");
    let report = json(&first);
    // Digests cover every rendering input at head, not only the changed files.
    let inputs = report["digests"]["inputs"]
        .as_object()
        .expect("digests.inputs");
    for path in [
        "base/deployment.yaml",
        "base/kustomization.yaml",
        "overlays/prod/kustomization.yaml",
        "overlays/staging/kustomization.yaml",
        "plain/cm.yaml",
    ] {
        assert!(inputs.contains_key(path), "{path} in {inputs:#?}");
    }
    // The plain file keeps the file-level diff.
    assert_eq!(report["changes"][0]["file"], "plain/cm.yaml");
    assert_eq!(report["changes"].as_array().map(Vec::len), Some(1));

    let markdown = tollgate(d, &["report"]);
    assert_eq!(markdown.stdout, tollgate(d, &["report"]).stdout);
    let golden = root().join("docs/examples/rendered-review.md");
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&golden, &markdown.stdout).expect("golden written");
    }
    let expected = std::fs::read_to_string(&golden).expect("docs/examples/rendered-review.md");
    assert!(
        markdown.stdout == expected,
        "docs/examples/rendered-review.md is stale (TOLLGATE_BLESS=1 to refresh):\n{}",
        markdown.stdout
    );

    // --verify holds at the recorded commits, and fails once a rendering input
    // that is not a changed file differs.
    let out = tempfile::tempdir().expect("tempdir");
    let path = out.path().join("report.json");
    let path = path.to_str().expect("utf-8");
    let written = tollgate(
        d,
        &[
            "report", "--format", "json", "--head", "feature", "--output", path,
        ],
    );
    assert_eq!(written.code, 0, "{}", written.transcript());
    let ok = tollgate(d, &["report", "--verify", path]);
    assert_eq!(ok.code, 0, "{}", ok.transcript());
    let text = std::fs::read_to_string(path).expect("read");
    let mut value: Value = serde_json::from_str(&text).expect("json");
    value["digests"]["inputs"]["overlays/staging/kustomization.yaml"] =
        serde_json::json!("sha256:0000");
    std::fs::write(path, serde_json::to_string_pretty(&value).expect("json")).expect("write");
    let bad = tollgate(d, &["report", "--verify", path]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    assert!(
        bad.stdout
            .contains("input overlays/staging/kustomization.yaml: recorded sha256:0000"),
        "{}",
        bad.stdout
    );
}

#[test]
fn staged_and_worktree_heads_render_the_same_change() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "overlays/prod/kustomization.yaml",
        &PROD.replace("\"1.26\"", "\"1.27\""),
    );
    let worktree = tollgate(d, &["report", "--format", "json", "--base", "HEAD"]);
    git(d, &["add", "."]);
    let staged = tollgate(d, &["report", "--format", "json", "--staged"]);
    let (w, s) = (json(&worktree), json(&staged));
    assert_eq!(w["targets"], s["targets"]);
    assert_eq!(
        lines(&s)[1],
        "  /spec/template/spec/containers/0/image \"nginx:1.26\" → \"nginx:1.27\" (overlays/prod/kustomization.yaml:6)"
    );
}

#[test]
fn without_render_the_review_stays_file_level() {
    let repo = repo();
    let d = repo.path();
    write(d, "base/deployment.yaml", &deployment(4));
    commit(d, "scale up in the base");
    let run = tollgate(d, &["report", "--format", "json", "--no-render"]);
    let report = json(&run);
    assert_eq!(report["targets"], serde_json::json!([]));
    assert_eq!(report["changes"][0]["file"], "base/deployment.yaml");
}

#[test]
fn a_broken_overlay_is_a_new_render_error_not_a_deletion_of_everything() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "overlays/prod/kustomization.yaml",
        &format!("{PROD}patches:\n- path: missing.yaml\n"),
    );
    commit(d, "a patch file that is not there");
    let run = tollgate(d, &["report", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let report = json(&run);
    assert_eq!(report["verdict"], "fail");
    let prod = &report["targets"][0];
    assert_eq!(prod["target"], "overlays/prod");
    assert_eq!(prod["changes"], serde_json::json!([]), "{prod:#}");
    let finding = &prod["findings"][0];
    assert_eq!(finding["rule"], "render-error");
    assert_eq!(finding["status"], "new");
    assert_eq!(finding["file"], "overlays/prod/kustomization.yaml");
    assert_eq!(finding["line"], 8);
}
