//! TOML into a spanned tree (toml_edit, which keeps the byte range of every
//! key, value and table). Dates and times are strings, as conftest's TOML
//! parser gives them to policies as RFC 3339 text.

use toml_edit::{Item, Table, Value as T};

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

/// Loads one TOML file: one document, or a `syntax` problem at its position.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    if let Some(problem) = crate::guard::nesting(text, limits) {
        loaded.problems.push(problem);
        return loaded;
    }
    let doc = match toml_edit::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let at = e.span().map_or(0, |r| r.start).min(text.len());
            let message = e.message().trim().to_owned();
            loaded.problems.push(Problem::error(
                rules::SYNTAX,
                format!("TOML: {message}"),
                Span::new(at, at),
            ));
            return loaded;
        }
    };
    let whole = Span::new(0, text.trim_end().len());
    let mut b = Builder {
        limits,
        problems: Vec::new(),
    };
    let root = b.table(doc.as_table(), whole);
    let failed = !b.problems.is_empty();
    loaded.problems = b.problems;
    if !failed {
        loaded.documents.push(Document { index: 0, root });
    }
    loaded
}

struct Builder<'l> {
    limits: &'l Limits,
    problems: Vec<Problem>,
}

fn span(range: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    range.map_or(fallback, |r| Span::new(r.start, r.end))
}

impl Builder<'_> {
    fn table(&mut self, table: &Table, fallback: Span) -> Node {
        let here = span(table.span(), fallback);
        let mut entries = Vec::new();
        for (name, _) in table.iter() {
            let Some((key, item)) = table.get_key_value(name) else {
                continue;
            };
            let key_span = span(key.span(), here);
            let value = self.item(item, key_span);
            entries.push(Entry {
                key: name.to_owned(),
                key_span,
                value,
            });
        }
        Node::new(Value::Map(entries), here)
    }

    fn item(&mut self, item: &Item, fallback: Span) -> Node {
        match item {
            Item::None => Node::new(Value::Null, fallback),
            Item::Value(v) => self.value(v, fallback),
            Item::Table(t) => self.table(t, fallback),
            Item::ArrayOfTables(a) => {
                let here = span(a.span(), fallback);
                let items = a.iter().map(|t| self.table(t, here)).collect();
                Node::new(Value::Seq(items), here)
            }
        }
    }

    fn value(&mut self, v: &T, fallback: Span) -> Node {
        let here = span(v.span(), fallback);
        let value = match v {
            T::String(s) => {
                let s = s.value();
                if s.len() > self.limits.max_string_length {
                    self.problems.push(Problem::error(
                        rules::STRING_LIMIT,
                        format!(
                            "a {}-byte string, longer than {} bytes (limits.max_string_length)",
                            s.len(),
                            self.limits.max_string_length
                        ),
                        here,
                    ));
                }
                Value::String(s.clone())
            }
            T::Integer(i) => Value::Int(*i.value()),
            T::Float(f) => {
                let f = *f.value();
                if f.is_finite() {
                    Value::Float(f)
                } else {
                    self.problems.push(Problem::error(
                        rules::UNREPRESENTABLE,
                        "infinity or NaN, which JSON cannot represent",
                        here,
                    ));
                    Value::Null
                }
            }
            T::Boolean(b) => Value::Bool(*b.value()),
            T::Datetime(d) => Value::String(d.value().to_string()),
            T::Array(a) => Value::Seq(a.iter().map(|x| self.value(x, here)).collect()),
            T::InlineTable(t) => {
                let mut entries = Vec::new();
                for (name, _) in t.iter() {
                    let Some((key, item)) = t.get_key_value(name) else {
                        continue;
                    };
                    let key_span = span(key.span(), here);
                    let value = self.item(item, key_span);
                    entries.push(Entry {
                        key: name.to_owned(),
                        key_span,
                        value,
                    });
                }
                Value::Map(entries)
            }
        };
        Node::new(value, here)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_keys_and_values_keep_their_lines() {
        let text = "title = \"x\"\n\n[entryPoints]\n  [entryPoints.http.tls]\n    cipherSuites = [\n      \"A\",\n      \"B\"\n    ]\n[[servers]]\nport = 80\n[[servers]]\nport = 81\n";
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let root = &l.documents[0].root;
        let j = root.to_json();
        assert_eq!(j["entryPoints"]["http"]["tls"]["cipherSuites"][1], "B");
        assert_eq!(j["servers"][1]["port"], 81);
        let line = |p: &str| crate::line_of(text, root.pointer_span(p).span.start);
        assert_eq!(line("/entryPoints/http/tls/cipherSuites/1"), 7);
        assert_eq!(line("/servers/1/port"), 12);
        assert_eq!(line("/title"), 1);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let text = "a = 1\nb = \n";
        let l = load(text, &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
    }
}
