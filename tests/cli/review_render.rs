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

/// The base's container made privileged (line 19 is `privileged: true`).
fn privileged(replicas: u32) -> String {
    deployment(replicas).replace(
        "        image: nginx:1.26\n",
        "        image: nginx:1.26\n        securityContext:\n          privileged: true\n",
    )
}

/// tollgate with the built-in policies (the helper above turns them off).
fn builtin(dir: &Path, args: &[&str]) -> Run {
    crate::tollgate_env(dir, args, None, &[])
}

fn with_rule<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn a_privileged_base_edit_is_one_new_finding_on_the_base_line_listing_every_overlay() {
    let repo = repo();
    let d = repo.path();
    write(d, "base/deployment.yaml", &privileged(3));
    commit(d, "privileged in the base");
    let run = builtin(d, &["report", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let report = json(&run);
    let found = with_rule(&report, "privileged-container");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f["status"], "new");
    assert_eq!(f["file"], "base/deployment.yaml");
    assert_eq!(f["line"], 19);
    assert_eq!(
        f["path"],
        "/spec/template/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(
        f["targets"],
        serde_json::json!(["overlays/prod", "overlays/staging"])
    );
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.ends_with("(in overlays/prod, overlays/staging)")),
        "{f:#}"
    );
    // Each target lists it among its findings.
    for t in report["targets"].as_array().into_iter().flatten() {
        assert!(
            t["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|g| g["rule"] == "privileged-container" && g["status"] == "new"),
            "{t:#}"
        );
    }
    // Untouched by the edit: the container had no resources before either.
    let untouched = with_rule(&report, "resources-missing");
    assert_eq!(untouched.len(), 1, "{untouched:#?}");
    assert_eq!(untouched[0]["status"], "existing");
    // The base is checked as rendered in its targets, never as written.
    for f in report["findings"].as_array().into_iter().flatten() {
        assert!(f["targets"].is_array(), "checked as written: {f:#}");
    }

    // `check --changed` says the same, and `--new-only` still fails on it.
    let check = builtin(d, &["check", "--changed", "--new-only", "--format", "json"]);
    assert_eq!(check.code, 1, "{}", check.transcript());
    let checked = json(&check);
    let found: Vec<&Value> = checked["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "privileged-container")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["status"], "new");
    assert_eq!(found[0]["line"], 19);
}

#[test]
fn an_untouched_rendered_finding_is_existing_and_does_not_fail_new_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "base/kustomization.yaml", BASE_KUSTOMIZATION);
    write(d, "base/deployment.yaml", &privileged(3));
    write(d, "overlays/prod/kustomization.yaml", PROD);
    write(d, "overlays/staging/kustomization.yaml", STAGING);
    commit(d, "privileged already");
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(
        d,
        "overlays/prod/kustomization.yaml",
        &PROD.replace("\"1.26\"", "\"1.27\""),
    );
    commit(d, "tag bump in prod");
    let run = builtin(d, &["report", "--format", "json"]);
    let report = json(&run);
    let found = with_rule(&report, "privileged-container");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["status"], "existing");
    assert_eq!(found[0]["targets"], serde_json::json!(["overlays/prod"]));
    let new_only = builtin(d, &["check", "--changed", "--new-only"]);
    assert_eq!(new_only.code, 0, "{}", new_only.transcript());
    let all = builtin(d, &["check", "--changed"]);
    assert_eq!(all.code, 1, "{}", all.transcript());
}

