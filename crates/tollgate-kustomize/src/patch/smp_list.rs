//! Lists in a strategic merge patch, as kyaml's associative-sequence walk
//! (with kustomize's "patch items first" option) merges them.
//!
//! The order that comes out, checked on `kubectl kustomize`: with one merge
//! key, the patch's elements in patch order (merged with the target's
//! element of the same key), then the target's other elements in their
//! order; with several merge keys (container `ports`: containerPort and
//! protocol) the patch's new elements first, then every target element in
//! target order. A list of scalars with strategy `merge` (finalizers) is the
//! patch's values then the target's others, without duplicates. Keys
//! missing on one side match as kyaml matches them (`containerPort: 90`
//! without protocol matches `90/UDP`).

use super::PatchError;
use super::smp::{Ctx, DIRECTIVE, Directive, directive_value, merge, scalar_string};
use super::smp_unset::walk_element;
use crate::openapi::Field;
use tollgate_load::{Entry, Node, Value};

/// Merges a patch list into a target list (absent: added).
pub(super) fn merge_list(
    dest: Option<Node>,
    patch: &Node,
    ctx: Ctx,
) -> Result<Option<Node>, PatchError> {
    let Some(field) = ctx.field.filter(|f| f.merges()) else {
        // Not associative: the patch's list replaces the target's as written.
        return Ok(Some(patch.clone()));
    };
    let Value::Seq(patch_items) = &patch.value else {
        return Ok(Some(patch.clone()));
    };
    let mut patch_items = patch_items.clone();
    let mut dest = dest;
    // A `{$patch: ...}` element (alone in its map) is a directive for the list.
    if dest.is_some()
        && let Some(i) = patch_items.iter().position(|e| e.get(DIRECTIVE).is_some())
        && let Some(Value::Map(entries)) = patch_items.get(i).map(|e| &e.value)
        && entries.len() == 1
    {
        let directive = match entries.first() {
            Some(e) => directive_value(&e.value)?,
            None => Directive::Merge,
        };
        patch_items.remove(i);
        match directive {
            Directive::Delete => return Ok(None),
            Directive::Replace => dest = None,
            Directive::Merge => {}
        }
    }
    let span = dest.as_ref().map_or(patch.span, |d| d.span);
    let dest_items = match dest.map(|d| d.value) {
        Some(Value::Seq(items)) => items,
        _ => Vec::new(),
    };
    let items = if field.keys.is_empty() {
        merge_primitive(&patch_items, dest_items)
    } else {
        merge_keyed(field, &patch_items, dest_items, ctx.items())?
    };
    Ok(Some(Node::new(Value::Seq(items), span)))
}

fn merge_primitive(patch: &[Node], dest: Vec<Node>) -> Vec<Node> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for item in patch.iter().cloned().chain(dest) {
        let s = scalar_string(&item);
        if !seen.contains(&s) {
            seen.push(s);
            out.push(item);
        }
    }
    out
}

/// The merge-key values of an element ("" where missing or empty).
fn key_values(el: &Node, keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| match el.get(k) {
            Some(v) if !is_nil_or_empty(v) => scalar_string(v),
            _ => String::new(),
        })
        .collect()
}

fn is_nil_or_empty(n: &Node) -> bool {
    match &n.value {
        Value::Null => true,
        Value::Map(e) => e.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => false,
    }
}

/// Two key tuples match when they share a value and differ only where one is "".
fn tuples_match(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if x.is_empty() {
            out.push(y.clone());
        } else {
            out.push(x.clone());
        }
    }
    common.then_some(out)
}

fn field_matches(el: &Node, key: &str, value: &str) -> bool {
    if key.is_empty() {
        return !matches!(el.value, Value::Map(_) | Value::Seq(_)) && scalar_string(el) == value;
    }
    match el.get(key) {
        Some(v) => value.is_empty() || scalar_string(v) == value,
        None => false,
    }
}

fn element_matches(el: &Node, keys: &[String], values: &[String]) -> bool {
    keys.iter()
        .zip(values)
        .all(|(k, v)| field_matches(el, k, v))
}

