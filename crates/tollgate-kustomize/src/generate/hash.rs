//! kustomize's content-hash name suffix (`api/hasher`, `HashTransformer`).
//!
//! What is hashed (v5.5): for a ConfigMap the JSON object
//! `{"binaryData"?, "data", "kind":"ConfigMap", "name":""}`, for a Secret
//! `{"data", "kind":"Secret", "name":"", "stringData"?, "type"}`, keys in
//! sorted order, encoded as Go's `encoding/json` does (`<`, `>`, `&`, U+2028
//! and U+2029 escaped). `name` is always empty: kustomize looks the name up
//! under a key literally called `metadata/name`, which never exists. A
//! missing `data` or `type` is `""`; `binaryData`/`stringData` appear only
//! when they are mappings. The suffix is the first ten hex digits of the
//! SHA-256 of that text with `0`→`g`, `1`→`h`, `3`→`k`, `a`→`m`, `e`→`t`
//! (so that it is never all digits and reads as no word).

use sha2::{Digest, Sha256};

use crate::{Node, Problem, Resource, Value};

/// The ten-character hash kustomize appends to a generated ConfigMap or
/// Secret name. Other kinds only get hashes from generator plugins, which
/// tollgate does not run: `render-unsupported`.
pub fn content_hash(node: &Node) -> Result<String, Problem> {
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or("");
    let mut fields: Vec<(&str, serde_json::Value)> = Vec::new();
    let value_of = |key: &str| match node.get(key) {
        None => serde_json::Value::String(String::new()),
        Some(n) => match &n.value {
            Value::Map(_) => n.to_json(),
            Value::String(s) => serde_json::Value::String(s.clone()),
            // A scalar: its text as kustomize reads the YAML node's value.
            _ => serde_json::Value::String(scalar_text(n)),
        },
    };
    let is_map = |key: &str| {
        node.get(key)
            .is_some_and(|n| matches!(n.value, Value::Map(_)))
    };
    match kind {
        "ConfigMap" => {
            if is_map("binaryData") {
                fields.push(("binaryData", value_of("binaryData")));
            }
            fields.push(("data", value_of("data")));
            fields.push(("kind", "ConfigMap".into()));
            fields.push(("name", "".into()));
        }
        "Secret" => {
            fields.push(("data", value_of("data")));
            fields.push(("kind", "Secret".into()));
            fields.push(("name", "".into()));
            if is_map("stringData") {
                fields.push(("stringData", value_of("stringData")));
            }
            fields.push(("type", value_of("type")));
        }
        _ => {
            return Err(Problem::unsupported(
                format!(
                    "tollgate computes the name hash of ConfigMaps and Secrets only, not of a {kind}"
                ),
                node.span,
            ));
        }
    }
    let mut text = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        go_json_string(k, &mut text);
        text.push(':');
        go_json(v, &mut text);
    }
    text.push('}');
    Ok(encode(&Sha256::digest(text.as_bytes())))
}

/// The first ten hex digits with kustomize's substitutions.
fn encode(digest: &[u8]) -> String {
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

fn scalar_text(n: &Node) -> String {
    match &n.value {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => n.to_json().to_string(),
    }
}

/// Go's `json.Marshal` of a decoded JSON value: object keys sorted.
fn go_json(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(k, out);
                out.push(':');
                if let Some(v) = map.get(k.as_str()) {
                    go_json(v, out);
                }
            }
            out.push('}');
        }
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        J::String(s) => go_json_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A string as Go's `encoding/json` writes it (HTML-safe escaping).
fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `-<content_hash>` to the name of a resource whose generator asked
/// for it (`Generated::needs_hash`), as kustomize's `HashTransformer`: the id
/// before the rename is pushed onto `previous_ids` (so `transform::nameref`
/// rewrites references to the old name), the name node keeps its span, and
/// `needs_hash` is cleared (a second call does nothing).
pub fn add_hash_suffix(resource: &mut Resource) -> Result<(), Problem> {
    if !resource.generated.as_ref().is_some_and(|g| g.needs_hash) {
        return Ok(());
    }
    let hash = content_hash(&resource.node)?;
    let old = resource.id();
    let Some(name) = resource
        .node
        .get_mut("metadata")
        .and_then(|m| m.get_mut("name"))
    else {
        return Err(Problem::error(
            "a generated object has no name",
            resource.origin,
        ));
    };
    let Value::String(s) = &mut name.value else {
        return Err(Problem::error(
            "a generated object's name is not a string",
            name.span,
        ));
    };
    s.push('-');
    s.push_str(&hash);
    resource.previous_ids.push(old);
    if let Some(g) = resource.generated.as_mut() {
        g.needs_hash = false;
    }
    Ok(())
}

/// [`add_hash_suffix`] on every resource (kustomize's `HashTransformer`).
/// Call once, at the top-level target only, after every level's
/// transformers and before name references are fixed and vars resolved.
pub fn add_hash_suffixes(resources: &mut [Resource]) -> Result<(), Problem> {
    for r in resources.iter_mut() {
        add_hash_suffix(r)?;
    }
    Ok(())
}
