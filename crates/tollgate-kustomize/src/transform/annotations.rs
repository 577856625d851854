//! `commonAnnotations:` (kustomize's `AnnotationsTransformer` and
//! `filters/annotations`).
//!
//! Every annotation is written, in key order, into each field the
//! `commonAnnotations` specs select (`metadata/annotations` of every object
//! and the pod templates of workloads), creating the mappings when missing.
//! A written annotation's key carries the span of the kustomization's key and
//! its value the span of the kustomization's value. Non-string values are
//! errors, as in kustomize.

use super::labels::{apply_pairs, pairs};
use crate::fieldspec::FieldSpecs;
use crate::{Problem, Resource};
use tollgate_load::Node;

/// Applies `commonAnnotations:` (`field` is its mapping).
pub fn apply(resources: &mut [Resource], field: &Node, specs: &FieldSpecs) -> Result<(), Problem> {
    apply_pairs(resources, &pairs(field)?, &specs.common_annotations)
}

#[cfg(test)]
mod tests;
