//! JSON to spanned documents.
//!
//! Kubernetes decodes JSON directly (no YAML step), so `.json` files get a strict
//! JSON parser rather than the YAML one: tab indentation is fine, comments and
//! trailing commas are not. The input may hold several whitespace-separated
//! values, as a JSON stream for `kubectl apply` may. Recursion is bounded by
//! [`Limits::max_depth`], far below what would overflow a thread's stack.

use super::node::{Entry, Node, Span, Value};
use super::{Document, Limits, Lines, Loaded, Problem};
use crate::rules;

/// Loads a stream of JSON values.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut out = Loaded::default();
    let mut p = JsonParser {
        text,
        lines: Lines::new(text),
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
        nodes: 0,
        limits,
        problems: Vec::new(),
    };
    let mut index = 0;
    loop {
        p.skip_ws();
        if p.pos >= p.bytes.len() {
            break;
        }
        if out.documents.len() >= limits.max_documents {
            p.problems.push(Problem::error(
                rules::DOCUMENT_LIMIT,
                format!("more than {} documents in one file; the rest is not checked (limits.max_documents)", limits.max_documents),
                Span::new(p.pos, p.pos),
            ));
            break;
        }
        p.nodes = 0;
        match p.value() {
            Ok(root) => {
                if root.value != Value::Null {
                    out.documents.push(Document { index, root });
                }
                index += 1;
            }
            Err(problem) => {
                p.problems.push(problem);
                break;
            }
        }
    }
    out.problems = p.problems;
    out
}

struct JsonParser<'a> {
    text: &'a str,
    lines: Lines<'a>,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    nodes: usize,
    limits: &'a Limits,
    problems: Vec<Problem>,
}

