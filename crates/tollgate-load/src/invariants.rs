//! Invariants of the loader, checked by the fuzz targets and property tests.
//!
//! Kept in the library (hidden from the docs) so that `fuzz/` and `tests/` check
//! the very same properties: loading never panics, every span lies inside the
//! text on character boundaries, and every pointer that exists maps to exactly
//! the span of its node.

use super::node::push_token;
use super::{Limits, Node, Syntax, Value, load};

/// Loads `text` and panics if any invariant is broken.
pub fn check(text: &str, syntax: Syntax) {
    let limits = Limits {
        max_nodes: 20_000,
        max_aliases: 1_000,
        ..Limits::default()
    };
    let loaded = load(text, syntax, &limits);
    for p in &loaded.problems {
        assert_span(text, p.span.start, p.span.end, "problem");
    }
    for doc in &loaded.documents {
        let mut paths = Vec::new();
        collect(&doc.root, &mut String::new(), text, &mut paths);
        for (pointer, node) in paths.iter().take(2_000) {
            let hit = doc.root.pointer_span(pointer);
            assert!(hit.exact, "pointer {pointer} exists but did not resolve");
            assert_eq!(
                hit.span, node.span,
                "pointer {pointer} maps to the wrong span"
            );
        }
    }
}

fn assert_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(
        start <= end && end <= text.len(),
        "{what} span {start}..{end} outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what} span {start}..{end} splits a character"
    );
}

fn collect<'n>(
    node: &'n Node,
    pointer: &mut String,
    text: &str,
    out: &mut Vec<(String, &'n Node)>,
) {
    assert_span(text, node.span.start, node.span.end, "node");
    out.push((pointer.clone(), node));
    let len = pointer.len();
    match &node.value {
        Value::Map(entries) => {
            let mut seen = std::collections::HashSet::new();
            for e in entries {
                assert_span(text, e.key_span.start, e.key_span.end, "key");
                assert!(
                    seen.insert(e.key.as_str()),
                    "duplicate key {} kept in a mapping",
                    e.key
                );
                push_token(pointer, &e.key);
                collect(&e.value, pointer, text, out);
                pointer.truncate(len);
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                collect(item, pointer, text, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}
