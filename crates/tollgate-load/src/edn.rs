//! EDN into a spanned tree in the shape conftest gives policies (its EDN
//! parser, over olympos.io/encoding/edn, then a clean-up):
//!
//! - maps are objects whose keys are the keys as Go's `%v` prints them
//!   (`:env` for a keyword, `8080` for a number, `[a b]` for a vector);
//! - vectors and lists are lists;
//! - strings are strings, and every other scalar is a string too, as Go's
//!   `%v` prints it: keywords keep their colon (`":production"`), symbols
//!   their name, numbers their digits (`"8080"`, `"0.5"`, `"1e+06"`), `nil`
//!   is `"<nil>"`, a character its code point (`"97"`);
//! - a set is one string, as Go prints the map the decoder makes of it
//!   (`"map[:a:true :b:true]"`); a tagged value `#tag v` is `"#tag v"`;
//! - a top-level vector or list is one document per element, as conftest
//!   checks each element of a top-level array on its own.
//!
//! Written here: no maintained Rust EDN crate keeps positions, and EDN is
//! a small grammar. Only the first form of the file is read, as the Go
//! decoder reads one value.

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

/// A decoded EDN value, before conftest's clean-up.
enum Edn {
    Nil,
    Bool(bool),
    Int(String),
    Float(f64),
    Char(u32),
    Str(String),
    Keyword(String),
    Symbol(String),
    List(Vec<(Edn, Span)>),
    Map(Vec<((Edn, Span), (Edn, Span))>),
    Set(Vec<Edn>),
    Tag(String, Box<Edn>),
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`).
fn go_float(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// Go's `%v` of the decoded value.
fn go_v(v: &Edn) -> String {
    match v {
        Edn::Nil => "<nil>".to_owned(),
        Edn::Bool(b) => b.to_string(),
        Edn::Int(s) => s.clone(),
        Edn::Float(f) => go_float(*f),
        Edn::Char(c) => c.to_string(),
        Edn::Str(s) | Edn::Symbol(s) => s.clone(),
        Edn::Keyword(k) => format!(":{k}"),
        Edn::List(items) => {
            let parts: Vec<String> = items.iter().map(|(x, _)| go_v(x)).collect();
            format!("[{}]", parts.join(" "))
        }
        Edn::Map(entries) => {
            let mut parts: Vec<(String, String)> = entries
                .iter()
                .map(|((k, _), (v, _))| (go_v(k), go_v(v)))
                .collect();
            parts.sort();
            let parts: Vec<String> = parts.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
            format!("map[{}]", parts.join(" "))
        }
        Edn::Set(items) => {
            let mut parts: Vec<String> =
                items.iter().map(|x| format!("{}:true", go_v(x))).collect();
            parts.sort();
            format!("map[{}]", parts.join(" "))
        }
        Edn::Tag(name, inner) => format!("#{name} {}", go_v(inner)),
    }
}

/// conftest's clean-up of a decoded value into the document.
fn clean(v: Edn, span: Span) -> Node {
    match v {
        Edn::Str(s) => Node::new(Value::String(s), span),
        Edn::List(items) => Node::new(
            Value::Seq(items.into_iter().map(|(x, s)| clean(x, s)).collect()),
            span,
        ),
        Edn::Map(entries) => {
            let mut out: Vec<Entry> = Vec::new();
            for ((k, ks), (x, xs)) in entries {
                let key = go_v(&k);
                let value = clean(x, xs);
                if let Some(e) = out.iter_mut().find(|e| e.key == key) {
                    e.key_span = ks;
                    e.value = value;
                } else {
                    out.push(Entry {
                        key,
                        key_span: ks,
                        value,
                    });
                }
            }
            Node::new(Value::Map(out), span)
        }
        other => Node::new(Value::String(go_v(&other)), span),
    }
}

struct Parser<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    depth: usize,
    nodes: usize,
    limits: &'t Limits,
}

fn is_delim(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\n' | b'\r' | b',' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'"' | b';'
    )
}

impl Parser<'_> {
    fn error(&self, at: usize, message: impl std::fmt::Display) -> Problem {
        let at = at.min(self.text.len());
        Problem::error(rules::SYNTAX, format!("EDN: {message}"), Span::new(at, at))
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.pos) {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b'\x0c' => self.pos += 1,
                b';' => {
                    while self.b.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    /// A token of non-delimiters from `pos`.
    fn token(&mut self) -> &str {
        let start = self.pos;
        while self.b.get(self.pos).is_some_and(|&c| !is_delim(c)) {
            self.pos += 1;
        }
        // Stop on a character boundary (delimiters are ASCII).
        &self.text[start..self.pos]
    }

    /// The next form, skipping `#_` discards.
    fn form(&mut self) -> Result<(Edn, Span), Problem> {
        loop {
            self.skip_ws();
            if self.b[self.pos..].starts_with(b"#_") {
                self.pos += 2;
                self.form()?;
                continue;
            }
            return self.value();
        }
    }

