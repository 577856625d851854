//! The field-spec walker: visits every node a [`FieldSpec`] selects in one
//! object, as kustomize's `fieldspec.Filter` does.
//!
//! A path segment names a mapping key; a sequence met on the way is entered
//! element by element with the same remaining path (so `[]` is only a hint);
//! a null met on the way stops quietly; a scalar met on the way is an error.
//! With `create: true` missing keys are added (mappings along the way, the
//! transformer's [`CreateKind`] at the end, never below a `[]` segment) and
//! an existing null turns into an empty mapping, list or scalar. Every node
//! created gets the span of the kustomization entry that caused it.

use super::FieldSpec;
use tollgate_load::{Entry, Node, Span, Value};

/// What the transformer puts at the end of a path it creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateKind {
    /// Nothing: missing fields are never created (images, name references).
    None,
    /// A scalar (a namespace, a name, a replica count); the visitor sets it.
    Scalar,
    /// A mapping (labels, annotations); the visitor adds its entries.
    Map,
}

/// The group and version of an `apiVersion` (`apps/v1`, or `v1` in the core group).
pub fn group_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// Whether `spec`'s gvk selects the object `obj`.
pub fn matches(spec: &FieldSpec, obj: &Node) -> bool {
    let api_version = obj.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = obj.get("kind").and_then(Node::as_str).unwrap_or("");
    let (group, version) = group_version(api_version);
    spec.gvk.selects(group, version, kind)
}

/// Calls `visit` on every node at `spec`'s path in `obj` when `spec`'s gvk
/// selects it, creating missing fields when `spec.create` asks for it (with
/// `span`). Errors are kustomize's, prefixed with the path.
pub fn walk(
    obj: &mut Node,
    spec: &FieldSpec,
    create: CreateKind,
    span: Span,
    visit: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    if !matches(spec, obj) {
        return Ok(());
    }
    walk_unchecked(obj, spec, create, span, visit)
}

/// [`walk`] without the gvk check (name references select referrers by
/// their original id instead).
pub fn walk_unchecked(
    obj: &mut Node,
    spec: &FieldSpec,
    create: CreateKind,
    span: Span,
    visit: &mut dyn FnMut(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    let segments = spec.segments();
    let walker = Walker {
        create: if spec.create {
            create
        } else {
            CreateKind::None
        },
        span,
    };
    walker
        .step(obj, &segments, visit)
        .map_err(|e| format!("considering field '{}': {e}", spec.path))
}

struct Walker {
    create: CreateKind,
    span: Span,
}

impl Walker {
    fn step(
        &self,
        node: &mut Node,
        path: &[String],
        visit: &mut dyn FnMut(&mut Node) -> Result<(), String>,
    ) -> Result<(), String> {
        let Some((first, rest)) = path.split_first() else {
            return visit(node);
        };
        match &mut node.value {
            Value::Null => Ok(()),
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    self.step(item, path, visit)?;
                }
                Ok(())
            }
            Value::Map(_) => self.step_map(node, first, rest, visit),
            _ => Err("expected sequence or mapping node".to_owned()),
        }
    }

    fn step_map(
        &self,
        node: &mut Node,
        segment: &str,
        rest: &[String],
        visit: &mut dyn FnMut(&mut Node) -> Result<(), String>,
    ) -> Result<(), String> {
        let (name, is_seq) = match segment.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (segment, false),
        };
        if name.is_empty() {
            return Err("cannot set or create an empty field name".to_owned());
        }
        // What to create when the key is missing, and what a null becomes.
        let kind = if self.create == CreateKind::None || is_seq {
            None
        } else if rest.is_empty() {
            Some(self.create)
        } else {
            Some(CreateKind::Map)
        };
        let Value::Map(entries) = &mut node.value else {
            return Ok(());
        };
        let index = match entries.iter().position(|e| e.key == name) {
            Some(i) => i,
            None => {
                let Some(kind) = kind else {
                    return Ok(());
                };
                entries.push(Entry {
                    key: name.to_owned(),
                    key_span: self.span,
                    value: Node::new(empty(kind), self.span),
                });
                entries.len() - 1
            }
        };
        let Some(field) = entries.get_mut(index).map(|e| &mut e.value) else {
            return Ok(());
        };
        if matches!(field.value, Value::Null) {
            if is_seq {
                field.value = Value::Seq(Vec::new());
            } else if let Some(kind) = kind {
                field.value = empty(kind);
                field.span = self.span;
            }
        }
        self.step(field, rest, visit)
    }
}

fn empty(kind: CreateKind) -> Value {
    match kind {
        CreateKind::Map => Value::Map(Vec::new()),
        CreateKind::Scalar => Value::String(String::new()),
        CreateKind::None => Value::Null,
    }
}
