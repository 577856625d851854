//! `configMapGenerator` and `secretGenerator`: kustomization entries turned
//! into ConfigMap and Secret resources, as kustomize v5.5 makes them.
//!
//! Every node written keeps the span of the entry that caused it: a `data`
//! key and value carry the literal, the `files` entry or the env-file line
//! they came from; `metadata` carries the generator entry's own fields
//! (`name`, `namespace`, an `options.labels` entry). The resource's `origin`
//! is the generator entry, and [`crate::resource::Generated`] records the
//! `behavior` and whether the name still needs kustomize's content hash.
//!
//! Where each function belongs in the build (mirroring kustomize's
//! `KustTarget`):
//! 1. [`run_generators`] in every kustomization (and component) after its
//!    `resources` are accumulated, before its components and transformers;
//!    each generated resource goes through [`absorb`] into that level's list.
//! 2. [`add_hash_suffixes`] once, at the **top-level** target only, after the
//!    whole tree has been accumulated and transformed (every level's
//!    namespace, prefixes, labels, patches, replacements), before name
//!    references are fixed (`transform::nameref`) and vars are resolved. The
//!    hash therefore covers the final `data`/`binaryData` (ConfigMap) or
//!    `type`/`data`/`stringData` (Secret), never the name or labels.

mod hash;
mod kv;
mod merge;

pub use hash::{add_hash_suffix, add_hash_suffixes, content_hash};
pub use kv::{Pair, parse_env_file};
pub use merge::absorb;

use std::sync::Arc;

use crate::{FileId, Node, Problem, Resource, Span};

/// Reads a file named by a generator, relative to the kustomization's
/// directory, under the load restrictor; `at` is the span of the entry that
/// names it (where a refusal lands). The build wraps its `Reader` in this.
pub type ReadFn<'a> = dyn FnMut(&str, Span) -> Result<(FileId, Arc<str>), Problem> + 'a;

/// Runs the `configMapGenerator` entries, then the `secretGenerator` entries,
/// of a kustomization (its parsed root `kustomization`), in kustomize's order.
///
/// `generatorOptions` of the kustomization apply to every entry (the entry's
/// own `options` win, labels and annotations are merged).
pub fn run_generators(kustomization: &Node, read: &mut ReadFn) -> Result<Vec<Resource>, Problem> {
    let _ = (kustomization, read);
    Err(Problem::unsupported(
        "configMapGenerator/secretGenerator are not rendered yet",
        kustomization.span,
    ))
}
