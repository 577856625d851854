//! A resource being rendered: its spanned tree, its identity, and what
//! kustomize tracks beside it (earlier ids for name references, generator
//! options).

use tollgate_load::{Node, Span};

/// An object's identity as kustomize keys it: group, version, kind, namespace, name.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResId {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version (`v1`).
    pub version: String,
    /// Kind.
    pub kind: String,
    /// Namespace (`""` when unset).
    pub namespace: String,
    /// Name (`""` when unset).
    pub name: String,
}

impl ResId {
    /// The identity of `node` as it is now.
    pub fn of(node: &Node) -> Self {
        let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (String::new(), api_version.to_owned()),
        };
        let meta = node.get("metadata");
        let field = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Self {
            group,
            version,
            kind: node
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_owned(),
            namespace: field("namespace"),
            name: field("name"),
        }
    }

    /// `apiVersion` as written: `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// How a generated resource combines with one of the same id from a base.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Behavior {
    /// A new object; a clash is an error.
    #[default]
    Create,
    /// Merge data into the existing object.
    Merge,
    /// Replace the existing object.
    Replace,
}

/// What a generator attached to the resource it made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    /// `behavior` of the generator entry.
    pub behavior: Behavior,
    /// Whether the name gets the content-hash suffix (`disableNameSuffixHash` unset).
    pub needs_hash: bool,
}

/// One object in the render.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// The object; every span (keys too) carries the file that wrote it.
    pub node: Node,
    /// Where the object was introduced: the document in its file, or the
    /// generator entry that made it. Findings about the object as a whole
    /// (a duplicate id, a missing schema) land here.
    pub origin: Span,
    /// Ids the object had before name and namespace transformations, oldest
    /// first; name references are found by them.
    pub previous_ids: Vec<ResId>,
    /// Set on objects made by a generator.
    pub generated: Option<Generated>,
    /// `namePrefix`es applied to the name, innermost (first applied) first;
    /// name references prefer referrals renamed like their referrer.
    pub name_prefixes: Vec<String>,
    /// `nameSuffix`es applied to the name, innermost first.
    pub name_suffixes: Vec<String>,
    /// The object went through JSON (a JSON 6902 patch): kustomize rebuilt
    /// its tree, so every null is now written `null` and a later strategic
    /// merge patch keeps it (see [`crate::patch::smp`]).
    pub nulls_written: bool,
}

impl Resource {
    /// A resource read from a file (its origin is the document's span).
    pub fn new(node: Node) -> Self {
        let origin = node.span;
        Self {
            node,
            origin,
            previous_ids: Vec::new(),
            generated: None,
            name_prefixes: Vec::new(),
            name_suffixes: Vec::new(),
            nulls_written: false,
        }
    }

    /// The current identity.
    pub fn id(&self) -> ResId {
        ResId::of(&self.node)
    }

    /// The identity the object was first given (before any prefix, suffix or
    /// namespace change).
    pub fn original_id(&self) -> ResId {
        self.previous_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.id())
    }
}
