//! Tests of the field-spec data, merging and the walker.

use super::*;
use tollgate_load::{FileId, Limits, Syntax};

fn yaml(text: &str) -> Node {
    let loaded = tollgate_load::load(text, Syntax::Yaml, &Limits::default());
    loaded.documents.into_iter().next().map(|d| d.root).unwrap()
}

#[test]
fn builtin_lists_have_kustomizes_sizes() {
    let b = FieldSpecs::builtin();
    assert_eq!(b.name_prefix.len(), 1);
    assert_eq!(b.namespace.len(), 3);
    assert_eq!(b.common_labels.len(), 32);
    assert_eq!(b.template_labels.len(), 10);
    assert_eq!(b.common_annotations.len(), 9);
    assert_eq!(b.images.len(), 4);
    assert_eq!(b.replicas.len(), 4);
    assert_eq!(b.var_reference.len(), 72);
    assert_eq!(b.name_reference.len(), 16);
    let secret = b
        .name_reference
        .iter()
        .find(|r| r.gvk.kind == "Secret")
        .unwrap();
    assert_eq!(secret.referrers.len(), 8 * 7 + 14);
    let cm = b
        .name_reference
        .iter()
        .find(|r| r.gvk.kind == "ConfigMap")
        .unwrap();
    assert_eq!(cm.referrers.len(), 8 * 6 + 4);
    // Sorted by kind order: Namespace first among the namespace specs.
    assert_eq!(b.namespace[0].gvk.kind, "Namespace");
    assert_eq!(b.name_reference[0].gvk.kind, "StorageClass");
}

#[test]
fn split_path_handles_escapes_and_leading_slash() {
    assert_eq!(split_path("/a/b"), vec!["a", "b"]);
    assert_eq!(
        split_path("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret"),
        vec![
            "metadata",
            "annotations",
            "nginx.ingress.kubernetes.io/auth-secret"
        ]
    );
}

#[test]
fn configuration_merges_and_conflicts() {
    let user = FieldSpecs::from_configuration(&yaml(
        "commonLabels:\n- path: spec/foo/labels\n  kind: MyKind\n  create: true\nnameReference:\n- kind: Secret\n  version: v1\n  fieldSpecs:\n  - path: spec/secretName\n    kind: MyKind\n",
    ))
    .unwrap();
    let merged = FieldSpecs::builtin().merge(&user).unwrap();
    assert_eq!(merged.common_labels.len(), 33);
    let secret = merged
        .name_reference
        .iter()
        .find(|r| r.gvk.kind == "Secret")
        .unwrap();
    assert!(secret.referrers.iter().any(|s| s.path == "spec/secretName"));
    assert_eq!(merged.name_reference.len(), 16);
    // Re-merging the same is a no-op.
    assert_eq!(merged.merge(&user).unwrap(), merged);
    // An effectively equal spec with another `create` conflicts.
    let clash = FieldSpecs::from_configuration(&yaml(
        "commonLabels:\n- path: metadata/labels\n  create: false\n",
    ))
    .unwrap();
    assert!(
        FieldSpecs::builtin()
            .merge(&clash)
            .unwrap_err()
            .contains("conflicting")
    );
    let bad = FieldSpecs::from_configuration(&yaml("nope: []\n")).unwrap_err();
    assert!(bad.message.contains("nope"));
}

#[test]
fn walker_creates_with_span_and_enters_lists() {
    let mut obj = yaml(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n      - name: b\n",
    );
    let cause = Span::new(1, 2).in_file(FileId(7));
    let spec = FieldSpec {
        gvk: Gvk::kind("Deployment"),
        path: "spec/template/metadata/labels".into(),
        create: true,
    };
    let mut seen = 0;
    walk(&mut obj, &spec, CreateKind::Map, cause, &mut |n| {
        seen += 1;
        assert!(matches!(n.value, Value::Map(_)));
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, 1);
    let labels = obj
        .get("spec")
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .unwrap();
    assert_eq!(labels.span, cause);
    // Lists are entered; a missing key below `[]` is not created.
    let images = FieldSpec::any("spec/template/spec/containers[]/image", true);
    let mut found = Vec::new();
    walk(&mut obj, &images, CreateKind::None, cause, &mut |n| {
        found.push(n.as_str().unwrap_or("").to_owned());
        Ok(())
    })
    .unwrap();
    assert_eq!(found, vec!["x"]);
    // Another kind is not selected.
    let other = FieldSpec {
        gvk: Gvk::kind("Service"),
        ..spec
    };
    walk(&mut obj, &other, CreateKind::Map, cause, &mut |_| {
        panic!("visited")
    })
    .unwrap();
    // A scalar on the way is an error.
    let bad = FieldSpec::any("kind/x", false);
    assert!(walk(&mut obj, &bad, CreateKind::None, cause, &mut |_| Ok(())).is_err());
}
