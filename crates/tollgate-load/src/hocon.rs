//! HOCON (Typesafe/Akka config, `--parser hocon`) into a spanned tree in the
//! shape conftest gives policies (its HOCON parser, over go-akka/configuration):
//!
//! - objects are objects: `a.b.c = 1` and `a { b { c = 1 } }` are the same,
//!   and an object written twice is merged (a later scalar replaces);
//! - every other value is typed from its text, as conftest does: a number
//!   (Go's `ParseFloat`) is a number, then Go's `ParseBool` words a boolean,
//!   else a string; quoting does not change this (`"9000"` is 9000);
//! - a string holding a space or a tab is given with double quotes around it
//!   (`"\"hello world\""`), and an empty string as `"\"\""`, as go-akka
//!   prints values;
//! - a list is one string, as go-akka prints it (`"[a,b,c]"`);
//! - `${path}` takes the value at `path` (its final value); `${?path}` that
//!   does not resolve leaves the key as it was. Environment variables are
//!   not read (conftest falls back to them): a run does not depend on the
//!   machine's environment. `include` is not followed (nothing outside the
//!   file is read).
//!
//! Written here: no maintained Rust crate parses HOCON with positions.

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

/// A parsed value, before substitutions are resolved.
#[derive(Clone)]
enum H {
    Obj(Vec<(String, Span, HNode)>),
    Arr(Vec<HNode>),
    /// A concatenation of parts (a single literal is one part).
    Parts(Vec<Part>),
}

#[derive(Clone)]
struct HNode {
    v: H,
    span: Span,
}

#[derive(Clone)]
enum Part {
    Text(String),
    Sub {
        path: Vec<String>,
        optional: bool,
        span: Span,
    },
    Value(HNode),
    /// The value a key had before `key = ${?x}`: kept when `x` does not resolve.
    Fallback(HNode, Span),
}

struct Parser<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    depth: usize,
    nodes: usize,
    limits: &'t Limits,
}

const FORBIDDEN: &[u8] = b"$\"{}[]:=,+#`^?!@*&\\";

