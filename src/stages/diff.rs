//! The resource diff: base and head objects matched by identity, not by file.
//!
//! Identity is (API group, kind, namespace, name): the version is left out, so
//! moving a Deployment from `apps/v1beta1` to `apps/v1` is an update, and a
//! resource that moves to another file (or whose file is renamed) is a `move`,
//! not a delete plus a create. Values are compared as the API server reads them
//! (after YAML 1.1 resolution), so formatting, comments and key order are not
//! changes. Secret values are redacted in the field changes.
//!
//! Resources declared in Terraform, Terraform plans and CloudFormation
//! templates (`model::resource::declared`) are matched the same way, by their
//! family, type and address or logical id.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::load::node::push_token;
use crate::model::resource::ResourceId;

/// What happened to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// New at head.
    Create,
    /// Changed in place.
    Update,
    /// Gone at head.
    Delete,
    /// Now in another file (possibly changed too).
    Move,
}

impl Operation {
    /// The lowercase name used in reports and change policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Move => "move",
        }
    }
}

/// One changed field, as a JSON pointer with old and new values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// JSON pointer of the field.
    pub path: String,
    /// The value at base (absent: the field is new).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The value at head (absent: the field was removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// One version of a resource: where it is and what it holds.
#[derive(Clone, Debug)]
pub struct Located {
    /// Display path of its file.
    pub file: String,
    /// Its identity.
    pub id: ResourceId,
    /// Its value, as the API server reads it.
    pub value: Value,
}

/// A changed resource.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceChange {
    /// What happened.
    pub operation: Operation,
    /// The resource (head identity, or base identity for a delete).
    pub resource: ResourceId,
    /// Its file at head.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Its file at base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_file: Option<String>,
    /// The line it starts on at head (filled in by the caller, which has the sources).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The line it started on at base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_line: Option<usize>,
    /// Changed fields (empty for a pure move; every field for create/delete is not listed).
    pub fields: Vec<FieldChange>,
    /// The head value (for change policies; not serialised).
    #[serde(skip)]
    pub object: Option<Value>,
    /// The base value (for change policies; not serialised).
    #[serde(skip)]
    pub old_object: Option<Value>,
}

/// Most field changes listed per resource; the rest are summarised.
pub const MAX_FIELDS: usize = 200;

type Key = (String, String, String, String);

fn key(id: &ResourceId) -> Key {
    (
        id.group().to_owned(),
        id.kind.clone(),
        id.namespace.clone().unwrap_or_default(),
        id.name.clone().unwrap_or_default(),
    )
}

fn index(versions: Vec<Located>) -> BTreeMap<Key, Located> {
    let mut out = BTreeMap::new();
    for v in versions {
        // Two objects with one identity: the first wins (the other is a conflict
        // the cluster would resolve by last-apply; keep the diff deterministic).
        out.entry(key(&v.id)).or_insert(v);
    }
    out
}

/// Diffs base and head resources of the changed files.
pub fn diff(base: Vec<Located>, head: Vec<Located>) -> Vec<ResourceChange> {
    let base = index(base);
    let mut head = index(head);
    let mut out = Vec::new();
    for (k, old) in base {
        match head.remove(&k) {
            None => out.push(ResourceChange {
                operation: Operation::Delete,
                resource: old.id,
                file: None,
                old_file: Some(old.file),
                line: None,
                old_line: None,
                fields: Vec::new(),
                object: None,
                old_object: Some(old.value),
            }),
            Some(new) => {
                let secret = new.id.kind == "Secret" && new.id.group().is_empty();
                let mut fields = Vec::new();
                diff_values(&old.value, &new.value, &mut String::new(), &mut fields);
                if secret {
                    redact(&mut fields);
                }
                let moved = old.file != new.file;
                if fields.is_empty() && !moved {
                    continue;
                }
                out.push(ResourceChange {
                    operation: if moved {
                        Operation::Move
                    } else {
                        Operation::Update
                    },
                    resource: new.id,
                    file: Some(new.file),
                    old_file: Some(old.file),
                    line: None,
                    old_line: None,
                    fields,
                    object: Some(new.value),
                    old_object: Some(old.value),
                });
            }
        }
    }
    for (_, new) in head {
        out.push(ResourceChange {
            operation: Operation::Create,
            resource: new.id,
            file: Some(new.file),
            old_file: None,
            line: None,
            old_line: None,
            fields: Vec::new(),
            object: Some(new.value),
            old_object: None,
        });
    }
    out.sort_by(|a, b| {
        (a.file.as_ref().or(a.old_file.as_ref()), &a.resource)
            .cmp(&(b.file.as_ref().or(b.old_file.as_ref()), &b.resource))
    });
    out
}

