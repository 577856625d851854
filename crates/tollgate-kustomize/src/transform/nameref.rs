//! Name references (kustomize's `nameReferenceTransformer` and
//! `filters/nameref`): after names changed (prefix, suffix, hash), every
//! field that names another object is rewritten to its new name.
//!
//! For each `nameReference` entry (the referral kind) and each of its
//! referrer specs, every object whose original id the spec selects is a
//! referrer. A referred name is looked up among the objects the referrer
//! could see (cluster-scoped ones, those in its namespace, and for a
//! RoleBinding those in its ServiceAccount subjects' namespaces) that had
//! that name before (a previous id), with a previous id of the referral
//! kind, the kind and group a `roleRef` names, and the referrer's namespace
//! (cluster-scoped and ServiceAccount referrals excepted). Several survivors
//! are narrowed to those renamed with the same prefixes/suffixes; several
//! identical names are fine, several different ones are an error. Scalars
//! get the new name; mappings (`{name, namespace}`, RBAC subjects, webhook
//! services) get the name and, when the referral has one, the namespace.
//! A rewritten name carries the span of the referral's `metadata.name`, so a
//! name changed by a prefix points at the `namePrefix:` line.

use super::{NOT_A_NAMESPACE, effective_namespace, id_is_cluster_scoped, id_selected_by};
use crate::fieldspec::{CreateKind, FieldSpec, FieldSpecs, Gvk, walk_unchecked};
use crate::{Problem, ResId, Resource};
use tollgate_load::{Entry, Node, Span, Value};

/// What a referrer needs to know of a possible referral.
#[derive(Clone, Debug)]
struct Candidate {
    id: ResId,
    previous: Vec<ResId>,
    original: ResId,
    name_span: Span,
    namespace_span: Span,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Candidate {
    fn of(r: &Resource) -> Self {
        let meta = r.node.get("metadata");
        let span = |k: &str| meta.and_then(|m| m.get(k)).map_or(r.origin, |n| n.span);
        Candidate {
            id: r.id(),
            previous: r.previous_ids.clone(),
            original: r.original_id(),
            name_span: span("name"),
            namespace_span: span("namespace"),
            prefixes: r.name_prefixes.clone(),
            suffixes: r.name_suffixes.clone(),
        }
    }
}

/// Rewrites every name reference in `resources` (once per render target,
/// after the hash suffixes). Errors land on the referrer's origin.
pub fn apply(resources: &mut [Resource], specs: &FieldSpecs) -> Result<(), Problem> {
    let all: Vec<Candidate> = resources.iter().map(Candidate::of).collect();
    // Referrer index -> its (spec, referral kind) pairs, in configuration order.
    let mut filters: Vec<Vec<(FieldSpec, Gvk)>> = vec![Vec::new(); resources.len()];
    for backref in &specs.name_reference {
        for spec in &backref.referrers {
            for (i, c) in all.iter().enumerate() {
                if id_selected_by(&c.original, &spec.gvk)
                    && let Some(list) = filters.get_mut(i)
                {
                    list.push((spec.clone(), backref.gvk.clone()));
                }
            }
        }
    }
    for (resource, list) in resources.iter_mut().zip(filters) {
        if list.is_empty() {
            continue;
        }
        let me = Candidate::of(resource);
        let visible = visible_to(&resource.node, &me, &all)
            .map_err(|e| Problem::error(e, resource.origin))?;
        let role_ref = role_ref_gvk(&resource.node);
        for (spec, target) in list {
            let ctx = Context {
                referrer: &me,
                target: &target,
                role_ref: if spec.path.ends_with("roleRef/name") {
                    role_ref.clone()
                } else {
                    None
                },
                candidates: &visible,
            };
            walk_unchecked(
                &mut resource.node,
                &spec,
                CreateKind::None,
                resource.origin,
                &mut |n| ctx.set(n),
            )
            .map_err(|e| {
                Problem::error(
                    format!(
                        "updating name reference in '{}' field of '{}/{}': {e}",
                        spec.path, me.id.kind, me.id.name
                    ),
                    resource.origin,
                )
            })?;
        }
    }
    Ok(())
}

/// Kustomize's `SubsetThatCouldBeReferencedByResource`.
fn visible_to<'a>(
    node: &Node,
    me: &Candidate,
    all: &'a [Candidate],
) -> Result<Vec<&'a Candidate>, String> {
    if id_is_cluster_scoped(&me.id) {
        return Ok(all.iter().collect());
    }
    let mut binding_namespaces: Vec<String> = Vec::new();
    if me.id.kind == "RoleBinding"
        && let Some(Value::Seq(subjects)) = node.get("subjects").map(|s| &s.value)
    {
        for s in subjects {
            if let (Some(ns), Some(kind)) = (s.get("namespace"), s.get("kind"))
                && kind.as_str() == Some("ServiceAccount")
            {
                match ns.as_str() {
                    Some(ns) => binding_namespaces.push(ns.to_owned()),
                    None => {
                        return Err(format!(
                            "Invalid Input: namespace is blank for resource {}",
                            me.id.name
                        ));
                    }
                }
            }
        }
    }
    let mine = effective_namespace(&me.id);
    Ok(all
        .iter()
        .filter(|c| {
            id_is_cluster_scoped(&c.id)
                || effective_namespace(&c.id) == mine
                || binding_namespaces.contains(&c.id.namespace)
        })
        .collect())
}

