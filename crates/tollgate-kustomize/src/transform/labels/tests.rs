//! Tests of `labels`, `commonLabels` (and `commonAnnotations`) against
//! `kubectl kustomize` output.

use super::*;
use crate::transform::annotations;
use crate::transform::testutil::*;
use tollgate_load::FileId;

const RESOURCES: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  ports:
  - port: 80
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cj
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: c
            image: busybox
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
  labels:
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: fe
    - namespaceSelector: {}
---
apiVersion: x.io/v1
kind: Thing
metadata:
  name: t
spec:
  custom:
    labels: {}
"#;

const KUSTOMIZATION: &str = r#"resources:
- res.yaml
commonLabels:
  team: a
  app: override
commonAnnotations:
  note: "hello"
  num: "3"
labels:
- pairs:
    tier: back
  includeSelectors: false
- pairs:
    env: dev
  includeTemplates: true
- pairs:
    zone: z1
  includeSelectors: true
- pairs:
    custom: yes-it-is
  fields:
  - path: spec/custom/labels
    kind: Thing
    create: true
"#;

/// `kubectl kustomize` (v5.5.0) of the tree above.
const EXPECTED: &str = r#"apiVersion: v1
kind: Service
metadata:
  annotations:
    note: hello
    num: "3"
  labels:
    app: override
    custom: yes-it-is
    env: dev
    team: a
    tier: back
    zone: z1
  name: svc
spec:
  ports:
  - port: 80
  selector:
    app: override
    team: a
    zone: z1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    note: hello
    num: "3"
  labels:
    app: override
    custom: yes-it-is
    env: dev
    team: a
    tier: back
    zone: z1
  name: web
spec:
  selector:
    matchLabels:
      app: override
      team: a
      zone: z1
  template:
    metadata:
      annotations:
        note: hello
        num: "3"
      labels:
        app: override
        env: dev
        team: a
        zone: z1
    spec:
      containers:
      - image: nginx
        name: c
---
apiVersion: batch/v1
kind: CronJob
metadata:
  annotations:
    note: hello
    num: "3"
  labels:
    app: override
    custom: yes-it-is
    env: dev
    team: a
    tier: back
    zone: z1
  name: cj
spec:
  jobTemplate:
    metadata:
      annotations:
        note: hello
        num: "3"
      labels:
        app: override
        env: dev
        team: a
        zone: z1
    spec:
      template:
        metadata:
          annotations:
            note: hello
            num: "3"
          labels:
            app: override
            env: dev
            team: a
            zone: z1
        spec:
          containers:
          - image: busybox
            name: c
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  annotations:
    note: hello
    num: "3"
  labels:
    app: override
    custom: yes-it-is
    env: dev
    team: a
    tier: back
    zone: z1
  name: np
spec:
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: override
          role: fe
          team: a
          zone: z1
    - namespaceSelector: {}
  podSelector:
    matchLabels:
      app: override
      team: a
      zone: z1
---
apiVersion: x.io/v1
kind: Thing
metadata:
  annotations:
    note: hello
    num: "3"
  labels:
    app: override
    custom: yes-it-is
    env: dev
    team: a
    tier: back
    zone: z1
  name: t
spec:
  custom:
    labels:
      custom: yes-it-is
"#;

#[test]
fn labels_and_annotations_match_kubectl() {
    let mut rs = resources(RESOURCES);
    let specs = FieldSpecs::builtin();
    let labels = field(KUSTOMIZATION, "labels");
    let common = field(KUSTOMIZATION, "commonLabels");
    let annos = field(KUSTOMIZATION, "commonAnnotations");
    apply_labels(&mut rs, &labels, &specs).unwrap();
    apply_common_labels(&mut rs, &common, &specs).unwrap();
    annotations::apply(&mut rs, &annos, &specs).unwrap();
    assert_same(&rs, EXPECTED);

    // Provenance: an overwritten label keeps its key, gets the new value's span.
    let k = node(KUSTOMIZATION, 1);
    let app = at(&k, "/commonLabels/app");
    let deployment = &rs[0].node;
    let selector = at(deployment, "/spec/selector/matchLabels/app");
    assert_eq!(selector.span, app.span);
    assert_eq!(text_of(KUSTOMIZATION, selector.span), "override");
    assert_eq!(
        key_span(deployment, "/spec/selector/matchLabels/app").file,
        FileId(0)
    );
    // A new label's key carries the kustomization key's span.
    let team_key = key_span(&k, "/commonLabels/team");
    assert_eq!(key_span(deployment, "/metadata/labels/team"), team_key);
    // A created mapping carries the span of the value that made it.
    let svc_selector = at(&rs[1].node, "/spec/selector");
    assert_eq!(svc_selector.span.file, FileId(1));
    let note = at(
        &rs[2].node,
        "/spec/jobTemplate/spec/template/metadata/annotations/note",
    );
    assert_eq!(text_of(KUSTOMIZATION, note.span), "\"hello\"");
    // `fields` of a labels entry reach the custom path.
    let custom = at(&rs[4].node, "/spec/custom/labels/custom");
    assert_eq!(text_of(KUSTOMIZATION, custom.span), "yes-it-is");
}

#[test]
fn non_string_values_are_errors() {
    let mut rs = resources(RESOURCES);
    let bad = field("commonLabels:\n  a: 3\n", "commonLabels");
    let err = apply_common_labels(&mut rs, &bad, &FieldSpecs::builtin()).unwrap_err();
    assert!(err.message.contains("number"), "{}", err.message);
}
