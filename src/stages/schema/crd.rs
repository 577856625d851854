//! CustomResourceDefinitions to JSON Schemas, with no conversion script.
//!
//! Each served version of a CRD gives a schema for `{group}/{version}` `{kind}`:
//! its `openAPIV3Schema` (an OpenAPI 3.0 schema) rewritten as JSON Schema 2020-12.
//! The Kubernetes extensions are honoured: `nullable` adds `null` to the type,
//! `x-kubernetes-int-or-string` means integer or string,
//! `x-kubernetes-embedded-resource` requires `apiVersion` and `kind` and allows
//! `metadata`, and `x-kubernetes-preserve-unknown-fields` keeps a node open.
//!
//! Unknown fields: the API server prunes fields a structural schema does not
//! declare, and `kubectl apply` (server-side field validation `Strict`, the default
//! since 1.27) rejects them instead. So in strict mode every object node that lists
//! `properties` gets `additionalProperties: false`, unless it preserves unknown
//! fields. Object nodes without `properties` stay open (tollgate does not claim a
//! bare `type: object` is empty), and the branches of `allOf`/`anyOf`/`oneOf`/`not`
//! are value validations, never closed. CEL rules (`x-kubernetes-validations`),
//! `format` and defaults are not checked.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};

/// An `openAPIV3Schema`, shared by the versions that use it.
type OpenApi = Arc<Stored>;

/// An `openAPIV3Schema` kept as compact JSON text until a custom resource of
/// its kind is checked: a repository (kubeflow's, with Istio, Knative and
/// the training operators) can hold many large CRDs and use few of them, and
/// the text takes a tenth of the memory of the parsed tree.
///
/// The whole schema is parsed again each time it is converted (once per kind
/// and run, again on a first schema error), never kept; what pruning nulls
/// reads for every custom resource is kept, reduced to that ([`slim`]).
#[derive(Debug)]
struct Stored {
    /// The schema as JSON text (`None`: kept parsed, see [`Stored::new`]).
    text: Option<Box<str>>,
    /// The schema, when it has no text.
    parsed: OnceLock<Map<String, Value>>,
    /// The keys pruning reads, on first use.
    pruning: OnceLock<Map<String, Value>>,
}

impl Stored {
    fn new(schema: Map<String, Value>) -> Self {
        // Integers and strings read back exactly; a fractional number might
        // not (serde_json parses floats fast, not always to the last bit),
        // so a schema with one stays parsed.
        if !has_fraction(&schema)
            && let Ok(text) = serde_json::to_string(&schema)
        {
            return Self {
                text: Some(text.into_boxed_str()),
                parsed: OnceLock::new(),
                pruning: OnceLock::new(),
            };
        }
        Self {
            text: None,
            parsed: OnceLock::from(schema),
            pruning: OnceLock::new(),
        }
    }

    /// The whole schema (parsed from its text each time).
    fn get(&self) -> std::borrow::Cow<'_, Map<String, Value>> {
        match (&self.text, self.parsed.get()) {
            (_, Some(parsed)) => std::borrow::Cow::Borrowed(parsed),
            (Some(text), None) => {
                std::borrow::Cow::Owned(serde_json::from_str(text).unwrap_or_default())
            }
            (None, None) => std::borrow::Cow::Owned(Map::new()),
        }
    }

    /// What [`prune`] reads of the schema, kept once read.
    fn for_pruning(&self) -> &Map<String, Value> {
        self.pruning.get_or_init(|| slim(&self.get()))
    }
}

