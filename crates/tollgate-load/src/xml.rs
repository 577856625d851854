//! XML into a spanned tree in the shape conftest gives policies (its XML
//! parser converts with basgys/goxml2json, without type conversion):
//!
//! - an element with neither attributes nor child elements is its text, a
//!   string (`""` when empty);
//! - any other element is an object: attributes as `-name` keys, the text (if
//!   any) as `#content`, child elements by name; a name written more than once
//!   in one element (attributes included) is a list in document order;
//! - names are local names (`xs:element` is `element`, `xmlns:a="…"` is `-a`);
//! - an element's text is its last run of character data, trimmed of spaces
//!   and control characters (`<a>x<!-- c -->y</a>` is `"y"`), as the Go
//!   decoder hands it over;
//! - the document is an object of its root element(s) (`{"project": {…}}`).
//!
//! Reading is quick-xml's event reader over the text, so every key and value
//! keeps its bytes. Unlike conftest (which ignores the decoder's errors and
//! checks what was read so far), a syntax error is a `syntax` problem.

use quick_xml::events::{BytesStart, Event};

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

/// One open element.
struct Open {
    name: String,
    /// The `<` of the start tag.
    start: usize,
    /// The name in the start tag.
    name_span: Span,
    /// Attributes and child elements, in document order: (key, key span, value).
    children: Vec<(String, Span, Node)>,
    /// The last run of character data: (text, span).
    data: Option<(String, Span)>,
    /// Whether the previous event was character data (a run continues across
    /// entity references).
    in_text: bool,
}

impl Open {
    fn new(name: String, start: usize, name_span: Span) -> Self {
        Self {
            name,
            start,
            name_span,
            children: Vec::new(),
            data: None,
            in_text: false,
        }
    }

    /// Appends to the current run of character data, or starts a new one.
    fn text(&mut self, s: &str, span: Span, continues: bool) {
        match &mut self.data {
            Some((d, sp)) if continues && self.in_text => {
                d.push_str(s);
                sp.end = span.end;
            }
            _ => self.data = Some((s.to_owned(), span)),
        }
        self.in_text = true;
    }

    /// The element's value, its bytes `start..end`.
    fn finish(self, end: usize) -> Node {
        let whole = Span::new(self.start, end);
        let (text, text_span) = match self.data {
            Some((d, sp)) => {
                let t = trim_non_graphic(&d);
                (t.to_owned(), sp)
            }
            None => (String::new(), whole),
        };
        if self.children.is_empty() {
            let span = if text.is_empty() { whole } else { text_span };
            return Node::new(Value::String(text), span);
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut children = self.children;
        if !text.is_empty() {
            // First, and counted with the children: a child element named
            // `#content` (quick-xml does not check names) makes it a list
            // rather than a second `#content` key.
            children.insert(
                0,
                (
                    "#content".to_owned(),
                    text_span,
                    Node::new(Value::String(text), text_span),
                ),
            );
        }
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (k, _, _) in &children {
            *counts.entry(k.as_str()).or_default() += 1;
        }
        let many: std::collections::HashSet<String> = counts
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(k, _)| k.to_owned())
            .collect();
        for (key, key_span, value) in children {
            if many.contains(&key) {
                if let Some(e) = entries.iter_mut().find(|e| e.key == key) {
                    e.value.span.end = value.span.end.max(e.value.span.end);
                    if let Value::Seq(items) = &mut e.value.value {
                        items.push(value);
                    }
                } else {
                    let span = value.span;
                    entries.push(Entry {
                        key,
                        key_span,
                        value: Node::new(Value::Seq(vec![value]), span),
                    });
                }
            } else {
                entries.push(Entry {
                    key,
                    key_span,
                    value,
                });
            }
        }
        Node::new(Value::Map(entries), whole)
    }
}

/// Leading and trailing spaces and non-graphic characters removed (Go's
/// `unicode.IsSpace` or not `unicode.IsGraphic`; format characters are
/// approximated by the common ones).
fn trim_non_graphic(s: &str) -> &str {
    let drop = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
    };
    s.trim_matches(drop)
}

/// Where `part` (a slice of `text`) starts in `text`, if it is one.
fn offset_in(text: &str, part: &str) -> Option<usize> {
    let base = text.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    (at >= base && at + part.len() <= base + text.len()).then(|| at - base)
}

fn local(name: &str) -> String {
    name.rsplit_once(':').map_or(name, |(_, l)| l).to_owned()
}

struct Reader<'t> {
    text: &'t str,
    limits: &'t Limits,
    nodes: usize,
}

