//! Vars tests; expected values are `kubectl kustomize` (v5.5.0) outputs of
//! the same trees.

use super::*;

fn docs(text: &str) -> Vec<Node> {
    let loaded = tollgate_load::load(text, tollgate_load::Syntax::Yaml, &Default::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.documents.into_iter().map(|d| d.root).collect()
}

const RESOURCES: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - port: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: c
        image: img
        command: ["run", "$(SVC)", "$(PORT)", "$$(SVC)", "$(UNKNOWN)"]
        args: ["--p=$(PORT)", "$(PORT)"]
        env:
        - name: X
          value: "$(SVC).x"
"#;

const VARS: &str = r#"
- name: SVC
  objref: {kind: Service, name: svc, apiVersion: v1}
- name: PORT
  objref: {kind: Service, name: svc, apiVersion: v1}
  fieldref: {fieldPath: "spec.ports[0].port"}
"#;

/// Renames like a `namePrefix: p-` of an overlay (recording previous ids).
fn prefix(resources: &mut [Resource]) {
    for r in resources.iter_mut() {
        let old = r.id();
        let meta = r.node.get_mut("metadata").unwrap();
        let name = meta.get_mut("name").unwrap();
        name.value = Value::String(format!("p-{}", old.name));
        r.previous_ids.push(old);
    }
}

#[test]
fn substitutes_as_kubectl_after_an_overlay_prefix() {
    let mut res: Vec<Resource> = docs(RESOURCES).into_iter().map(Resource::new).collect();
    let mut set = VarSet::default();
    set.merge(&docs(VARS).remove(0), &res).unwrap();
    prefix(&mut res);
    set.resolve(&mut res).unwrap();
    let got = res[1].node.to_json();
    let c = &got["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["command"],
        serde_json::json!(["run", "p-svc", 8080, "$(SVC)", "$(UNKNOWN)"])
    );
    assert_eq!(c["args"], serde_json::json!(["--p=8080", 8080]));
    assert_eq!(c["env"][0]["value"], "p-svc.x");
    // Provenance: `$(PORT)` alone now carries the port's span in the
    // Service; the mixed string keeps its own.
    let port = res[1]
        .node
        .pointer_span("/spec/template/spec/containers/0/args/1")
        .span;
    assert_eq!(&RESOURCES[port.start..port.end], "8080");
    let mixed = res[1]
        .node
        .pointer_span("/spec/template/spec/containers/0/env/0/value")
        .span;
    assert_eq!(&RESOURCES[mixed.start..mixed.end], "\"$(SVC).x\"");
}

#[test]
fn errors_as_kustomize() {
    let res: Vec<Resource> = docs(RESOURCES).into_iter().map(Resource::new).collect();
    // No apiVersion: version "" binds to nothing.
    let mut set = VarSet::default();
    set.merge(
        &docs("- name: SVC\n  objref: {kind: Service, name: svc}\n").remove(0),
        &res,
    )
    .unwrap();
    let err = set.resolve(&mut res.clone()).unwrap_err();
    assert_eq!(
        err.message,
        "var '{SVC Service.[noVer].[noGrp] {metadata.name}}' cannot be mapped to a field in the set of known resources"
    );
    let mut set = VarSet::default();
    let ns = "- name: NS\n  objref: {kind: Service, name: svc, apiVersion: v1}\n  fieldref: {fieldPath: metadata.namespace}\n";
    set.merge(&docs(ns).remove(0), &res).unwrap();
    let err = set.resolve(&mut res.clone()).unwrap_err();
    assert_eq!(
        err.message,
        "field specified in var '{NS Service.v1.[noGrp] {metadata.namespace}}' not found in corresponding resource"
    );
    let err = set.merge(&docs(ns).remove(0), &res).unwrap_err();
    assert_eq!(err.message, "var 'NS' already encountered");
}

#[test]
fn replacement_text() {
    let values = vec![
        (
            "A".to_owned(),
            Some(Node::new(Value::String("x".into()), Span::default())),
        ),
        (
            "N".to_owned(),
            Some(Node::new(Value::Int(3), Span::default())),
        ),
        ("M".to_owned(), None),
    ];
    let run = |s: &str| {
        let mut n = Node::new(Value::String(s.into()), Span::default());
        replace_in(&mut n, &values);
        n.to_json()
    };
    assert_eq!(run("$(A)"), "x");
    assert_eq!(run("$(N)"), 3);
    assert_eq!(run("$(M)"), "$(M)");
    assert_eq!(run("a$(A)b$(N)c"), "axb3c");
    assert_eq!(run("$$(A)"), "$(A)");
    assert_eq!(run("$(A"), "$(A");
    assert_eq!(run("$x $"), "$x $");
    assert_eq!(run("$(A)$(B)"), "x$(B)");
    assert_eq!(go_float(1.5), "1.5");
    assert_eq!(go_float(1e21), "1e+21");
}

#[test]
fn keys_match_ignoring_case_as_go_json_does() {
    // kubeflow writes `fieldpath:`; Go's JSON decoding takes it as `fieldPath`.
    let mut res: Vec<Resource> = docs(RESOURCES).into_iter().map(Resource::new).collect();
    let vars = "- name: PORT\n  objref: {kind: Service, name: svc, apiVersion: v1}\n  fieldref:\n    fieldpath: spec.ports.0.port\n- name: SVC\n  objRef: {kind: Service, name: svc, apiVersion: v1}\n";
    let mut set = VarSet::default();
    set.merge(&docs(vars).remove(0), &res).unwrap();
    set.resolve(&mut res).unwrap();
    let got = res[1].node.to_json();
    assert_eq!(
        got["spec"]["template"]["spec"]["containers"][0]["args"][1],
        8080
    );
    assert_eq!(
        got["spec"]["template"]["spec"]["containers"][0]["command"][1],
        "svc"
    );
}
