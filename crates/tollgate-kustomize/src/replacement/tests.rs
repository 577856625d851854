//! Replacement tests; expected outputs are `kubectl kustomize` (v5.5.0) of
//! the same resources and replacements.

use super::*;

fn docs(text: &str) -> Vec<Node> {
    let loaded = tollgate_load::load(text, tollgate_load::Syntax::Yaml, &Default::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.documents.into_iter().map(|d| d.root).collect()
}

const RESOURCES: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: src
data:
  str: "3"
  num: "x"
  img: "repo/app:1.2.3"
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - port: 8080
    name: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
  labels: {app: dep}
spec:
  replicas: 1
  template:
    metadata:
      labels: {nul: null}
    spec:
      containers:
      - name: app
        image: nginx:1.0
        env:
        - name: A
          value: "keep"
      - name: myapp
        image: busybox:2.0
      - name: other
        image: other:3
"#;

fn run(
    replacements: &str,
) -> (
    Result<Vec<serde_json::Value>, Problem>,
    Vec<Resource>,
    &'static str,
) {
    let mut res: Vec<Resource> = docs(RESOURCES).into_iter().map(Resource::new).collect();
    let repl = docs(replacements).remove(0);
    let Value::Seq(items) = repl.value else {
        panic!()
    };
    let out = apply_replacements(&mut res, &items)
        .map(|()| res.iter().map(|r| r.node.to_json()).collect());
    (out, res, RESOURCES)
}

#[test]
fn types_create_delimiter_wildcard_and_maps_as_kubectl() {
    let repl = r#"
- source: {kind: ConfigMap, name: src, fieldPath: data.str}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.replicas
    - spec.template.spec.containers.[name=app].env.[name=A].value
  - select: {kind: Deployment}
    fieldPaths: [spec.template.metadata.labels.created]
    options: {create: true}
- source: {kind: Service, name: svc, fieldPath: spec.ports.0.port}
  targets:
  - select: {kind: ConfigMap}
    fieldPaths: [data.num]
- source: {kind: ConfigMap, name: src, fieldPath: data.img, options: {delimiter: ":", index: 1}}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.*.image]
    options: {delimiter: ":", index: 1}
- source: {kind: Service, fieldPath: spec.ports}
  targets:
  - select: {name: dep}
    fieldPaths: [spec.template.spec.ports]
    options: {create: true}
"#;
    let expected = docs(
        r#"apiVersion: v1
data:
  img: repo/app:1.2.3
  num: "8080"
  str: "3"
kind: ConfigMap
metadata:
  name: src
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - name: http
    port: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: dep
  name: dep
spec:
  replicas: 3
  template:
    metadata:
      labels:
        created: 3
        nul: null
    spec:
      containers:
      - env:
        - name: A
          value: "3"
        image: nginx:1.2.3
        name: app
      - image: busybox:1.2.3
        name: myapp
      - image: other:1.2.3
        name: other
      ports:
      - name: http
        port: 8080
"#,
    );
    let (got, res, text) = run(repl);
    let expected: Vec<_> = expected.iter().map(Node::to_json).collect();
    assert_eq!(sorted(got.unwrap()), sorted(expected));
    // Provenance: the replicas now carry the source line's value span.
    let replicas = res[2].node.get("spec").unwrap().get("replicas").unwrap();
    assert_eq!(&text[replicas.span.start..replicas.span.end], "\"3\"");
    // The image joined with the delimiter: also the source value's span.
    let containers = res[2]
        .node
        .pointer_span("/spec/template/spec/containers/1/image")
        .span;
    assert_eq!(
        &text[containers.start..containers.end],
        "\"repo/app:1.2.3\""
    );
    // A created key and a copied sequence: the source's spans.
    let ports = res[2]
        .node
        .get("spec")
        .unwrap()
        .get("template")
        .unwrap()
        .get("spec")
        .unwrap()
        .get("ports")
        .unwrap();
    let port = ports.pointer_span("/0/port").span;
    assert_eq!(&text[port.start..port.end], "8080");
    let Value::Map(tmpl) = &res[2]
        .node
        .get("spec")
        .unwrap()
        .get("template")
        .unwrap()
        .get("spec")
        .unwrap()
        .value
    else {
        panic!()
    };
    let key = tmpl.iter().find(|e| e.key == "ports").unwrap().key_span;
    assert!(text[key.start..key.end].starts_with("- port: 8080"));
}

