//! Strategic merge patch as kustomize v5.5 applies it (kyaml `merge2`, with
//! list items from the patch placed first): maps merge recursively; `null`
//! deletes; a list whose schema strategy contains `merge` merges element by
//! element on its merge keys (a list of scalars as a set), every other list
//! (and every list of a kind kustomize has no schema for) is replaced;
//! `$patch: delete|replace|merge` works in maps and as a list element.
//!
//! kyaml does not know `$setElementOrder/...`, `$deleteFromPrimitiveList/...`
//! or `$retainKeys`: kustomize copies them into the output as ordinary
//! fields, and so does this module (checked on `kubectl kustomize`).
//!
//! Provenance: a node written from the patch keeps the patch's span (a
//! scalar the patch overwrote, a list it replaced, an element or field it
//! added, and the key of such a field); a merged map or list keeps the
//! target's span, and untouched target nodes keep theirs.

use super::PatchError;
use super::smp_list::merge_list;
use super::smp_unset::walk_target_only;
use crate::openapi::{self, Field, Schema};
use tollgate_load::{Entry, Node, Value};

/// What applying a strategic merge patch did to the object as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The object was patched (possibly unchanged).
    Patched,
    /// The patch deleted the whole object (`$patch: delete` at the top).
    Deleted,
}

/// Applies `patch` to `target` in place. The type of `target` (its
/// `apiVersion`/`kind`) selects the merge keys and strategies of its lists.
pub fn apply(target: &mut Node, patch: &Node) -> Result<Outcome, PatchError> {
    apply_to(target, patch, false)
}

/// [`apply`] to a target whose nulls are all written `null` when
/// `nulls_written` (it went through JSON): then none is removed, where
/// otherwise a null written as nothing (`key:`) that the patch does not
/// mention is (kyaml's merge walk, see [`super::smp_unset`]).
pub fn apply_to(
    target: &mut Node,
    patch: &Node,
    nulls_written: bool,
) -> Result<Outcome, PatchError> {
    let dest = std::mem::replace(target, Node::new(Value::Null, target.span));
    let ctx = Ctx {
        nulls_written,
        ..Ctx::default()
    };
    match merge(Some(dest), patch, ctx)? {
        Some(node) => {
            *target = node;
            Ok(Outcome::Patched)
        }
        None => Ok(Outcome::Deleted),
    }
}

/// What the schema says about the node being merged.
#[derive(Clone, Copy, Default)]
pub(super) struct Ctx {
    /// The object schema (for a map).
    pub(super) obj: Option<&'static Schema>,
    /// The field that holds the node (for a list: strategy and keys).
    pub(super) field: Option<&'static Field>,
    /// Every null of the target is written `null` (it went through JSON).
    pub(super) nulls_written: bool,
}

impl Ctx {
    /// Without an object schema, a nested object's own apiVersion/kind picks
    /// one (kyaml's `GetSchema`): the target's first, then the patch's.
    pub(super) fn typed(self, dest: &Node, patch: Option<&Node>) -> Self {
        if self.obj.is_some() {
            return self;
        }
        Self {
            obj: typed_schema(dest).or_else(|| patch.and_then(typed_schema)),
            ..self
        }
    }

    pub(super) fn for_field(self, name: &str) -> Self {
        let field = self.obj.and_then(|s| s.field(name));
        Self {
            obj: field.and_then(Field::schema),
            field,
            nulls_written: self.nulls_written,
        }
    }

    /// The context of the elements of a list.
    pub(super) fn items(self) -> Self {
        Self {
            obj: self.field.and_then(Field::schema),
            field: None,
            nulls_written: self.nulls_written,
        }
    }
}

/// The `$patch` directive of a mapping.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Directive {
    Merge,
    Replace,
    Delete,
}

pub(super) const DIRECTIVE: &str = "$patch";

