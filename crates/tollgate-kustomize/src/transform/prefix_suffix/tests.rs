//! Tests of `namePrefix` / `nameSuffix` (kubectl comparisons with name
//! references are in the nameref tests).

use super::*;
use crate::transform::testutil::*;

#[test]
fn prefix_records_previous_id_and_skips_namespaces() {
    let k = "namePrefix: a-\nnameSuffix: -z\n";
    let mut rs = resources(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1.x\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
    );
    let specs = FieldSpecs::builtin();
    apply_prefix(&mut rs, &field(k, "namePrefix"), &specs).unwrap();
    apply_suffix(&mut rs, &field(k, "nameSuffix"), &specs).unwrap();
    assert_same(
        &rs,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1.x\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a-s-z\n",
    );
    let names: Vec<&str> = rs[2].previous_ids.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, vec!["s", "a-s"]);
    assert_eq!(rs[2].original_id().name, "s");
    assert_eq!(text_of(k, at(&rs[2].node, "/metadata/name").span), "-z");
    assert!(rs[0].previous_ids.is_empty());
}

#[test]
fn empty_prefix_does_nothing() {
    let mut rs = resources("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n");
    apply_prefix(
        &mut rs,
        &field("namePrefix: \"\"\n", "namePrefix"),
        &FieldSpecs::builtin(),
    )
    .unwrap();
    assert!(rs[0].previous_ids.is_empty());
    assert!(rs[0].name_prefixes.is_empty());
}
