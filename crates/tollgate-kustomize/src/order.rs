//! kustomize's output order (its `SortOrderTransformer`).
//!
//! Without `sortOptions` kustomize sorts by its legacy order: kinds listed
//! first (Namespace, ResourceQuota, StorageClass, CRDs, ServiceAccount, ...,
//! PodDisruptionBudget) in that order, then every other kind, then the kinds
//! listed last (the webhook configurations); within the same rank by
//! `group_version_kind`, and objects of the same group, version and kind by
//! `namespace|name`. `sortOptions: {order: fifo}` keeps accumulation order;
//! `legacySortOptions` replaces the first and last lists.

use crate::{Node, Problem, ResId, Resource, Value};
use std::cmp::Ordering;

/// The kinds the legacy order puts first, in order.
pub const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// The kinds the legacy order puts last, in order.
pub const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts `resources` as `kustomize build` prints them, given the top-level
/// kustomization's `sortOptions` node (if any).
pub fn sort(resources: &mut Vec<Resource>, sort_options: Option<&Node>) -> Result<(), Problem> {
    let Some(options) = sort_options.filter(|n| !matches!(n.value, Value::Null)) else {
        legacy(resources, ORDER_FIRST, ORDER_LAST);
        return Ok(());
    };
    let order = options.get("order").and_then(Node::as_str).unwrap_or("");
    let legacy_options = options
        .get("legacySortOptions")
        .filter(|n| !matches!(n.value, Value::Null));
    match order {
        "fifo" | "" => {
            if let Some(l) = legacy_options {
                return Err(Problem::error(
                    format!(
                        "the field 'sortOptions.legacySortOptions' is set but the selected sort \
                         order is '{order}', not 'legacy'"
                    ),
                    l.span,
                ));
            }
            if order.is_empty() {
                return Err(Problem::error(
                    "the field 'sortOptions.order' must be one of [fifo, legacy]",
                    options.span,
                ));
            }
            Ok(())
        }
        "legacy" => {
            match legacy_options {
                None => legacy(resources, ORDER_FIRST, ORDER_LAST),
                Some(l) => {
                    let first = strings(l.get("orderFirst"));
                    let last = strings(l.get("orderLast"));
                    let first: Vec<&str> = first.iter().map(String::as_str).collect();
                    let last: Vec<&str> = last.iter().map(String::as_str).collect();
                    legacy(resources, &first, &last);
                }
            }
            Ok(())
        }
        _ => Err(Problem::error(
            "the field 'sortOptions.order' must be one of [fifo, legacy]",
            options.get("order").map_or(options.span, |n| n.span),
        )),
    }
}

fn strings(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The legacy sort with the given first and last kinds.
pub fn legacy(resources: &mut Vec<Resource>, first: &[&str], last: &[&str]) {
    let rank = |kind: &str| kind_rank(kind, first, last);
    let mut keyed: Vec<(ResId, Resource)> = std::mem::take(resources)
        .into_iter()
        .map(|r| (r.id(), r))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| compare(a, b, &rank));
    *resources = keyed.into_iter().map(|(_, r)| r).collect();
}

fn compare(a: &ResId, b: &ResId, rank: &dyn Fn(&str) -> i64) -> Ordering {
    let same_gvk = a.group == b.group && a.version == b.version && a.kind == b.kind;
    if !same_gvk {
        let (ra, rb) = (rank(&a.kind), rank(&b.kind));
        if ra != rb {
            return ra.cmp(&rb);
        }
        let (ga, gb) = (
            gvk_string(&a.group, &a.version, &a.kind),
            gvk_string(&b.group, &b.version, &b.kind),
        );
        if a.kind == "Namespace"
            && b.kind == "Namespace"
            && (a.group.is_empty() || b.group.is_empty())
        {
            return gb.cmp(&ga);
        }
        return ga.cmp(&gb);
    }
    id_string(a).cmp(&id_string(b))
}

/// A kind's rank in the legacy order with the given first and last kinds:
/// the first kinds negative and in order, the last ones positive, every
/// other kind 0.
pub fn kind_rank(kind: &str, first: &[&str], last: &[&str]) -> i64 {
    let len = i64::try_from(first.len()).unwrap_or(i64::MAX);
    if let Some(i) = first.iter().position(|k| *k == kind) {
        return -len + i64::try_from(i).unwrap_or(0);
    }
    if let Some(i) = last.iter().position(|k| *k == kind) {
        return 1 + i64::try_from(i).unwrap_or(0);
    }
    0
}

fn or<'s>(s: &'s str, default: &'s str) -> &'s str {
    if s.is_empty() { default } else { s }
}

/// kustomize's `group_version_kind` string, `~G`/`~V`/`~K` for empty fields.
pub fn gvk_string(group: &str, version: &str, kind: &str) -> String {
    format!(
        "{}_{}_{}",
        or(group, "~G"),
        or(version, "~V"),
        or(kind, "~K")
    )
}

/// kustomize's printed form of an id (`apps_v1_Deployment|ns|name`), also
/// its sort key within one group, version and kind.
pub fn id_string(id: &ResId) -> String {
    format!(
        "{}|{}|{}",
        gvk_string(&id.group, &id.version, &id.kind),
        or(&id.namespace, "~X"),
        or(&id.name, "~N")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn res(api: &str, kind: &str, ns: &str, name: &str) -> Resource {
        let json = serde_json::json!({
            "apiVersion": api, "kind": kind,
            "metadata": {"name": name, "namespace": ns}
        });
        Resource::new(Node::from_json(&json, Span::default()))
    }

    fn names(rs: &[Resource]) -> Vec<String> {
        rs.iter()
            .map(|r| format!("{}/{}", r.id().kind, r.id().name))
            .collect()
    }

    fn sample() -> Vec<Resource> {
        vec![
            res(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "",
                "w",
            ),
            res("apps/v1", "Deployment", "a", "d2"),
            res("example.com/v1", "Widget", "a", "x"),
            res("apps/v1", "Deployment", "a", "d1"),
            res("v1", "Service", "a", "s"),
            res("v1", "Namespace", "", "a"),
            res("batch/v1", "Job", "a", "j"),
        ]
    }

    #[test]
    fn legacy_order_by_kind_then_name() {
        let mut rs = sample();
        sort(&mut rs, None).unwrap();
        assert_eq!(
            names(&rs),
            [
                "Namespace/a",
                "Service/s",
                "Deployment/d1",
                "Deployment/d2",
                "Job/j",
                "Widget/x",
                "ValidatingWebhookConfiguration/w"
            ]
        );
    }

    #[test]
    fn fifo_keeps_order_and_bad_options_fail() {
        let mut rs = sample();
        let fifo = Node::from_json(&serde_json::json!({"order": "fifo"}), Span::default());
        sort(&mut rs, Some(&fifo)).unwrap();
        assert_eq!(names(&rs), names(&sample()));
        let bad = Node::from_json(&serde_json::json!({"order": "random"}), Span::new(3, 9));
        assert!(sort(&mut rs, Some(&bad)).is_err());
        let custom = Node::from_json(
            &serde_json::json!({"order": "legacy", "legacySortOptions": {
                "orderFirst": ["Job"], "orderLast": ["Namespace"]}}),
            Span::default(),
        );
        sort(&mut rs, Some(&custom)).unwrap();
        assert_eq!(names(&rs)[0], "Job/j");
        assert_eq!(names(&rs)[6], "Namespace/a");
    }
}