fn diff_values(old: &Value, new: &Value, path: &mut String, out: &mut Vec<FieldChange>) {
    if out.len() > MAX_FIELDS {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let len = path.len();
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                push_token(path, k);
                diff_child(a.get(k), b.get(k), path, out);
                path.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let len = path.len();
            for i in 0..a.len().max(b.len()) {
                path.push_str(&format!("/{i}"));
                diff_child(a.get(i), b.get(i), path, out);
                path.truncate(len);
            }
        }
        (a, b) if a != b => out.push(FieldChange {
            path: path.clone(),
            old: Some(a.clone()),
            new: Some(b.clone()),
        }),
        _ => {}
    }
}

/// One member of an object or array: recurse when both sides have it,
/// otherwise it was added or removed.
fn diff_child(
    old: Option<&Value>,
    new: Option<&Value>,
    path: &mut String,
    out: &mut Vec<FieldChange>,
) {
    match (old, new) {
        (Some(x), Some(y)) => diff_values(x, y, path, out),
        (x, y) => out.push(FieldChange {
            path: path.clone(),
            old: x.cloned(),
            new: y.cloned(),
        }),
    }
}

/// Replaces Secret payload values with a marker, keeping which keys changed.
fn redact(fields: &mut [FieldChange]) {
    const REDACTED: &str = "<redacted>";
    for f in fields {
        if f.path.starts_with("/data") || f.path.starts_with("/stringData") {
            let hide = |v: &mut Option<Value>| {
                if v.is_some() {
                    *v = Some(Value::String(REDACTED.into()));
                }
            };
            hide(&mut f.old);
            hide(&mut f.new);
        }
    }
}

/// `old → new` for one field, as the markdown report shows it.
pub fn describe(f: &FieldChange) -> String {
    let show = |v: &Option<Value>| {
        v.as_ref()
            .map_or_else(|| "(absent)".to_owned(), |v| v.to_string())
    };
    format!("{}: {} → {}", f.path, show(&f.old), show(&f.new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(file: &str, kind: &str, name: &str, value: Value) -> Located {
        let api_version = if kind == "Deployment" {
            "apps/v1"
        } else {
            "v1"
        };
        Located {
            file: file.into(),
            id: ResourceId {
                api_version: api_version.into(),
                kind: kind.into(),
                namespace: Some("prod".into()),
                name: Some(name.into()),
            },
            value,
        }
    }

    #[test]
    fn operations_and_fields() {
        let base = vec![
            at(
                "a.yaml",
                "Deployment",
                "web",
                json!({"spec": {"replicas": 3, "template": {"x": [1, 2]}}}),
            ),
            at("a.yaml", "ConfigMap", "gone", json!({"data": {}})),
            at("a.yaml", "Service", "moved", json!({"spec": {"port": 80}})),
            at("a.yaml", "Service", "same", json!({"spec": {"port": 80}})),
        ];
        let head = vec![
            at(
                "a.yaml",
                "Deployment",
                "web",
                json!({"spec": {"replicas": 1, "template": {"x": [1]}}}),
            ),
            at("b.yaml", "Service", "moved", json!({"spec": {"port": 80}})),
            at("a.yaml", "Service", "same", json!({"spec": {"port": 80}})),
            at("a.yaml", "ConfigMap", "new", json!({})),
        ];
        let changes = diff(base, head);
        let summary: Vec<(Operation, String, Vec<String>)> = changes
            .iter()
            .map(|c| {
                (
                    c.operation,
                    c.resource.name.clone().unwrap_or_default(),
                    c.fields.iter().map(describe).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    Operation::Update,
                    "web".into(),
                    vec![
                        "/spec/replicas: 3 → 1".into(),
                        "/spec/template/x/1: 2 → (absent)".into()
                    ]
                ),
                (Operation::Delete, "gone".into(), vec![]),
                (Operation::Create, "new".into(), vec![]),
                (Operation::Move, "moved".into(), vec![]),
            ]
        );
    }

    #[test]
    fn secrets_are_redacted() {
        let base = vec![at(
            "s.yaml",
            "Secret",
            "db",
            json!({"data": {"password": "aHVudGVyMg=="}, "type": "Opaque"}),
        )];
        let head = vec![at(
            "s.yaml",
            "Secret",
            "db",
            json!({"data": {"password": "c2VjcmV0"}, "type": "Opaque"}),
        )];
        let changes = diff(base, head);
        assert_eq!(
            changes[0].fields.iter().map(describe).collect::<Vec<_>>(),
            vec![r#"/data/password: "<redacted>" → "<redacted>""#]
        );
    }
}
