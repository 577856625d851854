//! Test helpers: resources from YAML text with a file id, comparison with
//! `kubectl kustomize` output, span lookup.

use crate::Resource;
use tollgate_load::{FileId, Limits, Node, Span, Syntax};

/// Every document of `text`, spans in `FileId(file)`.
pub(crate) fn docs(text: &str, file: u32) -> Vec<Node> {
    let loaded = tollgate_load::load(text, Syntax::Yaml, &Limits::default());
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded
        .documents
        .into_iter()
        .map(|d| {
            let mut n = d.root;
            n.set_file(FileId(file));
            n
        })
        .collect()
}

/// The first document of `text` in `FileId(file)`.
pub(crate) fn node(text: &str, file: u32) -> Node {
    docs(text, file).remove(0)
}

/// Resources from a multi-document text in `FileId(0)`.
pub(crate) fn resources(text: &str) -> Vec<Resource> {
    docs(text, 0).into_iter().map(Resource::new).collect()
}

/// Asserts the resources equal the documents of `expected` (as JSON, in
/// any order: kubectl sorts its output by kind).
pub(crate) fn assert_same(resources: &[Resource], expected: &str) {
    let mut want: Vec<String> = docs(expected, 0)
        .iter()
        .map(|n| serde_json::to_string_pretty(&n.to_json()).unwrap())
        .collect();
    let mut got: Vec<String> = resources
        .iter()
        .map(|r| serde_json::to_string_pretty(&r.node.to_json()).unwrap())
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
}

/// The kustomization text and the node of one of its fields (file 1).
pub(crate) fn field(kustomization: &str, name: &str) -> Node {
    node(kustomization, 1)
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name}"))
}

/// The source text a span covers.
pub(crate) fn text_of(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

/// The node at a JSON pointer.
pub(crate) fn at<'a>(node: &'a Node, pointer: &str) -> &'a Node {
    let mut n = node;
    for token in pointer.trim_start_matches('/').split('/') {
        n = match &n.value {
            tollgate_load::Value::Seq(items) => &items[token.parse::<usize>().unwrap()],
            _ => n
                .get(token)
                .unwrap_or_else(|| panic!("no {token} in {pointer}")),
        };
    }
    n
}

/// The key span of the last token of a pointer.
pub(crate) fn key_span(node: &Node, pointer: &str) -> Span {
    node.pointer_key_span(pointer).span
}
