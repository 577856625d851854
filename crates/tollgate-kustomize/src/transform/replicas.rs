//! `replicas:` (kustomize's `ReplicaCountTransformer`).
//!
//! Each entry (`name`, `count`) is its own transformer. For every spec of
//! the `replicas` configuration (Deployment, ReplicationController,
//! ReplicaSet, StatefulSet `spec/replicas`), the objects with any id
//! (current or previous) of that name and a kind the spec selects get the
//! count (created when missing). An entry that matches nothing is an error.
//! The written count carries the span of the entry's `count`.

use crate::fieldspec::{CreateKind, FieldSpecs, walk};
use crate::transform::id_selected_by;
use crate::{Problem, Resource};
use tollgate_load::{Node, Span, Value};

/// Applies `replicas:` (`field` is its list).
pub fn apply(resources: &mut [Resource], field: &Node, specs: &FieldSpecs) -> Result<(), Problem> {
    let items = match &field.value {
        Value::Seq(items) => items.as_slice(),
        Value::Null => &[],
        _ => return Err(Problem::error("replicas must be a list", field.span)),
    };
    for item in items {
        let (name, count, count_span) = read_entry(item)?;
        let mut found = false;
        for spec in &specs.replicas {
            for resource in resources.iter_mut() {
                let mut ids = resource.previous_ids.clone();
                ids.push(resource.id());
                if !ids
                    .iter()
                    .any(|id| id.name == name && id_selected_by(id, &spec.gvk))
                {
                    continue;
                }
                found = true;
                walk(
                    &mut resource.node,
                    spec,
                    CreateKind::Scalar,
                    count_span,
                    &mut |n| {
                        *n = Node::new(Value::Int(count), count_span);
                        Ok(())
                    },
                )
                .map_err(|e| Problem::error(e, count_span))?;
            }
        }
        if !found {
            let gvks: Vec<String> = specs
                .replicas
                .iter()
                .map(|s| {
                    let or = |v: &str, d: &str| {
                        if v.is_empty() {
                            d.to_owned()
                        } else {
                            v.to_owned()
                        }
                    };
                    format!(
                        "{}.{}.{}",
                        or(&s.gvk.kind, "[noKind]"),
                        or(&s.gvk.version, "[noVer]"),
                        or(&s.gvk.group, "[noGrp]")
                    )
                })
                .collect();
            return Err(Problem::error(
                format!(
                    "resource with name {name} does not match a config with the following GVK [{}]",
                    gvks.join(" ")
                ),
                item.span,
            ));
        }
    }
    Ok(())
}

fn read_entry(item: &Node) -> Result<(String, i64, Span), Problem> {
    let Value::Map(entries) = &item.value else {
        return Err(Problem::error(
            "a replicas entry must be a mapping",
            item.span,
        ));
    };
    let mut name = String::new();
    let mut count = 0;
    let mut count_span = item.span;
    for e in entries {
        match e.key.as_str() {
            "name" => name = super::scalar_text(&e.value).unwrap_or_default(),
            "count" => {
                count = match e.value.value {
                    Value::Int(i) => i,
                    Value::Null => 0,
                    _ => {
                        return Err(Problem::error("count must be an integer", e.value.span));
                    }
                };
                count_span = e.value.span;
            }
            other => {
                return Err(Problem::error(
                    format!("unknown field \"{other}\" in a replicas entry"),
                    e.key_span,
                ));
            }
        }
    }
    Ok((name, count, count_span))
}

#[cfg(test)]
mod tests;
