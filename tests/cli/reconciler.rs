//! Flux `Kustomization`s and Argo CD `Application`s as named render targets.
//!
//! The fixture `tests/fixtures/reconciler` is a small GitOps repository:
//! `clusters/prod` holds a Flux Kustomization with `targetNamespace` over an
//! overlay, one over a path without a kustomization (with `postBuild`
//! substitution from an inline map and a ConfigMap), an Argo CD Application
//! with a `kustomize.images` override to `:latest`, and a Flux HelmRelease.
//! Each test copies it into a temporary directory that is a git repository
//! (a reconciler path is relative to the repository root). A policy that
//! reports what each rendered Deployment and ConfigMap looks like shows the
//! render from the outside.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{json, root, tollgate_in};

/// A policy that reports what rendered objects hold, each finding at the
/// field's pointer, so that it lands where the render says the value came
/// from (one finding per place: targets that agree are merged).
const SHOW: &str = r#"package show

import rego.v1

warn contains {"msg": sprintf("namespace %s", [input.metadata.namespace]), "path": "metadata.namespace"} if {
	input.kind in {"Deployment", "ConfigMap"}
	input.metadata.namespace
}

warn contains {"msg": sprintf("image %s", [input.spec.template.spec.containers[0].image]), "path": "spec.template.spec.containers[0].image"} if {
	input.kind == "Deployment"
}

warn contains {"msg": sprintf("replicas %v (%s)", [input.spec.replicas, type_name(input.spec.replicas)]), "path": "spec.replicas"} if {
	input.kind == "Deployment"
	input.spec.replicas
}

warn contains {"msg": sprintf("%s = %s", [k, v]), "path": sprintf("data.%s", [k])} if {
	input.kind == "ConfigMap"
	some k, v in input.data
}
"#;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The fixture in a fresh git repository.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("tests/fixtures/reconciler"), dir.path());
    let ok = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        // repository_root only looks for `.git`.
        std::fs::create_dir(dir.path().join(".git")).unwrap();
    }
    dir
}

fn check_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    json(&tollgate_in(dir, &all, None))
}

