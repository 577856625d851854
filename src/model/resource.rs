//! Documents to resources: Kubernetes identity and `List` expansion.
//!
//! A document with a string `apiVersion` and `kind` is a Kubernetes object and gets
//! a [`ResourceId`]. `kind: List` (and any `*List` kind with an `items` sequence) is
//! expanded into its items, each keeping its own spans, as `kubectl apply` does.

use serde::Serialize;

use crate::load::{Document, Node, Value};

/// Who a resource is: apiVersion, kind, namespace, name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceId {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `metadata.name`, or `metadata.generateName` when there is no name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ResourceId {
    /// Reads the identity of a node, if it looks like a Kubernetes object.
    pub fn of(node: &Node) -> Option<Self> {
        let api_version = node.get("apiVersion")?.as_str()?.to_owned();
        let kind = node.get("kind")?.as_str()?.to_owned();
        let metadata = node.get("metadata");
        let field = |name: &str| {
            metadata
                .and_then(|m| m.get(name))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        Some(Self {
            api_version,
            kind,
            namespace: field("namespace"),
            name: field("name").or_else(|| field("generateName")),
        })
    }

    /// The API group (empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}

impl std::fmt::Display for ResourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(ns) = &self.namespace {
            write!(f, " {ns}/")?;
        } else {
            write!(f, " ")?;
        }
        write!(f, "{}", self.name.as_deref().unwrap_or("<unnamed>"))
    }
}

/// One object to check: a document, or one item of a `List` document.
#[derive(Clone, Debug)]
pub struct Object {
    /// Index of the document in its file's stream.
    pub document: usize,
    /// Index within the `items` of a `List` document.
    pub item: Option<usize>,
    /// The object's tree.
    pub node: Node,
    /// Its identity, when it is a Kubernetes object.
    pub id: Option<ResourceId>,
}

impl Object {
    /// For a JSON pointer that names something this object does not have (a
    /// field to add), the longest prefix of it that exists; `None` when the
    /// whole pointer resolves.
    pub fn present_prefix(&self, pointer: &str) -> Option<String> {
        if self.node.pointer_span(pointer).exact {
            return None;
        }
        let mut prefix = pointer;
        while let Some((parent, _)) = prefix.rsplit_once('/') {
            prefix = parent;
            if self.node.pointer_span(prefix).exact {
                return Some(prefix.to_owned());
            }
        }
        Some(String::new())
    }
}

/// Whether a kind names a list (`List`, `ConfigMapList`, ...).
fn is_list_kind(node: &Node) -> bool {
    node.get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && node.get("apiVersion").is_some()
        && matches!(
            node.get("items").map(|i| &i.value),
            Some(Value::Seq(_)) | Some(Value::Null)
        )
}

/// Turns documents into objects, expanding lists into their items.
pub fn objects(documents: Vec<Document>) -> Vec<Object> {
    let mut out = Vec::with_capacity(documents.len());
    for doc in documents {
        if is_list_kind(&doc.root) {
            let Value::Map(entries) = doc.root.value else {
                continue;
            };
            for entry in entries {
                if entry.key != "items" {
                    continue;
                }
                if let Value::Seq(items) = entry.value.value {
                    for (i, item) in items.into_iter().enumerate() {
                        let id = ResourceId::of(&item);
                        out.push(Object {
                            document: doc.index,
                            item: Some(i),
                            node: item,
                            id,
                        });
                    }
                }
            }
        } else {
            let id = ResourceId::of(&doc.root);
            out.push(Object {
                document: doc.index,
                item: None,
                node: doc.root,
                id,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Limits, Syntax, load};

    fn objs(text: &str) -> Vec<Object> {
        objects(load(text, Syntax::Yaml, &Limits::default()).documents)
    }

    #[test]
    fn identity_from_metadata() {
        let o = objs(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n",
        );
        let id = o[0].id.clone();
        assert_eq!(
            id,
            Some(ResourceId {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("prod".into()),
                name: Some("web".into())
            })
        );
        assert_eq!(
            id.map(|i| (i.group().to_owned(), i.to_string())),
            Some(("apps".into(), "Deployment prod/web".into()))
        );
        let generated = objs("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\n");
        assert_eq!(
            generated[0].id.as_ref().and_then(|i| i.name.clone()),
            Some("run-".into())
        );
        assert!(objs("foo: bar\n")[0].id.is_none());
    }

    #[test]
    fn lists_expand_with_their_own_spans() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n";
        let o = objs(text);
        assert_eq!(o.len(), 2);
        assert_eq!(o[1].item, Some(1));
        assert_eq!(
            o[1].id.as_ref().and_then(|i| i.name.clone()),
            Some("b".into())
        );
        let start = o[1].node.span.start;
        assert_eq!(&text[start..start + 10], "apiVersion");
    }

    #[test]
    fn present_prefix_stops_at_the_deepest_existing_node() {
        let o = objs("kind: Pod\nspec:\n  containers:\n  - name: a\n");
        assert_eq!(o[0].present_prefix("/spec/containers/0/name"), None);
        assert_eq!(
            o[0].present_prefix("/spec/containers/0/securityContext/runAsNonRoot"),
            Some("/spec/containers/0".into())
        );
        assert_eq!(o[0].present_prefix("/status/x"), Some(String::new()));
    }
}
