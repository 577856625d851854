//! Tests of strategic merge and of [`super::apply_patch`], against outputs
//! of `kubectl kustomize` (Kustomize v5.5.0) written here as literal YAML.

use super::*;
use tollgate_load::{FileId, Limits, Syntax, load};

fn docs(text: &str, file: u32) -> Vec<Node> {
    load(text, Syntax::Yaml, &Limits::default())
        .documents
        .into_iter()
        .map(|d| {
            let mut n = d.root;
            n.set_file(FileId(file));
            n
        })
        .collect()
}

fn doc(text: &str, file: u32) -> Node {
    docs(text, file).remove(0)
}

fn smp_json(target: &str, patch: &str) -> serde_json::Value {
    let mut t = doc(target, 1);
    assert_eq!(
        smp::apply(&mut t, &doc(patch, 2)).unwrap(),
        smp::Outcome::Patched
    );
    t.to_json()
}

fn json(text: &str) -> serde_json::Value {
    doc(text, 9).to_json()
}

const S1_TARGET: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {a: "1", b: "2"}
  finalizers: [x, w]
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: app
        image: app:1
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
        ports:
        - containerPort: 80
        - containerPort: 90
          protocol: UDP
        args: [a, b]
      - name: side
        image: side:1
      volumes:
      - name: v1
        emptyDir: {}
"#;

const S1_PATCH: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {b: null, c: "3"}
  finalizers: [z, x]
  zzz: 1
  aaa: 2
spec:
  template:
    spec:
      containers:
      - name: new
        image: new:1
      - name: app
        image: app:2
        env:
        - {name: C, value: "3"}
        - {name: A, $patch: delete}
        ports:
        - containerPort: 80
          name: http
        - containerPort: 90
          name: udp
        args: [c]
      volumes:
      - name: v1
        $patch: delete
"#;

const S1_KUBECTL: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  aaa: 2
  finalizers:
  - z
  - x
  - w
  labels:
    a: "1"
    c: "3"
  name: web
  zzz: 1
spec:
  replicas: 1
  template:
    spec:
      containers:
      - image: new:1
        name: new
      - args:
        - c
        env:
        - name: C
          value: "3"
        - name: B
          value: "2"
        image: app:2
        name: app
        ports:
        - containerPort: 80
          name: http
        - containerPort: 90
          protocol: UDP
      - image: side:1
        name: side
      volumes: []
"#;

/// List order as kubectl prints it (JSON comparison ignores map order, not list order).
fn container_names(v: &serde_json::Value) -> Vec<String> {
    v["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn smp_merges_like_kubectl_kustomize() {
    let got = smp_json(S1_TARGET, S1_PATCH);
    assert_eq!(got, json(S1_KUBECTL));
    assert_eq!(container_names(&got), ["new", "app", "side"]);
}

#[test]
fn smp_provenance() {
    let mut t = doc(S1_TARGET, 1);
    smp::apply(&mut t, &doc(S1_PATCH, 2)).unwrap();
    let c = t
        .pointer_span("/spec/template/spec/containers/1/image")
        .span;
    assert_eq!(c.file, FileId(2), "overwritten scalar takes the patch span");
    let side = t
        .pointer_span("/spec/template/spec/containers/2/image")
        .span;
    assert_eq!(side.file, FileId(1), "untouched nodes keep the target span");
    let env_b = t
        .pointer_span("/spec/template/spec/containers/1/env/1/value")
        .span;
    assert_eq!(env_b.file, FileId(1));
    let new = t.pointer_span("/spec/template/spec/containers/0").span;
    assert_eq!(new.file, FileId(2), "added element keeps the patch span");
    let replicas = t.pointer_span("/spec/replicas").span;
    assert_eq!(replicas.file, FileId(1));
    let zzz = t.pointer_key_span("/metadata/zzz").span;
    assert_eq!(zzz.file, FileId(2), "added key keeps the patch span");
    let spec = t.pointer_key_span("/spec").span;
    assert_eq!(spec.file, FileId(1), "merged map keeps the target key");
}

#[test]
fn unknown_directives_are_copied_and_crd_lists_replaced() {
    let target = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [x, w]}
spec:
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {a: b, c: d}}
    spec:
      containers:
      - {name: app, image: "app:1", env: [{name: A, value: "1"}]}
      - {name: side, image: "side:1"}
      volumes: [{name: v1, emptyDir: {}}]
"#;
    let patch = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  $deleteFromPrimitiveList/finalizers: [x]
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
  template:
    metadata:
      labels:
        $patch: replace
        z: z
    spec:
      $setElementOrder/containers: [{name: side}, {name: app}]
      containers:
      - name: app
        env:
        - $patch: replace
        - {name: Q, value: "9"}
      volumes: null
      newthing:
        a: null
        b: {c: null, d: 1}
"#;
    let want = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  $deleteFromPrimitiveList/finalizers:
  - x
  finalizers:
  - x
  - w
  name: web
