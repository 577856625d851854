//! The `target:` of a patch: which resources it applies to, with
//! kustomize's semantics (anchored regexes for name and namespace, label and
//! annotation selectors in Kubernetes syntax).

use super::PatchError;
use crate::Resource;
use tollgate_load::{Node, Span};

/// A parsed `target:` selector.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    /// `group` ("" matches any).
    pub group: String,
    /// `version` ("" matches any).
    pub version: String,
    /// `kind` ("" matches any).
    pub kind: String,
    /// `name` (anchored regex; "" matches any).
    pub name: String,
    /// `namespace` (anchored regex; "" matches any).
    pub namespace: String,
    /// `labelSelector` ("" matches any).
    pub label_selector: String,
    /// `annotationSelector` ("" matches any).
    pub annotation_selector: String,
    /// The span of the `target:` node.
    pub span: Span,
}

impl Selector {
    /// Parses a `target:` mapping.
    pub fn parse(node: &Node) -> Result<Self, PatchError> {
        Err(PatchError::new("selectors not implemented yet", node.span))
    }

    /// Whether `resource` is selected.
    pub fn matches(&self, resource: &Resource) -> bool {
        let _ = resource;
        false
    }
}
