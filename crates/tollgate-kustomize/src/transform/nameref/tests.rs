//! Tests of name references against `kubectl kustomize` output: a base
//! renamed by `namespace`, `namePrefix` and `nameSuffix`, every kind of
//! reference the default configuration lists.

use super::*;
use crate::transform::testutil::*;
use crate::transform::{namespace, prefix_suffix};
use tollgate_load::FileId;

const RESOURCES: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
---
apiVersion: v1
kind: Secret
metadata:
  name: sec
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa
---
apiVersion: v1
kind: Service
metadata:
  name: svc
---
apiVersion: v1
kind: Namespace
metadata:
  name: myns
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.x.io
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: role
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: role
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: role
subjects:
- kind: ServiceAccount
  name: sa
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      serviceAccountName: sa
      volumes:
      - name: v
        configMap:
          name: cfg
      - name: s
        secret:
          secretName: sec
      - name: p
        projected:
          sources:
          - configMap:
              name: cfg
          - secret:
              name: unknown
      containers:
      - name: c
        envFrom:
        - configMapRef:
            name: cfg
        env:
        - name: X
          valueFrom:
            secretKeyRef:
              name: sec
              key: k
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: hpa
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
spec:
  rules:
  - http:
      paths:
      - backend:
          service:
            name: svc
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- name: a
  clientConfig:
    service:
      name: svc
      namespace: default
"#;

const KUSTOMIZATION: &str =
    "namePrefix: pre-\nnameSuffix: -suf\nnamespace: team\nresources:\n- base\n";

/// `kubectl kustomize` (v5.5.0) of the tree above.
const EXPECTED: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.x.io
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: pre-sa-suf
  namespace: team
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pre-role-suf
  namespace: team
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pre-role-suf
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: pre-rb-suf
  namespace: team
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: pre-role-suf
subjects:
- kind: ServiceAccount
  name: pre-sa-suf
  namespace: team
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: pre-cfg-suf
  namespace: team
---
apiVersion: v1
kind: Secret
metadata:
  name: pre-sec-suf
  namespace: team
---
apiVersion: v1
kind: Service
metadata:
  name: pre-svc-suf
  namespace: team
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pre-web-suf
  namespace: team
spec:
  template:
    spec:
      containers:
      - env:
        - name: X
          valueFrom:
            secretKeyRef:
              key: k
              name: pre-sec-suf
        envFrom:
        - configMapRef:
            name: pre-cfg-suf
        name: c
      serviceAccountName: pre-sa-suf
      volumes:
      - configMap:
          name: pre-cfg-suf
        name: v
      - name: s
        secret:
          secretName: pre-sec-suf
      - name: p
        projected:
          sources:
          - configMap:
              name: pre-cfg-suf
          - secret:
              name: unknown
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: pre-hpa-suf
  namespace: team
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: pre-web-suf
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: pre-ing-suf
  namespace: team
spec:
  rules:
  - http:
      paths:
      - backend:
          service:
            name: pre-svc-suf
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: pre-vwc-suf
webhooks:
- clientConfig:
    service:
      name: pre-svc-suf
      namespace: team
  name: a
"#;

fn render(kustomization: &str) -> Vec<Resource> {
    let mut rs = resources(RESOURCES);
    let specs = FieldSpecs::builtin();
    let k = node(kustomization, 1);
    if let Some(ns) = k.get("namespace") {
        namespace::apply(&mut rs, ns, &specs).unwrap();
    }
    if let Some(p) = k.get("namePrefix") {
        prefix_suffix::apply_prefix(&mut rs, p, &specs).unwrap();
    }
    if let Some(s) = k.get("nameSuffix") {
        prefix_suffix::apply_suffix(&mut rs, s, &specs).unwrap();
    }
    apply(&mut rs, &specs).unwrap();
    rs
}

#[test]
fn references_follow_renames_like_kubectl() {
    let rs = render(KUSTOMIZATION);
    assert_same(&rs, EXPECTED);
    let k = node(KUSTOMIZATION, 1);
    let suffix = k.get("nameSuffix").unwrap().span;
    // The rewritten reference carries the span of the referral's name: the
    // suffix wrote it last.
    let deployment = &rs[9].node;
    let cm = at(deployment, "/spec/template/spec/volumes/0/configMap/name");
    assert_eq!(cm.as_str(), Some("pre-cfg-suf"));
    assert_eq!(cm.span, suffix);
    // A reference to nothing in the render keeps its own span.
    let unknown = at(
        deployment,
        "/spec/template/spec/volumes/2/projected/sources/1/secret/name",
    );
    assert_eq!(unknown.span.file, FileId(0));
    // Webhook service: name and namespace from the referral.
    let vwc = &rs[12].node;
    let ns = at(vwc, "/webhooks/0/clientConfig/service/namespace");
    assert_eq!(ns.as_str(), Some("team"));
    assert_eq!(ns.span, k.get("namespace").unwrap().span);
    // Prefixes and suffixes are recorded for disambiguation.
    assert_eq!(rs[0].name_prefixes, vec!["pre-".to_owned()]);
    assert_eq!(rs[0].name_suffixes, vec!["-suf".to_owned()]);
    // Skipped kinds are not renamed nor recorded.
    assert!(rs[4].name_prefixes.is_empty());
    assert_eq!(
        at(&rs[5].node, "/metadata/name").as_str(),
        Some("things.x.io")
    );
}

