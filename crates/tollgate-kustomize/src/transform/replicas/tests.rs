//! Tests of `replicas` (kubectl comparisons are in the images tests).

use super::*;
use crate::fieldspec::FieldSpecs;
use crate::transform::testutil::*;

#[test]
fn replicas_match_previous_names_and_create_the_field() {
    let mut rs =
        resources("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: pre-web\nspec: {}\n");
    rs[0].previous_ids.push(crate::ResId {
        group: "apps".into(),
        version: "v1".into(),
        kind: "Deployment".into(),
        namespace: String::new(),
        name: "web".into(),
    });
    let k = "replicas:\n- name: web\n  count: 4\n";
    apply(&mut rs, &field(k, "replicas"), &FieldSpecs::builtin()).unwrap();
    let n = at(&rs[0].node, "/spec/replicas");
    assert_eq!(n.value, Value::Int(4));
    assert_eq!(text_of(k, key_span(&rs[0].node, "/spec/replicas")), "4");
}
