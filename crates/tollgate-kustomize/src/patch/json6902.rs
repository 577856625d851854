//! RFC 6902 JSON patches as kustomize v5.5 applies them (evanphx/json-patch
//! v4 semantics and error words, checked on `kubectl kustomize`).
//!
//! Quirks kept from kustomize: `replace` of a missing map key adds it;
//! `copy` from a missing path copies `null`; an op without `value` writes
//! `null`; a path without its leading `/` loses its first segment. Inserted
//! values keep the span of the op's `value` (their key, the span of the op's
//! `path`); an error's span is the failing op.

use super::PatchError;
use tollgate_load::node::unescape_token;
use tollgate_load::{Entry, Node, Span, Value};

/// Whether `patch` is a JSON 6902 patch (a sequence of ops), as kustomize
/// decides for a `patches:` entry.
pub fn is_json6902(patch: &Node) -> bool {
    matches!(patch.value, Value::Seq(_))
}

/// Applies the ops of `ops` (a sequence of `{op, path, value, from}`) to
/// `target`, in order. The error span is the failing op.
pub fn apply(target: &mut Node, ops: &Node) -> Result<(), PatchError> {
    let Value::Seq(items) = &ops.value else {
        return Err(PatchError::new(
            "json patch must be a list of operations",
            ops.span,
        ));
    };
    for op in items {
        apply_op(target, op).map_err(|m| PatchError::new(m, op.span))?;
    }
    Ok(())
}

fn str_field<'a>(op: &'a Node, key: &str) -> Option<&'a str> {
    op.get(key).and_then(Node::as_str)
}

/// A pointer's tokens: the first segment is dropped (it is "" for a proper
/// pointer), as json-patch does.
fn tokens(path: &str) -> Vec<String> {
    path.split('/').skip(1).map(unescape_token).collect()
}

fn apply_op(target: &mut Node, op: &Node) -> Result<(), String> {
    let kind = str_field(op, "op").unwrap_or("");
    let path = str_field(op, "path").unwrap_or("");
    let path_span = op.get("path").map_or(op.span, |p| p.span);
    let value = op
        .get("value")
        .cloned()
        .unwrap_or_else(|| Node::new(Value::Null, op.span));
    match kind {
        "add" => add(target, path, value, path_span),
        "remove" => remove(target, path).map(|_| ()),
        "replace" => replace(target, path, value, path_span),
        "test" => {
            let found = get(target, &tokens(path));
            if found.is_some_and(|n| n.to_json() == value.to_json()) {
                Ok(())
            } else {
                Err(format!("testing value {path} failed: test failed"))
            }
        }
        "move" => {
            let from = str_field(op, "from").unwrap_or("");
            let moved = remove(target, from).map_err(|e| {
                let key = tokens(from).pop().unwrap_or_default();
                e.replacen(
                    &format!("error in remove for path: '{from}'"),
                    &format!("error in move for path: '{key}'"),
                    1,
                )
            })?;
            add(target, path, moved, path_span)
        }
        "copy" => {
            let from = str_field(op, "from").unwrap_or("");
            let copied = get(target, &tokens(from))
                .cloned()
                .unwrap_or_else(|| Node::new(Value::Null, op.span));
            add(target, path, copied, path_span)
        }
        other => Err(format!("Unexpected kind: {other}")),
    }
}