/// `rule file:line:column [targets] message` for every finding.
fn lines(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}:{} {} {}",
                f["rule"].as_str().unwrap_or(""),
                f["file"].as_str().unwrap_or(""),
                f["line"],
                f["column"],
                f["targets"],
                f["message"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

fn has(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

#[test]
fn flux_and_argo_objects_render_as_named_targets() {
    let repo = repo();
    let d = repo.path();
    std::fs::write(d.join("show.rego"), SHOW).unwrap();
    let report = check_json(d, &["--policy", "show.rego", "--all-namespaces", "."]);
    let all = lines(&report);
    let text = all.join("\n");
    // Plain targets (the two kustomization roots) and four reconciler ones.
    assert_eq!(report["summary"]["targets"], 6, "{text}");

    // Flux `apps`: targetNamespace lands on the Flux Kustomization's line.
    assert!(
        has(
            &all,
            r#"show.warn clusters/prod/apps.yaml:13:20 ["flux:flux-system/apps"] namespace production"#
        ),
        "{text}"
    );
    // The plain overlay, without Flux, has no namespace; the Flux target does.
    assert!(
        has(
            &all,
            r#"namespace-missing apps/base/deployment.yaml:4:3 ["apps/production"] Deployment prod-web"#
        ),
        "{text}"
    );
    // The image both render is one finding naming both targets.
    assert!(
        has(
            &all,
            r#"show.warn apps/base/deployment.yaml:16:18 ["apps/production","flux:flux-system/apps"] image nginx:1.27"#
        ),
        "{text}"
    );

    // Argo CD: the images override to :latest lands on the Application's line.
    assert!(
        has(
            &all,
            r#"image-tag-latest clusters/prod/guestbook.yaml:14:11 ["argocd:guestbook-prod"]"#
        ),
        "{text}"
    );
    // destination.namespace on a namespaced object without one, at its line.
    assert!(
        has(
            &all,
            r#"show.warn clusters/prod/guestbook.yaml:17:16 ["argocd:guestbook-prod"] namespace guestbook"#
        ),
        "{text}"
    );

    // Flux over a path without a kustomization: every manifest below it,
    // recursively. postBuild: a whole-value variable lands on its value's
    // line and a number reads as one; `${TAG:=1.27}` takes its default;
    // substituteFrom reads the ConfigMap; `$${` escapes.
    for want in [
        r#"show.warn clusters/prod/plain.yaml:16:17 ["flux:flux-system/plain"] replicas 2 (number)"#,
        r#"show.warn plain/manifests/deployment.yaml:17:18 ["flux:flux-system/plain"] image nginx:1.27"#,
        r#"show.warn plain/manifests/sub/configmap.yaml:6:13 ["flux:flux-system/plain"] greeting = hello production"#,
        r#"show.warn plain/manifests/sub/configmap.yaml:7:12 ["flux:flux-system/plain"] literal = ${NAME}"#,
        r#"show.warn clusters/prod/plain.yaml:13:20 ["flux:flux-system/plain"] namespace plain"#,
    ] {
        assert!(has(&all, want), "{want}\n{text}");
    }
    assert!(!has(&all, "expected an integer"), "{text}");
    // Files the Flux render read are checked as rendered, not as written.
    assert!(!has(&all, "plain/manifests/deployment.yaml:4:3"), "{text}");

    // A HelmRelease is a target with render-unsupported at `chart:`.
    assert!(
        has(
            &all,
            r#"render-unsupported clusters/prod/podinfo.yaml:8:3 ["flux:flux-system/podinfo"] Flux HelmRelease is not rendered"#
        ),
        "{text}"
    );
    // The reconciler files are still checked as written.
    assert!(
        has(&all, "mutable-revision clusters/prod/guestbook.yaml:10:21"),
        "{text}"
    );
}

#[test]
fn repository_urls_choose_the_applications_of_this_repository() {
    let repo = repo();
    let d = repo.path();
    std::fs::write(
        d.join(".tollgate.yaml"),
        "repository:\n  urls:\n    - https://github.com/example/other.git\n",
    )
    .unwrap();
    let all = lines(&check_json(d, &["."]));
    let text = all.join("\n");
    assert!(!has(&all, "argocd:guestbook-prod"), "{text}");
    // No GitRepository in the run: Flux paths found in the repository count.
    assert!(!has(&all, "image-tag-latest"), "{text}");

    std::fs::write(
        d.join(".tollgate.yaml"),
        "repository:\n  urls:\n    - https://GitHub.com/example/gitops/\n",
    )
    .unwrap();
    let all = lines(&check_json(d, &["."]));
    let text = all.join("\n");
    assert!(
        has(
            &all,
            r#"image-tag-latest clusters/prod/guestbook.yaml:14:11 ["argocd:guestbook-prod"]"#
        ),
        "{text}"
    );
}

#[test]
fn argo_helm_sources_and_paths_that_leave_the_repository() {
    let repo = repo();
    let d = repo.path();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  password: hunter2\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), d.join("apps/escape")).unwrap();
    std::fs::write(
        d.join(".tollgate.yaml"),
        "repository:\n  urls:\n    - https://github.com/example/gitops.git\n",
    )
    .unwrap();
    std::fs::write(
        d.join("clusters/prod/more.yaml"),
        r"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: charts
spec:
  sources:
    - repoURL: https://charts.example.com
      chart: podinfo
      targetRevision: 6.5.0
    - repoURL: https://github.com/example/gitops.git
      path: ../../etc
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: escape
spec:
  source:
    repoURL: https://github.com/example/gitops.git
    path: apps/escape
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: up
spec:
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ./../outside
",
    )
    .unwrap();
    let report = check_json(d, &["."]);
    let all = lines(&report);
    let text = all.join("\n");
    assert!(
        has(
            &all,
            r#"render-unsupported clusters/prod/more.yaml:8:7 ["argocd:charts[0]"] Argo CD Helm source (chart 'podinfo')"#
        ),
        "{text}"
    );
    assert!(
        has(
            &all,
            r#"render-error clusters/prod/more.yaml:11:13 ["argocd:charts[1]"] source.path: path '../../etc'"#
        ),
        "{text}"
    );
    #[cfg(unix)]
    assert!(
        has(
            &all,
            r#"render-error clusters/prod/more.yaml:20:11 ["argocd:escape"] source.path 'apps/escape' is not a directory of this repository"#
        ),
        "{text}"
    );
    assert!(
        has(
            &all,
            r#"render-error clusters/prod/more.yaml:30:9 ["flux:up"] spec.path: path './../outside'"#
        ),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("stolen"),
        "{text}"
    );
    let sources = serde_json::to_string(&report).unwrap();
    assert!(!sources.contains("hunter2"), "{sources}");
}

#[test]
fn a_chart_directory_is_unsupported_never_dropped() {
    let repo = repo();
    let d = repo.path();
    std::fs::create_dir_all(d.join("charts/web")).unwrap();
    std::fs::write(
        d.join("charts/web/Chart.yaml"),
        "name: web\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        d.join("clusters/prod/chart.yaml"),
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  \
         source:\n    repoURL: https://github.com/example/gitops.git\n    path: charts/web\n",
    )
    .unwrap();
    let all = lines(&check_json(d, &["."]));
    let text = all.join("\n");
    assert!(
        has(
            &all,
            r#"render-unsupported clusters/prod/chart.yaml:8:11 ["argocd:web"] Argo CD Helm source (chart directory 'charts/web')"#
        ),
        "{text}"
    );
}

#[test]
fn render_prints_a_named_reconciler_target_as_the_reconciler_applies_it() {
    let repo = repo();
    let d = repo.path();
    // The Flux Kustomization's targetNamespace and the Argo CD Application's
    // image override are applied; the order follows the arguments.
    let run = tollgate_in(
        d,
        &["render", "flux:flux-system/apps", "argocd:guestbook-prod"],
        None,
    );
    insta::assert_snapshot!(run.transcript());
    // `--origins` names the target and places each value.
    let origins = tollgate_in(d, &["render", "--origins", "flux:flux-system/apps"], None);
    assert_eq!(origins.code, 0, "{}", origins.transcript());
    assert!(
        origins
            .stdout
            .starts_with("# flux:flux-system/apps: apps/v1 Deployment production/prod-web"),
        "{}",
        origins.stdout
    );
    assert!(
        origins
            .stdout
            .contains("/metadata/namespace\tclusters/prod/apps.yaml:13:20\n"),
        "{}",
        origins.stdout
    );
}

#[test]
fn render_of_an_unknown_reconciler_target_lists_the_known_ones() {
    let repo = repo();
    let run = tollgate_in(repo.path(), &["render", "flux:flux-system/nope"], None);
    insta::assert_snapshot!(run.transcript());
}
