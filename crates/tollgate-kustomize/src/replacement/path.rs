//! kyaml's field paths as `replacements` use them: the splitter
//! (`SmarterPathSplitter`), the source lookup (`PathGetter`: exact
//! `[name=value]` matches, indexes, `-` for the last element, no wildcard)
//! and the target matcher (`PathMatcher`: `*` over a sequence's elements,
//! `[name=regex]` as an **unanchored** regular expression, indexes, and
//! creation of missing fields with `options.create`).

use regex::Regex;

use crate::{Entry, Node, Problem, Span, Value};

/// kyaml's `SmarterPathSplitter(path, ".")`: split at `.` (a `\.` escapes
/// it), but keep `[a.b=c.d]` whole; a bracketed part without `=` loses its
/// brackets.
pub(crate) fn split(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    if parts.len() > 1 && parts[0].is_empty() {
        parts.remove(0);
    }
    let mut plain: Vec<String> = Vec::new();
    for p in parts {
        match plain.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(p);
            }
            _ => plain.push(p.to_owned()),
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < plain.len() {
        let elem = &plain[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut joined = vec![elem.clone()];
            while i < plain.len() - 1 {
                i += 1;
                joined.push(plain[i].clone());
                if plain[i].ends_with(']') {
                    break;
                }
            }
            let s = joined.join(".");
            if s.contains('=') {
                out.push(s);
            } else {
                out.push(s.trim_matches(|c| c == '[' || c == ']').to_owned());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

fn index_number(p: &str) -> Option<usize> {
    // Go's strconv.Atoi accepts a sign; a negative index is not an index here.
    let digits = p.strip_prefix('+').unwrap_or(p);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn split_index(p: &str) -> Result<(&str, &str), String> {
    let inner = p.strip_suffix(']').unwrap_or(p);
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    inner.split_once('=').ok_or_else(|| {
        "list path element must contain fieldName=fieldValue for element to match".to_owned()
    })
}

/// A mapping field as Go's `encoding/json` finds a struct field (what
/// kustomize decodes its configuration with): the exact key, else a key
/// equal ignoring case (`fieldpath` is `fieldPath`).
pub(crate) fn field<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    let Value::Map(entries) = &node.value else {
        return None;
    };
    entries
        .iter()
        .find(|e| e.key == key)
        .or_else(|| entries.iter().find(|e| e.key.eq_ignore_ascii_case(key)))
        .map(|e| &e.value)
}

fn is_scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Seq(_) | Value::Map(_))
}

/// The text kyaml sees in a scalar node (its `Value`).
pub(crate) fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "null".to_owned(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// `PathGetter` without creation: the node at `path`, `Ok(None)` when a
/// part is missing.
pub(crate) fn lookup<'a>(node: &'a Node, path: &[String]) -> Result<Option<&'a Node>, String> {
    let mut cur = node;
    for part in path {
        let next = if let Some(i) = index_number(part) {
            match &cur.value {
                Value::Seq(items) => items.get(i),
                _ => None,
            }
        } else if part.starts_with('-')
            && part[1..].bytes().all(|b| b.is_ascii_digit())
            && part.len() > 1
        {
            return Err(format!("array index {part} cannot be negative"));
        } else if part == "-" {
            match &cur.value {
                Value::Seq(items) => items.last(),
                _ => None,
            }
        } else if part == "*" {
            return Err("wildcard is not supported in PathGetter".to_owned());
        } else if is_list_index(part) {
            let (name, value) = split_index(part)?;
            match &cur.value {
                Value::Seq(items) => items.iter().find(|item| {
                    let field = if name.is_empty() {
                        Some(*item)
                    } else {
                        item.get(name)
                    };
                    field.is_some_and(|f| is_scalar(f) && scalar_text(f) == value)
                }),
                _ => None,
            }
        } else {
            cur.get(part)
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

/// What `options.create` makes for a missing final field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NewKind {
    /// A scalar (its type comes from the text written into it).
    Scalar,
    /// A sequence.
    Seq,
    /// A mapping.
    Map,
}

/// A node made by `options.create`, before the value is written.
pub(crate) fn new_node(kind: NewKind, span: Span) -> Node {
    let value = match kind {
        NewKind::Scalar => Value::Null,
        NewKind::Seq => Value::Seq(Vec::new()),
        NewKind::Map => Value::Map(Vec::new()),
    };
    Node::new(value, span)
}

fn kind_for_next(next: Option<&String>, last: NewKind) -> NewKind {
    match next {
        None => last,
        Some(n) if is_list_index(n) || index_number(n).is_some() => NewKind::Seq,
        Some(_) => NewKind::Map,
    }
}

/// A target field found (or created) by [`for_each_match`]: the node and
/// whether `options.create` just made it.
pub(crate) type Visit<'v> = dyn FnMut(&mut Node, bool) -> Result<(), Problem> + 'v;

/// `PathMatcher`: calls `visit` on every node `path` reaches in `node`,
/// creating what is missing when `create` is set (`span` goes on created
/// nodes); returns how many it visited. `Err` is kyaml's message.
pub(crate) fn for_each_match(
    node: &mut Node,
    path: &[String],
    create: Option<NewKind>,
    span: Span,
    visit: &mut Visit,
    created: bool,
) -> Result<Result<usize, String>, Problem> {
    let Some((part, rest)) = path.split_first() else {
        visit(node, created)?;
        return Ok(Ok(1));
    };
    if let Some(idx) = index_number(part) {
        let Value::Seq(items) = &mut node.value else {
            return Ok(Err(format!(
                "wrong node kind: expected SequenceNode at {part:?}"
            )));
        };
        let mut made = false;
        if items.len() == idx
            && let Some(last) = create
        {
            items.push(new_node(kind_for_next(rest.first(), last), span));
            made = true;
        }
        let n = items.len();
        let Some(item) = items.get_mut(idx) else {
            return Ok(Err(format!(
                "index {idx} specified but only {n} elements found"
            )));
        };
        return for_each_match(item, rest, create, span, visit, made);
    }
    if is_list_index(part) {
        let (name, pattern) = match split_index(part) {
            Ok(x) => x,
            Err(m) => return Ok(Err(m)),
        };
        let re = match Regex::new(pattern) {
            Ok(r) => r,
            Err(e) => return Ok(Err(format!("error parsing regexp: {e}"))),
        };
        let Value::Seq(items) = &mut node.value else {
            return Ok(Err(format!(
                "wrong node kind: expected SequenceNode at {part:?}"
            )));
        };
        let selected = |item: &Node| {
            if name.is_empty() {
                re.is_match(scalar_text(item).trim())
            } else {
                item.get(name)
                    .is_some_and(|f| re.is_match(scalar_text(f).trim()))
            }
        };
        let mut count = 0;
        for item in items.iter_mut() {
            if !selected(item) {
                continue;
            }
            if name.is_empty() {
                // A primitive element is the match itself.
                visit(item, false)?;
                count += 1;
            } else {
                match for_each_match(item, rest, create, span, visit, false)? {
                    Ok(c) => count += c,
                    Err(m) => return Ok(Err(m)),
                }
            }
        }
        if count == 0 && create.is_some() {
            let value = Node::new(Value::String(pattern.to_owned()), span);
            let elem = if name.is_empty() {
                value
            } else {
                Node::new(
                    Value::Map(vec![Entry {
                        key: name.to_owned(),
                        key_span: span,
                        value,
                    }]),
                    span,
                )
            };
            items.push(elem);
            return for_each_match(node, path, create, span, visit, created);
        }
        return Ok(Ok(count));
    }
    if part == "*" {
        let Value::Seq(items) = &mut node.value else {
            return Ok(Err(format!(
                "wrong node kind: expected SequenceNode at {part:?}"
            )));
        };
        let mut count = 0;
        for item in items.iter_mut() {
            match for_each_match(item, rest, create, span, visit, false)? {
                Ok(c) => count += c,
                Err(m) => return Ok(Err(m)),
            }
        }
        return Ok(Ok(count));
    }
    let Value::Map(entries) = &mut node.value else {
        return Ok(if create.is_some() {
            Err(format!("wrong node kind: expected MappingNode at {part:?}"))
        } else {
            Ok(0)
        });
    };
    let mut made = false;
    let index = match entries.iter().position(|e| e.key == *part) {
        Some(i) => i,
        None => {
            let Some(last) = create else {
                return Ok(Ok(0));
            };
            entries.push(Entry {
                key: part.clone(),
                key_span: span,
                value: new_node(kind_for_next(rest.first(), last), span),
            });
            made = true;
            entries.len() - 1
        }
    };
    for_each_match(&mut entries[index].value, rest, create, span, visit, made)
}