/// Object keys in a stable order for comparison.
fn sorted(v: Vec<serde_json::Value>) -> Vec<String> {
    v.iter()
        .map(|x| serde_json::to_string(x).unwrap())
        .collect()
}

#[test]
fn target_list_selector_is_an_unanchored_regex() {
    let repl = r#"
- source: {kind: ConfigMap, name: src, fieldPath: data.str}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.[name=app].image
"#;
    let (got, _, _) = run(repl);
    let got = got.unwrap();
    let images: Vec<_> = got[2]["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["image"].as_str().unwrap().to_owned())
        .collect();
    // kubectl: "3", "3", other:3 (myapp matches `app`).
    assert_eq!(images, ["3", "3", "other:3"]);
}

#[test]
fn errors_as_kustomize() {
    let cases = [
        (
            "- source: {kind: ConfigMap, name: src, fieldPath: data.nope}\n  targets:\n  - select: {kind: Deployment}\n",
            "fieldPath `data.nope` is missing for replacement source ConfigMap.[noVer].[noGrp]/src.[noNs]",
        ),
        (
            "- source: {kind: ConfigMap, name: src, fieldPath: data.str}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.nothere]\n",
            "unable to find field \"spec.nothere\" in replacement target",
        ),
        (
            "- source: {version: v1, fieldPath: data.str}\n  targets:\n  - select: {kind: Deployment}\n",
            "multiple matches for selector [noKind].v1.[noGrp]/[noName].[noNs]:data.str",
        ),
        (
            "- source: {kind: Nope, fieldPath: data.str}\n  targets:\n  - select: {kind: Deployment}\n",
            "nothing selected by Nope.[noVer].[noGrp]/[noName].[noNs]:data.str",
        ),
        (
            "- source: {kind: ConfigMap, fieldPath: data.img, options: {delimiter: \"/\", index: 5}}\n  targets:\n  - select: {kind: Deployment}\n",
            "options.index 5 is out of bounds for value repo/app:1.2.3",
        ),
        (
            "- source: {kind: ConfigMap}\n",
            "replacements must specify a source and at least one target",
        ),
        (
            "- source: {kind: ConfigMap, name: src, fieldPath: data.num}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.replicas]\n",
            "yaml: cannot decode !!str `x` as a !!int",
        ),
        (
            "- source: {kind: ConfigMap, name: src, fieldPath: data.str}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.metadata.labels.nul]\n",
            "yaml: cannot decode !!int `3` as a !!null",
        ),
    ];
    for (repl, message) in cases {
        let err = run(repl).0.unwrap_err();
        assert_eq!(err.message, message);
        assert_eq!(err.rule, crate::RENDER_ERROR);
    }
}

#[test]
fn reject_and_label_selectors() {
    let repl = r#"
- source: {kind: ConfigMap, name: src, fieldPath: data.str}
  targets:
  - select: {labelSelector: "app=dep"}
    fieldPaths: [metadata.annotations.x]
    options: {create: true}
  - select: {version: v1}
    reject: [{kind: Service}]
    fieldPaths: [metadata.labels.y]
    options: {create: true}
"#;
    let got = run(repl).0.unwrap();
    assert_eq!(got[2]["metadata"]["annotations"]["x"], 3);
    assert_eq!(got[0]["metadata"]["labels"]["y"], 3);
    assert!(got[1]["metadata"].get("labels").is_none());
    assert!(got[0]["metadata"].get("annotations").is_none());
}

#[test]
fn path_splitting() {
    assert_eq!(path::split("a.b.c"), ["a", "b", "c"]);
    assert_eq!(path::split("a.[name=x.y].c"), ["a", "[name=x.y]", "c"]);
    assert_eq!(path::split("a.[0].c"), ["a", "[0]", "c"]);
    assert_eq!(
        path::split("metadata.annotations.a\\.b/c"),
        ["metadata", "annotations", "a.b/c"]
    );
}