#[test]
fn a_prefix_alone_carries_the_prefix_span() {
    let k = "namePrefix: pre-\n";
    let rs = render(k);
    let prefix = node(k, 1).get("namePrefix").unwrap().span;
    let hpa_ref = at(&rs[10].node, "/spec/scaleTargetRef/name");
    assert_eq!(hpa_ref.as_str(), Some("pre-web"));
    assert_eq!(hpa_ref.span, prefix);
    assert_eq!(text_of(k, hpa_ref.span), "pre-");
    // The roleRef picks the ClusterRole, not the Role of the same name.
    assert_eq!(at(&rs[8].node, "/roleRef/name").as_str(), Some("pre-role"));
    let subject = at(&rs[8].node, "/subjects/0");
    assert_eq!(subject.get("name").and_then(Node::as_str), Some("pre-sa"));
    // The referral has no namespace: none is added.
    assert!(subject.get("namespace").is_none());
}

#[test]
fn ambiguous_referrals_are_an_error() {
    let mut rs = resources(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n  - configMap:\n      name: a\n",
    );
    // Both config maps claim to have been called `a` before.
    for (r, new) in rs.iter_mut().zip(["a-1", "a-2"]) {
        crate::transform::store_previous_id(r);
        r.previous_ids[0].name = "a".into();
        crate::transform::set_string(
            r.node.get_mut("metadata").unwrap().get_mut("name").unwrap(),
            new,
            Span::default(),
        );
    }
    let err = apply(&mut rs, &FieldSpecs::builtin()).unwrap_err();
    assert!(
        err.message.contains("multiple possible referrals"),
        "{}",
        err.message
    );
}

/// A kubebuilder-style `configurations:` file (from the corpus' kubeflow
/// manifests) and one for a custom kind.
const CONFIG_WEBHOOK: &str = r#"# the following config is for teaching kustomize where to look at when substituting vars.
# It requires kustomize v2.1.0 or newer to work properly.
nameReference:
- kind: Service
  version: v1
  fieldSpecs:
  - kind: MutatingWebhookConfiguration
    group: admissionregistration.k8s.io
    path: webhooks/clientConfig/service/name
  - kind: ValidatingWebhookConfiguration
    group: admissionregistration.k8s.io
    path: webhooks/clientConfig/service/name

namespace:
- kind: MutatingWebhookConfiguration
  group: admissionregistration.k8s.io
  path: webhooks/clientConfig/service/namespace
  create: true
- kind: ValidatingWebhookConfiguration
  group: admissionregistration.k8s.io
  path: webhooks/clientConfig/service/namespace
  create: true

varReference:
- path: metadata/annotations
"#;
const CONFIG_MYKIND: &str = r#"nameReference:
- kind: Service
  version: v1
  fieldSpecs:
  - kind: MyKind
    path: spec/svc
commonLabels:
- kind: MyKind
  path: spec/sel
  create: true
"#;
const CONFIG_RESOURCES: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: webhook-service
  namespace: system
spec:
  ports:
  - port: 443
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- name: a
  clientConfig:
    service:
      name: webhook-service
      namespace: system
      path: /validate
---
apiVersion: x.io/v1
kind: MyKind
metadata:
  name: mk
spec:
  svc: webhook-service
"#;
/// `kubectl kustomize` with `namespace: sys`, `namePrefix: p-` and both
/// configurations.
const CONFIG_EXPECTED: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: p-webhook-service
  namespace: sys
spec:
  ports:
  - port: 443
---
apiVersion: x.io/v1
kind: MyKind
metadata:
  name: p-mk
  namespace: sys
spec:
  svc: p-webhook-service
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: p-vwc
webhooks:
- clientConfig:
    service:
      name: p-webhook-service
      namespace: sys
      path: /validate
  name: a
"#;
/// A webhook with a `url` gets an empty `service` from the namespace spec's
/// `create: true`, and kustomize then fails on its missing name.
const CONFIG_RESOURCES_ERR: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: webhook-service
  namespace: system
spec:
  ports:
  - port: 443
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- name: a
  clientConfig:
    service:
      name: webhook-service
      namespace: system
      path: /validate
- name: b
  clientConfig:
    url: https://x
---
apiVersion: x.io/v1
kind: MyKind
metadata:
  name: mk
spec:
  svc: webhook-service
"#;

fn render_configured(resources_text: &str) -> Result<Vec<Resource>, Problem> {
    let mut rs = resources(resources_text);
    let specs =
        FieldSpecs::with_configurations(&[node(CONFIG_WEBHOOK, 2), node(CONFIG_MYKIND, 3)])?;
    let k = node("namespace: sys\nnamePrefix: p-\n", 1);
    namespace::apply(&mut rs, k.get("namespace").unwrap(), &specs)?;
    prefix_suffix::apply_prefix(&mut rs, k.get("namePrefix").unwrap(), &specs)?;
    apply(&mut rs, &specs)?;
    Ok(rs)
}

#[test]
fn configurations_extend_references_like_kubectl() {
    let rs = render_configured(CONFIG_RESOURCES).unwrap();
    assert_same(&rs, CONFIG_EXPECTED);
    let svc = at(&rs[2].node, "/spec/svc");
    assert_eq!(svc.span.file, FileId(1));
    let err = render_configured(CONFIG_RESOURCES_ERR).unwrap_err();
    assert!(
        err.message.contains("no 'name' field in node"),
        "{}",
        err.message
    );
}
