//! Flux `Kustomization`s and Argo CD `Application`s as named targets of the
//! rendered change review, in temporary git repositories (fixed commit dates):
//! an Argo `kustomize.images` bump is an update at the Application's line, a
//! base edit changes the plain target, the Argo one and the Flux one (with its
//! `targetNamespace`), a change policy fires from a Flux target, an object
//! added or deleted is a target of creates or deletes, a Helm source is listed
//! as `render-unsupported`, `repository.urls` decides which repoURLs count;
//! the report is deterministic, shards merge back, `--verify` holds and its
//! markdown is the golden `docs/examples/reconciler-review.md`.

use std::path::Path;

use serde_json::Value;

use crate::review::{git, write};
use crate::{Run, json, root};

/// Line 6 is `replicas`, line 17 the image.
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
"
    )
}

/// A Flux Kustomization over the base; line 13 is `targetNamespace`.
fn flux(name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ./apps/base
  prune: true
  targetNamespace: {namespace}
"
    )
}

const GIT_REPOSITORY: &str = "apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m
  url: https://github.com/example/gitops.git
";

/// An Argo CD Application over `apps/guestbook`; line 14 is the image override.
fn application(name: &str, repo: &str, image: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/example/{repo}.git
    targetRevision: main
    path: apps/guestbook
    kustomize:
      images:
        - {image}
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
"
    )
}

const HELM_RELEASE: &str = "apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 10m
  chart:
    spec:
      chart: podinfo
      sourceRef:
        kind: HelmRepository
        name: podinfo
";

/// Scaling production below 2 replicas through the Flux target needs the SRE
/// team; a `latest` image from the Argo target is denied.
const POLICY: &str = r#"package tollgate.change.reconciled

import rego.v1

approval contains {"group": "sre", "reason": msg} if {
	input.target == "flux:flux-system/apps"
	input.object.kind == "Deployment"
	input.object.spec.replicas < 2
	not input.oldObject.spec.replicas < 2
	msg := sprintf("%s scales to %d replicas in %s", [input.object.metadata.name, input.object.spec.replicas, input.target])
}

deny contains msg if {
	input.target == "argocd:guestbook-prod"
	some c in input.object.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("%s runs %s", [input.target, c.image])
}
"#;

/// `main`: a base, a kustomization over it for Argo CD, a Flux Kustomization
/// and its GitRepository, an Argo Application of this repository and one of
/// another (not a target: `repository.urls`). Then branch `feature`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        ".tollgate.yaml",
        "repository:\n  urls:\n    - https://github.com/example/gitops.git\n",
    );
    write(d, "policy/change.rego", POLICY);
    write(
        d,
        "apps/base/kustomization.yaml",
        "resources:\n- deployment.yaml\n",
    );
    write(d, "apps/base/deployment.yaml", &deployment(2));
    write(
        d,
        "apps/guestbook/kustomization.yaml",
        "resources:\n- ../base\n",
    );
    write(d, "clusters/prod/flux-system.yaml", GIT_REPOSITORY);
    write(d, "clusters/prod/apps.yaml", &flux("apps", "production"));
    write(
        d,
        "clusters/prod/guestbook.yaml",
        &application("guestbook-prod", "gitops", "nginx:1.26"),
    );
    write(
        d,
        "clusters/prod/other.yaml",
        &application("other", "other", "nginx:1.26"),
    );
    commit(d, "base");
    git(d, &["checkout", "-q", "-b", "feature"]);
    dir
}

fn commit(d: &Path, message: &str) {
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", message]);
}

fn tollgate(dir: &Path, args: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--no-builtin", "--policy", "policy"]);
    crate::tollgate_env(dir, &all, None, &[])
}