fn get<'a>(node: &'a Node, tokens: &[String]) -> Option<&'a Node> {
    let mut node = node;
    for t in tokens {
        node = match &node.value {
            Value::Map(_) => node.get(t)?,
            Value::Seq(items) => items.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn parent_mut<'a>(node: &'a mut Node, tokens: &[String]) -> Option<&'a mut Node> {
    let mut node = node;
    for t in tokens {
        node = match &mut node.value {
            Value::Map(entries) => &mut entries.iter_mut().find(|e| &e.key == t)?.value,
            Value::Seq(items) => items.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn invalid_index(op: &str, path: &str, key: &str) -> String {
    format!(
        "error in {op} for path: '{path}': Unable to access invalid index: {key}: invalid index referenced"
    )
}

fn add(target: &mut Node, path: &str, value: Node, key_span: Span) -> Result<(), String> {
    let mut toks = tokens(path);
    let Some(key) = toks.pop() else {
        *target = value;
        return Ok(());
    };
    let missing =
        || format!("add operation does not apply: doc is missing path: \"{path}\": missing value");
    let parent = parent_mut(target, &toks).ok_or_else(missing)?;
    match &mut parent.value {
        Value::Map(entries) => {
            match entries.iter_mut().find(|e| e.key == key) {
                Some(e) => {
                    e.key_span = key_span;
                    e.value = value;
                }
                None => entries.push(Entry {
                    key,
                    key_span,
                    value,
                }),
            }
            Ok(())
        }
        Value::Seq(items) => {
            if key == "-" {
                items.push(value);
                return Ok(());
            }
            match key.parse::<usize>() {
                Ok(i) if i <= items.len() => {
                    items.insert(i, value);
                    Ok(())
                }
                _ => Err(invalid_index("add", path, &key)),
            }
        }
        _ => Err(missing()),
    }
}

fn remove(target: &mut Node, path: &str) -> Result<Node, String> {
    let mut toks = tokens(path);
    let missing = || {
        format!("remove operation does not apply: doc is missing path: \"{path}\": missing value")
    };
    let key = toks.pop().ok_or_else(missing)?;
    let parent = parent_mut(target, &toks).ok_or_else(missing)?;
    match &mut parent.value {
        Value::Map(entries) => match entries.iter().position(|e| e.key == key) {
            Some(i) => Ok(entries.remove(i).value),
            None => Err(format!(
                "error in remove for path: '{path}': Unable to remove nonexistent key: {key}: missing value"
            )),
        },
        Value::Seq(items) => match key.parse::<usize>() {
            Ok(i) if i < items.len() => Ok(items.remove(i)),
            _ => Err(invalid_index("remove", path, &key)),
        },
        _ => Err(missing()),
    }
}

fn replace(target: &mut Node, path: &str, value: Node, key_span: Span) -> Result<(), String> {
    let mut toks = tokens(path);
    let Some(key) = toks.pop() else {
        *target = value;
        return Ok(());
    };
    let missing = || {
        format!("replace operation does not apply: doc is missing path: \"{path}\": missing value")
    };
    let parent = parent_mut(target, &toks).ok_or_else(missing)?;
    match &mut parent.value {
        Value::Map(_) => add(target, path, value, key_span),
        Value::Seq(items) => match key.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(invalid_index("replace", path, &key)),
        },
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_load::{Limits, Syntax, load};

    fn doc(text: &str) -> Node {
        load(text, Syntax::Yaml, &Limits::default())
            .documents
            .remove(0)
            .root
    }

    const CM: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: \"1\"}\nlist: [1, 2]\n";

    fn run(op: &str) -> Result<serde_json::Value, String> {
        let mut t = doc(CM);
        apply(&mut t, &doc(op))
            .map(|()| t.to_json())
            .map_err(|e| e.message)
    }

    #[test]
    fn ops_as_kubectl_kustomize_applies_them() {
        let v = run("- {op: add, path: /list/-, value: 3}").unwrap();
        assert_eq!(v["list"], serde_json::json!([1, 2, 3]));
        let v = run("- {op: add, path: /list/0, value: 0}").unwrap();
        assert_eq!(v["list"], serde_json::json!([0, 1, 2]));
        let v = run("- {op: replace, path: /data/zz, value: x}").unwrap();
        assert_eq!(v["data"], serde_json::json!({"a": "1", "zz": "x"}));
        let v = run("- {op: copy, from: /data/zz, path: /data/b}").unwrap();
        assert_eq!(v["data"], serde_json::json!({"a": "1", "b": null}));
        let v = run("- {op: add, path: data/b, value: 1}").unwrap();
        assert_eq!(v["b"], serde_json::json!(1));
        let v = run("- {op: move, from: /data/a, path: /m}\n- {op: test, path: /m, value: \"1\"}")
            .unwrap();
        assert_eq!(v["m"], serde_json::json!("1"));
        assert_eq!(v["data"], serde_json::json!({}));
    }

    #[test]
    fn errors_in_kustomize_words() {
        let cases = [
            (
                "- {op: remove, path: /data/zz}",
                "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value",
            ),
            (
                "- {op: add, path: /nope/zz, value: x}",
                "add operation does not apply: doc is missing path: \"/nope/zz\": missing value",
            ),
            (
                "- {op: test, path: /data/a, value: \"2\"}",
                "testing value /data/a failed: test failed",
            ),
            (
                "- {op: move, from: /data/zz, path: /data/b}",
                "error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value",
            ),
            (
                "- {op: add, path: /list/5, value: 3}",
                "error in add for path: '/list/5': Unable to access invalid index: 5: invalid index referenced",
            ),
            (
                "- {op: remove, path: /list/9}",
                "error in remove for path: '/list/9': Unable to access invalid index: 9: invalid index referenced",
            ),
            ("- {op: bogus, path: /a}", "Unexpected kind: bogus"),
            (
                "- {op: add, path: /data/a/x, value: 0}",
                "add operation does not apply: doc is missing path: \"/data/a/x\": missing value",
            ),
        ];
        for (op, want) in cases {
            assert_eq!(run(op).unwrap_err(), want, "{op}");
        }
    }

    #[test]
    fn inserted_values_keep_the_op_spans() {
        let mut t = doc(CM);
        let mut ops = doc("- op: add\n  path: /data/b\n  value: x\n- {op: bogus}\n");
        ops.set_file(tollgate_load::FileId(3));
        let err = apply(&mut t, &ops).unwrap_err();
        let Value::Seq(items) = &ops.value else {
            panic!()
        };
        assert_eq!(err.span, items[1].span);
        let b = t.get("data").unwrap().get("b").unwrap();
        assert_eq!(b.span, items[0].get("value").unwrap().span);
        assert_eq!(b.span.file, tollgate_load::FileId(3));
        let Value::Map(entries) = &t.get("data").unwrap().value else {
            panic!()
        };
        assert_eq!(entries[1].key_span, items[0].get("path").unwrap().span);
    }
}
