//! kustomize's `replacements`: copy a value from a source resource's field to
//! target fields of other resources (`api/filters/replacement`).

use crate::{Node, Problem, Resource};

/// Applies `replacements`, each the parsed mapping of one replacement
/// (`source`, `targets`), in order. Entries given as `path:` in the
/// kustomization are read and parsed by the build first (a file holds a list
/// of such mappings).
pub fn apply_replacements(
    resources: &mut [Resource],
    replacements: &[Node],
) -> Result<(), Problem> {
    let _ = resources;
    match replacements.first() {
        None => Ok(()),
        Some(r) => Err(Problem::unsupported(
            "replacements are not rendered yet",
            r.span,
        )),
    }
}