spec:
  strategy:
    $retainKeys:
    - type
    rollingUpdate:
      maxSurge: 1
    type: Recreate
  template:
    metadata:
      labels:
        z: z
    spec:
      $setElementOrder/containers:
      - name: side
      - name: app
      containers:
      - env:
        - name: Q
          value: "9"
        image: app:1
        name: app
      - image: side:1
        name: side
      newthing:
        b:
          d: 1
"#;
    assert_eq!(smp_json(target, patch), json(want));
    let crd = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, finalizers: [x]}\nspec:\n  items: [{name: a, v: 1}, {name: b, v: 2}]\n  m: {a: 1}\n";
    let crd_patch = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, finalizers: [z]}\nspec:\n  items: [{name: a, v: 3}]\n  m: {$patch: delete}\n";
    let want = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {finalizers: [z], name: w}\nspec:\n  items: [{name: a, v: 3}]\n";
    assert_eq!(smp_json(crd, crd_patch), json(want));
}

#[test]
fn multi_key_ports_order() {
    let target = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: app:1\n        ports:\n        - containerPort: 80\n        - {containerPort: 90, protocol: UDP}\n        - {containerPort: 100, protocol: TCP}\n";
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        ports:\n        - containerPort: 443\n        - {containerPort: 100, protocol: TCP, name: x}\n      securityContext: {}\n";
    let want = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - image: app:1\n        name: app\n        ports:\n        - containerPort: 443\n        - containerPort: 80\n        - {containerPort: 90, protocol: UDP}\n        - {containerPort: 100, name: x, protocol: TCP}\n      securityContext: {}\n";
    assert_eq!(smp_json(target, patch), json(want));
}

#[test]
fn wrong_kind_is_kustomizes_error() {
    let mut t = doc(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n",
        1,
    );
    let err = smp::apply(
        &mut t,
        &doc(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: 1\n",
            2,
        ),
    )
    .unwrap_err();
    assert!(
        err.message
            .starts_with("wrong node kind: expected MappingNode but got ScalarNode"),
        "{}",
        err.message
    );
    assert_eq!(err.span.file, FileId(2));
}

const CMS: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: \"1\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\n";

fn resources() -> Vec<Resource> {
    docs(CMS, 1).into_iter().map(Resource::new).collect()
}

fn entry(field: PatchField, patch: &str, target: Option<&str>) -> PatchEntry {
    PatchEntry {
        field,
        documents: docs(patch, 2),
        target: target.map(|t| Selector::parse(&doc(t, 3)).unwrap()),
        allow_name_change: false,
        allow_kind_change: false,
        span: Span::default(),
    }
}

#[test]
fn patch_entries_like_kubectl_kustomize() {
    let nomatch = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: zz}\ndata: {b: \"2\"}\n";
    let mut rs = resources();
    let err = apply_patch(
        &entry(PatchField::PatchesStrategicMerge, nomatch, None),
        &mut rs,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "no matches for Id ConfigMap.v1.[noGrp]/zz.[noNs]; failed to find unique target for patch ConfigMap.v1.[noGrp]/zz.[noNs]"
    );
    let err = apply_patch(&entry(PatchField::Patches, nomatch, None), &mut rs).unwrap_err();
    assert_eq!(
        err.message,
        "no resource matches strategic merge patch \"ConfigMap.v1.[noGrp]/zz.[noNs]\": no matches for Id ConfigMap.v1.[noGrp]/zz.[noNs]; failed to find unique target for patch ConfigMap.v1.[noGrp]/zz.[noNs]"
    );
    apply_patch(
        &entry(PatchField::Patches, nomatch, Some("name: nothing")),
        &mut rs,
    )
    .unwrap();
    assert_eq!(rs, resources());

    let del = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n$patch: delete\n";
    apply_patch(&entry(PatchField::Patches, del, None), &mut rs).unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].id().name, "d");

    let renamed = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: x}\ndata: {b: \"2\"}\n";
    let mut rs = resources();
    apply_patch(
        &entry(PatchField::Patches, renamed, Some("name: c")),
        &mut rs,
    )
    .unwrap();
    assert_eq!(
        rs[0].node.to_json(),
        json("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: \"1\", b: \"2\"}\n")
    );
    assert_eq!(
        rs[0].node.pointer_span("/metadata/name").span.file,
        FileId(1)
    );
    let mut rs = resources();
    let mut e = entry(PatchField::Patches, renamed, Some("name: c"));
    e.allow_name_change = true;
    apply_patch(&e, &mut rs).unwrap();
    assert_eq!(rs[0].id().name, "other");
    assert_eq!(rs[0].id().namespace, "");
    assert_eq!(rs[0].original_id().name, "c");

    let ops = "- {op: add, path: /data/x, value: yes-v}\n";
    let mut rs = resources();
    apply_patch(&entry(PatchField::Patches, ops, Some("name: c")), &mut rs).unwrap();
    assert_eq!(
        rs[0].node.to_json()["data"],
        serde_json::json!({"a": "1", "x": "yes-v"})
    );
    let err = apply_patch(
        &entry(PatchField::Patches, ops, Some("kind: ConfigMap")),
        &mut rs,
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "add operation does not apply: doc is missing path: \"/data/x\": missing value"
    );
    let ops = "- {op: add, path: /data, value: {x: yes-v}}\n";
    apply_patch(&entry(PatchField::Patches, ops, Some("name: d")), &mut rs).unwrap();
    assert_eq!(
        rs[1].node.to_json()["data"],
        serde_json::json!({"x": "yes-v"})
    );
    assert_eq!(rs[1].node.pointer_span("/data/x").span.file, FileId(2));
    let err = apply_patch(&entry(PatchField::Patches, ops, None), &mut rs).unwrap_err();
    assert_eq!(err.message, "must specify a target for JSON patch");
}

