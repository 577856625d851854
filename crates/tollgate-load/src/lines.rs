//! Line formats: INI, dotenv and Java properties, each into a spanned tree in
//! the shape conftest gives policies. Written here (no crate keeps positions
//! for them, and each is a few rules): every key and value keeps its bytes.
//!
//! - **INI** (conftest: go-ini): `{section: {key: value}}`; a section
//!   `[auth.basic]` is one flat key; keys before the first section (go-ini's
//!   `DEFAULT`) are left out, as conftest leaves them out; a value that parses
//!   as a number is a number, then `true`/`false` (Go's `ParseBool` words) a
//!   boolean, else a string.
//! - **dotenv** (conftest: gotenv): `{KEY: "value"}`, `export` allowed, quotes
//!   removed, `${VAR}` expanded from earlier keys outside single quotes.
//! - **properties** (conftest: magiconair/properties): `key=value`,
//!   `key: value` or `key value`, `#`/`!` comments, `\` continuation lines.

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

/// One logical line: its text and where it starts.
fn physical_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |l| {
        let at = start;
        start += l.len();
        (at, l.trim_end_matches(['\n', '\r']))
    })
}

/// `line[from..]` trimmed, with its offset in the file.
fn trimmed(at: usize, line: &str, from: usize) -> (usize, &str) {
    let rest = &line[from..];
    let lead = rest.len() - rest.trim_start().len();
    (at + from + lead, rest.trim())
}

fn finish(entries: Vec<Entry>, text: &str, problems: Vec<Problem>, limits: &Limits) -> Loaded {
    let mut loaded = Loaded {
        documents: Vec::new(),
        problems,
    };
    if entries.len() > limits.max_nodes {
        loaded.problems.push(Problem::error(
            rules::NODE_LIMIT,
            format!("more than {} keys in one file", limits.max_nodes),
            Span::new(0, 0),
        ));
    }
    if let Some(p) = entries.iter().find(|e| {
        e.value
            .as_str()
            .is_some_and(|s| s.len() > limits.max_string_length)
    }) {
        loaded.problems.push(Problem::error(
            rules::STRING_LIMIT,
            format!(
                "a string longer than {} bytes (limits.max_string_length)",
                limits.max_string_length
            ),
            p.value.span,
        ));
    }
    if loaded.problems.is_empty() {
        let root = Node::new(Value::Map(entries), Span::new(0, text.trim_end().len()));
        loaded.documents.push(Document { index: 0, root });
    }
    loaded
}

/// Sets `key` in `entries`: the last write wins, at its own place.
fn set(entries: &mut Vec<Entry>, key: String, key_span: Span, value: Node) {
    if let Some(e) = entries.iter_mut().find(|e| e.key == key) {
        e.key_span = key_span;
        e.value = value;
    } else {
        entries.push(Entry {
            key,
            key_span,
            value,
        });
    }
}

/// Go's `strconv.ParseBool` words.
fn go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// An INI value typed as conftest types it (also HOCON's values).
pub(crate) fn ini_value(raw: &str) -> Value {
    let plain = raw.replace('_', "");
    if !raw.is_empty()
        && !raw.contains('_')
        && let Ok(f) = plain.parse::<f64>()
        && f.is_finite()
        && !raw.eq_ignore_ascii_case("infinity")
    {
        // Go's json re-decoding makes integral floats integers for us.
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            return Value::Int(f as i64);
        }
        return Value::Float(f);
    }
    match go_bool(raw) {
        Some(b) => Value::Bool(b),
        None => Value::String(raw.to_owned()),
    }
}

/// Loads an INI file.
pub fn load_ini(text: &str, limits: &Limits) -> Loaded {
    let mut sections: Vec<Entry> = Vec::new();
    let mut current: Option<usize> = None;
    let mut problems = Vec::new();
    for (at, line) in physical_lines(text) {
        let (start, t) = trimmed(at, line, 0);
        if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
            continue;
        }
        if let Some(inner) = t.strip_prefix('[') {
            let Some(end) = inner.find(']') else {
                problems.push(Problem::error(
                    rules::SYNTAX,
                    "INI: unclosed section header",
                    Span::new(start, start + t.len()),
                ));
                continue;
            };
            let name = inner[..end].trim().to_owned();
            let span = Span::new(start, start + t.len());
            let pos = match sections.iter().position(|s| s.key == name) {
                Some(p) => p,
                None => {
                    sections.push(Entry {
                        key: name,
                        key_span: Span::new(start + 1, start + 1 + end),
                        value: Node::new(Value::Map(Vec::new()), span),
                    });
                    sections.len() - 1
                }
            };
            current = Some(pos);
            continue;
        }
        let Some(eq) = t.find(['=', ':']) else {
            problems.push(Problem::error(
                rules::SYNTAX,
                format!("INI: `{t}` is neither a section nor `key = value`"),
                Span::new(start, start + t.len()),
            ));
            continue;
        };
        let key = t[..eq].trim();
        let key_span = Span::new(start, start + key.len());
        let (vstart, mut value) = trimmed(start, t, eq + 1);
        // An inline comment after whitespace.
        for mark in [" #", " ;", "\t#", "\t;"] {
            if let Some(i) = value.find(mark) {
                value = value[..i].trim_end();
            }
        }
        let unquoted = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
        let typed = match unquoted {
            Some(s) => Value::String(s.to_owned()),
            None => ini_value(value),
        };
        let vspan = if value.is_empty() {
            key_span
        } else {
            Span::new(vstart, vstart + value.len())
        };
        // Keys before any section are go-ini's DEFAULT section, which conftest drops.
        let Some(pos) = current else { continue };
        if let Value::Map(entries) = &mut sections[pos].value.value {
            set(entries, key.to_owned(), key_span, Node::new(typed, vspan));
        }
    }
    finish(sections, text, problems, limits)
}

