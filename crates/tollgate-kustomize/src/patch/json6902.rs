//! RFC 6902 JSON patches as kustomize v5.5 applies them (evanphx/json-patch
//! semantics and error words). Inserted values keep the span of the op's
//! `value`.

use super::PatchError;
use tollgate_load::Node;

/// Whether `patch` is a JSON 6902 patch (a sequence of ops), as kustomize
/// decides for a `patches:` entry.
pub fn is_json6902(patch: &Node) -> bool {
    matches!(patch.value, tollgate_load::Value::Seq(_))
}

/// Applies the ops of `ops` (a sequence of `{op, path, value, from}`) to
/// `target`. The error span is the failing op.
pub fn apply(target: &mut Node, ops: &Node) -> Result<(), PatchError> {
    let _ = target;
    Err(PatchError::new(
        "JSON 6902 patch not implemented yet",
        ops.span,
    ))
}