impl Parser<'_> {
    fn error(&self, at: usize, message: impl std::fmt::Display) -> Problem {
        let at = at.min(self.text.len());
        Problem::error(
            rules::SYNTAX,
            format!("HOCON: {message}"),
            Span::new(at, at),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at_comment(&self) -> bool {
        self.peek() == Some(b'#') || self.b[self.pos..].starts_with(b"//")
    }

    /// Spaces and tabs (not newlines), and a comment to the end of the line.
    fn skip_inline(&mut self) {
        while let Some(c) = self.peek() {
            if c == b' ' || c == b'\t' || c == b'\r' {
                self.pos += 1;
            } else if self.at_comment() {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Whitespace, newlines, comments (and commas when `commas`).
    fn skip_all(&mut self, commas: bool) {
        loop {
            self.skip_inline();
            match self.peek() {
                Some(b'\n') => self.pos += 1,
                Some(b',') if commas => self.pos += 1,
                _ => break,
            }
        }
    }

    fn count(&mut self) -> Result<(), Problem> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(Problem::error(
                rules::NODE_LIMIT,
                format!(
                    "document has more than {} nodes (limits.max_nodes)",
                    self.limits.max_nodes
                ),
                Span::new(self.pos, self.pos),
            ));
        }
        Ok(())
    }

    fn deeper(&mut self, at: usize) -> Result<(), Problem> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Problem::error(
                rules::DEPTH_LIMIT,
                format!(
                    "nesting deeper than {} levels (limits.max_depth); the document is not checked",
                    self.limits.max_depth
                ),
                Span::new(at, at + 1),
            ));
        }
        Ok(())
    }

    fn check_len(&self, s: &str, start: usize) -> Result<(), Problem> {
        if s.len() > self.limits.max_string_length {
            return Err(Problem::error(
                rules::STRING_LIMIT,
                format!(
                    "a string longer than {} bytes (limits.max_string_length)",
                    self.limits.max_string_length
                ),
                Span::new(start, self.pos),
            ));
        }
        Ok(())
    }

    /// A quoted string (`"…"` or `"""…"""`) at `pos`.
    fn quoted(&mut self) -> Result<String, Problem> {
        let start = self.pos;
        if self.b[self.pos..].starts_with(b"\"\"\"") {
            self.pos += 3;
            let Some(end) = self.text[self.pos..].find("\"\"\"") else {
                return Err(self.error(start, "unterminated `\"\"\"` string"));
            };
            let mut end = self.pos + end;
            // Extra quotes before the closing three belong to the string.
            while self.b.get(end + 3) == Some(&b'"') {
                end += 1;
            }
            let s = self.text[self.pos..end].to_owned();
            self.pos = end + 3;
            self.check_len(&s, start)?;
            return Ok(s);
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(i) = rest.find(['"', '\\', '\n']) else {
                return Err(self.error(start, "unterminated string"));
            };
            out.push_str(&rest[..i]);
            self.pos += i;
            self.check_len(&out, start)?;
            match self.b[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\n' => return Err(self.error(start, "unterminated string")),
                _ => {}
            }
            self.pos += 1;
            let esc = self.peek();
            self.pos += 1;
            match esc {
                Some(b'n') => out.push('\n'),
                Some(b't') => out.push('\t'),
                Some(b'r') => out.push('\r'),
                Some(b'b') => out.push('\u{8}'),
                Some(b'f') => out.push('\u{c}'),
                Some(b'"') => out.push('"'),
                Some(b'\\') => out.push('\\'),
                Some(b'/') => out.push('/'),
                Some(b'u') => {
                    let hex = self.text.get(self.pos..self.pos + 4).unwrap_or("");
                    let c = u32::from_str_radix(hex, 16)
                        .ok()
                        .map(|c| char::from_u32(c).unwrap_or('\u{fffd}'))
                        .ok_or_else(|| self.error(self.pos, "invalid \\u escape"))?;
                    out.push(c);
                    self.pos += 4;
                }
                _ => return Err(self.error(self.pos - 2, "invalid escape in a string")),
            }
        }
    }

    /// A key path (`a.b."c.d"`), with the span of each part.
    fn key(&mut self) -> Result<Vec<(String, Span)>, Problem> {
        let mut parts = Vec::new();
        loop {
            let start = self.pos;
            let part = if self.peek() == Some(b'"') {
                self.quoted()?
            } else {
                while self.peek().is_some_and(|c| {
                    !FORBIDDEN.contains(&c) && c != b'.' && !c.is_ascii_whitespace()
                }) && !self.b[self.pos..].starts_with(b"//")
                {
                    self.pos += 1;
                }
                self.text[start..self.pos].to_owned()
            };
            if self.pos == start {
                return Err(match self.peek() {
                    Some(c) => self.error(start, format!("expected a key, found `{}`", c as char)),
                    None => self.error(start, "expected a key, found the end of the file"),
                });
            }
            parts.push((part, Span::new(start, self.pos)));
            if self.peek() == Some(b'.') {
                self.pos += 1;
            } else {
                return Ok(parts);
            }
        }
    }

    /// The fields of an object up to `}` (or the end of the file at the root).
    fn fields(&mut self, root: bool) -> Result<Vec<(String, Span, HNode)>, Problem> {
        let mut fields: Vec<(String, Span, HNode)> = Vec::new();
        loop {
            self.skip_all(true);
            match self.peek() {
                None if root => return Ok(fields),
                None => return Err(self.error(self.pos, "unexpected end of file, expected `}`")),
                Some(b'}') if !root => {
                    self.pos += 1;
                    return Ok(fields);
                }
                _ => {}
            }
            if self.b[self.pos..].starts_with(b"include") {
                let save = self.pos;
                self.pos += 7;
                self.skip_inline();
                if matches!(self.peek(), Some(b'"')) || self.b[self.pos..].starts_with(b"file(") {
                    // Not followed: skip the rest of the line.
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                    continue;
                }
                self.pos = save;
            }
            let key = self.key()?;
            self.skip_inline();
            let append = if self.b[self.pos..].starts_with(b"+=") {
                self.pos += 2;
                true
            } else {
                if matches!(self.peek(), Some(b'=' | b':')) {
                    self.pos += 1;
                } else if self.peek() != Some(b'{') {
                    return Err(match self.peek() {
                        Some(c) => self.error(
                            self.pos,
                            format!(
                                "expected `=`, `:` or `{{` after a key, found `{}`",
                                c as char
                            ),
                        ),
                        None => self.error(self.pos, "expected a value, found the end of the file"),
                    });
                }
                false
            };
            self.skip_inline();
            let value = self.value(b'}')?;
            // `a.b.c = v` is `a { b { c = v } }`.
            let mut node = value;
            for (k, ks) in key[1..].iter().rev() {
                node = HNode {
                    span: Span::new(ks.start, node.span.end),
                    v: H::Obj(vec![(k.clone(), *ks, node)]),
                };
            }
            let (name, name_span) = key[0].clone();
            set(&mut fields, name, name_span, node, append);
        }
    }

    /// A value: parts up to a newline, `,`, a comment or `close`.
    fn value(&mut self, close: u8) -> Result<HNode, Problem> {
        self.count()?;
        let start = self.pos;
        let mut parts: Vec<Part> = Vec::new();
        let mut pending_ws = String::new();
        while let Some(c) = self.peek() {
            if c == b'\n'
                || c == b','
                || c == close
                || (c == b'}' || c == b']')
                || self.at_comment()
            {
                break;
            }
            if c == b' ' || c == b'\t' || c == b'\r' {
                pending_ws.push(c as char);
                self.pos += 1;
                continue;
            }
            if !parts.is_empty() && !pending_ws.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut pending_ws)));
            }
            pending_ws.clear();
            let at = self.pos;
            match c {
                b'"' => {
                    let s = self.quoted()?;
                    parts.push(Part::Text(s));
                }
                b'{' => {
                    self.deeper(at)?;
                    self.pos += 1;
                    let fields = self.fields(false)?;
                    self.depth -= 1;
                    parts.push(Part::Value(HNode {
                        v: H::Obj(fields),
                        span: Span::new(at, self.pos),
                    }));
                }
                b'[' => {
                    self.deeper(at)?;
                    self.pos += 1;
                    let mut items = Vec::new();
                    loop {
                        self.skip_all(true);
                        match self.peek() {
                            None => return Err(self.error(at, "`[` is not closed")),
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => items.push(self.value(b']')?),
                        }
                    }
                    self.depth -= 1;
                    parts.push(Part::Value(HNode {
                        v: H::Arr(items),
                        span: Span::new(at, self.pos),
                    }));
                }
                b'$' if self.b.get(self.pos + 1) == Some(&b'{') => {
                    self.pos += 2;
                    let optional = self.peek() == Some(b'?');
                    if optional {
                        self.pos += 1;
                    }
                    self.skip_inline();
                    let path = self.key()?.into_iter().map(|(k, _)| k).collect();
                    self.skip_inline();
                    if self.peek() != Some(b'}') {
                        return Err(self.error(self.pos, "expected `}` closing a substitution"));
                    }
                    self.pos += 1;
                    parts.push(Part::Sub {
                        path,
                        optional,
                        span: Span::new(at, self.pos),
                    });
                }
                _ => {
                    while let Some(c) = self.peek() {
                        if matches!(
                            c,
                            b'\n' | b',' | b'"' | b'{' | b'}' | b'[' | b']' | b' ' | b'\t' | b'\r'
                        ) || c == close
                            || self.at_comment()
                            || (c == b'$' && self.b.get(self.pos + 1) == Some(&b'{'))
                        {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos == at {
                        return Err(self.error(at, format!("unexpected `{}`", c as char)));
                    }
                    parts.push(Part::Text(self.text[at..self.pos].to_owned()));
                }
            }
        }
        if parts.is_empty() {
            return Err(self.error(start, "expected a value"));
        }
        if let [Part::Value(_)] = parts.as_slice()
            && let Some(Part::Value(node)) = parts.pop()
        {
            return Ok(node);
        }
        let end = self.text[..self.pos].trim_end().len().max(start);
        Ok(HNode {
            v: H::Parts(parts),
            span: Span::new(start, end),
        })
    }
}