/// Expands `${NAME}` and `$NAME` from the keys read so far.
fn expand(value: &str, entries: &[Entry]) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        let name = name.split(":-").next().unwrap_or(name);
        if let Some(v) = entries
            .iter()
            .find(|e| e.key == name)
            .and_then(|e| e.value.as_str())
        {
            out.push_str(v);
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Loads a dotenv file.
pub fn load_dotenv(text: &str, limits: &Limits) -> Loaded {
    let mut entries: Vec<Entry> = Vec::new();
    let mut problems = Vec::new();
    for (at, line) in physical_lines(text) {
        let (start, t) = trimmed(at, line, 0);
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let (start, t) = match t.strip_prefix("export ") {
            Some(rest) => trimmed(start, t, t.len() - rest.len()),
            None => (start, t),
        };
        let Some(eq) = t.find(['=', ':']) else {
            problems.push(Problem::error(
                rules::SYNTAX,
                format!("dotenv: `{t}` is not `KEY=value`"),
                Span::new(start, start + t.len()),
            ));
            continue;
        };
        let key = t[..eq].trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            problems.push(Problem::error(
                rules::SYNTAX,
                format!("dotenv: `{key}` is not a variable name"),
                Span::new(start, start + t.len()),
            ));
            continue;
        }
        let key_span = Span::new(start, start + key.len());
        let (vstart, raw) = trimmed(start, t, eq + 1);
        let value = if let Some(inner) = raw.strip_prefix('\'').and_then(|v| v.rsplit_once('\'')) {
            inner.0.to_owned()
        } else if let Some(inner) = raw.strip_prefix('"').and_then(|v| v.rsplit_once('"')) {
            let unescaped = inner
                .0
                .replace("\\n", "\n")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
            expand(&unescaped, &entries)
        } else {
            let v = raw.split(" #").next().unwrap_or(raw).trim_end();
            expand(v, &entries)
        };
        let vspan = if raw.is_empty() {
            key_span
        } else {
            Span::new(vstart, vstart + raw.len())
        };
        set(
            &mut entries,
            key.to_owned(),
            key_span,
            Node::new(Value::String(value), vspan),
        );
    }
    finish(entries, text, problems, limits)
}