    fn value(&mut self) -> Result<(Edn, Span), Problem> {
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
        let Some(&c) = self.b.get(self.pos) else {
            return Err(self.error(start, "unexpected end of file, expected a value"));
        };
        let v = match c {
            b'(' => self.seq(b')')?,
            b'[' => self.seq(b']')?,
            b'{' => self.map()?,
            b'"' => Edn::Str(self.string()?),
            b'\\' => self.character()?,
            b')' | b']' | b'}' => {
                return Err(self.error(start, format!("unexpected `{}`", c as char)));
            }
            b'#' => {
                self.pos += 1;
                match self.b.get(self.pos) {
                    Some(b'{') => match self.seq(b'}')? {
                        Edn::List(items) => Edn::Set(items.into_iter().map(|(x, _)| x).collect()),
                        other => other,
                    },
                    Some(c) if c.is_ascii_alphabetic() => {
                        let name = self.token().to_owned();
                        self.depth += 1;
                        if self.depth > self.limits.max_depth {
                            return Err(self.depth_error(start));
                        }
                        let (inner, _) = self.form()?;
                        self.depth -= 1;
                        Edn::Tag(name, Box::new(inner))
                    }
                    _ => return Err(self.error(start, "invalid `#` dispatch")),
                }
            }
            _ => {
                let tok = self.token().to_owned();
                if tok.is_empty() {
                    return Err(self.error(start, "unexpected character"));
                }
                self.scalar(&tok, start)?
            }
        };
        Ok((v, Span::new(start, self.pos)))
    }

    fn depth_error(&self, at: usize) -> Problem {
        Problem::error(
            rules::DEPTH_LIMIT,
            format!(
                "nesting deeper than {} levels (limits.max_depth); the document is not checked",
                self.limits.max_depth
            ),
            Span::new(at, at + 1),
        )
    }

    fn scalar(&self, tok: &str, at: usize) -> Result<Edn, Problem> {
        Ok(match tok {
            "nil" => Edn::Nil,
            "true" => Edn::Bool(true),
            "false" => Edn::Bool(false),
            _ if tok.starts_with(':') => {
                if tok.len() == 1 {
                    return Err(self.error(at, "empty keyword"));
                }
                Edn::Keyword(tok[1..].to_owned())
            }
            _ => {
                let digits = tok.strip_prefix(['+', '-']).unwrap_or(tok);
                if digits.starts_with(|c: char| c.is_ascii_digit()) {
                    self.number(tok, at)?
                } else {
                    Edn::Symbol(tok.to_owned())
                }
            }
        })
    }