impl Reader<'_> {
    fn syntax(&self, at: usize, message: impl std::fmt::Display) -> Problem {
        let at = at.min(self.text.len());
        Problem::error(rules::SYNTAX, format!("XML: {message}"), Span::new(at, at))
    }

    fn count(&mut self, at: usize) -> Result<(), Problem> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(Problem::error(
                rules::NODE_LIMIT,
                format!(
                    "document has more than {} nodes (limits.max_nodes)",
                    self.limits.max_nodes
                ),
                Span::new(at, at),
            ));
        }
        Ok(())
    }

    fn string_limit(&self, len: usize, span: Span) -> Result<(), Problem> {
        if len > self.limits.max_string_length {
            return Err(Problem::error(
                rules::STRING_LIMIT,
                format!(
                    "a string longer than {} bytes (limits.max_string_length)",
                    self.limits.max_string_length
                ),
                span,
            ));
        }
        Ok(())
    }

    /// An element opened by `tag` at `start`, with its attributes read.
    fn open(&mut self, tag: &BytesStart<'_>, start: usize) -> Result<Open, Problem> {
        let raw_name = tag.name();
        let name_at = offset_in(self.text, raw_name.as_ref()).unwrap_or(start + 1);
        let name_span = Span::new(name_at, name_at + raw_name.as_ref().len());
        let mut open = Open::new(local(raw_name.as_ref()), start, name_span);
        let mut attrs = tag.attributes();
        attrs.with_checks(false);
        for attr in attrs {
            let attr = attr.map_err(|e| self.syntax(start, e))?;
            let key = attr.key.as_ref();
            let key_at = offset_in(self.text, key).unwrap_or(start);
            let key_span = Span::new(key_at, key_at + key.len());
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| self.syntax(key_at, e))?
                .into_owned();
            let value_span = match &attr.value {
                std::borrow::Cow::Borrowed(v) => {
                    offset_in(self.text, v).map_or(key_span, |at| Span::new(at, at + v.len()))
                }
                std::borrow::Cow::Owned(_) => key_span,
            };
            self.string_limit(value.len(), value_span)?;
            self.count(key_at)?;
            open.children.push((
                format!("-{}", local(key)),
                key_span,
                Node::new(Value::String(value), value_span),
            ));
        }
        Ok(open)
    }

    fn read(&mut self) -> Result<Node, Problem> {
        // quick-xml skips a byte order mark at the start of its input without
        // counting it in its positions: it is given the text after the
        // leading ones, and positions are shifted back into the file.
        let base = self.text.len() - self.text.trim_start_matches('\u{feff}').len();
        let mut reader = quick_xml::Reader::from_str(&self.text[base..]);
        let position = |p: u64| base + usize::try_from(p).unwrap_or(0);
        let mut stack: Vec<Open> = vec![Open::new(String::new(), 0, Span::new(0, 0))];
        loop {
            let before = position(reader.buffer_position());
            let event = reader.read_event().map_err(|e| {
                let at = position(reader.error_position());
                self.syntax(at, e)
            })?;
            let after = position(reader.buffer_position());
            let top = stack.len() - 1;
            match event {
                Event::Start(tag) => {
                    if stack.len() > self.limits.max_depth {
                        return Err(Problem::error(
                            rules::DEPTH_LIMIT,
                            format!(
                                "nesting deeper than {} levels (limits.max_depth); the document is not checked",
                                self.limits.max_depth
                            ),
                            Span::new(before, after),
                        ));
                    }
                    self.count(before)?;
                    stack[top].in_text = false;
                    let open = self.open(&tag, before)?;
                    stack.push(open);
                }
                Event::Empty(tag) => {
                    self.count(before)?;
                    stack[top].in_text = false;
                    let open = self.open(&tag, before)?;
                    let (name, key_span) = (open.name.clone(), open.name_span);
                    let node = open.finish(after);
                    stack[top].children.push((name, key_span, node));
                }
                Event::End(_) => {
                    if stack.len() == 1 {
                        return Err(self.syntax(before, "a closing tag without an opening one"));
                    }
                    let Some(open) = stack.pop() else { break };
                    let (name, key_span) = (open.name.clone(), open.name_span);
                    let node = open.finish(after);
                    let parent = stack.len() - 1;
                    stack[parent].in_text = false;
                    stack[parent].children.push((name, key_span, node));
                }
                Event::Text(t) => {
                    let s = t.xml10_content();
                    let span = Span::new(before, after);
                    stack[top].text(&s, span, true);
                    self.string_limit(stack[top].data.as_ref().map_or(0, |d| d.0.len()), span)?;
                }
                Event::GeneralRef(r) => {
                    let span = Span::new(before, after);
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*r {
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "amp" => "&".to_owned(),
                            "apos" => "'".to_owned(),
                            "quot" => "\"".to_owned(),
                            other => {
                                return Err(
                                    self.syntax(before, format!("unknown entity `&{other};`"))
                                );
                            }
                        },
                        Err(e) => return Err(self.syntax(before, e)),
                    };
                    stack[top].text(&c, span, true);
                }
                Event::CData(c) => {
                    let span = Span::new(before, after);
                    self.string_limit(c.len(), span)?;
                    stack[top].text(&c, span, false);
                    stack[top].in_text = false;
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                    stack[top].in_text = false;
                }
                Event::Eof => break,
            }
        }
        if stack.len() > 1 {
            let open = &stack[stack.len() - 1];
            return Err(self.syntax(open.start, format!("element `{}` is not closed", open.name)));
        }
        let root = stack.pop().map(|r| r.finish(self.text.trim_end().len()));
        Ok(root.unwrap_or_else(|| Node::new(Value::String(String::new()), Span::new(0, 0))))
    }
}

