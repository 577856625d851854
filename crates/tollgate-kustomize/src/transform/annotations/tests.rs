//! Tests of `commonAnnotations` (kubectl comparisons are in the labels
//! tests, which run both).

use super::*;
use crate::fieldspec::FieldSpecs;
use crate::transform::testutil::*;

#[test]
fn annotations_reach_pod_templates_with_spans() {
    let k = "commonAnnotations:\n  owner: me\n";
    let mut rs = resources(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n",
    );
    apply(
        &mut rs,
        &field(k, "commonAnnotations"),
        &FieldSpecs::builtin(),
    )
    .unwrap();
    assert_same(
        &rs,
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: d\n  annotations:\n    owner: me\nspec:\n  template:\n    metadata:\n      annotations:\n        owner: me\n    spec: {}\n",
    );
    let v = at(&rs[0].node, "/spec/template/metadata/annotations/owner");
    assert_eq!(text_of(k, v.span), "me");
    assert_eq!(
        text_of(k, key_span(&rs[0].node, "/metadata/annotations/owner")),
        "owner"
    );
}
