//! Tests of the namespace transformer against `kubectl kustomize` output.

use super::*;
use crate::transform::testutil::*;
use tollgate_load::FileId;

const RESOURCES: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: old
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      serviceAccountName: default
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  namespace: other
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: r
subjects:
- kind: ServiceAccount
  name: default
  namespace: foo
- kind: ServiceAccount
  name: app
  namespace: foo
- kind: User
  name: default
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1.x.io
spec:
  service:
    name: svc
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crds.x.io
spec:
  conversion:
    webhook:
      clientConfig:
        service:
          name: conv
          namespace: old
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- name: a
  clientConfig:
    service:
      name: hook
      namespace: old
---
apiVersion: x.io/v1
kind: Thing
metadata:
  name: t
  namespace: ~
"#;

const KUSTOMIZATION: &str = "namespace: prod\nresources:\n- res.yaml\n";

/// `kubectl kustomize` (v5.5.0) of the tree above.
const EXPECTED: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: prod
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crds.x.io
spec:
  conversion:
    webhook:
      clientConfig:
        service:
          name: conv
          namespace: prod
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: rb
  namespace: prod
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: r
subjects:
- kind: ServiceAccount
  name: default
  namespace: prod
- kind: ServiceAccount
  name: app
  namespace: foo
- kind: User
  name: default
  namespace: prod
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  namespace: prod
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      serviceAccountName: default
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1.x.io
spec:
  service:
    name: svc
    namespace: prod
---
apiVersion: x.io/v1
kind: Thing
metadata:
  name: t
  namespace: prod
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: vwc
webhooks:
- clientConfig:
    service:
      name: hook
      namespace: old
  name: a
"#;

#[test]
fn namespace_matches_kubectl() {
    let mut rs = resources(RESOURCES);
    let field = field(KUSTOMIZATION, "namespace");
    apply(&mut rs, &field, &FieldSpecs::builtin()).unwrap();
    assert_same(&rs, EXPECTED);
    // Provenance: every namespace written points at the `namespace:` value.
    let deployment = &rs[1].node;
    let ns = at(deployment, "/metadata/namespace");
    assert_eq!(ns.span, field.span);
    assert_eq!(text_of(KUSTOMIZATION, ns.span), "prod");
    assert_eq!(key_span(deployment, "/metadata/namespace"), field.span);
    // The renamed Namespace and the RoleBinding's `default` subject too.
    assert_eq!(at(&rs[0].node, "/metadata/name").span, field.span);
    assert_eq!(at(&rs[4].node, "/subjects/0/namespace").span, field.span);
    // Untouched nodes keep their own spans (file 0).
    assert_eq!(
        at(&rs[4].node, "/subjects/1/namespace").span.file,
        FileId(0)
    );
    // Previous ids record the id before the change.
    assert_eq!(rs[2].previous_ids[0].namespace, "other");
    assert_eq!(rs[0].previous_ids[0].name, "old");
}

#[test]
fn unset_only_and_subject_modes() {
    let mut rs = resources(RESOURCES);
    let span = Span::new(0, 1).in_file(FileId(3));
    let options = NamespaceOptions {
        unset_only: true,
        subjects: SubjectMode::AllServiceAccounts,
    };
    apply_with(
        &mut rs,
        "prod",
        span,
        &options,
        &FieldSpecs::builtin().namespace,
    )
    .unwrap();
    assert_eq!(
        at(&rs[2].node, "/metadata/namespace").as_str(),
        Some("other")
    );
    assert_eq!(
        at(&rs[1].node, "/metadata/namespace").as_str(),
        Some("prod")
    );
    // Both ServiceAccount subjects already had one: unset-only keeps them.
    assert_eq!(
        at(&rs[4].node, "/subjects/1/namespace").as_str(),
        Some("foo")
    );
    // The User subject is no ServiceAccount: no namespace added.
    assert!(at(&rs[4].node, "/subjects/2").get("namespace").is_none());
}

#[test]
fn id_conflict_is_an_error() {
    let mut rs = resources(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: y\n",
    );
    let field = field("namespace: z\n", "namespace");
    let err = apply(&mut rs, &field, &FieldSpecs::builtin()).unwrap_err();
    assert!(err.message.contains("ID conflict"), "{}", err.message);
}