/// Sets a field: objects merge, anything else replaces (`+=` appends).
fn set(
    fields: &mut Vec<(String, Span, HNode)>,
    key: String,
    key_span: Span,
    value: HNode,
    append: bool,
) {
    if let Some(existing) = fields.iter_mut().find(|f| f.0 == key) {
        match (&mut existing.2.v, value.v) {
            (H::Obj(old), H::Obj(new)) => {
                for (k, ks, v) in new {
                    set(old, k, ks, v, append);
                }
                existing.1 = key_span;
            }
            (H::Arr(old), v) if append => {
                old.push(HNode {
                    v,
                    span: value.span,
                });
                existing.2.span.end = value.span.end;
            }
            (_, v) => {
                // A value whose only part is an optional substitution keeps the old
                // one when it does not resolve: kept for the resolution step.
                let previous = existing.2.clone();
                let mut v = v;
                if let H::Parts(parts) = &mut v
                    && let [Part::Sub { optional: true, .. }] = parts.as_slice()
                {
                    parts.push(Part::Fallback(previous, existing.1));
                }
                existing.1 = key_span;
                existing.2 = HNode {
                    v,
                    span: value.span,
                };
            }
        }
        return;
    }
    let v = if append {
        H::Arr(vec![value.clone()])
    } else {
        value.v
    };
    fields.push((
        key,
        key_span,
        HNode {
            v,
            span: value.span,
        },
    ));
}

