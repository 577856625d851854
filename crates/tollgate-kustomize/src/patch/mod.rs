//! Patches as kustomize v5.5 applies them: strategic merge patches
//! ([`smp`]), RFC 6902 JSON patches ([`json6902`]) and the `target:`
//! selector that picks the resources a patch applies to ([`select`]).
//!
//! [`apply_patch`] is the one entry point for a `patches`,
//! `patchesStrategicMerge` or `patchesJson6902` entry.

pub mod json6902;
pub mod select;
pub mod smp;
mod smp_list;

pub use select::Selector;

use crate::Resource;
use tollgate_load::{Node, Span};

/// A patch that could not be applied, in kustomize's words, at the place
/// that caused it (the patch node, the failing op).
#[derive(Clone, Debug, PartialEq)]
pub struct PatchError {
    /// What went wrong.
    pub message: String,
    /// Where (a span in the patch's or the kustomization's file).
    pub span: Span,
}

impl PatchError {
    /// An error at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
        }
    }
}

/// Which kustomization field a patch came from (kustomize treats them differently).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PatchField {
    /// `patches:` (SMP or JSON 6902, decided by content; a target that selects
    /// nothing is not an error).
    #[default]
    Patches,
    /// `patchesStrategicMerge:` (deprecated; a patch that matches nothing is an error).
    PatchesStrategicMerge,
    /// `patchesJson6902:` (deprecated; always JSON 6902, target required).
    PatchesJson6902,
}

/// One patch entry of a kustomization, parsed.
#[derive(Clone, Debug)]
pub struct PatchEntry {
    /// The field the entry is in.
    pub field: PatchField,
    /// The patch documents (a file may hold several SMP documents; a JSON
    /// 6902 patch is one document, a sequence of ops). Spans are in their file.
    pub documents: Vec<Node>,
    /// The `target:` selector, if any.
    pub target: Option<Selector>,
    /// `options.allowNameChange`.
    pub allow_name_change: bool,
    /// `options.allowKindChange`.
    pub allow_kind_change: bool,
    /// The span of the entry in the kustomization (errors without a better place land here).
    pub span: Span,
}

/// Applies one patch entry to `resources` as kustomize's PatchTransformer /
/// PatchStrategicMergeTransformer / PatchJson6902Transformer would: removes
/// resources deleted by `$patch: delete`, errors when a
/// `patchesStrategicMerge` patch matches nothing.
pub fn apply_patch(entry: &PatchEntry, resources: &mut Vec<Resource>) -> Result<(), PatchError> {
    let _ = resources;
    Err(PatchError::new(
        "patches are not implemented yet",
        entry.span,
    ))
}
