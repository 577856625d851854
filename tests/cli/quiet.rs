//! Quiet and right on real repositories: one entry per missing CRD in the
//! human output, a "Where to start" block, well-known non-Kubernetes files
//! skipped, custom resources pruned of nulls as the API server does, and the
//! messages that explain (did-you-mean with transpositions, `#` comments read
//! as null, a built-in kind under a wrong version, one finding per template
//! line, paths that exist).

use super::{json, tollgate};

fn fixture(name: &str) -> String {
    format!("tests/fixtures/quiet/{name}")
}

/// `check --no-render` on a fixture directory, in `format`.
fn check(dir: &str, format: &str) -> super::Run {
    tollgate(&["check", "--no-render", &fixture(dir), "--format", format])
}

#[test]
fn one_missing_crd_is_one_entry_in_human_output_and_one_finding_per_object_in_json() {
    let run = check("flood", "human");
    let out = &run.stdout;
    assert_eq!(run.code, 1, "{out}");
    assert_eq!(
        out.matches("no schema for kyverno.io/v1 ClusterPolicy")
            .count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("⚠ no schema for kyverno.io/v1 ClusterPolicy: 12 objects in 12 files not validated\n    tests/fixtures/quiet/flood/policy-1.yaml:2:7\n    tests/fixtures/quiet/flood/policy-10.yaml:2:7\n    tests/fixtures/quiet/flood/policy-11.yaml:2:7\n    and 9 more files\n  help: add the CustomResourceDefinition of ClusterPolicy to the checked files,\n        or put it (or `kyverno.io/clusterpolicy_v1.json`) in a `schemas.directories` directory\n"),
        "{out}"
    );
    // The largest group first.
    let kyverno = out
        .find("kyverno.io/v1 ClusterPolicy")
        .unwrap_or(usize::MAX);
    let rollout = out.find("argoproj.io/v1alpha1 Rollout").unwrap_or(0);
    assert!(kyverno < rollout, "{out}");
    // Where to start: the top rules and the files with the most errors.
    assert!(
        out.contains("Where to start:\n  errors:   schema 2\n"),
        "{out}"
    );
    assert!(out.contains("  warnings: schema-missing 13"), "{out}");
    assert!(
        out.contains(
            "  files with the most errors:\n    tests/fixtures/quiet/flood/rollout.yaml (2)\n"
        ),
        "{out}"
    );
    assert!(
        out.trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("Found 2 errors")
    );

    let report = json(&check("flood", "json"));
    let missing = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "schema-missing")
        .count();
    assert_eq!(missing, 13);
    assert_eq!(report["summary"]["schema_missing"], 13);
}

#[test]
fn a_short_report_has_no_where_to_start() {
    let run = check("nulls", "human");
    assert!(!run.stdout.contains("Where to start"), "{}", run.stdout);
}

#[test]
fn well_known_non_kubernetes_files_are_skipped_with_a_reason() {
    let run = check("known", "json");
    let report = json(&run);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let files: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.is_empty(), "{files:?}");
    let s = &report["summary"];
    // index.yaml, kind-cluster, kubelet-config, kubeconfig, renovate.json,
    // skaffold, cloudbuild, www/404.json, deployment.template.yaml.
    assert_eq!(s["skipped_by_reason"]["not-kubernetes"], 9, "{s}");
    assert_eq!(s["skipped"], 9);
    // configmap.yaml and www/200.json (a JSON body) are still checked.
    assert_eq!(s["files"], 2);
    assert_eq!(s["resources"], 1);
    let human = check("known", "human");
    assert!(
        human
            .stdout
            .contains("in 2 files (2 documents, 1 resource); 9 skipped."),
        "{}",
        human.stdout
    );
}

#[test]
fn custom_resources_drop_non_nullable_nulls_as_the_api_server_does() {
    let run = check("nulls", "json");
    let report = json(&run);
    let found: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "schema")
        .map(|f| {
            format!(
                "{}:{} {}",
                f["file"].as_str().unwrap_or_default(),
                f["line"],
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    // `gitlab: null`, `cloneProtocol: null`, `goTemplate: null` and a null with a
    // default are accepted; `requeueAfterSeconds` is nullable; a wrong type is not.
    // The built-in Service keeps its nulls (its schema allows them).
    assert_eq!(
        found,
        [
            "tests/fixtures/quiet/nulls/applicationset.yaml:17 spec.generators[1].scmProvider.github: expected an object, found integer `42`"
        ],
        "{found:?}"
    );
}

#[test]
fn messages_explain_and_do_not_repeat() {
    let run = check("messages", "json");
    let report = json(&run);
    let found: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            ["schema", "syntax", "schema-missing"].contains(&f["rule"].as_str().unwrap_or_default())
        })
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["file"]
                    .as_str()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default(),
                f["line"],
                f["rule"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let expected = [
        "apps-v2.yaml:1 schema apps/v2 Deployment does not exist in Kubernetes 1.37: Deployment exists in `apps/v1`; use `apiVersion: apps/v1`",
        "comment-null.yaml:6 schema missing required field `owner` in `spec`; `##OWNER##` after `owner:` is a YAML comment (a `#` after a space starts one), so the field is null and the API server drops it: quote it, \"##OWNER##\"",
        "missing.yaml:6 schema missing required field `selector` in `spec`",
        "missing.yaml:12 schema missing required field `name` in `spec.template.spec.containers[0]`",
        "template.yaml:7 syntax a mapping key must be a scalar, not a mapping or sequence (an unquoted `{{ }}` template placeholder is read as a flow mapping)",
        "typos.yaml:7 schema unknown field `spec.tpye` (the schema does not declare it; did you mean `type`?)",
        "typos.yaml:8 schema unknown field `spec.prots` (the schema does not declare it; did you mean `ports`?)",
    ];
    assert_eq!(found, expected, "{found:#?}");
    // JSON keeps the pointer of the missing field; the human help never shows
    // a pointer to a field that is not there.
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.contains(&"/spec/selector"), "{paths:?}");
    let human = check("messages", "human").stdout;
    assert!(
        human.contains("help: path: /spec (no `selector` there)"),
        "{human}"
    );
    assert!(
        human.contains("help: path: /spec/template/spec/containers/0 (no `name` there)"),
        "{human}"
    );
    assert!(!human.contains("help: path: /spec/selector"), "{human}");
    assert!(!human.contains("containers/0/securityContext"), "{human}");
}