/// The keys [`prune`] reads: `properties`, `additionalProperties`, `items`,
/// `nullable` and `default`, at every level.
fn slim(schema: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in schema {
        match (key.as_str(), value) {
            ("properties", Value::Object(fields)) => {
                let fields = fields
                    .iter()
                    .map(|(k, v)| {
                        let v = v
                            .as_object()
                            .map_or(Value::Null, |f| Value::Object(slim(f)));
                        (k.clone(), v)
                    })
                    .collect();
                out.insert(key.clone(), Value::Object(fields));
            }
            ("additionalProperties" | "items", Value::Object(inner)) => {
                out.insert(key.clone(), Value::Object(slim(inner)));
            }
            ("nullable" | "default", _) => {
                out.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    out
}

/// Whether a JSON tree holds a number that is not an integer.
fn has_fraction(map: &Map<String, Value>) -> bool {
    let mut stack: Vec<&Value> = map.values().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::Number(n) if n.is_f64() => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(fields) => stack.extend(fields.values()),
            _ => {}
        }
    }
    false
}

/// One custom resource schema taken from a CRD, converted when first used.
#[derive(Clone, Debug)]
pub(crate) struct CustomSchema {
    /// `{group}/{version}`.
    pub(crate) api_version: String,
    /// `spec.names.kind`.
    pub(crate) kind: String,
    /// The version's `openAPIV3Schema` (none: any object).
    openapi: Option<OpenApi>,
    /// Whether undeclared fields are errors.
    strict: bool,
}

impl CustomSchema {
    /// The JSON Schema (draft 2020-12).
    pub(crate) fn json_schema(&self) -> Value {
        let mut converted = match &self.openapi {
            Some(s) => convert(&s.get(), self.strict),
            None => json!({"type": "object"}),
        };
        add_root_fields(&mut converted, self.strict);
        if let Some(obj) = converted.as_object_mut() {
            obj.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
        }
        converted
    }
}

impl CustomSchema {
    /// Drops nulls the API server drops before validating a custom resource: a
    /// field whose value is `null` and whose schema is not `nullable: true` is
    /// removed (or set to its `default`, as defaulting does), so
    /// `scmProvider.gitlab: null` means "not set". Fields the schema does not
    /// describe, and null items of arrays, are kept (as the API server keeps them).
    pub(crate) fn prune_nulls(&self, instance: &mut Value) {
        if let Some(openapi) = &self.openapi {
            prune(instance, openapi.for_pruning());
        }
    }
}

/// `PruneNonNullableNullsWithoutDefaults` of the apiextensions API server, walked
/// over the OpenAPI schema.
fn prune(value: &mut Value, schema: &Map<String, Value>) {
    match value {
        Value::Object(fields) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let additional = schema
                .get("additionalProperties")
                .and_then(Value::as_object);
            let mut drop = Vec::new();
            for (key, v) in fields.iter_mut() {
                let Some(field) = props
                    .and_then(|p| p.get(key))
                    .and_then(Value::as_object)
                    .or(additional)
                else {
                    continue;
                };
                if v.is_null() {
                    if field.get("nullable").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    match field.get("default") {
                        Some(d) if !d.is_null() => *v = d.clone(),
                        _ => drop.push(key.clone()),
                    }
                    continue;
                }
                prune(v, field);
            }
            for key in drop {
                fields.remove(&key);
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items").and_then(Value::as_object) {
                for v in items {
                    prune(v, item);
                }
            }
        }
        _ => {}
    }
}

/// A digest of what [`schemas`] reads from a CRD: `apiVersion`, and in
/// `spec` the group, `names.kind`, `version`, `preserveUnknownFields`, the
/// shared `validation` schema and each version's name, `served` flag and
/// schema (keys, values and their order; spans ignored). Two CRDs with the
/// same digest give the same schemas, whatever their metadata (labels and
/// namespaces a render target adds), so a CRD that several targets include
/// is converted once per run.
pub(crate) fn digest(crd: &crate::load::Node) -> [u8; 32] {
    use crate::load::{Node, Value};
    use sha2::{Digest, Sha256};
    fn at<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
        path.iter().try_fold(node, |n, key| n.get(key))
    }
    fn feed(node: Option<&Node>, h: &mut Sha256) {
        let Some(node) = node else {
            return h.update([0]);
        };
        // A tag per value kind, and lengths before contents: no two trees
        // feed the same bytes.
        match &node.value {
            Value::Null => h.update([1]),
            Value::Bool(b) => h.update([2, u8::from(*b)]),
            Value::Int(i) => {
                h.update([3]);
                h.update(i.to_le_bytes());
            }
            Value::UInt(u) => {
                h.update([4]);
                h.update(u.to_le_bytes());
            }
            Value::Float(f) => {
                h.update([5]);
                h.update(f.to_bits().to_le_bytes());
            }
            Value::String(s) => {
                h.update([6]);
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            Value::Seq(items) => {
                h.update([7]);
                h.update((items.len() as u64).to_le_bytes());
                for item in items {
                    feed(Some(item), h);
                }
            }
            Value::Map(entries) => {
                h.update([8]);
                h.update((entries.len() as u64).to_le_bytes());
                for e in entries {
                    h.update((e.key.len() as u64).to_le_bytes());
                    h.update(e.key.as_bytes());
                    feed(Some(&e.value), h);
                }
            }
        }
    }
    let mut h = Sha256::new();
    feed(crd.get("apiVersion"), &mut h);
    let spec = crd.get("spec");
    let field = |path: &[&str]| spec.and_then(|s| at(s, path));
    for path in [
        &["group"][..],
        &["names", "kind"],
        &["version"],
        &["preserveUnknownFields"],
        &["validation", "openAPIV3Schema"],
    ] {
        feed(field(path), &mut h);
    }
    match field(&["versions"]).map(|v| &v.value) {
        Some(Value::Seq(versions)) => {
            h.update([9]);
            h.update((versions.len() as u64).to_le_bytes());
            for v in versions {
                feed(v.get("name"), &mut h);
                feed(v.get("served"), &mut h);
                feed(at(v, &["schema", "openAPIV3Schema"]), &mut h);
            }
        }
        _ => feed(field(&["versions"]), &mut h),
    }
    h.finalize().into()
}

