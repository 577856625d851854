//! What kyaml's merge walk does to the parts of the target a strategic merge
//! patch does not mention.
//!
//! kyaml (`walk.Walker` with `merge2.Merger`) walks every field of every
//! mapping on either side, not only the patch's. A field the patch lacks is
//! visited with the sources `[target, nil]`; when the target's value is a
//! null, the walker treats it as an empty map and `Merger.VisitMap` keeps it
//! only as a "persistent null" when its text is not empty: `replicas: null`
//! or `x: ~` stay (and print `null`), but `x:` with nothing after the colon
//! is removed. The walk goes down every mapping and into the elements of the
//! lists the schema merges (containers, env, volumes); an element that ends
//! up an empty mapping is removed from its list. Lists without a merge
//! strategy (tolerations, args, any list of a custom resource) are kept as
//! they are, nulls included. Checked on `kubectl kustomize` (v5.5.0): a
//! patch that only adds a label turns `nodeAffinity: {required...: }` into
//! `nodeAffinity: {}`.
//!
//! A null written with nothing after the colon is the one whose span is
//! empty (the loader gives an empty scalar a zero-length span).
//! A JSON 6902 patch makes kustomize rebuild the object from JSON, where
//! every null is written `null`: after one, no null is removed
//! ([`crate::Resource::nulls_written`]).

use super::smp::Ctx;
use tollgate_load::{Node, Value};

/// Whether `node` is a null written as nothing (`key:`).
pub(super) fn is_empty_null(node: &Node) -> bool {
    matches!(node.value, Value::Null) && node.span.start == node.span.end
}

/// Walks a target node the patch does not mention, as kyaml's merge does:
/// `None` when it is removed (an empty-text null).
pub(super) fn walk_target_only(node: Node, ctx: Ctx) -> Option<Node> {
    if !ctx.nulls_written && is_empty_null(&node) {
        return None;
    }
    let ctx = ctx.typed(&node, None);
    let Node { value, span } = node;
    let value = match value {
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .filter_map(|mut e| {
                    let sub = ctx.for_field(&e.key);
                    e.value = walk_target_only(e.value, sub)?;
                    Some(e)
                })
                .collect(),
        ),
        Value::Seq(items) if ctx.field.is_some_and(|f| f.merges() && !f.keys.is_empty()) => {
            let item_ctx = ctx.items();
            Value::Seq(
                items
                    .into_iter()
                    .filter_map(|item| walk_element(item, item_ctx))
                    .collect(),
            )
        }
        other => other,
    };
    Some(Node::new(value, span))
}

/// An element of a merged list: a mapping is walked, and removed when it
/// ends up empty; other elements are kept.
pub(super) fn walk_element(item: Node, ctx: Ctx) -> Option<Node> {
    if !matches!(item.value, Value::Map(_)) {
        return Some(item);
    }
    let walked = walk_target_only(item, ctx)?;
    match &walked.value {
        Value::Map(entries) if entries.is_empty() => None,
        _ => Some(walked),
    }
}
