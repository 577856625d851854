//! Legacy `vars`: `$(NAME)` references replaced by a field of a named object
//! (kustomize's `ResAccumulator.MergeVars`/`ResolveVars`).

use crate::{Node, Problem, ResId, Resource};

/// The vars declared so far, across the kustomizations of a build, each
/// bound to the resource it names.
#[derive(Clone, Debug, Default)]
pub struct VarSet {
    vars: Vec<(Node, Option<ResId>)>,
}

impl VarSet {
    /// Adds the `vars:` entries of one kustomization (its `vars` node, a
    /// sequence), binding each to the one resource among `resources` it names.
    /// Call at the end of each kustomization's accumulation, after its
    /// transformers; a child's set is merged into its parent with
    /// [`VarSet::merge_set`].
    pub fn merge(&mut self, vars: &Node, resources: &[Resource]) -> Result<(), Problem> {
        let _ = resources;
        Err(Problem::unsupported("vars are not rendered yet", vars.span))
    }

    /// Merges the vars of a sub-kustomization (a resource directory).
    pub fn merge_set(&mut self, other: VarSet) -> Result<(), Problem> {
        self.vars.extend(other.vars);
        Ok(())
    }

    /// Replaces `$(NAME)` in the var-reference fields of every resource.
    /// Call once at the top level, after hash suffixes and name references.
    pub fn resolve(&self, resources: &mut [Resource]) -> Result<(), Problem> {
        let _ = resources;
        match self.vars.first() {
            None => Ok(()),
            Some((n, _)) => Err(Problem::unsupported("vars are not rendered yet", n.span)),
        }
    }
}