/// Whether an apiVersion/kind is a CRD.
pub(crate) fn is_crd(api_version: &str, kind: &str) -> bool {
    kind == "CustomResourceDefinition"
        && matches!(
            api_version,
            "apiextensions.k8s.io/v1" | "apiextensions.k8s.io/v1beta1"
        )
}

/// The schemas of every served version of a CRD (`apiextensions.k8s.io/v1` or
/// `v1beta1`), as JSON. Versions without a schema accept any object.
pub(crate) fn schemas(mut crd: Value, strict: bool) -> Vec<CustomSchema> {
    let v1beta1 = crd["apiVersion"].as_str() == Some("apiextensions.k8s.io/v1beta1");
    let spec = &mut crd["spec"];
    let (Some(group), Some(kind)) = (
        spec["group"].as_str().map(str::to_owned),
        spec["names"]["kind"].as_str().map(str::to_owned),
    ) else {
        return Vec::new();
    };
    // v1beta1: one schema for all versions unless a version has its own, and
    // unknown fields are kept unless `preserveUnknownFields: false`.
    let shared = take_object(&mut spec["validation"]["openAPIV3Schema"]);
    let preserve_all = spec["preserveUnknownFields"].as_bool().unwrap_or(v1beta1);
    let strict = strict && !preserve_all;
    let mut versions: Vec<(String, Option<OpenApi>)> = Vec::new();
    if let Some(list) = spec["versions"].as_array_mut() {
        for v in list {
            if v["served"].as_bool() == Some(false) {
                continue;
            }
            if let Some(name) = v["name"].as_str().map(str::to_owned) {
                let own = take_object(&mut v["schema"]["openAPIV3Schema"]);
                versions.push((name, own.or_else(|| shared.clone())));
            }
        }
    } else if let Some(name) = spec["version"].as_str() {
        versions.push((name.to_owned(), shared.clone()));
    }
    versions
        .into_iter()
        .map(|(version, openapi)| CustomSchema {
            api_version: format!("{group}/{version}"),
            kind: kind.clone(),
            openapi,
            strict,
        })
        .collect()
}

/// Moves an object out of a JSON tree (without copying it).
fn take_object(value: &mut Value) -> Option<OpenApi> {
    match value.take() {
        Value::Object(map) => Some(Arc::new(Stored::new(map))),
        _ => None,
    }
}

/// `apiVersion`, `kind` and `metadata` are implicit at the root of a custom resource.
fn add_root_fields(schema: &mut Value, strict: bool) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let props = obj
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(props) = props.as_object_mut() {
        props
            .entry("apiVersion")
            .or_insert_with(|| json!({"type": "string"}));
        props
            .entry("kind")
            .or_insert_with(|| json!({"type": "string"}));
        props
            .entry("metadata")
            .or_insert_with(|| json!({"type": "object"}));
    }
    let preserve = obj.get("additionalProperties").is_some();
    if strict && !preserve && !obj.contains_key("x-kubernetes-preserve-unknown-fields") {
        obj.insert("additionalProperties".into(), Value::Bool(false));
    }
}

/// Keywords copied unchanged from OpenAPI 3.0 to JSON Schema.
const COPIED: [&str; 14] = [
    "type",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "required",
];

