//! Validation errors to located, readable findings.
//!
//! jsonschema reports an instance path (a JSON pointer) and a keyword. Here each
//! error becomes a span and a sentence: an unknown field underlines its key, a
//! missing required field its parent, anything else the value. Messages name the
//! field as Kubernetes does (`spec.template.spec.containers[0].image`), say what was
//! expected and what was found, and explain the YAML 1.1 surprises (`yes` is a
//! boolean, `0755` is octal) with the fix: quote the value.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, ValidationError};
use serde_json::Value;

use crate::load::{Node, Span, node};
use crate::model::source::SourceFile;

/// One schema violation, ready to become a finding.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Violation {
    /// Where to underline.
    pub(crate) span: Span,
    /// JSON pointer of the node concerned.
    pub(crate) pointer: String,
    /// The sentence.
    pub(crate) message: String,
}

/// Where an error happened and what the source says there.
pub(crate) struct Context<'a> {
    /// The object's tree.
    pub(crate) root: &'a Node,
    /// Its source.
    pub(crate) source: &'a SourceFile,
    /// Resolves a schema location (URI fragment or schema path) to its schema, for
    /// "did you mean" suggestions.
    pub(crate) schema_at: &'a dyn Fn(&ValidationError<'_>) -> Option<Value>,
}

