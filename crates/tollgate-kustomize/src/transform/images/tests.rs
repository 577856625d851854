//! Tests of `images` (and `replicas`) against `kubectl kustomize` output.

use super::*;
use crate::transform::replicas;
use crate::transform::testutil::*;

const RESOURCES: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      initContainers:
      - name: i
        image: busybox:1.0
      containers:
      - name: a
        image: nginx
      - name: b
        image: nginx:1.19@sha256:abc
      - name: c
        image: registry.io:5000/team/app:v1
      - name: d
        image: nginx-extra:2
      - name: e
        image: docker.io/library/redis@sha256:def
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  template:
    spec:
      containers:
      - name: a
        image: postgres:13
---
apiVersion: x.io/v1
kind: Thing
metadata:
  name: t
spec:
  deep:
    containers:
    - image: nginx:old
    initContainers:
    - image: alpine
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crd
spec:
  containers:
  - image: nginx
"#;

const KUSTOMIZATION: &str = r#"resources:
- res.yaml
images:
- name: nginx
  newTag: "1.25"
- name: busybox
  newName: my/busybox
- name: registry.io:5000/team/app
  digest: sha256:0123
- name: docker.io/library/redis
  newName: redis
  newTag: "7"
- name: postgres
  tagSuffix: -alpine
- name: alpine
  newName: alp
  newTag: "3"
  digest: sha256:99
replicas:
- name: web
  count: 3
- name: db
  count: 2
"#;

/// `kubectl kustomize` (v5.5.0) of the tree above. `tagSuffix` applies
/// twice, as kustomize's two passes do.
const EXPECTED: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crd
spec:
  containers:
  - image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - image: nginx:1.25
        name: a
      - image: nginx:1.25
        name: b
      - image: registry.io:5000/team/app@sha256:0123
        name: c
      - image: nginx-extra:2
        name: d
      - image: redis:7
        name: e
      initContainers:
      - image: my/busybox:1.0
        name: i
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 2
  template:
    spec:
      containers:
      - image: postgres:13-alpine-alpine
        name: a
---
apiVersion: x.io/v1
kind: Thing
metadata:
  name: t
spec:
  deep:
    containers:
    - image: nginx:1.25
    initContainers:
    - image: alp:3@sha256:99
"#;

#[test]
fn images_and_replicas_match_kubectl() {
    let mut rs = resources(RESOURCES);
    let specs = FieldSpecs::builtin();
    replicas::apply(&mut rs, &field(KUSTOMIZATION, "replicas"), &specs).unwrap();
    apply(&mut rs, &field(KUSTOMIZATION, "images"), &specs).unwrap();
    assert_same(&rs, EXPECTED);
    let c = |i: usize| {
        at(
            &rs[0].node,
            &format!("/spec/template/spec/containers/{i}/image"),
        )
        .span
    };
    assert_eq!(text_of(KUSTOMIZATION, c(0)), "\"1.25\"");
    // A digest-only entry points at its digest, a rename at newName.
    assert_eq!(text_of(KUSTOMIZATION, c(2)), "sha256:0123");
    let init = at(&rs[0].node, "/spec/template/spec/initContainers/0/image").span;
    assert_eq!(text_of(KUSTOMIZATION, init), "my/busybox");
    // Untouched images keep their spans.
    assert_eq!(c(3).file, tollgate_load::FileId(0));
    // Replicas: the count's span, an integer node.
    let replicas = at(&rs[1].node, "/spec/replicas");
    assert_eq!(replicas.value, Value::Int(2));
    assert_eq!(text_of(KUSTOMIZATION, replicas.span), "2");
}

#[test]
fn split_matches_kustomize() {
    let s = |i: &str| {
        let (n, t, d) = split(i);
        (n, t, d)
    };
    assert_eq!(s("nginx"), ("nginx".into(), "".into(), "".into()));
    assert_eq!(
        s("a:1@sha256:x"),
        ("a".into(), "1".into(), "sha256:x".into())
    );
    assert_eq!(s("r:5000/a"), ("r:5000/a".into(), "".into(), "".into()));
    assert_eq!(s("r:5000/a:2"), ("r:5000/a".into(), "2".into(), "".into()));
    assert_eq!(s("a@sha256:x"), ("a".into(), "".into(), "sha256:x".into()));
}

#[test]
fn errors_match_kustomize() {
    let mut rs = resources(RESOURCES);
    let specs = FieldSpecs::builtin();
    let bad = field("images:\n- name: nginx\n  newTag: 1.20\n", "images");
    let err = apply(&mut rs, &bad, &specs).unwrap_err();
    assert!(
        err.message.contains("cannot unmarshal number"),
        "{}",
        err.message
    );
    let none = field("replicas:\n- name: nope\n  count: 2\n", "replicas");
    let err = replicas::apply(&mut rs, &none, &specs).unwrap_err();
    assert!(
        err.message
            .starts_with("resource with name nope does not match a config"),
        "{}",
        err.message
    );
}