/// Converts one OpenAPI 3.0 schema node; `strict` closes objects with `properties`.
pub(crate) fn convert(s: &Map<String, Value>, strict: bool) -> Value {
    let mut out = Map::new();
    for key in COPIED {
        if let Some(v) = s.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    // OpenAPI 3.0 (like draft 4) spells exclusive bounds as booleans.
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match s.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(limit) = out.remove(bound) {
                    out.insert(flag.into(), limit);
                }
            }
            Some(n @ Value::Number(_)) => {
                out.insert(flag.into(), n.clone());
            }
            _ => {}
        }
    }
    let flag = |name: &str| s.get(name).and_then(Value::as_bool).unwrap_or(false);
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    if flag("x-kubernetes-int-or-string") {
        out.insert("type".into(), json!(["integer", "string"]));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        let converted: Map<String, Value> = props
            .iter()
            .map(|(k, v)| (k.clone(), node(v, strict)))
            .collect();
        out.insert("properties".into(), Value::Object(converted));
    }
    match s.get("additionalProperties") {
        Some(Value::Bool(b)) => {
            out.insert("additionalProperties".into(), Value::Bool(*b));
        }
        Some(v @ Value::Object(_)) => {
            out.insert("additionalProperties".into(), node(v, strict));
        }
        _ => {}
    }
    match s.get("items") {
        Some(v @ Value::Object(_)) => {
            out.insert("items".into(), node(v, strict));
        }
        Some(Value::Array(items)) => {
            let prefix: Vec<Value> = items.iter().map(|v| node(v, strict)).collect();
            out.insert("prefixItems".into(), Value::Array(prefix));
        }
        _ => {}
    }
    for junctor in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = s.get(junctor).and_then(Value::as_array) {
            let branches: Vec<Value> = list.iter().map(|v| node(v, false)).collect();
            out.insert(junctor.into(), Value::Array(branches));
        }
    }
    if let Some(not) = s.get("not") {
        out.insert("not".into(), node(not, false));
    }
    if flag("x-kubernetes-embedded-resource") {
        let props = out
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(props) = props.as_object_mut() {
            props
                .entry("apiVersion")
                .or_insert_with(|| json!({"type": "string", "minLength": 1}));
            props
                .entry("kind")
                .or_insert_with(|| json!({"type": "string", "minLength": 1}));
            props
                .entry("metadata")
                .or_insert_with(|| json!({"type": "object"}));
        }
        let required = out
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = required.as_array_mut() {
            for field in ["apiVersion", "kind"] {
                if !list.iter().any(|v| v == field) {
                    list.push(json!(field));
                }
            }
        }
    }
    if strict
        && !preserve
        && out.contains_key("properties")
        && !out.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    if preserve {
        out.insert("x-kubernetes-preserve-unknown-fields".into(), json!(true));
    }
    if flag("nullable") {
        if let Some(t) = out.get_mut("type") {
            match t {
                Value::String(name) => *t = json!([name.clone(), "null"]),
                Value::Array(list) if !list.iter().any(|v| v == "null") => list.push(json!("null")),
                _ => {}
            }
        }
        if let Some(Value::Array(list)) = out.get_mut("enum")
            && !list.contains(&Value::Null)
        {
            list.push(Value::Null);
        }
    }
    Value::Object(out)
}

