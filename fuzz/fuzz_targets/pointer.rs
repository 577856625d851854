//! Fuzz policy-result location mapping: the first line is a path as a policy
//! would return it (JSON pointer or dotted), the rest a YAML document. Mapping
//! must never panic and must always land inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate::load::{Limits, Syntax, load, node::dotted_to_pointer};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (path, yaml) = text.split_once('\n').unwrap_or((text, ""));
    let pointer = dotted_to_pointer(path);
    let loaded = load(yaml, Syntax::Yaml, &Limits { max_nodes: 20_000, ..Limits::default() });
    for doc in &loaded.documents {
        for hit in [doc.root.pointer_span(&pointer), doc.root.pointer_key_span(&pointer)] {
            assert!(hit.span.start <= hit.span.end && hit.span.end <= yaml.len());
        }
        let at = doc.root.pointer_at(path.len() % (yaml.len() + 1));
        assert!(at.is_empty() || at.starts_with('/'));
    }
});
