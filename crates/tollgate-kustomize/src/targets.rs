//! Render targets and the kustomization graph.
//!
//! A target is a directory with a kustomization that no other kustomization
//! of the set references (as a resource, base or component); a
//! `kind: Component` directory is never one. The graph also answers the
//! reverse question change review needs: which targets reach a directory.

use std::collections::{BTreeMap, BTreeSet};

use crate::files::{Reader, join_normalised};
use crate::kustomization::{self, Kind};
use crate::{Files, Options, Span};

/// The kustomizations of a set of directories and what each references.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Every directory that holds a kustomization → the kustomization
    /// directories it references (resources, bases, components).
    pub edges: BTreeMap<String, BTreeSet<String>>,
    /// Directories whose kustomization is a `kind: Component`.
    pub components: BTreeSet<String>,
}

impl Graph {
    /// Reads the kustomization of every directory in `dirs` (relative to the
    /// repository root). A kustomization that does not parse is kept as a
    /// node without edges, so rendering it reports the error.
    pub fn build(files: &dyn Files, dirs: &[String], options: &Options) -> Self {
        let mut graph = Self::default();
        for dir in dirs {
            let mut reader = Reader::new(files, options);
            let mut referenced = BTreeSet::new();
            if let Ok(k) = kustomization::load(&mut reader, dir, Span::default()) {
                if k.kind == Kind::Component {
                    graph.components.insert(dir.clone());
                }
                for entry in k.resources.iter().chain(&k.components) {
                    if let Ok(path) = join_normalised(dir, &entry.path)
                        && files.is_dir(&path)
                    {
                        referenced.insert(path);
                    }
                }
            }
            graph.edges.insert(dir.clone(), referenced);
        }
        graph
    }

    /// Every kustomization directory `dir` reaches, itself included (sorted).
    pub fn closure(&self, dir: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            if !seen.insert(d.clone()) {
                continue;
            }
            if let Some(next) = self.edges.get(&d) {
                stack.extend(next.iter().cloned());
            }
        }
        seen
    }

    /// The render targets: kustomization directories no other one references,
    /// components excluded, sorted.
    pub fn targets(&self) -> Vec<String> {
        let referenced: BTreeSet<&String> = self.edges.values().flatten().collect();
        self.edges
            .keys()
            .filter(|d| !referenced.contains(d) && !self.components.contains(*d))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryFiles;

    #[test]
    fn referenced_bases_and_components_are_not_targets() {
        let files = MemoryFiles::from_pairs([
            ("base/kustomization.yaml", "resources: [d.yaml]\n"),
            (
                "base/d.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            ),
            (
                "comp/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: c-\n",
            ),
            (
                "prod/kustomization.yaml",
                "resources: [../base]\ncomponents: [../comp]\n",
            ),
            ("staging/kustomization.yaml", "resources:\n- ../base\n"),
            (
                "lonely-comp/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: x-\n",
            ),
        ]);
        let dirs: Vec<String> = ["base", "comp", "prod", "staging", "lonely-comp"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let graph = Graph::build(&files, &dirs, &Options::default());
        assert_eq!(
            graph.targets(),
            vec!["prod".to_owned(), "staging".to_owned()]
        );
        assert!(graph.edges["prod"].contains("base"));
        assert!(graph.edges["prod"].contains("comp"));
        let closure: Vec<String> = graph.closure("prod").into_iter().collect();
        assert_eq!(closure, vec!["base", "comp", "prod"]);
    }

    #[test]
    fn a_broken_kustomization_is_still_a_target() {
        let files = MemoryFiles::from_pairs([("x/kustomization.yaml", "resources: [\n")]);
        let graph = Graph::build(&files, &["x".to_owned()], &Options::default());
        assert_eq!(graph.targets(), vec!["x".to_owned()]);
    }
}