pub(super) fn directive_value(node: &Node) -> Result<Directive, PatchError> {
    match node.as_str() {
        Some("delete") => Ok(Directive::Delete),
        Some("replace") => Ok(Directive::Replace),
        Some("merge") => Ok(Directive::Merge),
        _ => Err(PatchError::new(
            format!("unknown patch strategy '{}'", scalar_string(node)),
            node.span,
        )),
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

/// The scalar as kyaml's `YNode().Value` holds it ("" for maps and lists).
pub(super) fn scalar_string(node: &Node) -> String {
    match &node.value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// Merges `patch` into `dest` (absent or null: the patch is added). `None`
/// means the field or element is removed.
pub(super) fn merge(
    dest: Option<Node>,
    patch: &Node,
    ctx: Ctx,
) -> Result<Option<Node>, PatchError> {
    if matches!(patch.value, Value::Null) {
        return Ok(None);
    }
    let dest = dest.filter(|d| !matches!(d.value, Value::Null));
    if let Some(d) = &dest {
        let same = matches!(
            (&d.value, &patch.value),
            (Value::Map(_), Value::Map(_)) | (Value::Seq(_), Value::Seq(_))
        ) || !matches!(d.value, Value::Map(_) | Value::Seq(_))
            && !matches!(patch.value, Value::Map(_) | Value::Seq(_));
        if !same {
            return Err(PatchError::new(
                format!(
                    "wrong node kind: expected {} but got {}: node contents:\n{}",
                    kind_name(&d.value),
                    kind_name(&patch.value),
                    serde_json::to_string(&patch.to_json()).unwrap_or_default()
                ),
                patch.span,
            ));
        }
    }
    match &patch.value {
        Value::Map(entries) => merge_map(dest, patch, entries, ctx),
        Value::Seq(_) => merge_list(dest, patch, ctx),
        _ => Ok(Some(patch.clone())),
    }
}

fn merge_map(
    dest: Option<Node>,
    patch: &Node,
    entries: &[Entry],
    ctx: Ctx,
) -> Result<Option<Node>, PatchError> {
    let directive = match entries.iter().find(|e| e.key == DIRECTIVE) {
        Some(e) => directive_value(&e.value)?,
        None => Directive::Merge,
    };
    let ctx = match &dest {
        Some(d) => ctx.typed(d, Some(patch)),
        None => ctx.typed(patch, None),
    };
    let mut out = match (directive, dest) {
        (Directive::Delete, _) => return Ok(None),
        (Directive::Merge, Some(d)) => d,
        (_, _) => Node::new(Value::Map(Vec::new()), patch.span),
    };
    // The target's fields the patch does not mention are walked too.
    if let Value::Map(out_entries) = &mut out.value {
        let taken = std::mem::take(out_entries);
        *out_entries = taken
            .into_iter()
            .filter_map(|mut o| {
                if entries.iter().any(|e| e.key == o.key) {
                    return Some(o);
                }
                o.value = walk_target_only(o.value, ctx.for_field(&o.key))?;
                Some(o)
            })
            .collect();
    }
    for e in entries {
        if e.key == DIRECTIVE {
            continue;
        }
        let Value::Map(out_entries) = &mut out.value else {
            break;
        };
        let sub = ctx.for_field(&e.key);
        let pos = out_entries.iter().position(|o| o.key == e.key);
        let old = pos
            .and_then(|i| out_entries.get(i))
            .map(|o| o.value.clone());
        let replaced_whole = !is_merged_in_place(old.as_ref(), &e.value, sub);
        let merged = merge(old, &e.value, sub)?;
        match (pos, merged) {
            (Some(i), Some(v)) => {
                if let Some(slot) = out_entries.get_mut(i) {
                    if replaced_whole {
                        slot.key_span = e.key_span;
                    }
                    slot.value = v;
                }
            }
            (Some(i), None) => {
                out_entries.remove(i);
            }
            (None, Some(v)) => out_entries.push(Entry {
                key: e.key.clone(),
                key_span: e.key_span,
                value: v,
            }),
            (None, None) => {}
        }
    }
    Ok(Some(out))
}

/// Whether merging `patch` into `old` keeps `old`'s node (a merged map or
/// associative list) rather than putting the patch's in its place.
fn is_merged_in_place(old: Option<&Node>, patch: &Node, ctx: Ctx) -> bool {
    let Some(old) = old else { return false };
    match (&old.value, &patch.value) {
        (Value::Map(_), Value::Map(entries)) => !entries
            .iter()
            .any(|e| e.key == DIRECTIVE && e.value.as_str() != Some("merge")),
        (Value::Seq(_), Value::Seq(_)) => ctx.field.is_some_and(Field::merges),
        _ => false,
    }
}

fn typed_schema(node: &Node) -> Option<&'static Schema> {
    let api_version = node.get("apiVersion")?.as_str()?;
    let kind = node.get("kind")?.as_str()?;
    openapi::schema_for(api_version, kind)
}