#[test]
fn rule_levels_and_waivers_apply_to_rendered_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        ".tollgate.yaml",
        "rules:\n  resources-missing: off\n  probe-missing: error\n  render-error: warning\nwaivers:\n  - rule: privileged-container\n    files: \"base/**\"\n    reason: \"the node agent needs it\"\n    owner: platform-team\n",
    );
    write(d, "base/kustomization.yaml", BASE_KUSTOMIZATION);
    write(d, "base/deployment.yaml", &deployment(3));
    write(d, "overlays/prod/kustomization.yaml", PROD);
    write(d, "overlays/staging/kustomization.yaml", STAGING);
    commit(d, "base");
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(d, "base/deployment.yaml", &privileged(3));
    // A render problem in staging goes through rule levels too.
    write(
        d,
        "overlays/staging/kustomization.yaml",
        &format!("{STAGING}patches:\n- path: gone.yaml\n"),
    );
    commit(d, "privileged, waived; a broken staging");
    let run = builtin(d, &["report", "--format", "json"]);
    let report = json(&run);
    let privileged = with_rule(&report, "privileged-container");
    assert_eq!(privileged.len(), 1, "{privileged:#?}");
    assert!(
        privileged[0]["waived"]
            .as_str()
            .is_some_and(|w| w.contains("platform-team")),
        "{:#}",
        privileged[0]
    );
    assert!(with_rule(&report, "resources-missing").is_empty());
    let probes = with_rule(&report, "probe-missing");
    assert!(!probes.is_empty());
    assert!(
        probes.iter().all(|f| f["severity"] == "error"),
        "{probes:#?}"
    );
    let broken = with_rule(&report, "render-error");
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0]["status"], "new");
    assert_eq!(broken[0]["severity"], "warning");
    // probe-missing, raised to an error by `rules:`, fails the check.
    let check = builtin(d, &["check", "--changed"]);
    assert_eq!(check.code, 1, "{}", check.transcript());
}

fn sha256_of(path: &Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    let text = String::from_utf8_lossy(&out.stdout);
    format!("sha256:{}", text.split_whitespace().next().unwrap_or(""))
}

#[test]
fn binary_generator_inputs_render_from_git_snapshots_and_are_digested_as_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "base/kustomization.yaml",
        "resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: assets\n  files:\n  - logo.bin\n  - icon.bin\n",
    );
    write(d, "base/deployment.yaml", &deployment(3));
    write(d, "overlays/prod/kustomization.yaml", PROD);
    std::fs::write(d.join("base/logo.bin"), [0xff, 0xfe, 0x00, 0x01]).expect("write");
    std::fs::write(d.join("base/icon.bin"), [0x89, b'P', b'N', b'G', 0x00]).expect("write");
    commit(d, "binary assets");
    git(d, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(d.join("base/logo.bin"), [0xff, 0xfe, 0x00, 0x02]).expect("write");
    commit(d, "new logo");
    // Commit heads: both sides are read from git objects, not from the disk.
    std::fs::write(d.join("base/logo.bin"), b"not what was committed").expect("write");
    let run = tollgate(
        d,
        &[
            "report", "--format", "json", "--base", "main", "--head", "feature",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let report = json(&run);
    assert_eq!(
        lines(&report),
        [
            // Names as `kubectl kustomize` hashes them (v5.5.0).
            "overlays/prod: rename ConfigMap shop/assets-dhth5kd425 (base/kustomization.yaml:4)",
            "  /binaryData/logo.bin \"//4AAQ==\" → \"//4AAg==\" (base/kustomization.yaml:6)",
            "  /metadata/name \"assets-5dt99769fk\" → \"assets-dhth5kd425\" (base/kustomization.yaml:4)",
        ]
    );
    let prod = &report["targets"][0]["changes"][0];
    assert_eq!(
        prod["old_resource"]["name"], "assets-5dt99769fk",
        "{prod:#}"
    );
    // Both binary inputs are digested from their bytes at head.
    git(d, &["checkout", "-q", "--", "base/logo.bin"]);
    let inputs = &report["digests"]["inputs"];
    for name in ["base/logo.bin", "base/icon.bin"] {
        assert_eq!(inputs[name], sha256_of(&d.join(name)).as_str(), "{name}");
    }

    // A working-tree report verifies until an unchanged binary input changes.
    let out = tempfile::tempdir().expect("tempdir");
    let path = out.path().join("report.json");
    let path = path.to_str().expect("utf-8");
    let written = tollgate(
        d,
        &[
            "report", "--format", "json", "--base", "main", "--output", path,
        ],
    );
    assert_eq!(written.code, 0, "{}", written.transcript());
    let ok = tollgate(d, &["report", "--verify", path]);
    assert_eq!(ok.code, 0, "{}", ok.transcript());
    std::fs::write(d.join("base/icon.bin"), [0x89, b'P', b'N', b'G', 0x01]).expect("write");
    let bad = tollgate(d, &["report", "--verify", path]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    assert!(
        bad.stdout.contains("input base/icon.bin: recorded"),
        "{}",
        bad.stdout
    );
}