type Parsed = Result<Node, Problem>;

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn error(&self, message: impl Into<String>) -> Problem {
        let len = self
            .text
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Problem::error(rules::SYNTAX, message, Span::new(self.pos, self.pos + len))
    }

    fn unexpected(&self, expected: &str) -> Problem {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            Some(c) => self.error(format!("expected {expected}, found `{c}`")),
            None => self.error(format!("expected {expected}, found the end of the file")),
        }
    }

    fn value(&mut self) -> Parsed {
        self.skip_ws();
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
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.container(true),
            Some(b'[') => self.container(false),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::new(Value::String(s), Span::new(start, self.pos)))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.unexpected("a JSON value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Parsed {
        let start = self.pos;
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(Node::new(value, Span::new(start, self.pos)))
        } else {
            Err(self.unexpected("a JSON value"))
        }
    }

    fn container(&mut self, is_object: bool) -> Parsed {
        let start = self.pos;
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Problem::error(
                rules::DEPTH_LIMIT,
                format!(
                    "nesting deeper than {} levels (limits.max_depth); the document is not checked",
                    self.limits.max_depth
                ),
                Span::new(start, start + 1),
            ));
        }
        self.pos += 1;
        let close = if is_object { b'}' } else { b']' };
        let mut entries: Vec<Entry> = Vec::new();
        let mut items: Vec<Node> = Vec::new();
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&close) {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if is_object {
                    if self.bytes.get(self.pos) != Some(&b'"') {
                        return Err(self.unexpected("a string key"));
                    }
                    let key_start = self.pos;
                    let key = self.string()?;
                    let key_span = Span::new(key_start, self.pos);
                    self.skip_ws();
                    if self.bytes.get(self.pos) != Some(&b':') {
                        return Err(self.unexpected("`:`"));
                    }
                    self.pos += 1;
                    let value = self.value()?;
                    if let Some(&existing) = seen.get(&key) {
                        self.problems.push(Problem::error(
                            rules::DUPLICATE_KEY,
                            format!(
                                "duplicate key `{key}` (first on line {}): Kubernetes rejects it in strict field validation and otherwise silently keeps the last value",
                                self.lines.line(entries[existing].key_span.start)
                            ),
                            key_span,
                        ));
                        entries[existing] = Entry {
                            key,
                            key_span,
                            value,
                        };
                    } else {
                        seen.insert(key.clone(), entries.len());
                        entries.push(Entry {
                            key,
                            key_span,
                            value,
                        });
                    }
                } else {
                    items.push(self.value()?);
                }
                self.skip_ws();
                match self.bytes.get(self.pos) {
                    Some(b',') => self.pos += 1,
                    Some(&c) if c == close => {
                        self.pos += 1;
                        break;
                    }
                    _ => {
                        return Err(self.unexpected(if is_object {
                            "`,` or `}`"
                        } else {
                            "`,` or `]`"
                        }));
                    }
                }
            }
        }
        self.depth -= 1;
        let span = Span::new(start, self.pos);
        Ok(Node::new(
            if is_object {
                Value::Map(entries)
            } else {
                Value::Seq(items)
            },
            span,
        ))
    }

    fn string(&mut self) -> Result<String, Problem> {
        // At the opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(i) = rest.find(['"', '\\']).or(None) else {
                self.pos = self.bytes.len();
                return Err(self.error("unterminated string"));
            };
            let chunk = &rest[..i];
            if let Some(bad) = chunk.find(|c: char| (c as u32) < 0x20) {
                self.pos += bad;
                return Err(self.error("control character in a string; escape it"));
            }
            out.push_str(chunk);
            self.pos += i;
            if out.len() > self.limits.max_string_length {
                return Err(Problem::error(
                    rules::STRING_LIMIT,
                    format!(
                        "a string longer than {} bytes (limits.max_string_length)",
                        self.limits.max_string_length
                    ),
                    Span::new(self.pos, self.pos),
                ));
            }
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(out);
            }
            // Backslash escape.
            self.pos += 1;
            let Some(&esc) = self.bytes.get(self.pos) else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match esc {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let c = self.unicode_escape()?;
                    out.push(c);
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.error("invalid escape in a string"));
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, Problem> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, Problem> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) && self.bytes[self.pos..].starts_with(b"\\u") {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let c = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        // Lone surrogates become the replacement character, as Go's decoder does.
        Ok(char::from_u32(first).unwrap_or('\u{FFFD}'))
    }

    fn number(&mut self) -> Parsed {
        let start = self.pos;
        let b = self.bytes;
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == int_start || (b[int_start] == b'0' && i - int_start > 1) {
            self.pos = int_start;
            return Err(self.error("invalid number"));
        }
        let mut is_float = false;
        if b.get(i) == Some(&b'.') {
            is_float = true;
            i += 1;
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                self.pos = i;
                return Err(self.error("invalid number: digits expected after `.`"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            is_float = true;
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                self.pos = i;
                return Err(self.error("invalid number: digits expected in the exponent"));
            }
        }
        let text = &self.text[start..i];
        self.pos = i;
        let span = Span::new(start, i);
        if !is_float {
            if let Ok(v) = text.parse::<i64>() {
                return Ok(Node::new(Value::Int(v), span));
            }
            if let Ok(v) = text.parse::<u64>() {
                return Ok(Node::new(Value::UInt(v), span));
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Node::new(Value::Float(f), span)),
            _ => {
                self.pos = start;
                Err(self.error("number out of range"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_json(text: &str) -> Loaded {
        load(text, &Limits::default())
    }

    #[test]
    fn parses_values_and_spans() {
        let text =
            "{\n\t\"a\": [1, 2.5, -3e2, true, null, \"x\\u00e9\\ud83d\\ude00\"],\n\t\"b\": {}\n}";
        let loaded = load_json(text);
        assert!(loaded.problems.is_empty());
        let root = &loaded.documents[0].root;
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": [1, 2.5, -300, true, null, "xé😀"], "b": {}})
        );
        let span = root.pointer_span("/a/1").span;
        assert_eq!(&text[span.start..span.end], "2.5");
    }

    #[test]
    fn duplicate_key_is_a_problem() {
        let loaded = load_json(r#"{"a": 1, "a": 2}"#);
        assert_eq!(loaded.problems[0].rule, rules::DUPLICATE_KEY);
        assert_eq!(loaded.problems[0].span, Span::new(9, 12));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let loaded = load_json("{\"a\": 1,}");
        assert_eq!(loaded.problems[0].rule, rules::SYNTAX);
        assert_eq!(loaded.problems[0].span.start, 8);
        assert!(
            load_json("[01]").problems[0]
                .message
                .contains("invalid number")
        );
        assert!(
            load_json("\"abc").problems[0]
                .message
                .contains("unterminated")
        );
    }

    #[test]
    fn streams_and_depth() {
        assert_eq!(load_json("{\"a\":1} {\"b\":2}").documents.len(), 2);
        let deep = "[".repeat(100_000);
        assert_eq!(load_json(&deep).problems[0].rule, rules::DEPTH_LIMIT);
    }
}
