//! kustomize's content-hash name suffix (`api/hasher`).

use crate::{Node, Problem, Resource};

/// The ten-character hash kustomize appends to a generated ConfigMap or
/// Secret name.
pub fn content_hash(node: &Node) -> Result<String, Problem> {
    Err(Problem::unsupported("hash not computed yet", node.span))
}

/// Appends `-<content_hash>` to the resource's name if it was generated and
/// needs a hash, recording its previous id in `previous_ids`.
pub fn add_hash_suffix(resource: &mut Resource) -> Result<(), Problem> {
    Err(Problem::unsupported(
        "hash not computed yet",
        resource.origin,
    ))
}

/// [`add_hash_suffix`] on every resource (kustomize's HashTransformer): call
/// once at the top-level target, after all transformers, before name
/// references are fixed.
pub fn add_hash_suffixes(resources: &mut [Resource]) -> Result<(), Problem> {
    for r in resources.iter_mut() {
        add_hash_suffix(r)?;
    }
    Ok(())
}
