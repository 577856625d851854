//! `configMapGenerator` and `secretGenerator`: kustomization entries turned
//! into ConfigMap and Secret resources, as kustomize v5.5 makes them.
//!
//! Every node written keeps the span of the entry that caused it: a `data`
//! key carries the literal, the `files` entry or the env-file line it came
//! from, and so does its value, except for `files` entries, whose value
//! carries the whole of the file read (the bytes it is made of, in that
//! file's [`FileId`]: a finding about the content lands in the file holding
//! it). `metadata.name`/`namespace` carry the entry's own fields, a label or
//! annotation the `options` (or `generatorOptions`) entry that set it. The
//! resource's `origin` is the generator entry, and
//! [`crate::resource::Generated`] records the `behavior` and whether the name
//! still needs kustomize's content hash.
//!
//! Where each function belongs in the build (mirroring kustomize's
//! `KustTarget.accumulateTarget` and `makeCustomizedResMap`):
//! 1. [`run_generators`] in every kustomization (and component) after its
//!    `resources` are accumulated and before its components and transformers;
//!    each generated resource goes through [`absorb`], in order, into that
//!    level's list (merge/replace find their target among what the level has
//!    accumulated so far, by current or previous id).
//! 2. [`add_hash_suffixes`] once, at the **top-level** target only, after the
//!    whole tree has been accumulated and every level's transformers have run
//!    (namespace, prefixes/suffixes, labels, patches, replacements), then name
//!    references are fixed (`transform::nameref`, which finds the renamed
//!    objects through `previous_ids`), then vars are resolved
//!    ([`crate::vars::VarSet::resolve`]). The hash covers the final
//!    `data`/`binaryData` (ConfigMap) or `type`/`data`/`stringData` (Secret)
//!    and nothing else: not the name, labels, annotations or `immutable`.

mod args;
mod hash;
mod kv;
mod merge;

pub use hash::{add_hash_suffix, add_hash_suffixes, content_hash};
pub use kv::{Pair, parse_env_file};
pub use merge::absorb;

use std::collections::BTreeMap;

use crate::files::Content;
use crate::resource::Generated;
use crate::{Entry, FileId, Node, Problem, Resource, Span, Value};
use args::{GenArgs, Kind, Opts};

/// Reads a file named by a generator, relative to the kustomization's
/// directory, under the load restrictor; `at` is the span of the entry that
/// names it (where a refusal lands). The build passes
/// `&mut |rel, at| reader.read_content(dir, rel, at)`: text, or the bytes of
/// a file that is not UTF-8.
pub type ReadFn<'a> = dyn FnMut(&str, Span) -> Result<(FileId, Content), Problem> + 'a;

/// Runs the `configMapGenerator` entries, then the `secretGenerator` entries,
/// of a kustomization (its parsed root `kustomization`), in kustomize's order,
/// and returns one resource per entry (not yet absorbed: pass each to
/// [`absorb`]).
///
/// `generatorOptions` of the kustomization apply to every entry (labels and
/// annotations merged under the entry's own, `disableNameSuffixHash` and
/// `immutable` when either says so).
pub fn run_generators(kustomization: &Node, read: &mut ReadFn) -> Result<Vec<Resource>, Problem> {
    let global = match kustomization.get("generatorOptions") {
        Some(n) if !matches!(n.value, Value::Null) => Some(Opts::parse(n)?),
        _ => None,
    };
    let mut out = Vec::new();
    for (field, kind) in [
        ("configMapGenerator", Kind::ConfigMap),
        ("secretGenerator", Kind::Secret),
    ] {
        let Some(list) = kustomization.get(field) else {
            continue;
        };
        let items = match &list.value {
            Value::Seq(items) => items.as_slice(),
            Value::Null => &[],
            _ => {
                return Err(Problem::error(
                    format!("{field} must be a list of generator entries"),
                    list.span,
                ));
            }
        };
        for entry in items {
            let args = GenArgs::parse(entry, kind, global.as_ref())?;
            out.push(generate_one(&args, read)?);
        }
    }
    Ok(out)
}