fn report(d: &Path) -> Value {
    let run = tollgate(d, &["report", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.transcript());
    json(&run)
}

fn names(report: &Value) -> Vec<&str> {
    report["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["target"].as_str())
        .collect()
}

/// Every target's changes as lines: "target: op resource (source)" and
/// "  path old → new (source)".
fn lines(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for t in report["targets"].as_array().into_iter().flatten() {
        let name = t["target"].as_str().unwrap_or("");
        for c in t["changes"].as_array().into_iter().flatten() {
            let r = &c["resource"];
            out.push(format!(
                "{name}: {} {} {}/{} ({})",
                c["operation"].as_str().unwrap_or(""),
                r["kind"].as_str().unwrap_or(""),
                r["namespace"].as_str().unwrap_or(""),
                r["name"].as_str().unwrap_or(""),
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
        }
    }
    out
}

#[test]
fn an_argo_images_bump_is_an_update_at_the_application_line() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "clusters/prod/guestbook.yaml",
        &application("guestbook-prod", "gitops", "nginx:1.27"),
    );
    commit(d, "guestbook on nginx 1.27");
    let report = report(d);
    assert_eq!(
        lines(&report),
        [
            "argocd:guestbook-prod: update Deployment guestbook/web (apps/base/deployment.yaml:1)",
            "  /spec/template/spec/containers/0/image \"nginx:1.26\" → \"nginx:1.27\" (clusters/prod/guestbook.yaml:14)",
        ]
    );
    // The Application itself is a changed object of a changed file, reviewed
    // as written too.
    let change = &report["changes"][0];
    assert_eq!(change["file"], "clusters/prod/guestbook.yaml", "{report:#}");
    assert_eq!(change["resource"]["kind"], "Application");
    assert_eq!(
        change["fields"][0]["path"],
        "/spec/source/kustomize/images/0"
    );
}

#[test]
fn a_base_edit_changes_the_plain_the_argo_and_the_flux_target() {
    let repo = repo();
    let d = repo.path();
    write(d, "apps/base/deployment.yaml", &deployment(3));
    commit(d, "scale up in the base");
    let report = report(d);
    // `argocd:other` points at another repository: not a target.
    assert_eq!(
        lines(&report),
        [
            "apps/guestbook: update Deployment /web (apps/base/deployment.yaml:1)",
            "  /spec/replicas 2 → 3 (apps/base/deployment.yaml:6)",
            "argocd:guestbook-prod: update Deployment guestbook/web (apps/base/deployment.yaml:1)",
            "  /spec/replicas 2 → 3 (apps/base/deployment.yaml:6)",
            "flux:flux-system/apps: update Deployment production/web (apps/base/deployment.yaml:1)",
            "  /spec/replicas 2 → 3 (apps/base/deployment.yaml:6)",
        ]
    );
    assert_eq!(report["changes"], serde_json::json!([]), "{report:#}");
    assert_eq!(report["verdict"], "pass");
}

#[test]
fn a_change_policy_fires_from_a_reconciler_target() {
    let repo = repo();
    let d = repo.path();
    write(d, "apps/base/deployment.yaml", &deployment(1));
    commit(d, "scale down in the base");
    let run = tollgate(d, &["report", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let report = json(&run);
    // The replica rule names the Flux target only, though the edit is in
    // the base three targets share.
    assert_eq!(report["verdict"], "approval-required");
    let approvals = report["approvals"].as_array().expect("approvals");
    assert_eq!(approvals.len(), 1, "{approvals:#?}");
    assert_eq!(approvals[0]["group"], "sre");
    assert_eq!(approvals[0]["target"], "flux:flux-system/apps");
    assert_eq!(
        approvals[0]["reason"],
        "web scales to 1 replicas in flux:flux-system/apps"
    );

    // An Argo override to `latest`: the deny lands on the Application's
    // image line, listing its target.
    let repo = self::repo();
    let d = repo.path();
    write(
        d,
        "clusters/prod/guestbook.yaml",
        &application("guestbook-prod", "gitops", "nginx:latest"),
    );
    commit(d, "latest in guestbook");
    let run = tollgate(d, &["report", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let report = json(&run);
    let denied: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "tollgate.change.reconciled.deny")
        .collect();
    assert_eq!(denied.len(), 1, "{report:#}");
    assert_eq!(denied[0]["file"], "clusters/prod/guestbook.yaml");
    assert_eq!(denied[0]["line"], 14);
    assert_eq!(denied[0]["status"], "new");
    assert_eq!(
        denied[0]["targets"],
        serde_json::json!(["argocd:guestbook-prod"])
    );
    assert_eq!(report["verdict"], "fail");
}

#[test]
fn an_added_or_deleted_reconciler_object_is_a_target_of_creates_or_deletes() {
    let repo = repo();
    let d = repo.path();
    write(d, "clusters/prod/staging.yaml", &flux("staging", "staging"));
    std::fs::remove_file(d.join("clusters/prod/apps.yaml")).expect("rm");
    commit(d, "apps becomes staging");
    let report = report(d);
    assert_eq!(
        lines(&report),
        [
            "flux:flux-system/apps: delete Deployment production/web (apps/base/deployment.yaml:1)",
            "flux:flux-system/staging: create Deployment staging/web (apps/base/deployment.yaml:1)",
        ]
    );
}

#[test]
fn a_helm_release_is_listed_as_render_unsupported() {
    let repo = repo();
    let d = repo.path();
    write(d, "clusters/prod/podinfo.yaml", HELM_RELEASE);
    commit(d, "podinfo");
    let report = report(d);
    assert_eq!(names(&report), ["flux:flux-system/podinfo"], "{report:#}");
    let target = &report["targets"][0];
    assert_eq!(target["changes"], serde_json::json!([]));
    let problems = target["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 1, "{target:#}");
    let problem = problems[0].as_str().unwrap_or("");
    assert!(
        problem.starts_with("render-unsupported clusters/prod/podinfo.yaml:8:"),
        "{problem}"
    );
    assert_eq!(target["findings"][0]["status"], "new", "{target:#}");
    // The finding names the reconciler target, not the directory it renders.
    let message = target["findings"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.ends_with("(in flux:flux-system/podinfo)"),
        "{message}"
    );
}

#[test]
fn the_reconciler_review_is_deterministic_shards_merge_verifies_and_matches_the_golden() {
    let repo = repo();
    let d = repo.path();
    write(d, "apps/base/deployment.yaml", &deployment(1));
    write(
        d,
        "clusters/prod/guestbook.yaml",
        &application("guestbook-prod", "gitops", "nginx:1.27"),
    );
    commit(d, "scale down, guestbook on 1.27");
    let first = tollgate(d, &["report", "--format", "json"]);
    let second = tollgate(d, &["report", "--format", "json", "--jobs", "1"]);
    assert_eq!(first.stdout, second.stdout, "byte-identical");
    let report = json(&first);
    assert_eq!(
        names(&report),
        [
            "apps/guestbook",
            "argocd:guestbook-prod",
            "flux:flux-system/apps"
        ]
    );
    // Digests cover the reconciler objects' files and every rendering input.
    let inputs = report["digests"]["inputs"]
        .as_object()
        .expect("digests.inputs");
    for path in [
        "apps/base/deployment.yaml",
        "apps/base/kustomization.yaml",
        "apps/guestbook/kustomization.yaml",
        "clusters/prod/apps.yaml",
        "clusters/prod/guestbook.yaml",
    ] {
        assert!(inputs.contains_key(path), "{path} in {inputs:#?}");
    }

    // Two shards' `check --changed` reports merge to the unsharded one.
    let args = ["check", "--changed", "--format", "json"];
    let whole = tollgate(d, &args);
    let out = tempfile::tempdir().expect("tempdir");
    let mut parts = Vec::new();
    for shard in ["1/2", "2/2"] {
        let path = out.path().join(shard.replace('/', "-"));
        let path = path.to_string_lossy().into_owned();
        let mut all = args.to_vec();
        all.extend(["--shard", shard, "--output", &path]);
        let run = tollgate(d, &all);
        assert_ne!(run.code, 2, "{}", run.transcript());
        parts.push(path);
    }
    let mut merge = vec!["report", "merge"];
    merge.extend(parts.iter().map(String::as_str));
    let merged = crate::tollgate_in(d, &merge, None);
    assert_eq!(merged.code, 0, "{}", merged.transcript());
    assert_eq!(whole.stdout, merged.stdout, "sharded and merged");

    let markdown = tollgate(d, &["report"]);
    assert_eq!(markdown.stdout, tollgate(d, &["report"]).stdout);
    let golden = root().join("docs/examples/reconciler-review.md");
    if std::env::var_os("TOLLGATE_BLESS").is_some() {
        std::fs::write(&golden, &markdown.stdout).expect("golden written");
    }
    let expected = std::fs::read_to_string(&golden).expect("docs/examples/reconciler-review.md");
    assert!(
        markdown.stdout == expected,
        "docs/examples/reconciler-review.md is stale (TOLLGATE_BLESS=1 to refresh):\n{}",
        markdown.stdout
    );

    // --verify holds at the recorded commits, and fails once the reconciler
    // object's file differs.
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
    value["digests"]["inputs"]["clusters/prod/apps.yaml"] = serde_json::json!("sha256:0000");
    std::fs::write(path, serde_json::to_string_pretty(&value).expect("json")).expect("write");
    let bad = tollgate(d, &["report", "--verify", path]);
    assert_eq!(bad.code, 1, "{}", bad.transcript());
    assert!(
        bad.stdout
            .contains("input clusters/prod/apps.yaml: recorded sha256:0000"),
        "{}",
        bad.stdout
    );
}

#[test]
fn staged_and_worktree_heads_review_reconciler_targets_alike() {
    let repo = repo();
    let d = repo.path();
    write(
        d,
        "clusters/prod/guestbook.yaml",
        &application("guestbook-prod", "gitops", "nginx:1.27"),
    );
    let worktree = tollgate(d, &["report", "--format", "json", "--base", "HEAD"]);
    git(d, &["add", "."]);
    let staged = tollgate(d, &["report", "--format", "json", "--staged"]);
    let (w, s) = (json(&worktree), json(&staged));
    assert_eq!(names(&s), ["argocd:guestbook-prod"]);
    assert_eq!(w["targets"], s["targets"]);
}
