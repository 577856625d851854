//! The `namespace:` transformer (kustomize's `NamespaceTransformer` and
//! `filters/namespace`).
//!
//! Every object gets its current id stored as a previous id. Namespaced
//! objects get `metadata.namespace` (created when missing); cluster-scoped ones
//! are left alone. The configured specs then apply (a v1 `Namespace` object is
//! renamed to the namespace, an `APIService`'s `spec.service.namespace`, a
//! CRD's conversion webhook service namespace). In `RoleBinding` and
//! `ClusterRoleBinding` subjects, by default only subjects named `default`
//! get the namespace (`setRoleBindingSubjects: defaultOnly`); the transformer
//! plugin form may ask for every ServiceAccount subject or none. Two objects
//! ending with the same id is an error.

use super::{effective_namespace, is_cluster_scoped, object_group_version, set_string};
use crate::fieldspec::{CreateKind, FieldSpec, FieldSpecs, walk};
use crate::{Problem, Resource};
use tollgate_load::{Node, Span, Value};

/// Which RoleBinding subjects get the namespace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubjectMode {
    /// Subjects named `default` (kustomize's default, `defaultOnly`).
    #[default]
    DefaultOnly,
    /// Every subject of kind ServiceAccount (`allServiceAccounts`).
    AllServiceAccounts,
    /// None (`none`).
    None,
}

/// Options of the `NamespaceTransformer` plugin form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NamespaceOptions {
    /// Only set namespaces that are unset or empty (`unsetOnly`).
    pub unset_only: bool,
    /// `setRoleBindingSubjects`.
    pub subjects: SubjectMode,
}

/// Applies a kustomization's `namespace:` (`field` is its value node; every
/// namespace written carries its span). An empty namespace does nothing.
pub fn apply(resources: &mut [Resource], field: &Node, specs: &FieldSpecs) -> Result<(), Problem> {
    let namespace = super::scalar_text(field).unwrap_or_default();
    apply_with(
        resources,
        &namespace,
        field.span,
        &NamespaceOptions::default(),
        &specs.namespace,
    )
}

/// The transformer with explicit options and specs (the plugin form).
pub fn apply_with(
    resources: &mut [Resource],
    namespace: &str,
    span: Span,
    options: &NamespaceOptions,
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    if namespace.is_empty() {
        return Ok(());
    }
    let setter = Setter {
        namespace,
        span,
        unset_only: options.unset_only,
    };
    for resource in resources.iter_mut() {
        if is_empty_object(&resource.node) {
            continue;
        }
        super::store_previous_id(resource);
        transform_one(&mut resource.node, &setter, options, specs).map_err(|e| {
            Problem::error(
                format!("namespace transformation failed: {e}"),
                resource.origin,
            )
        })?;
    }
    // Kustomize refuses two objects that end with one id.
    for (i, r) in resources.iter().enumerate() {
        let id = r.id();
        let clash = resources.iter().skip(i + 1).find(|o| {
            let other = o.id();
            other.group == id.group
                && other.version == id.version
                && other.kind == id.kind
                && other.name == id.name
                && effective_namespace(&other) == effective_namespace(&id)
        });
        if let Some(other) = clash {
            return Err(Problem::error(
                format!(
                    "namespace transformation produces ID conflict: {} {}/{} appears twice",
                    id.kind, namespace, id.name
                ),
                other.origin,
            ));
        }
    }
    Ok(())
}

struct Setter<'a> {
    namespace: &'a str,
    span: Span,
    unset_only: bool,
}

impl Setter<'_> {
    fn set(&self, node: &mut Node) -> Result<(), String> {
        match &node.value {
            Value::Map(_) | Value::Seq(_) => {
                return Err("namespace field specs must target scalar nodes".to_owned());
            }
            Value::String(s) if self.unset_only && !s.is_empty() => return Ok(()),
            Value::Bool(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_)
                if self.unset_only =>
            {
                return Ok(());
            }
            _ => {}
        }
        set_string(node, self.namespace, self.span);
        Ok(())
    }
}

fn is_empty_object(node: &Node) -> bool {
    match &node.value {
        Value::Map(e) => e.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

fn transform_one(
    node: &mut Node,
    setter: &Setter<'_>,
    options: &NamespaceOptions,
    specs: &[FieldSpec],
) -> Result<(), String> {
    let api_version = node
        .get("apiVersion")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_owned();
    let kind = node
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_owned();
    let (group, version) = object_group_version(node);
    let binding = kind == "RoleBinding" || kind == "ClusterRoleBinding";
    let specs: Vec<&FieldSpec> = specs
        .iter()
        .filter(|s| s.path != "metadata/namespace")
        .filter(|s| api_version == "v1" || s.path != "metadata/name")
        .filter(|s| {
            !(binding
                && (s.gvk.kind == "RoleBinding" || s.gvk.kind == "ClusterRoleBinding")
                && s.path == "subjects/namespace")
        })
        .collect();
    if !is_cluster_scoped(&group, &version, &kind) {
        let meta = FieldSpec::any("metadata/namespace", true);
        walk(node, &meta, CreateKind::Scalar, setter.span, &mut |n| {
            setter.set(n)
        })?;
    }
    if binding {
        set_subjects(node, setter, options.subjects)?;
    }
    for spec in specs {
        walk(node, spec, CreateKind::Scalar, setter.span, &mut |n| {
            setter.set(n)
        })?;
    }
    Ok(())
}

fn set_subjects(node: &mut Node, setter: &Setter<'_>, mode: SubjectMode) -> Result<(), String> {
    if mode == SubjectMode::None {
        return Ok(());
    }
    let Some(subjects) = node.get_mut("subjects") else {
        return Ok(());
    };
    let items = match &mut subjects.value {
        Value::Seq(items) => items,
        Value::Null => return Ok(()),
        _ => return Err("setting namespace on (cluster)role binding subjects: not a list".into()),
    };
    for subject in items.iter_mut() {
        let (key, wanted) = match mode {
            SubjectMode::DefaultOnly => ("name", "default"),
            SubjectMode::AllServiceAccounts => ("kind", "ServiceAccount"),
            SubjectMode::None => return Ok(()),
        };
        if subject.get(key).and_then(Node::as_str) != Some(wanted) {
            continue;
        }
        if let Some(ns) = subject.get_mut("namespace") {
            setter.set(ns)?;
        } else {
            let mut created = Node::new(Value::String(String::new()), setter.span);
            setter.set(&mut created)?;
            if let Value::Map(entries) = &mut subject.value {
                entries.push(tollgate_load::Entry {
                    key: "namespace".to_owned(),
                    key_span: setter.span,
                    value: created,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