/// Loads one XML file: one document, or a problem at its position.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    let mut r = Reader {
        text,
        limits,
        nodes: 0,
    };
    match r.read() {
        Ok(mut root) => {
            if let Value::Map(_) = root.value {
                root.span = Span::new(0, text.trim_end().len());
            }
            loaded.documents.push(Document { index: 0, root });
        }
        Err(p) => loaded.problems.push(p),
    }
    loaded
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_byte_order_mark_left_in_the_text_keeps_spans_on_characters() {
        // Found by the load_xml fuzz target (a second BOM after the one
        // decoding strips).
        let text = "\u{feff}/X";
        crate::invariants::check(text, crate::Syntax::Xml);
        // Two more after the one decoding strips (found by the same target).
        let text = "\u{feff}\u{feff}0<ex??d|%";
        crate::invariants::check(text, crate::Syntax::Xml);
        let text = "\u{feff}<a>b</a>";
        let loaded = super::load(text, &crate::Limits::default());
        let root = &loaded.documents[0].root;
        let b = root.pointer_span("/a").span;
        assert_eq!(&text[b.start..b.end], "b");
    }

    #[test]
    fn a_child_element_named_like_the_text_key_is_a_list_not_a_second_key() {
        // Found by the load_xml fuzz target: `<#content/>` beside text kept
        // two `#content` keys in one mapping.
        let text = "<a>x<#content/></a>";
        crate::invariants::check(text, crate::Syntax::Xml);
        assert_eq!(
            json(text),
            serde_json::json!({"a": {"#content": ["x", ""]}})
        );
    }

    use super::*;

    fn json(text: &str) -> serde_json::Value {
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        l.documents[0].root.to_json()
    }

    #[test]
    fn goxml2json_shape() {
        let text = "<?xml version=\"1.0\"?>\n<project xmlns=\"http://m\" xmlns:xsi=\"x\" xsi:schemaLocation=\"s\">\n  <version>1.0</version>\n  <plugins>\n    <plugin><id>a</id></plugin>\n    <plugin><id>b</id><empty/></plugin>\n  </plugins>\n  <name lang=\"en\">  Tom &amp; Jerry </name>\n</project>\n";
        assert_eq!(
            json(text),
            serde_json::json!({"project": {
                "-xmlns": "http://m", "-xsi": "x", "-schemaLocation": "s",
                "version": "1.0",
                "plugins": {"plugin": [{"id": "a"}, {"id": "b", "empty": ""}]},
                "name": {"-lang": "en", "#content": "Tom & Jerry"}
            }})
        );
    }

    #[test]
    fn last_text_run_wins_and_repeats_merge() {
        assert_eq!(
            json("<a>x<!-- c -->y<b/>  </a>"),
            serde_json::json!({"a": {"b": ""}})
        );
        assert_eq!(json("<a>x<!-- c -->y</a>"), serde_json::json!({"a": "y"}));
        assert_eq!(
            json("<a><b>1</b><c/><b>2</b></a>"),
            serde_json::json!({"a": {"b": ["1", "2"], "c": ""}})
        );
        assert_eq!(json(""), serde_json::json!(""));
    }

    #[test]
    fn paths_map_to_lines() {
        let text = "<project>\n  <build>\n    <plugin>\n      <version>3.6.0</version>\n    </plugin>\n    <plugin>\n      <version>2</version>\n    </plugin>\n  </build>\n</project>\n";
        let l = load(text, &Limits::default());
        let root = &l.documents[0].root;
        let at = |p: &str| crate::line_of(text, root.pointer_span(p).span.start);
        assert_eq!(at("/project/build/plugin/0/version"), 4);
        assert_eq!(at("/project/build/plugin/1/version"), 7);
    }

    #[test]
    fn errors_and_limits_have_positions() {
        let text = "<a>\n  <b>\n</a>\n";
        let l = load(text, &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 3);
        let text = "<a>\n<b>\n";
        let l = load(text, &Limits::default());
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
        let l = load("<a>&nope;</a>", &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        let deep = "<a>".repeat(300);
        let l = load(&deep, &Limits::default());
        assert_eq!(l.problems[0].rule, rules::DEPTH_LIMIT);
        let l = load(
            "<a>0123456789</a>",
            &Limits {
                max_string_length: 4,
                ..Limits::default()
            },
        );
        assert_eq!(l.problems[0].rule, rules::STRING_LIMIT);
    }
}