/// Makes the resource of one generator entry.
fn generate_one(args: &GenArgs, read: &mut ReadFn) -> Result<Resource, Problem> {
    let at = args.entry.span;
    let Some(name) = &args.name else {
        return Err(Problem::error("a configmap must have a name", at));
    };
    let pairs = kv::load_pairs(args, read)?;
    // Keys must be unique across envs, literals and files (kustomize says
    // "configmap" for Secrets too).
    let mut data: BTreeMap<String, Pair> = BTreeMap::new();
    for p in pairs {
        if data.contains_key(&p.key) {
            return Err(Problem::error(
                format!(
                    "configmap {} illegally repeats the key `{}`",
                    name.value, p.key
                ),
                p.key_span,
            ));
        }
        data.insert(p.key.clone(), p);
    }

    let mut meta = vec![entry(
        "name",
        name.key_span,
        str_node(&name.value, name.span),
    )];
    if let Some(ns) = args.namespace.as_ref().filter(|ns| !ns.value.is_empty()) {
        meta.push(entry(
            "namespace",
            ns.key_span,
            str_node(&ns.value, ns.span),
        ));
    }
    if let Some(labels) = string_map(&args.options.labels, at) {
        meta.push(entry(
            "labels",
            args.options.labels_span.unwrap_or(at),
            labels,
        ));
    }
    if let Some(annotations) = string_map(&args.options.annotations, at) {
        meta.push(entry(
            "annotations",
            args.options.annotations_span.unwrap_or(at),
            annotations,
        ));
    }
    let mut root = vec![
        entry("apiVersion", at, str_node("v1", at)),
        entry("kind", at, str_node(args.kind.name(), at)),
        entry("metadata", at, Node::new(Value::Map(meta), at)),
    ];
    match args.kind {
        Kind::ConfigMap => {
            // kustomize puts text in `data` and other bytes, base64, in
            // `binaryData`.
            let (binary, text): (Vec<&Pair>, Vec<&Pair>) =
                data.values().partition(|p| p.bytes.is_some());
            if !text.is_empty() {
                let entries = text
                    .iter()
                    .map(|p| entry(&p.key, p.key_span, str_node(&p.value, p.value_span)))
                    .collect();
                let span = first_written(&text, at);
                root.push(entry("data", at, Node::new(Value::Map(entries), span)));
            }
            if !binary.is_empty() {
                let entries = binary
                    .iter()
                    .map(|p| {
                        let bytes = p.bytes.as_deref().unwrap_or_default();
                        entry(
                            &p.key,
                            p.key_span,
                            str_node(&base64_wrapped(bytes), p.value_span),
                        )
                    })
                    .collect();
                root.push(entry("binaryData", at, Node::new(Value::Map(entries), at)));
            }
        }
        Kind::Secret => {
            let (ty, ty_key, ty_span) = match &args.secret_type {
                Some(t) if !t.value.is_empty() => (t.value.as_str(), t.key_span, t.span),
                _ => ("Opaque", at, at),
            };
            root.push(entry("type", ty_key, str_node(ty, ty_span)));
            let entries = data
                .values()
                .map(|p| {
                    entry(
                        &p.key,
                        p.key_span,
                        str_node(
                            &base64_wrapped(p.bytes.as_deref().unwrap_or(p.value.as_bytes())),
                            p.value_span,
                        ),
                    )
                })
                .collect();
            let pairs: Vec<&Pair> = data.values().collect();
            let span = first_written(&pairs, at);
            root.push(entry("data", at, Node::new(Value::Map(entries), span)));
        }
    }
    if let Some((key_span, span)) = args.options.immutable {
        root.push(entry(
            "immutable",
            key_span,
            Node::new(Value::Bool(true), span),
        ));
    }
    let mut res = Resource::new(Node::new(Value::Map(root), at));
    res.origin = at;
    res.generated = Some(Generated {
        behavior: args.behavior,
        needs_hash: !args.options.disable_hash,
    });
    Ok(res)
}

/// The span a generated `data` map carries: the first literal, env line or
/// file entry (in source order) that wrote into it, so a finding about the
/// map as a whole (a Secret's plaintext data) lands on a line that wrote a
/// value; `at` (the generator entry) when there is none.
fn first_written(pairs: &[&Pair], at: Span) -> Span {
    pairs
        .iter()
        .map(|p| p.key_span)
        .min_by_key(|s| (s.file, s.start))
        .unwrap_or(at)
}

/// A `metadata.labels`/`annotations` mapping from option entries, sorted by
/// key as kustomize writes them; `None` when empty.
fn string_map(map: &BTreeMap<String, args::Spanned>, at: Span) -> Option<Node> {
    if map.is_empty() {
        return None;
    }
    let entries = map
        .iter()
        .map(|(k, v)| entry(k, v.key_span, str_node(&v.value, v.span)))
        .collect();
    Some(Node::new(Value::Map(entries), at))
}

/// A string node.
pub(crate) fn str_node(s: &str, span: Span) -> Node {
    Node::new(Value::String(s.to_owned()), span)
}

/// A mapping entry.
pub(crate) fn entry(key: &str, key_span: Span, value: Node) -> Entry {
    Entry {
        key: key.to_owned(),
        key_span,
        value,
    }
}

/// Base64 as kustomize writes generated Secret data (and `binaryData`):
/// standard alphabet with padding, and when the encoding is 70 characters or
/// longer, broken into lines of 70, each (the last too) ending in `\n`.
pub fn base64_wrapped(bytes: &[u8]) -> String {
    let enc = base64(bytes);
    if enc.len() < 70 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / 70 + 1);
    for chunk in enc.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests;