    fn number(&self, tok: &str, at: usize) -> Result<Edn, Problem> {
        let bad = || self.error(at, format!("invalid number `{tok}`"));
        if let Some(int) = tok.strip_suffix('N') {
            let digits = int.strip_prefix(['+', '-']).unwrap_or(int);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            return Ok(Edn::Int(int.trim_start_matches('+').to_owned()));
        }
        let float = tok.strip_suffix('M');
        let body = float.unwrap_or(tok);
        if float.is_none() && body.bytes().skip(1).all(|c| c.is_ascii_digit()) {
            return body
                .parse::<i64>()
                .map(|i| Edn::Int(i.to_string()))
                .map_err(|_| bad());
        }
        if !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return Err(bad());
        }
        body.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Edn::Float)
            .ok_or_else(bad)
    }

    fn character(&mut self) -> Result<Edn, Problem> {
        let start = self.pos;
        self.pos += 1;
        // One character at least, then up to the next delimiter.
        let first = self.text[self.pos..]
            .chars()
            .next()
            .ok_or_else(|| self.error(start, "a lone `\\`"))?;
        self.pos += first.len_utf8();
        let rest = self.token().to_owned();
        let name = format!("{first}{rest}");
        let c = match name.as_str() {
            "newline" => '\n' as u32,
            "space" => ' ' as u32,
            "tab" => '\t' as u32,
            "return" => '\r' as u32,
            "formfeed" => '\u{c}' as u32,
            s if s.chars().count() == 1 => first as u32,
            s if s.starts_with('u') && s.len() == 5 => u32::from_str_radix(&s[1..], 16)
                .map_err(|_| self.error(start, format!("invalid character `\\{s}`")))?,
            s => return Err(self.error(start, format!("invalid character `\\{s}`"))),
        };
        Ok(Edn::Char(c))
    }

    fn string(&mut self) -> Result<String, Problem> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(i) = rest.find(['"', '\\']) else {
                return Err(self.error(start, "unterminated string"));
            };
            out.push_str(&rest[..i]);
            self.pos += i;
            if out.len() > self.limits.max_string_length {
                return Err(Problem::error(
                    rules::STRING_LIMIT,
                    format!(
                        "a string longer than {} bytes (limits.max_string_length)",
                        self.limits.max_string_length
                    ),
                    Span::new(start, self.pos),
                ));
            }
            if self.b[self.pos] == b'"' {
                self.pos += 1;
                return Ok(out);
            }
            self.pos += 1;
            let esc = self.b.get(self.pos).copied();
            self.pos += 1;
            match esc {
                Some(b't') => out.push('\t'),
                Some(b'r') => out.push('\r'),
                Some(b'n') => out.push('\n'),
                Some(b'b') => out.push('\u{8}'),
                Some(b'f') => out.push('\u{c}'),
                Some(b'\\') => out.push('\\'),
                Some(b'"') => out.push('"'),
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

    /// Forms up to `close` (the opening bracket is at `pos`).
    fn seq(&mut self, close: u8) -> Result<Edn, Problem> {
        let open = self.pos;
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.depth_error(open));
        }
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.b.get(self.pos) {
                None => {
                    return Err(
                        self.error(open, format!("`{}` is not closed", self.b[open] as char))
                    );
                }
                Some(&c) if c == close => {
                    self.pos += 1;
                    break;
                }
                Some(_) if self.b[self.pos..].starts_with(b"#_") => {
                    self.pos += 2;
                    self.form()?;
                }
                Some(_) => items.push(self.value()?),
            }
        }
        self.depth -= 1;
        Ok(Edn::List(items))
    }

    fn map(&mut self) -> Result<Edn, Problem> {
        let open = self.pos;
        let Edn::List(items) = self.seq(b'}')? else {
            return Err(self.error(open, "a map"));
        };
        if items.len() % 2 == 1 {
            return Err(self.error(open, "a map with an odd number of forms"));
        }
        let mut entries = Vec::new();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            entries.push((k, v));
        }
        Ok(Edn::Map(entries))
    }
}

/// Loads an EDN file: its first form (one document per element when it is
/// a vector or a list), or a `syntax` problem at its position.
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
    match p.form() {
        Ok((Edn::List(items), _)) => {
            for (index, (x, span)) in items.into_iter().enumerate() {
                if index >= limits.max_documents {
                    loaded.problems.push(Problem::error(
                        rules::DOCUMENT_LIMIT,
                        format!(
                            "more than {} documents in one file; the rest is not checked (limits.max_documents)",
                            limits.max_documents
                        ),
                        span,
                    ));
                    break;
                }
                loaded.documents.push(Document {
                    index,
                    root: clean(x, span),
                });
            }
        }
        Ok((v, span)) => loaded.documents.push(Document {
            index: 0,
            root: clean(v, span),
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
        let text = "; config\n{:env :production\n :log :error\n :port 8080, :ratio 0.5 :big 1e6\n :name \"web\" :none nil :ok true\n :tags #{:a :b} :hosts [\"a\" \"b\"] #_ :skipped #_ 1\n [1 2] (x y) \\a 3}\n";
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let root = &l.documents[0].root;
        assert_eq!(
            root.to_json(),
            serde_json::json!({
                ":env": ":production", ":log": ":error", ":port": "8080", ":ratio": "0.5",
                ":big": "1e+06", ":name": "web", ":none": "<nil>", ":ok": "true",
                ":tags": "map[:a:true :b:true]", ":hosts": ["a", "b"],
                "[1 2]": ["x", "y"], "97": "3"
            })
        );
        assert_eq!(
            crate::line_of(text, root.pointer_span("/:log").span.start),
            3
        );
    }

    #[test]
    fn top_level_vector_is_one_document_per_element() {
        let l = load("[{:a 1} {:a 2}]", &Limits::default());
        assert_eq!(l.documents.len(), 2);
        assert_eq!(
            l.documents[1].root.to_json(),
            serde_json::json!({":a": "2"})
        );
    }

    #[test]
    fn errors_and_limits() {
        let text = "{:a 1\n :b [1 2}\n";
        let l = load(text, &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
        assert_eq!(load("{:a}", &Limits::default()).problems.len(), 1);
        assert_eq!(load("", &Limits::default()).problems.len(), 1);
        let deep = "[".repeat(300);
        assert_eq!(
            load(&deep, &Limits::default()).problems[0].rule,
            rules::DEPTH_LIMIT
        );
        assert_eq!(go_float(1234567.0), "1.234567e+06");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(0.00001), "1e-05");
    }
}