/// kyaml walks the whole target: fields the patch does not mention whose
/// value is a null written as nothing are removed, at any depth and in the
/// elements of merged lists; `null`/`~` stay, and so do nulls in lists that
/// are not merged (`kubectl kustomize`, v5.5.0; it prints annotation `b`
/// as the string `"~"`, which is not the merge's doing).
#[test]
fn smp_drops_empty_nulls_the_patch_does_not_mention() {
    let target = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  annotations:
    a:
    b: ~
spec:
  replicas:
  paused: ~
  selector: null
  template:
    metadata:
      annotations:
        x:
    spec:
      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          requiredDuringSchedulingIgnoredDuringExecution:
      tolerations:
      -
      - key: k
        value:
      containers:
      - name: c
        image:
        args:
        env:
        - name: A
          value:
        - name: B
          valueFrom: ~
      volumes:
      - name: v
        emptyDir:
top:
top2: ~
"#;
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      labels:\n        l: v\n";
    let kubectl = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    b: null
  name: d
spec:
  paused: null
  selector: null
  template:
    metadata:
      annotations: {}
      labels:
        l: v
    spec:
      affinity:
        nodeAffinity: {}
      containers:
      - env:
        - name: A
        - name: B
          valueFrom: null
        name: c
      tolerations:
      - null
      - key: k
        value: null
      volumes:
      - name: v
top2: null
"#;
    assert_eq!(smp_json(target, patch), json(kubectl));
}

/// A custom resource has no schema: its maps are walked, its lists are not;
/// a nested object with its own apiVersion/kind is walked with that kind's
/// schema.
#[test]
fn smp_empty_nulls_in_custom_resources() {
    let target = r#"apiVersion: example.com/v1
kind: Foo
metadata:
  name: f
spec:
  a:
  b: ~
  m:
    x:
    z: 1
  items:
  - name: one
    v:
  nested:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - name: c
            image:
"#;
    let patch = "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\n  labels: {l: v}\n";
    let kubectl = r#"apiVersion: example.com/v1
kind: Foo
metadata:
  labels:
    l: v
  name: f
spec:
  b: null
  items:
  - name: one
    v: null
  m:
    z: 1
  nested:
    apiVersion: apps/v1
    kind: Deployment
    spec:
      template:
        spec:
          containers:
          - name: c
"#;
    assert_eq!(smp_json(target, patch), json(kubectl));
}

#[test]
fn empty_null_is_the_zero_length_one() {
    let d = doc("a:\nb: ~\nc: null\n", 1);
    let empty: Vec<bool> = ["a", "b", "c"]
        .iter()
        .map(|k| d.get(k).is_some_and(smp_unset::is_empty_null))
        .collect();
    assert_eq!(empty, [true, false, false]);
}

/// After a JSON 6902 patch kustomize has rebuilt the object from JSON, so a
/// later strategic merge keeps its nulls (`kubectl kustomize`, v5.5.0).
#[test]
fn smp_after_json6902_keeps_nulls() {
    let target = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  paused:\n  template:\n    spec:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n";
    let json_op = "- op: add\n  path: /metadata/labels\n  value: {a: b}\n";
    let smp_patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, labels: {c: d}}\n";
    let run = |with_json: bool| {
        let mut rs = vec![Resource::new(doc(target, 1))];
        if with_json {
            apply_patch(
                &entry(PatchField::Patches, json_op, Some("kind: Deployment")),
                &mut rs,
            )
            .unwrap();
        }
        apply_patch(&entry(PatchField::Patches, smp_patch, None), &mut rs).unwrap();
        rs.remove(0).node.to_json()
    };
    let kept = run(true);
    assert_eq!(kept.pointer("/spec/paused"), Some(&serde_json::Value::Null));
    assert_eq!(
        kept.pointer("/spec/template/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution"),
        Some(&serde_json::Value::Null)
    );
    assert_eq!(
        kept.pointer("/metadata/labels/a"),
        Some(&serde_json::json!("b"))
    );
    let dropped = run(false);
    assert_eq!(dropped.pointer("/spec/paused"), None);
    assert_eq!(
        dropped.pointer("/spec/template/spec/affinity/nodeAffinity"),
        Some(&serde_json::json!({}))
    );
}