/// Turns one validation error into violations (several for several unknown fields).
pub(crate) fn violations(err: &ValidationError<'_>, cx: &Context<'_>) -> Vec<Violation> {
    let pointer = err.instance_path().as_str().to_owned();
    let at = |p: &str| cx.root.pointer_span(p).span;
    let one = |message: String| {
        vec![Violation {
            span: at(&pointer),
            pointer: pointer.clone(),
            message,
        }]
    };
    match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let known = (cx.schema_at)(err)
                .and_then(|s| s.get("properties").and_then(Value::as_object).cloned())
                .map(|p| p.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            unexpected
                .iter()
                .map(|name| {
                    let mut field = pointer.clone();
                    node::push_token(&mut field, name);
                    let span = cx.root.pointer_key_span(&field).span;
                    let written = cx
                        .source
                        .resolve(span.file)
                        .text
                        .get(span.start..span.end)
                        .unwrap_or_default();
                    let hint = if (name == "true" || name == "false")
                        && written != name
                        && is_plain(written)
                    {
                        format!(
                            "; the unquoted key `{written}` is the YAML 1.1 boolean `{name}` in Kubernetes: quote it"
                        )
                    } else {
                        closest(name, &known)
                            .map(|k| format!("; did you mean `{k}`?"))
                            .unwrap_or_default()
                    };
                    Violation {
                        span,
                        message: format!(
                            "unknown field `{}` (the schema does not declare it{hint})",
                            dotted(&field)
                        ),
                        pointer: field,
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let parent = cx.root.pointer_key_span(&pointer);
            let span = if pointer.is_empty() || !parent.exact {
                at(&pointer)
            } else {
                parent.span
            };
            let place = if pointer.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in `{}`", dotted(&pointer))
            };
            let mut field = pointer.clone();
            node::push_token(&mut field, name);
            let hint = comment_null(&field, cx)
                .map(|(key, comment)| {
                    format!(
                        "; `{comment}` after `{key}:` is a YAML comment (a `#` after a space starts one), so the field is null and the API server drops it: quote it, \"{comment}\""
                    )
                })
                .unwrap_or_default();
            vec![Violation {
                span,
                pointer: field,
                message: format!("missing required field `{name}` {place}{hint}"),
            }]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => vec![*t],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            one(expected_found(&pointer, &expected, err.instance(), cx))
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // IntOrString, Quantity and friends: every branch is only a type check.
            let mut types = Vec::new();
            let all_types = !context.is_empty()
                && context.iter().all(|branch| {
                    !branch.is_empty()
                        && branch.iter().all(|e| match e.kind() {
                            ValidationErrorKind::Type { kind } => {
                                match kind {
                                    TypeKind::Single(t) => types.push(*t),
                                    TypeKind::Multiple(set) => types.extend(set.iter()),
                                }
                                e.instance_path().as_str() == pointer
                            }
                            _ => false,
                        })
                });
            if all_types {
                return one(expected_found(&pointer, &types, err.instance(), cx));
            }
            // Otherwise explain the branch that came closest.
            match context
                .iter()
                .filter(|b| !b.is_empty())
                .min_by_key(|b| b.len())
            {
                Some(best) => {
                    let mut out: Vec<Violation> =
                        best.iter().flat_map(|e| violations(e, cx)).collect();
                    for v in &mut out {
                        v.message
                            .push_str(" (in the closest of the allowed alternatives)");
                    }
                    out
                }
                None => one(format!(
                    "{}matches none of the allowed alternatives",
                    prefix(&pointer)
                )),
            }
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            if err.instance().is_null() {
                // Kubernetes reads an explicit null as "not set".
                return Vec::new();
            }
            one(format!(
                "{}matches more than one of the alternatives, exactly one is allowed",
                prefix(&pointer)
            ))
        }
        ValidationErrorKind::Enum { options } => {
            let list = options
                .as_array()
                .map(|o| {
                    o.iter()
                        .filter(|v| !v.is_null())
                        .map(|v| format!("`{}`", show(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            one(format!(
                "{}expected one of {list}, found {}",
                prefix(&pointer),
                found(err.instance(), &pointer, cx, true)
            ))
        }
        ValidationErrorKind::Constant { expected_value } => one(format!(
            "{}expected `{}`, found {}",
            prefix(&pointer),
            show(expected_value),
            found(err.instance(), &pointer, cx, true)
        )),
        ValidationErrorKind::FalseSchema => {
            one(format!("{}no value is allowed here", prefix(&pointer)))
        }
        ValidationErrorKind::Referencing(e) => one(format!(
            "the schema refers to something tollgate cannot load ({e}); remote schemas are never fetched"
        )),
        _ => one(format!("{}{err}", prefix(&pointer))),
    }
}

/// `spec.containers[0].image: ` for a non-root pointer.
fn prefix(pointer: &str) -> String {
    if pointer.is_empty() {
        String::new()
    } else {
        format!("{}: ", dotted(pointer))
    }
}

fn expected_found(pointer: &str, expected: &[JsonType], instance: &Value, cx: &Context) -> String {
    let mut names: Vec<&str> = Vec::new();
    for t in expected {
        // `null` is how these schemas say "optional"; naming it only confuses.
        if *t == JsonType::Null && expected.len() > 1 {
            continue;
        }
        let name = type_name(*t);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let expected_text = match names.as_slice() {
        [] => "a value".to_owned(),
        [one] => article(one),
        [init @ .., last] => format!(
            "{} or {last}",
            init.iter()
                .map(|n| article(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let wants_string = expected.contains(&JsonType::String);
    let hint = if instance.is_null() {
        comment_null(pointer, cx).map(|(key, comment)| {
            format!(
                "`{comment}` after `{key}:` is a YAML comment (a `#` after a space starts one), so the value is null; quote it: \"{comment}\""
            )
        })
    } else {
        yaml_hint(instance, pointer, cx, wants_string)
    };
    match hint {
        Some(hint) => format!(
            "{}expected {expected_text}, found {} ({hint})",
            prefix(pointer),
            found(instance, pointer, cx, false)
        ),
        None => format!(
            "{}expected {expected_text}, found {}",
            prefix(pointer),
            found(instance, pointer, cx, true)
        ),
    }
}

fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "null",
        JsonType::Boolean => "boolean",
        JsonType::Integer => "integer",
        JsonType::Number => "number",
        JsonType::String => "string",
        JsonType::Array => "array",
        JsonType::Object => "object",
    }
}

fn article(name: &str) -> String {
    match name {
        "null" => "null".to_owned(),
        n if n.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {n}"),
        n => format!("a {n}"),
    }
}

/// `boolean `true``, `string "x"`, `an object`.
fn found(instance: &Value, pointer: &str, cx: &Context, with_source: bool) -> String {
    let source = if with_source {
        source_text(pointer, cx)
    } else {
        None
    };
    match instance {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => {
            let kind = if n.is_f64() { "number" } else { "integer" };
            match source {
                Some(s) if s != n.to_string() && is_plain(s) => {
                    format!("{kind} {n} (written `{s}`)")
                }
                _ => format!("{kind} `{n}`"),
            }
        }
        Value::String(s) => format!("string {}", show(&Value::String(truncate(s)))),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        let mut t: String = s.chars().take(57).collect();
        t.push_str("...");
        t
    } else {
        s.to_owned()
    }
}

fn show(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The exact source text of the value at `pointer`, when it is a single-line scalar.
fn source_text<'a>(pointer: &str, cx: &'a Context) -> Option<&'a str> {
    let hit = cx.root.pointer_span(pointer);
    if !hit.exact {
        return None;
    }
    let text = cx
        .source
        .resolve(hit.span.file)
        .text
        .get(hit.span.start..hit.span.end)?
        .trim();
    (!text.is_empty() && !text.contains('\n')).then_some(text)
}

/// Unquoted: not a quoted scalar, block scalar or flow collection.
fn is_plain(text: &str) -> bool {
    !text.starts_with(['"', '\'', '|', '>', '[', '{', '!', '&', '*'])
}

/// The YAML 1.1 explanation, when the value was an unquoted scalar.
fn yaml_hint(instance: &Value, pointer: &str, cx: &Context, wants_string: bool) -> Option<String> {
    let text = source_text(pointer, cx)?;
    if !is_plain(text) {
        return None;
    }
    match instance {
        Value::Bool(_) if crate::load::scalar::is_yaml11_only_bool(text) => Some(format!(
            "unquoted `{text}` is a YAML 1.1 boolean in Kubernetes; quote it: \"{text}\""
        )),
        Value::Bool(_) if wants_string => Some(format!("quote it to pass a string: \"{text}\"")),
        Value::Number(n) if wants_string => {
            if text != n.to_string() {
                Some(format!(
                    "unquoted `{text}` is the YAML 1.1 number {n} in Kubernetes; quote it: \"{text}\""
                ))
            } else {
                Some(format!("quote it to pass a string: \"{text}\""))
            }
        }
        Value::Null if wants_string => Some(format!(
            "unquoted `{text}` is null in YAML; quote it to pass a string"
        )),
        _ => None,
    }
}

/// `name: ##CRNAME##`: the `#` after the colon and a space starts a YAML
/// comment, so the field is null. The key as written and the comment.
fn comment_null<'a>(pointer: &str, cx: &'a Context) -> Option<(&'a str, &'a str)> {
    let key = cx.root.pointer_key_span(pointer);
    if !key.exact || pointer.is_empty() {
        return None;
    }
    let text = &cx.source.resolve(key.span.file).text;
    let value = cx.root.pointer_span(pointer);
    let written = text
        .get(value.span.start..value.span.end)
        .unwrap_or_default();
    if value.exact && value.span != key.span && !written.trim().is_empty() {
        return None;
    }
    let name = text.get(key.span.start..key.span.end)?;
    let line = text.get(key.span.end..)?.split('\n').next()?;
    let after = line.trim_start().strip_prefix(':')?;
    if !after.starts_with([' ', '\t']) {
        return None;
    }
    let comment = after.trim();
    comment.starts_with('#').then_some((name, comment))
}

/// Renders a JSON pointer the way Kubernetes names fields:
/// `spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`.
pub(crate) fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let token = node::unescape_token(raw);
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{token}]"));
        } else if !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push_str(&format!("[{}]", show(&Value::String(token))));
        }
    }
    if out.is_empty() { "(root)".into() } else { out }
}

/// The declared field closest to a misspelt one (edit distance at most 2, or a
/// case-insensitive match).
pub(crate) fn closest<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(&name.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= 2.min(k.len() / 3).max(1) || *d == 0)
        .min()
        .map(|(_, k)| k.as_str())
}

/// Damerau-Levenshtein distance (optimal string alignment): insertions,
/// deletions, substitutions and transpositions of adjacent characters each cost
/// one, so `prots` is one edit from `ports`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: the one before the previous, the previous and the current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_like_kubernetes_field_paths() {
        assert_eq!(
            dotted("/spec/containers/0/image"),
            "spec.containers[0].image"
        );
        assert_eq!(
            dotted("/metadata/labels/app.kubernetes.io~1name"),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
        assert_eq!(dotted(""), "(root)");
    }

    #[test]
    fn suggestions_need_a_close_match() {
        let known = vec!["imagePullPolicy".to_owned(), "image".to_owned()];
        assert_eq!(closest("imagePullPolicyy", &known), Some("imagePullPolicy"));
        assert_eq!(closest("Image", &known), Some("image"));
        assert_eq!(closest("replicas", &known), None);
    }

    #[test]
    fn transpositions_are_one_edit() {
        assert_eq!(distance("prots", "ports"), 1);
        assert_eq!(distance("tpye", "type"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        let known = vec!["ports".to_owned(), "type".to_owned(), "selector".to_owned()];
        assert_eq!(closest("prots", &known), Some("ports"));
        assert_eq!(closest("tpye", &known), Some("type"));
    }
}