/// Resolves substitutions against the unresolved root.
struct Resolver<'r> {
    root: &'r [(String, Span, HNode)],
    depth: usize,
    limits: &'r Limits,
}

/// A resolved value.
enum R {
    Obj(Vec<(String, Span, R, Span)>),
    Arr(Vec<(R, Span)>),
    Str(String),
    /// An optional substitution that did not resolve.
    Unset,
}

impl Resolver<'_> {
    fn lookup(&self, path: &[String]) -> Option<HNode> {
        let mut fields = self.root;
        let mut found: Option<&HNode> = None;
        for (i, k) in path.iter().enumerate() {
            let f = fields.iter().find(|f| &f.0 == k)?;
            found = Some(&f.2);
            if i + 1 < path.len() {
                match &f.2.v {
                    H::Obj(inner) => fields = inner,
                    _ => return None,
                }
            }
        }
        found.cloned()
    }

    /// The field as it stands once optional substitutions that do not resolve
    /// are dropped: the earlier value and its key's span.
    fn effective<'n>(&self, mut key_span: Span, mut node: &'n HNode) -> (Span, &'n HNode) {
        while let H::Parts(parts) = &node.v
            && let [
                Part::Sub {
                    path,
                    optional: true,
                    ..
                },
                Part::Fallback(prev, prev_key),
            ] = parts.as_slice()
            && self.lookup(path).is_none()
        {
            key_span = *prev_key;
            node = prev;
        }
        (key_span, node)
    }

    fn resolve(&mut self, node: &HNode) -> Result<R, Problem> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Problem::error(
                rules::DEPTH_LIMIT,
                "substitutions nest too deep (or refer to themselves)",
                node.span,
            ));
        }
        let out = match &node.v {
            H::Obj(fields) => {
                let mut out = Vec::new();
                for (k, ks, v) in fields {
                    // A value kept from before an unresolved `${?x}` keeps its lines.
                    let (ks, v) = self.effective(*ks, v);
                    match self.resolve(v)? {
                        R::Unset => {}
                        r => out.push((k.clone(), ks, r, v.span)),
                    }
                }
                R::Obj(out)
            }
            H::Arr(items) => {
                let mut out = Vec::new();
                for v in items {
                    match self.resolve(v)? {
                        R::Unset => {}
                        r => out.push((r, v.span)),
                    }
                }
                R::Arr(out)
            }
            H::Parts(parts) => self.parts(parts)?,
        };
        self.depth -= 1;
        Ok(out)
    }

    fn parts(&mut self, parts: &[Part]) -> Result<R, Problem> {
        let mut resolved: Vec<R> = Vec::new();
        for p in parts {
            match p {
                Part::Text(s) => resolved.push(R::Str(s.clone())),
                Part::Value(v) => resolved.push(self.resolve(v)?),
                Part::Fallback(..) => {}
                Part::Sub {
                    path,
                    optional,
                    span,
                } => match self.lookup(path) {
                    Some(target) => resolved.push(self.resolve(&target)?),
                    None if *optional => {
                        // `${?x}` alone after an earlier value: the earlier one stays.
                        if let [_, Part::Fallback(prev, _)] = parts {
                            return self.resolve(prev);
                        }
                        if parts.len() == 1 {
                            return Ok(R::Unset);
                        }
                    }
                    None => {
                        return Err(Problem::error(
                            rules::SYNTAX,
                            format!("HOCON: unresolved substitution ${{{}}}", path.join(".")),
                            *span,
                        ));
                    }
                },
            }
        }
        resolved.retain(|r| !matches!(r, R::Unset));
        if resolved.len() == 1 {
            return Ok(resolved.remove(0));
        }
        if resolved.iter().all(|r| matches!(r, R::Arr(_))) {
            let mut all = Vec::new();
            for r in resolved {
                if let R::Arr(items) = r {
                    all.extend(items);
                }
            }
            return Ok(R::Arr(all));
        }
        let mut s = String::new();
        for r in &resolved {
            s.push_str(&render(r));
        }
        Ok(R::Str(s))
    }
}

/// go-akka's quoting of a string value.
fn quote_if_needed(s: &str) -> String {
    if s.is_empty() {
        "\"\"".to_owned()
    } else if s.contains([' ', '\t']) {
        format!("\"{s}\"")
    } else {
        s.to_owned()
    }
}

