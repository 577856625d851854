//! Kustomize's built-in transformers, one module each, and what they share.
//!
//! The build calls them in kustomize's order for one kustomization (after
//! the patches): [`namespace::apply`], [`prefix_suffix::apply_prefix`],
//! [`prefix_suffix::apply_suffix`], [`labels::apply_labels`] then
//! [`labels::apply_common_labels`], [`annotations::apply`],
//! (JSON 6902 patches), [`replicas::apply`], [`images::apply`],
//! (replacements); and, once per render target after the hash suffixes,
//! [`nameref::apply`]. Every node a transformer writes carries the span of the
//! kustomization entry that caused the write.

pub mod annotations;
pub mod images;
pub mod labels;
pub mod nameref;
pub mod namespace;
pub mod prefix_suffix;
pub mod replicas;

use crate::fieldspec::walk::group_version;
use crate::{Problem, ResId};
use tollgate_load::{Entry, Node, Span, Value};

/// Kustomize's namespace stand-in for cluster-scoped objects in ids.
pub const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// Whether kustomize knows objects of `group`/`version`/`kind` to be
/// cluster-scoped (its OpenAPI data; unknown kinds, custom resources
/// included, are namespaced).
pub fn is_cluster_scoped(group: &str, version: &str, kind: &str) -> bool {
    !crate::openapi::is_namespaced_version(group, version, kind)
}

/// Whether the id's kind is cluster-scoped.
pub fn id_is_cluster_scoped(id: &ResId) -> bool {
    is_cluster_scoped(&id.group, &id.version, &id.kind)
}

/// Kustomize's `EffectiveNamespace`: [`NOT_A_NAMESPACE`] for cluster-scoped
/// kinds, `default` for an unset namespace.
pub fn effective_namespace(id: &ResId) -> String {
    if id_is_cluster_scoped(id) {
        NOT_A_NAMESPACE.to_owned()
    } else if id.namespace.is_empty() {
        "default".to_owned()
    } else {
        id.namespace.clone()
    }
}

/// Kustomize's `ResId.IsSelected`: the id's gvk is selected by `gvk`.
pub fn id_selected_by(id: &ResId, gvk: &crate::fieldspec::Gvk) -> bool {
    gvk.selects(&id.group, &id.version, &id.kind)
}

/// Records the current id among the resource's previous ids (kustomize's
/// `StorePreviousId`).
pub fn store_previous_id(resource: &mut crate::Resource) {
    let id = resource.id();
    resource.previous_ids.push(id);
}

/// The group and version of an object's `apiVersion`.
pub fn object_group_version(node: &Node) -> (String, String) {
    let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let (g, v) = group_version(api_version);
    (g.to_owned(), v.to_owned())
}

/// Overwrites a node with a string written by `span`.
pub fn set_string(node: &mut Node, value: &str, span: Span) {
    node.value = Value::String(value.to_owned());
    node.span = span;
}

/// Sets `key` of a mapping to a string (kustomize's `FieldSetter`): an
/// existing entry keeps its key (and key span) and gets the new value; a new
/// entry is appended with `key_span`. The value carries `span`.
pub fn set_entry(
    map: &mut Node,
    key: &str,
    key_span: Span,
    value: &str,
    span: Span,
) -> Result<(), String> {
    let Value::Map(entries) = &mut map.value else {
        return Err(format!(
            "wrong node kind: expected a mapping to set '{key}' in"
        ));
    };
    let new = Node::new(Value::String(value.to_owned()), span);
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) => e.value = new,
        None => entries.push(Entry {
            key: key.to_owned(),
            key_span,
            value: new,
        }),
    }
    Ok(())
}

/// The text of a scalar as kustomize reads it into a string field
/// (numbers and booleans as YAML writes them).
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Null | Value::Seq(_) | Value::Map(_) => None,
    }
}

/// A `render-error` at `span` about a transformer.
pub fn error(message: impl Into<String>, span: Span) -> Problem {
    Problem::error(message, span)
}

/// A short description of an object for messages: `Kind/name`.
pub fn describe(node: &Node) -> String {
    let id = ResId::of(node);
    if id.namespace.is_empty() {
        format!("{}/{}", id.kind, id.name)
    } else {
        format!("{}/{}/{}", id.kind, id.namespace, id.name)
    }
}

#[cfg(test)]
pub(crate) mod testutil;
