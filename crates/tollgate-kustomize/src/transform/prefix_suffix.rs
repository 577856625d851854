//! `namePrefix` and `nameSuffix` (kustomize's `PrefixTransformer`,
//! `SuffixTransformer` and their filters).
//!
//! Objects whose original id is a CustomResourceDefinition, an APIService
//! (`apiregistration.k8s.io`) or a Namespace keep their names. For every
//! other object each spec its original id selects is applied; the
//! `metadata/name` spec also records the prefix (suffix) for name-reference
//! disambiguation and stores the id before the rename among the previous
//! ids. The renamed node carries the span of the `namePrefix:` /
//! `nameSuffix:` value.

use super::{id_selected_by, scalar_text, set_string};
use crate::fieldspec::{CreateKind, FieldSpec, FieldSpecs, Gvk, walk};
use crate::{Problem, Resource};
use tollgate_load::{Node, Span};

/// Applies `namePrefix:` (`field` is its value node).
pub fn apply_prefix(
    resources: &mut [Resource],
    field: &Node,
    specs: &FieldSpecs,
) -> Result<(), Problem> {
    let prefix = scalar_text(field).unwrap_or_default();
    apply_with(
        resources,
        &prefix,
        Side::Prefix,
        field.span,
        &specs.name_prefix,
    )
}

/// Applies `nameSuffix:` (`field` is its value node).
pub fn apply_suffix(
    resources: &mut [Resource],
    field: &Node,
    specs: &FieldSpecs,
) -> Result<(), Problem> {
    let suffix = scalar_text(field).unwrap_or_default();
    apply_with(
        resources,
        &suffix,
        Side::Suffix,
        field.span,
        &specs.name_suffix,
    )
}

/// Which end of the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// `namePrefix`.
    Prefix,
    /// `nameSuffix`.
    Suffix,
}

/// The transformer with explicit specs (the plugin form). Kustomize skips
/// the kustomization field when it is empty; the plugin form with an empty
/// affix still records it.
pub fn apply_with(
    resources: &mut [Resource],
    affix: &str,
    side: Side,
    span: Span,
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    if affix.is_empty() {
        return Ok(());
    }
    let skipped = [
        Gvk::kind("CustomResourceDefinition"),
        Gvk {
            group: "apiregistration.k8s.io".to_owned(),
            kind: "APIService".to_owned(),
            ..Gvk::default()
        },
        Gvk::kind("Namespace"),
    ];
    for resource in resources.iter_mut() {
        let original = resource.original_id();
        if skipped.iter().any(|g| id_selected_by(&original, g)) {
            continue;
        }
        for spec in specs {
            if !id_selected_by(&original, &spec.gvk) {
                continue;
            }
            if spec.path == "metadata/name" {
                match side {
                    Side::Prefix => resource.name_prefixes.push(affix.to_owned()),
                    Side::Suffix => resource.name_suffixes.push(affix.to_owned()),
                }
                super::store_previous_id(resource);
            }
            walk(
                &mut resource.node,
                spec,
                CreateKind::Scalar,
                span,
                &mut |node| {
                    let old = scalar_text(node).unwrap_or_default();
                    let new = match side {
                        Side::Prefix => format!("{affix}{old}"),
                        Side::Suffix => format!("{old}{affix}"),
                    };
                    set_string(node, &new, span);
                    Ok(())
                },
            )
            .map_err(|e| Problem::error(e, resource.origin))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