/// A value as go-akka prints it.
fn render(r: &R) -> String {
    match r {
        R::Str(s) => s.clone(),
        R::Arr(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|(x, _)| match x {
                    R::Str(s) => quote_if_needed(s),
                    other => render(other),
                })
                .collect();
            format!("[{}]", parts.join(","))
        }
        R::Obj(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, _, v, _)| format!("{k} : {}", render(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        R::Unset => String::new(),
    }
}

/// conftest's typing of a non-object value's text.
fn typed(text: String) -> Value {
    match crate::lines::ini_value(&text) {
        Value::String(_) => Value::String(text),
        v => v,
    }
}

fn to_node(r: R, span: Span) -> Node {
    match r {
        R::Obj(fields) => Node::new(
            Value::Map(
                fields
                    .into_iter()
                    .map(|(key, key_span, v, vs)| Entry {
                        key,
                        key_span,
                        value: to_node(v, vs),
                    })
                    .collect(),
            ),
            span,
        ),
        R::Str(s) => Node::new(typed(quote_if_needed(&s)), span),
        other => Node::new(typed(render(&other)), span),
    }
}

/// Loads a HOCON file: one document, or a problem at its position.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        pos: 0,
        depth: 0,
        nodes: 0,
        limits,
    };
    p.skip_all(false);
    let braced = p.peek() == Some(b'{');
    if braced {
        p.pos += 1;
    }
    let fields = match p.fields(!braced) {
        Ok(f) => f,
        Err(problem) => {
            loaded.problems.push(problem);
            return loaded;
        }
    };
    if braced {
        p.skip_all(false);
        if p.pos < text.len() {
            loaded
                .problems
                .push(p.error(p.pos, "text after the closing `}` of the root object"));
            return loaded;
        }
    }
    let whole = Span::new(0, text.trim_end().len());
    let mut r = Resolver {
        root: &fields,
        depth: 0,
        limits,
    };
    let root = HNode {
        v: H::Obj(fields.clone()),
        span: whole,
    };
    match r.resolve(&root) {
        Ok(resolved) => loaded.documents.push(Document {
            index: 0,
            root: to_node(resolved, whole),
        }),
        Err(problem) => loaded.problems.push(problem),
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conftest_shape() {
        let text = "# Play\nplay.server {\n  http {\n    port = 9001\n    port = ${?PLAY_HTTP_PORT}\n    address = \"0.0.0.0\"\n  }\n}\nplay.server.http.idle = 75 s\napp {\n  name: \"my app\"\n  debug = true\n  ratio = \"0.5\"\n  hosts = [a, b, \"c d\"]\n  ref = ${play.server.http.port}\n  empty = \"\"\n}\n";
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let root = &l.documents[0].root;
        assert_eq!(
            root.to_json(),
            serde_json::json!({
                "play": {"server": {"http": {"port": 9001, "address": "0.0.0.0", "idle": "\"75 s\""}}},
                "app": {"name": "\"my app\"", "debug": true, "ratio": 0.5, "hosts": "[a,b,\"c d\"]", "ref": 9001, "empty": "\"\""}
            })
        );
        let line = |p: &str| crate::line_of(text, root.pointer_span(p).span.start);
        assert_eq!(line("/play/server/http/address"), 6);
        assert_eq!(line("/app/debug"), 12);
    }

    #[test]
    fn braces_separators_and_comments() {
        let text = "{\n  a : 1, b = 2 // two\n  c { d = x }\n  c { e = y }\n}\n";
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        assert_eq!(
            l.documents[0].root.to_json(),
            serde_json::json!({"a": 1, "b": 2, "c": {"d": "x", "e": "y"}})
        );
    }

    #[test]
    fn errors_and_limits() {
        let text = "a {\n  b = 1\n  c = \"open\n}\n";
        let l = load(text, &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 3);
        let text = "a = 1\nb = ${nope}\n";
        let l = load(text, &Limits::default());
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
        let l = load("a {\n b = 1\n", &Limits::default());
        assert_eq!(l.problems.len(), 1);
        let deep = "a = ".to_owned() + &"[".repeat(300);
        assert_eq!(
            load(&deep, &Limits::default()).problems[0].rule,
            rules::DEPTH_LIMIT
        );
        let l = load("a = ${a}\n", &Limits::default());
        assert_eq!(l.problems[0].rule, rules::DEPTH_LIMIT);
    }
}