/// Unescapes a properties key or value (`\t`, `\n`, `\uXXXX`, `\=`...).
fn unescape_properties(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Loads a Java properties file.
pub fn load_properties(text: &str, limits: &Limits) -> Loaded {
    let mut entries: Vec<Entry> = Vec::new();
    // A logical line: its start, its text (continuations joined), its end,
    // and where each joined part starts (offset in the text, in the file).
    type Logical = (usize, String, usize, Vec<(usize, usize)>);
    let mut logical: Option<Logical> = None;
    let mut pending: Vec<Logical> = Vec::new();
    for (at, line) in physical_lines(text) {
        let (start, t) = trimmed(at, line, 0);
        if logical.is_none() && (t.is_empty() || t.starts_with('#') || t.starts_with('!')) {
            continue;
        }
        let continued = t.ends_with('\\') && !t.ends_with("\\\\");
        let part = if continued { &t[..t.len() - 1] } else { t };
        let end = start + t.len();
        match &mut logical {
            Some((_, acc, e, parts)) => {
                parts.push((acc.len(), start));
                acc.push_str(part);
                *e = end;
            }
            None => logical = Some((start, part.to_owned(), end, vec![(0, start)])),
        }
        if !continued && let Some(done) = logical.take() {
            pending.push(done);
        }
    }
    pending.extend(logical);
    for (start, line, end, parts) in pending {
        // An offset in the joined text, in the file: a start maps into the
        // part it begins, an end into the part it closes.
        let in_file = |offset: usize, is_end: bool| -> usize {
            parts
                .iter()
                .rev()
                .find(|(l, _)| if is_end { *l < offset } else { *l <= offset })
                .map_or(start, |(l, t)| t + (offset - l))
        };
        // The key ends at the first unescaped `=`, `:` or whitespace.
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'=' | b':' | b' ' | b'\t' => break,
                _ => i += 1,
            }
        }
        // `\` before a multi-byte character: the key ends after it.
        let mut i = i.min(line.len());
        while !line.is_char_boundary(i) {
            i += 1;
        }
        let key = unescape_properties(&line[..i]);
        let mut rest = line[i..].trim_start_matches([' ', '\t']);
        if let Some(r) = rest.strip_prefix(['=', ':']) {
            rest = r.trim_start_matches([' ', '\t']);
        }
        let value = unescape_properties(rest);
        let key_span = Span::new(start, in_file(i, true));
        let vstart = in_file(line.len() - rest.len(), false);
        let vspan = if rest.is_empty() {
            key_span
        } else {
            Span::new(vstart, end)
        };
        set(
            &mut entries,
            key,
            key_span,
            Node::new(Value::String(value), vspan),
        );
    }
    finish(entries, text, Vec::new(), limits)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_continued_over_lines_is_spanned_in_the_file() {
        // Found by the load_lines fuzz target: the key's end was an offset
        // in the joined line, inside a character of the file.
        let text = "exporcm/\u{1}\\\nsrre\u{0}\u{0}\u{1c}#\u{feff}\n!\n!";
        crate::invariants::check(text, crate::Syntax::Properties);
        let text = "long\\\n  key = a\\\n   b\n\\é=x\n";
        let loaded = super::load_properties(text, &crate::Limits::default());
        let root = &loaded.documents[0].root;
        let crate::node::Value::Map(entries) = &root.value else {
            panic!("{root:?}")
        };
        assert_eq!(entries[0].key, "longkey");
        assert_eq!(
            &text[entries[0].key_span.start..entries[0].key_span.end],
            "long\\\n  key"
        );
        assert_eq!(
            &text[entries[0].value.span.start..entries[0].value.span.end],
            "a\\\n   b"
        );
        assert_eq!(entries[1].key, "é");
        crate::invariants::check(text, crate::Syntax::Properties);
    }

    use super::*;

    fn line(text: &str, l: &Loaded, p: &str) -> usize {
        crate::line_of(text, l.documents[0].root.pointer_span(p).span.start)
    }

    #[test]
    fn ini_sections_are_flat_keys_and_values_are_typed() {
        let text = "app_mode = production\n[server]\nprotocol = http\nhttp_port = 3000\n[auth.basic]\nenabled = false\nratio = 0.5 ; half\n";
        let l = load_ini(text, &Limits::default());
        let j = l.documents[0].root.to_json();
        assert_eq!(
            j,
            serde_json::json!({"server": {"protocol": "http", "http_port": 3000}, "auth.basic": {"enabled": false, "ratio": 0.5}})
        );
        assert_eq!(line(text, &l, "/auth.basic/enabled"), 6);
        assert_eq!(line(text, &l, "/server/http_port"), 4);
    }

    #[test]
    fn ini_syntax_errors_have_a_line() {
        let text = "[a]\nnot a pair\n";
        let l = load_ini(text, &Limits::default());
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
    }

    #[test]
    fn dotenv_quotes_exports_and_expansion() {
        let text = "# c\nAPP=test\nexport USER='ro ot'\nURL=\"http://${APP}\"\nX=a # note\n";
        let l = load_dotenv(text, &Limits::default());
        assert_eq!(
            l.documents[0].root.to_json(),
            serde_json::json!({"APP": "test", "USER": "ro ot", "URL": "http://test", "X": "a"})
        );
        assert_eq!(line(text, &l, "/USER"), 3);
        let bad = "A=1\nnot valid\n";
        let l = load_dotenv(bad, &Limits::default());
        assert_eq!(crate::line_of(bad, l.problems[0].span.start), 2);
    }

    #[test]
    fn properties_separators_and_continuations() {
        let text = "# c\na.url=https://x\nb.secret: v\nc value \\\n  more\n! bang\nd\n";
        let l = load_properties(text, &Limits::default());
        assert_eq!(
            l.documents[0].root.to_json(),
            serde_json::json!({"a.url": "https://x", "b.secret": "v", "c": "value more", "d": ""})
        );
        assert_eq!(line(text, &l, "/b.secret"), 3);
        assert_eq!(line(text, &l, "/c"), 4);
    }
}
