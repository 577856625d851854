//! Values across the regorus boundary: documents in, results and errors out.
//!
//! Documents go straight from the spanned [`Node`] tree to `regorus::Value`
//! (no serde_json detour). Rule results are read the way conftest reads them:
//! a string is a message; an object has `msg`, an optional `path` (JSON pointer,
//! dotted path or array of segments), an optional `_loc {file, line}`, and any
//! other keys are kept as metadata. regorus errors are pre-rendered text; the
//! `--> file:line:col` header is parsed back into a location.

use regorus::Value;

use crate::load::node::{Node, Value as NodeValue, dotted_to_pointer, push_token};

/// Converts a document tree to a regorus value, as [`Node::to_json`] would.
pub(crate) fn node_to_value(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Bool(b) => Value::from(*b),
        NodeValue::Int(i) => Value::from(*i),
        NodeValue::UInt(u) => Value::from(*u),
        NodeValue::Float(f) => {
            // Integral floats read as integers, as Kubernetes' YAMLToJSON writes them.
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                #[allow(
                    clippy::cast_possible_truncation,
                    reason = "checked to be integral and in range"
                )]
                return Value::from(*f as i64);
            }
            Value::from(*f)
        }
        NodeValue::String(s) => Value::from(s.as_str()),
        NodeValue::Seq(items) => Value::from(items.iter().map(node_to_value).collect::<Vec<_>>()),
        NodeValue::Map(entries) => regorus::value::Object::from_entries(
            entries
                .iter()
                .map(|e| (Value::from(e.key.as_str()), node_to_value(&e.value)))
                .collect(),
        )
        .into_value(),
    }
}

/// One result of a counted rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Violation {
    /// The message.
    pub msg: String,
    /// JSON pointer inside the object, from `path`.
    pub pointer: Option<String>,
    /// conftest's `_loc`: a file and 1-based line.
    pub loc: Option<(String, usize)>,
    /// The other keys of a result object.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Reads the value of a rule (a set, an array, or one value) into violations.
pub(crate) fn violations(value: &Value) -> Vec<Violation> {
    match value {
        Value::Undefined | Value::Null => Vec::new(),
        Value::Set(_) => value
            .as_set()
            .map(|s| s.iter().filter_map(violation).collect())
            .unwrap_or_default(),
        Value::Array(_) => value
            .as_array()
            .map(|a| a.iter().filter_map(violation).collect())
            .unwrap_or_default(),
        // A complete rule: `deny := "x"`; `false` means no violation.
        Value::Bool(false) => Vec::new(),
        other => violation(other).into_iter().collect(),
    }
}

fn violation(value: &Value) -> Option<Violation> {
    match value {
        Value::String(s) => Some(Violation {
            msg: s.to_string(),
            ..Violation::default()
        }),
        Value::Object(_) => {
            let json = serde_json::to_value(value).ok()?;
            let serde_json::Value::Object(mut map) = json else {
                return None;
            };
            let msg = match map.remove("msg") {
                Some(serde_json::Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => serde_json::Value::Object(map.clone()).to_string(),
            };
            let pointer = map.remove("path").and_then(|p| path_to_pointer(&p));
            let loc = map.remove("_loc").and_then(|l| {
                let file = l.get("file")?.as_str()?.to_owned();
                let line = usize::try_from(l.get("line")?.as_u64()?).ok()?;
                Some((file, line.max(1)))
            });
            Some(Violation {
                msg,
                pointer,
                loc,
                metadata: (!map.is_empty()).then_some(map),
            })
        }
        Value::Undefined | Value::Null => None,
        other => Some(Violation {
            msg: other.to_json_str().unwrap_or_default(),
            ..Violation::default()
        }),
    }
}

/// `path` as a JSON pointer: a pointer or dotted string, or an array of segments.
fn path_to_pointer(path: &serde_json::Value) -> Option<String> {
    match path {
        serde_json::Value::String(s) => Some(dotted_to_pointer(s)),
        serde_json::Value::Array(parts) => {
            let mut pointer = String::new();
            for p in parts {
                match p {
                    serde_json::Value::String(s) => push_token(&mut pointer, s),
                    serde_json::Value::Number(n) => push_token(&mut pointer, &n.to_string()),
                    _ => return None,
                }
            }
            Some(pointer)
        }
        _ => None,
    }
}

/// A regorus error, parsed: `file:line:col` when the text names one, and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RegoError {
    /// `(file, line, column)` from the `--> ` header.
    pub location: Option<(String, usize, usize)>,
    /// The message after `error: `, or the whole text.
    pub message: String,
}

impl RegoError {
    /// Parses regorus' rendered error text.
    pub(crate) fn parse(err: &anyhow::Error) -> Self {
        let text = format!("{err:#}");
        let location = text.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("--> ")?;
            let mut parts = rest.rsplitn(3, ':');
            let col = parts.next()?.trim().parse().ok()?;
            let line = parts.next()?.trim().parse().ok()?;
            Some((parts.next()?.to_owned(), line, col))
        });
        let message = text
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .map(str::to_owned)
            .unwrap_or_else(|| {
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        Self { location, message }
    }
}

impl std::fmt::Display for RegoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some((file, line, col)) => write!(f, "{file}:{line}:{col}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Limits, Syntax, load};

    #[test]
    fn documents_convert_like_json() {
        let docs = load(
            "a: [1, 2.0, 2.5, yes, ~, x]\nb: {c: d}\n",
            Syntax::Yaml,
            &Limits::default(),
        )
        .documents;
        let v = node_to_value(&docs[0].root);
        let expected = Value::from(docs[0].root.to_json());
        assert_eq!(v, expected);
    }

    #[test]
    fn results_strings_and_objects() {
        let v = Value::from_json_str(
            r#"[{"msg": "m", "path": "spec.containers[1].image", "k": 1}, "s", {"msg": "l", "_loc": {"file": "f", "line": 3}}]"#,
        )
        .unwrap_or(Value::Undefined);
        let got = violations(&v);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].pointer.as_deref(), Some("/spec/containers/1/image"));
        assert_eq!(got[0].metadata.as_ref().map(|m| m.len()), Some(1));
        assert_eq!(got[1].msg, "s");
        assert_eq!(got[2].loc, Some(("f".into(), 3)));
    }

    #[test]
    fn error_header_is_parsed() {
        let mut engine = regorus::Engine::new();
        let err = engine
            .add_policy(
                "dir/bad.rego".into(),
                "package x\n\ndeny contains 1 if {\n".into(),
            )
            .err();
        let parsed = err.as_ref().map(RegoError::parse);
        let loc = parsed.and_then(|p| p.location).map(|l| (l.0, l.1));
        assert_eq!(loc, Some(("dir/bad.rego".into(), 4)));
    }
}
