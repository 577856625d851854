//! A generated resource joining a kustomization's resources: `behavior`
//! create, merge or replace, as kustomize's `resWrangler.appendReplaceOrMerge`.
//!
//! The target is the one resource whose current *or previous* id equals the
//! generated one's (namespace `""` and `default` are the same). `replace` and
//! `merge` keep the generated object and copy onto it from the old one: the
//! name and namespace nodes, the labels and annotations (the generator's win
//! on equal keys), the previous ids; `merge` also keeps the old `data` and
//! `binaryData` entries the generator does not set. Everything else of the
//! old object is dropped, as in kustomize. Each node keeps the span of the
//! side it was taken from. The result needs the name hash only when both the
//! old and the new object did (kustomize takes its build annotations from the
//! old object and drops the hash mark when the new one lacks it).

use std::collections::BTreeMap;

use crate::resource::{Behavior, Generated};
use crate::{Entry, Node, Problem, ResId, Resource, Span, Value};

/// Adds `generated` to `resources` according to its `behavior`: `create`
/// appends (an existing resource with the same id is an error); `merge` and
/// `replace` change the existing resource of the same id in place (its
/// absence is an error). Errors land on the generator entry.
pub fn absorb(resources: &mut Vec<Resource>, generated: Resource) -> Result<(), Problem> {
    let id = generated.id();
    let behavior = generated
        .generated
        .as_ref()
        .map(|g| g.behavior)
        .unwrap_or_default();
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            std::iter::once(r.id())
                .chain(r.previous_ids.iter().cloned())
                .any(|o| same_id(&o, &id))
        })
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [] => match behavior {
            Behavior::Create => {
                resources.push(generated);
                Ok(())
            }
            Behavior::Merge | Behavior::Replace => Err(Problem::error(
                format!(
                    "merging from generator: id {} does not exist; cannot merge or replace",
                    go_id(&id)
                ),
                generated.origin,
            )),
        },
        [index] => {
            let old = &resources[*index];
            if behavior == Behavior::Create {
                return Err(Problem::error(
                    format!(
                        "merging from generator: id {} exists; behavior must be merge or replace",
                        go_id(&id)
                    ),
                    generated.origin,
                ));
            }
            let combined = combine(old, generated, behavior == Behavior::Merge);
            resources[*index] = combined;
            Ok(())
        }
        many => Err(Problem::error(
            format!(
                "merging from generator: found multiple objects {} that could accept merge of {}",
                many.iter()
                    .map(|i| resources[*i].id())
                    .map(|i| go_id(&i))
                    .collect::<Vec<_>>()
                    .join(", "),
                go_id(&id)
            ),
            generated.origin,
        )),
    }
}

/// kustomize's `ResId.Equals` for namespaced kinds (ConfigMap and Secret are).
fn same_id(a: &ResId, b: &ResId) -> bool {
    let ns = |s: &str| {
        if s.is_empty() {
            "default".to_owned()
        } else {
            s.to_owned()
        }
    };
    a.group == b.group
        && a.version == b.version
        && a.kind == b.kind
        && a.name == b.name
        && ns(&a.namespace) == ns(&b.namespace)
}

/// A ResId as kustomize's error messages print it (Go's `%#v`).
pub(crate) fn go_id(id: &ResId) -> String {
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:{:?}, Version:{:?}, Kind:{:?}, isClusterScoped:false}}, Name:{:?}, Namespace:{:?}}}",
        id.group, id.version, id.kind, id.name, id.namespace
    )
}

fn combine(old: &Resource, new: Resource, merge_data: bool) -> Resource {
    let new_hash = new.generated.as_ref().is_some_and(|g| g.needs_hash);
    let old_hash = old.generated.as_ref().is_some_and(|g| g.needs_hash);
    let behavior = new
        .generated
        .as_ref()
        .map(|g| g.behavior)
        .unwrap_or_default();
    let mut res = new;
    let meta_old = old.node.get("metadata");
    {
        let root = &mut res.node;
        let root_span = root.span;
        // A generated object always has its metadata mapping.
        if let Some(meta) = root.get_mut("metadata") {
            let meta_span = meta.span;
            for key in ["labels", "annotations"] {
                let merged = merged_map(meta_old.and_then(|m| m.get(key)), meta.get(key));
                set_or_remove(meta, key, merged, meta_span);
            }
            for key in ["name", "namespace"] {
                match meta_old.and_then(|m| entry_of(m, key)) {
                    Some(e) if e.value.as_str().is_some_and(|s| !s.is_empty()) => {
                        set_entry(meta, e.clone());
                    }
                    _ => remove(meta, key),
                }
            }
        }
        if merge_data {
            for key in ["data", "binaryData"] {
                let merged = merged_map(old.node.get(key), root.get(key));
                set_or_remove(root, key, merged, root_span);
            }
        }
    }
    res.previous_ids = old.previous_ids.clone();
    if merge_data {
        res.origin = old.origin;
    }
    res.generated = Some(Generated {
        behavior,
        needs_hash: old_hash && new_hash,
    });
    res
}

fn entry_of<'a>(node: &'a Node, key: &str) -> Option<&'a Entry> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|e| e.key == key),
        _ => None,
    }
}

/// The union of two string mappings, `new` winning, sorted by key; each
/// entry keeps the span of the side it came from. The entry holding the map
/// keeps the new side's key span when there is one.
fn merged_map(old: Option<&Node>, new: Option<&Node>) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    for side in [old, new].into_iter().flatten() {
        if let Value::Map(entries) = &side.value {
            for e in entries {
                out.insert(e.key.clone(), e.clone());
            }
        }
    }
    out
}

/// Sets `key` of `parent` to the mapping `entries`, or removes it when empty
/// (kustomize's `SetLabels`/`SetDataMap` clear an empty field).
fn set_or_remove(parent: &mut Node, key: &str, entries: BTreeMap<String, Entry>, fallback: Span) {
    if entries.is_empty() {
        remove(parent, key);
        return;
    }
    let existing = entry_of(parent, key).map(|e| (e.key_span, e.value.span));
    let (key_span, span) = existing.unwrap_or((fallback, fallback));
    set_entry(
        parent,
        Entry {
            key: key.to_owned(),
            key_span,
            value: Node::new(Value::Map(entries.into_values().collect()), span),
        },
    );
}

fn set_entry(parent: &mut Node, entry: Entry) {
    if let Value::Map(entries) = &mut parent.value {
        match entries.iter_mut().find(|e| e.key == entry.key) {
            Some(e) => *e = entry,
            None => entries.push(entry),
        }
    }
}

fn remove(parent: &mut Node, key: &str) {
    if let Value::Map(entries) = &mut parent.value {
        entries.retain(|e| e.key != key);
    }
}