/// kyaml's `ElementSetter`: replaces every element matching `keys`/`values`
/// with `element` (removes them when `None`), appending it when none matched.
fn element_setter(
    list: &mut Vec<Node>,
    element: Option<&Node>,
    keys: &[String],
    values: &[String],
) {
    let mapping_setter = keys.first().is_some_and(|k| !k.is_empty())
        && values.first().is_some_and(|v| !v.is_empty());
    let mut out = Vec::with_capacity(list.len() + 1);
    let mut matched = false;
    for el in list.drain(..) {
        if matches!(el.value, Value::Null) || matches!(&el.value, Value::Map(e) if e.is_empty()) {
            continue;
        }
        if !matches!(el.value, Value::Map(_)) && mapping_setter {
            out.push(el);
            continue;
        }
        let mut found = false;
        for (j, k) in keys.iter().enumerate() {
            match values.get(j) {
                Some(v) => {
                    found = field_matches(&el, k, v);
                    if !found {
                        break;
                    }
                }
                None => break,
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(el);
            }
            continue;
        }
        matched = true;
        if let Some(e) = element {
            out.push(e.clone());
        }
    }
    *list = out;
    if let Some(e) = element
        && !matched
    {
        list.push(e.clone());
    }
}

fn merge_keyed(
    field: &Field,
    patch: &[Node],
    dest: Vec<Node>,
    item_ctx: Ctx,
) -> Result<Vec<Node>, PatchError> {
    let keys = &field.keys;
    // Key tuples: the patch's elements first, then the target's.
    let mut tuples: Vec<Vec<String>> = Vec::new();
    for el in patch.iter().chain(dest.iter()) {
        let t = key_values(el, keys);
        if t.iter().all(String::is_empty) || tuples.contains(&t) {
            continue;
        }
        tuples.push(t);
    }
    if keys.len() > 1 {
        for i in 0..tuples.len() {
            for j in 0..tuples.len() {
                let (Some(a), Some(b)) = (tuples.get(i), tuples.get(j)) else {
                    continue;
                };
                if let Some(m) = tuples_match(a, b) {
                    if let Some(t) = tuples.get_mut(i) {
                        *t = m.clone();
                    }
                    if let Some(t) = tuples.get_mut(j) {
                        *t = m;
                    }
                }
            }
        }
    }
    let valid: Vec<usize> = (0..keys.len())
        .filter(|&i| {
            tuples
                .iter()
                .any(|t| t.get(i).is_some_and(|v| !v.is_empty()))
        })
        .collect();
    let valid_keys: Vec<String> = valid.iter().filter_map(|&i| keys.get(i).cloned()).collect();
    let mut dest = dest;
    let mut items: Vec<Node> = Vec::new();
    for t in &tuples {
        let values: Vec<String> = valid.iter().filter_map(|&i| t.get(i).cloned()).collect();
        // The elements are looked up by the keys this tuple has values for.
        let (find_keys, find_values): (Vec<String>, Vec<String>) =
            if values.iter().all(String::is_empty) {
                (valid_keys.clone(), values.clone())
            } else {
                valid_keys
                    .iter()
                    .zip(&values)
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .unzip()
            };
        let p = patch
            .iter()
            .find(|e| element_matches(e, &find_keys, &find_values));
        let di = dest
            .iter()
            .position(|e| element_matches(e, &find_keys, &find_values));
        let old = di.and_then(|i| dest.get(i)).cloned();
        let merged = match (old, p) {
            (old, Some(p)) => merge(old, p, item_ctx)?,
            (Some(old), None) => walk_element(old, item_ctx),
            (None, None) => continue,
        };
        let mut val = match merged {
            Some(v) if !matches!(&v.value, Value::Map(e) if e.is_empty()) => v,
            _ => {
                element_setter(&mut dest, None, &valid_keys, &values);
                continue;
            }
        };
        if let (Value::Map(entries), Some(p)) = (&mut val.value, p) {
            for (k, v) in valid_keys.iter().zip(&values) {
                if !v.is_empty() && !entries.iter().any(|e| &e.key == k) {
                    entries.push(Entry {
                        key: k.clone(),
                        key_span: p.span,
                        value: Node::new(Value::String(v.clone()), p.span),
                    });
                }
            }
        }
        if let Some(slot) = di.and_then(|i| dest.get_mut(i)) {
            *slot = val.clone();
        }
        element_setter(&mut items, Some(&val), &valid_keys, &values);
    }
    // The target's elements go after the patch's: replaced in place when one
    // key, moved after the new ones when several.
    for d in dest {
        let mut values = Vec::new();
        let mut missing = false;
        for k in &valid_keys {
            match d.get(k) {
                Some(v) if !matches!(v.value, Value::Null) => values.push(scalar_string(v)),
                _ => missing = true,
            }
        }
        if missing {
            items.push(d.clone());
        }
        if valid_keys.len() > 1 {
            element_setter(&mut items, None, &valid_keys, &values);
        }
        element_setter(&mut items, Some(&d), &valid_keys, &values);
    }
    Ok(items)
}