/// The `roleRef`'s group and kind, when both are there.
fn role_ref_gvk(node: &Node) -> Option<Gvk> {
    let role_ref = node.get("roleRef")?;
    let group = role_ref.get("apiGroup")?;
    let kind = role_ref.get("kind")?;
    Some(Gvk {
        group: super::scalar_text(group).unwrap_or_default(),
        version: String::new(),
        kind: super::scalar_text(kind).unwrap_or_default(),
    })
}

struct Context<'a> {
    referrer: &'a Candidate,
    target: &'a Gvk,
    role_ref: Option<Gvk>,
    candidates: &'a [&'a Candidate],
}

impl Context<'_> {
    fn set(&self, node: &mut Node) -> Result<(), String> {
        match &mut node.value {
            Value::Null => Ok(()),
            Value::Map(_) => self.set_mapping(node),
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    match item.value {
                        Value::Null => {}
                        Value::Map(_) => self.set_mapping(item)?,
                        Value::Seq(_) => {
                            return Err(
                                "a list item is expected to be either a string or a map of string"
                                    .to_owned(),
                            );
                        }
                        _ => self.set_scalar(item)?,
                    }
                }
                Ok(())
            }
            _ => self.set_scalar(node),
        }
    }

    fn set_scalar(&self, node: &mut Node) -> Result<(), String> {
        let old = super::scalar_text(node).unwrap_or_default();
        let Some(referral) = self.select(&old, self.candidates.to_vec(), false)? else {
            return Ok(());
        };
        if referral.id.name != old {
            super::set_string(node, &referral.id.name, referral.name_span);
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut Node) -> Result<(), String> {
        let Some(name_node) = node.get("name") else {
            return Err("path config error; no 'name' field in node".to_owned());
        };
        let old = super::scalar_text(name_node).unwrap_or_default();
        let candidates: Vec<&Candidate> = match node.get("namespace") {
            None => self.candidates.to_vec(),
            Some(ns) => {
                let ns = super::scalar_text(ns).unwrap_or_default();
                let by = |id: &dyn Fn(&Candidate) -> String| -> Vec<&Candidate> {
                    self.candidates
                        .iter()
                        .copied()
                        .filter(|c| id(c) == ns && ns != NOT_A_NAMESPACE)
                        .collect()
                };
                let original = by(&|c| effective_namespace(&c.original));
                let any_original = self
                    .candidates
                    .iter()
                    .any(|c| effective_namespace(&c.original) == ns);
                if any_original && ns != NOT_A_NAMESPACE {
                    original
                } else {
                    by(&|c| effective_namespace(&c.id))
                }
            }
        };
        let Some(referral) = self.select(&old, candidates, true)? else {
            return Ok(());
        };
        if referral.id.name == old && referral.id.namespace.is_empty() {
            return Ok(());
        }
        set_field(node, "name", &referral.id.name, referral.name_span);
        if !referral.id.namespace.is_empty() {
            set_field(
                node,
                "namespace",
                &referral.id.namespace,
                referral.namespace_span,
            );
        }
        Ok(())
    }

    /// Kustomize's `selectReferral`.
    fn select<'c>(
        &self,
        old: &str,
        candidates: Vec<&'c Candidate>,
        with_namespace: bool,
    ) -> Result<Option<&'c Candidate>, String> {
        let referrer = self.referrer;
        let mut c: Vec<&Candidate> = candidates
            .into_iter()
            .filter(|c| c.previous.iter().any(|id| id.name == old))
            .filter(|c| c.previous.iter().any(|id| id_selected_by(id, self.target)))
            .filter(|c| match &self.role_ref {
                Some(g) => c.previous.iter().any(|id| id_selected_by(id, g)),
                None => true,
            })
            .filter(|c| {
                id_is_cluster_scoped(&referrer.id)
                    || id_is_cluster_scoped(&c.id)
                    || c.id.kind == "ServiceAccount"
                    || effective_namespace(&referrer.id) == effective_namespace(&c.id)
            })
            .collect();
        if c.len() == 1 {
            return Ok(c.first().copied());
        }
        c.retain(|c| affixes_equal(c, referrer, true));
        if c.len() > 1 {
            c.retain(|c| affixes_equal(c, referrer, false));
        }
        let Some(first) = c.first().copied() else {
            return Ok(None);
        };
        if c.len() == 1 {
            return Ok(Some(first));
        }
        let identical = c.iter().all(|o| {
            o.id.name == first.id.name && (!with_namespace || o.id.namespace == first.id.namespace)
        });
        if identical {
            return Ok(Some(first));
        }
        let ids: Vec<String> = c
            .iter()
            .map(|o| format!("{}/{}/{}", o.id.kind, o.id.namespace, o.id.name))
            .collect();
        Err(format!(
            "found multiple possible referrals: {}",
            ids.join(", ")
        ))
    }
}

fn set_field(node: &mut Node, key: &str, value: &str, span: Span) {
    if let Value::Map(entries) = &mut node.value {
        let new = Node::new(Value::String(value.to_owned()), span);
        match entries.iter_mut().find(|e| e.key == key) {
            Some(e) => e.value = new,
            None => entries.push(Entry {
                key: key.to_owned(),
                key_span: span,
                value: new,
            }),
        }
    }
}

/// Kustomize's `PrefixesSuffixesEquals`.
fn affixes_equal(a: &Candidate, b: &Candidate, allow_empty: bool) -> bool {
    let part = |x: &[String], y: &[String]| {
        (allow_empty && (x.is_empty() || y.is_empty())) || same_ending(x, y)
    };
    part(&a.prefixes, &b.prefixes) && part(&a.suffixes, &b.suffixes)
}

/// Kustomize's `SameEndingSubSlice`: the shorter list ends the longer one
/// (two empty lists are equal; one empty and one not are not).
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

#[cfg(test)]
mod tests;
