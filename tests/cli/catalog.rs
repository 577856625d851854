//! The built-in CRD catalog (`schemas/crds/`, made by `scripts/vendor-crds`):
//! custom resources of well-known operators are validated without their CRD in
//! the repository, a repository CRD takes precedence, and `schemas.catalog:
//! false` turns the catalog off.

use super::{json, root, tollgate, tollgate_in};

fn fixture(name: &str) -> String {
    format!("tests/fixtures/catalog/{name}")
}

/// Whether the embedded catalog was vendored with `kind` (`group/version/Kind`);
/// prints why a test is skipped when it was not.
fn catalog_has(kind: &str) -> bool {
    let index = std::fs::read_to_string(root().join("schemas/crds/index.json"))
        .expect("schemas/crds/index.json");
    let index: serde_json::Value = serde_json::from_str(&index).expect("index.json is JSON");
    let has = index["kinds"].get(kind).is_some();
    if !has {
        eprintln!(
            "SKIPPED: schemas/crds/index.json has no {kind}; run scripts/vendor-crds to vendor the catalog"
        );
    }
    has
}

/// `(rule, line, message)` of every finding of a JSON report.
fn findings(run: &super::Run) -> Vec<(String, u64, String)> {
    json(run)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "schema" || f["rule"] == "schema-missing")
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_flux_kustomization_is_validated_by_the_catalog() {
    if !catalog_has("kustomize.toolkit.fluxcd.io/v1/Kustomization") {
        return;
    }
    let run = tollgate(&["check", "--no-render", &fixture("flux"), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    // The misspelt `prune` on its line; the GitRepository is valid.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("schema", 12),
        "{found:?}"
    );
    assert!(
        found[0].2.contains("`prnue`") && found[0].2.contains("`prune`"),
        "{found:?}"
    );
    let human = tollgate(&["check", "--no-render", &fixture("flux")]);
    assert!(
        human
            .stdout
            .contains("tests/fixtures/catalog/flux/apps.yaml:12:"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("no schema for"), "{}", human.stdout);
}

#[test]
fn an_argo_cd_application_is_validated_by_the_catalog() {
    if !catalog_has("argoproj.io/v1alpha1/Application") {
        return;
    }
    let run = tollgate(&["check", "--no-render", &fixture("argo"), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("schema", 11),
        "{found:?}"
    );
    assert!(
        found[0].2.contains("`pth`") && found[0].2.contains("`path`"),
        "{found:?}"
    );
}

#[test]
fn a_crd_in_the_repository_takes_precedence_over_the_catalog() {
    let run = tollgate(&[
        "check",
        "--no-render",
        &fixture("override"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    // The repository's CRD: `replicas` must be an integer and `pth` is kept
    // (preserve-unknown-fields); the catalog's Application has neither rule.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("schema", 7),
        "{found:?}"
    );
    assert!(
        found[0].2.starts_with("spec.replicas: expected an integer"),
        "{found:?}"
    );
}

#[test]
fn schemas_catalog_false_turns_the_catalog_off() {
    let dir = root().join(fixture("off"));
    let off = tollgate_in(
        &dir,
        &["check", "--no-render", ".", "--format", "json"],
        None,
    );
    assert_eq!(off.code, 0, "{}", off.stderr);
    let found = findings(&off);
    let missing: Vec<_> = found.iter().filter(|f| f.0 == "schema-missing").collect();
    assert_eq!(missing.len(), 2, "{found:?}");
    assert!(
        found.iter().all(|f| f.0 != "schema"),
        "no schema errors without the catalog: {found:?}"
    );
    assert!(
        missing[0]
            .2
            .starts_with("no schema for kustomize.toolkit.fluxcd.io/v1 Kustomization"),
        "{found:?}"
    );
    if catalog_has("kustomize.toolkit.fluxcd.io/v1/Kustomization") {
        // The same file with the catalog on (no config): the typo, no warning.
        let on = tollgate(&["check", "--no-render", &fixture("off"), "--format", "json"]);
        let found = findings(&on);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("schema", 12));
    }
}