fn node(v: &Value, strict: bool) -> Value {
    match v {
        Value::Object(map) => convert(map, strict),
        // `true`/`false` schemas are not OpenAPI but mean the same in JSON Schema.
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> crate::load::Node {
        let loaded = crate::load::load(
            text,
            crate::load::Syntax::Yaml,
            &crate::load::Limits::default(),
        );
        match loaded.documents.into_iter().next() {
            Some(doc) => doc.root,
            None => panic!("no document in {text}"),
        }
    }

    const WIDGET: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec: {type: object, properties: {size: {type: integer}}}\n";

    #[test]
    fn the_digest_ignores_what_schemas_do_not_read() {
        let plain = digest(&tree(WIDGET));
        // Labels, a namespace on the conversion webhook, another plural: a
        // render target's transformers change these, never the schemas.
        let labelled = WIDGET.replace(
            "  name: widgets.example.com\n",
            "  name: widgets.example.com\n  labels: {app: a}\n",
        );
        assert_eq!(digest(&tree(&labelled)), plain);
        let plural = WIDGET.replace("plural: widgets", "plural: widgetz");
        assert_eq!(digest(&tree(&plural)), plain);
        let conversion = WIDGET.replace(
            "  scope: Namespaced\n",
            "  scope: Namespaced\n  conversion: {strategy: None}\n",
        );
        assert_eq!(digest(&tree(&conversion)), plain);
        // Anything schemas() reads changes it.
        for (from, to) in [
            ("type: integer", "type: string"),
            ("group: example.com", "group: example.org"),
            ("kind: Widget", "kind: Gadget"),
            ("name: v1\n", "name: v2\n"),
            ("served: true", "served: false"),
            (
                "apiextensions.k8s.io/v1\n",
                "apiextensions.k8s.io/v1beta1\n",
            ),
        ] {
            let changed = WIDGET.replacen(from, to, 1);
            assert_ne!(changed, WIDGET, "{from}");
            assert_ne!(digest(&tree(&changed)), plain, "{from} -> {to}");
        }
        let preserve = WIDGET.replace(
            "  scope: Namespaced\n",
            "  scope: Namespaced\n  preserveUnknownFields: true\n",
        );
        assert_ne!(digest(&tree(&preserve)), plain);
    }

    #[test]
    fn a_stored_schema_reads_back_exactly() {
        let exact = json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": -3, "maximum": 18446744073709551615_u64, "enum": [1, "a", null, true]}}});
        let Some(exact) = exact.as_object().cloned() else {
            panic!("not an object");
        };
        let stored = Stored::new(exact.clone());
        assert!(stored.text.is_some() && stored.parsed.get().is_none());
        assert_eq!(*stored.get(), exact);
        assert!(
            stored.parsed.get().is_none(),
            "the whole schema is not kept"
        );
        // A fractional number stays parsed: it is kept as it was read.
        let Some(fraction) = json!({"type": "number", "multipleOf": 0.1})
            .as_object()
            .cloned()
        else {
            panic!("not an object");
        };
        let stored = Stored::new(fraction.clone());
        assert!(stored.text.is_none());
        assert_eq!(*stored.get(), fraction);
    }

    #[test]
    fn equal_digests_give_equal_schemas() {
        let a = tree(WIDGET);
        let b = tree(&WIDGET.replace(
            "  name: widgets.example.com\n",
            "  name: w\n  namespace: x\n",
        ));
        assert_eq!(digest(&a), digest(&b));
        let (sa, sb) = (schemas(a.to_json(), true), schemas(b.to_json(), true));
        assert_eq!(sa.len(), 1);
        assert_eq!(sa[0].json_schema(), sb[0].json_schema());
    }

    fn crd() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget"},
                "versions": [
                    {"name": "v1", "served": true, "schema": {"openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "required": ["size"], "properties": {
                                "size": {"x-kubernetes-int-or-string": true},
                                "note": {"type": "string", "nullable": true},
                                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                                             "x-kubernetes-preserve-unknown-fields": true},
                                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true}
                            }}
                        }
                    }}},
                    {"name": "v0", "served": false, "schema": {"openAPIV3Schema": {"type": "object"}}}
                ]
            }
        })
    }

    fn valid(schema: &Value, instance: &Value) -> bool {
        jsonschema::validator_for(schema).is_ok_and(|v| v.is_valid(instance))
    }

    #[test]
    fn served_versions_become_strict_schemas() {
        let s = schemas(crd(), true);
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].api_version.as_str(), s[0].kind.as_str()),
            ("example.com/v1", "Widget")
        );
        let schema = &s[0].json_schema();
        let ok = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"},
            "spec": {"size": "50%", "note": null, "extra": {"anything": 1},
                     "template": {"apiVersion": "v1", "kind": "Pod", "spec": {}}, "ratio": 0.5}});
        assert!(valid(schema, &ok));
        let cases = [
            json!({"spec": {"size": true}}),
            json!({"spec": {"size": 1, "unknown": 1}}),
            json!({"spec": {}}),
            json!({"spec": {"size": 1, "template": {"kind": "Pod"}}}),
            json!({"spec": {"size": 1, "ratio": 0}}),
            json!({"status": {}}),
        ];
        for bad in cases {
            assert!(!valid(schema, &bad), "{bad}");
        }
        assert!(valid(
            &schemas(crd(), false)[0].json_schema(),
            &json!({"status": {}, "spec": {"size": 1, "x": 1}})
        ));
    }

    #[test]
    fn v1beta1_preserves_unknown_fields_by_default() {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1beta1",
            "kind": "CustomResourceDefinition",
            "spec": {"group": "g.io", "version": "v1", "names": {"kind": "K"},
                     "validation": {"openAPIV3Schema": {"properties": {"spec": {"properties": {"a": {"type": "integer"}}}}}}}
        });
        let s = schemas(crd, true);
        assert_eq!(s.len(), 1);
        assert!(valid(
            &s[0].json_schema(),
            &json!({"spec": {"a": 1, "b": 2}})
        ));
        assert!(!valid(&s[0].json_schema(), &json!({"spec": {"a": "x"}})));
    }
}
