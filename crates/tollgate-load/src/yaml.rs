//! YAML streams to spanned documents, read the way go-yaml v2 reads them.
//!
//! The builder consumes libyaml events with an explicit stack (no recursion, so
//! deep nesting cannot overflow the thread's stack), resolves scalars with the
//! Kubernetes table, expands anchors, aliases and `<<` merges within a budget, and
//! reports duplicate keys at their second occurrence. After a syntax error libyaml
//! cannot go on, so loading resumes at the next `---` line: the same split
//! Kubernetes' own YAML reader makes before it parses each document.

use std::collections::HashMap;

use super::events::{Event, Parser, ScalarStyle};
use super::node::{Entry, Node, Span, Value};
use super::scalar::{self, Resolved};
use super::{Document, Limits, Lines, Loaded, Problem};
use crate::rules;

/// Loads every document of a YAML stream.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let out = load_with(text, limits, false);
    // A CloudFormation template with short-form intrinsics (`!Ref x`): read
    // again, the tags turned into their long forms as CloudFormation reads them.
    if text.contains('!')
        && out
            .documents
            .iter()
            .any(|d| crate::cfn::is_template(&d.root))
    {
        return load_with(text, limits, true);
    }
    out
}

fn load_with(text: &str, limits: &Limits, cloudformation: bool) -> Loaded {
    let mut out = Loaded::default();
    let mut offset = 0;
    let mut doc_index = 0;
    let lines = Lines::new(text);
    loop {
        let mut builder = Builder::new(text, &lines, offset, limits, doc_index, cloudformation);
        let outcome = builder.run(&mut out);
        doc_index = builder.doc_index;
        match outcome {
            Outcome::Finished => break,
            Outcome::Stopped => break,
            // Resume after the broken (or abandoned) document: at the first `---`
            // line after its start, as Kubernetes' reader splits the stream before
            // parsing.
            Outcome::Resume { document_start } => match next_separator(text, document_start) {
                Some(resume) => offset = resume,
                None => break,
            },
        }
    }
    out
}

/// The byte offset of the first `---` document separator line after `at`.
fn next_separator(text: &str, at: usize) -> Option<usize> {
    let mut pos = text[at.min(text.len())..].find('\n').map(|i| at + i + 1)?;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        if let Some(rest) = line.strip_prefix("---")
            && (rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
        {
            return Some(pos);
        }
        pos = line_end + 1;
    }
    None
}

enum Outcome {
    Finished,
    Stopped,
    /// A syntax error, or nesting past the depth limit: libyaml is not fed the
    /// rest of the document, and reading resumes at the next `---` line.
    Resume {
        document_start: usize,
    },
}

/// A mapping key waiting for its value.
struct PendingKey {
    key: String,
    span: Span,
    merge: bool,
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: Option<String>,
        /// A CloudFormation intrinsic tag (`!If`), when reading a template.
        intrinsic: Option<String>,
    },
    Map {
        entries: Vec<Entry>,
        start: usize,
        anchor: Option<String>,
        pending: Option<PendingKey>,
        /// Index of keys for large mappings (linear search is quicker below this).
        index: Option<HashMap<String, usize>>,
        merges: Vec<Node>,
        /// A CloudFormation intrinsic tag, when reading a template.
        intrinsic: Option<String>,
    },
    /// A mapping or sequence used as a mapping key: built, then rejected.
    ComplexKey { start: usize, depth: usize },
}

struct Builder<'t, 'l> {
    text: &'t str,
    lines: &'l Lines<'t>,
    offset: usize,
    limits: &'l Limits,
    doc_index: usize,
    /// Where the document being read began (after the previous one ended).
    boundary: usize,
    stack: Vec<Frame>,
    /// Reading a CloudFormation template: intrinsic tags become long forms.
    cloudformation: bool,
    root: Option<Node>,
    anchors: HashMap<String, (Node, usize)>,
    nodes: usize,
    aliases: usize,
    /// Set when the current document has an error: it is read to its end, not kept.
    failed: bool,
}

const INDEX_THRESHOLD: usize = 16;

impl<'t, 'l> Builder<'t, 'l> {
    fn new(
        text: &'t str,
        lines: &'l Lines<'t>,
        offset: usize,
        limits: &'l Limits,
        doc_index: usize,
        cloudformation: bool,
    ) -> Self {
        Self {
            cloudformation,
            text,
            lines,
            offset,
            limits,
            doc_index,
            boundary: offset,
            stack: Vec::new(),
            root: None,
            anchors: HashMap::new(),
            nodes: 0,
            aliases: 0,
            failed: false,
        }
    }

    fn run(&mut self, out: &mut Loaded) -> Outcome {
        let input = &self.text.as_bytes()[self.offset..];
        let mut parser = Parser::new(input);
        let mut depth = 0usize;
        loop {
            let (event, start, end) = match parser.next_event() {
                Ok(e) => e,
                Err(err) => {
                    let at = (self.offset + err.offset).min(self.text.len());
                    let message = match err.context {
                        Some(ctx) => format!("{}, {}", err.problem, ctx),
                        None => err.problem,
                    };
                    // A document that already failed (an unquoted `{{ }}` read
                    // as a flow mapping key) often trips libyaml right after, on
                    // the same line: that is the same mistake, reported once.
                    let same_line = self.failed
                        && out.problems.last().is_some_and(|p| {
                            p.span.start <= at
                                && !self.text[p.span.start.min(at)..at].contains('\n')
                        });
                    if !same_line {
                        out.problems
                            .push(Problem::error(rules::SYNTAX, message, self.point(at)));
                    }
                    self.doc_index += 1;
                    return Outcome::Resume {
                        document_start: self.boundary,
                    };
                }
            };
            let span = Span::new(self.offset + start, self.offset + end);
            // Nesting is counted on the raw events, failed document or not:
            // libyaml's scanner walks every open flow level on each token, so a
            // document nested far past the limit would take quadratic time to read
            // to its end. It is abandoned at the limit instead.
            match event {
                Event::SequenceStart { .. } | Event::MappingStart { .. } => {
                    depth += 1;
                    if depth > self.limits.max_depth {
                        if !self.failed {
                            out.problems.push(Problem::error(
                                rules::DEPTH_LIMIT,
                                format!(
                                    "nesting deeper than {} levels (limits.max_depth); the document is not checked",
                                    self.limits.max_depth
                                ),
                                self.point(span.start),
                            ));
                        }
                        self.doc_index += 1;
                        return Outcome::Resume {
                            document_start: self.boundary,
                        };
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
                Event::DocumentStart => depth = 0,
                _ => {}
            }
            match event {
                Event::StreamEnd => return Outcome::Finished,
                Event::DocumentStart => self.start_document(),
                Event::DocumentEnd => {
                    self.boundary = span.end;
                    if self.end_document(out) {
                        return Outcome::Stopped;
                    }
                }
                // A failed document is read to its end (libyaml still checks its
                // syntax) but nothing more is built.
                _ if self.failed => {}
                Event::Scalar {
                    value,
                    style,
                    tag,
                    anchor,
                } => {
                    self.scalar(out, value, style, tag.as_deref(), anchor, span);
                }
                Event::Alias { anchor } => self.alias(out, &anchor, span),
                Event::SequenceStart { anchor, tag } => {
                    if self.enter(out, span) {
                        let intrinsic = self.intrinsic(tag.as_deref());
                        self.stack.push(Frame::Seq {
                            items: Vec::new(),
                            start: span.start,
                            anchor,
                            intrinsic,
                        });
                    }
                }
                Event::MappingStart { anchor, tag } => {
                    if self.enter(out, span) {
                        let intrinsic = self.intrinsic(tag.as_deref());
                        self.stack.push(Frame::Map {
                            intrinsic,
                            entries: Vec::new(),
                            start: span.start,
                            anchor,
                            pending: None,
                            index: None,
                            merges: Vec::new(),
                        });
                    }
                }
                Event::SequenceEnd | Event::MappingEnd => self.leave(out, span),
            }
        }
    }

    /// A zero-width span at `at`, widened to one character when there is one.
    fn point(&self, at: usize) -> Span {
        let len = self.text[at..].chars().next().map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn start_document(&mut self) {
        self.stack.clear();
        self.root = None;
        self.anchors.clear();
        self.nodes = 0;
        self.aliases = 0;
        self.failed = false;
    }

    /// Finishes a document; returns true when the document limit stops the file.
    fn end_document(&mut self, out: &mut Loaded) -> bool {
        let index = self.doc_index;
        self.doc_index += 1;
        let root = self.root.take();
        if self.failed {
            return false;
        }
        match root {
            Some(root) if root.value != Value::Null => {
                if out.documents.len() >= self.limits.max_documents {
                    out.problems.push(Problem::error(
                        rules::DOCUMENT_LIMIT,
                        format!(
                            "more than {} documents in one file; the rest of the file is not checked (limits.max_documents)",
                            self.limits.max_documents
                        ),
                        Span::new(root.span.start, root.span.start),
                    ));
                    return true;
                }
                out.documents.push(Document { index, root });
            }
            // Empty and comment-only documents are skipped, as kubectl skips them.
            _ => {}
        }
        false
    }

    /// Marks the current document as failed: the rest of it is read and dropped.
    fn fail(&mut self, out: &mut Loaded, problem: Problem) {
        out.problems.push(problem);
        self.failed = true;
        self.stack.clear();
        self.root = None;
    }

    fn count_node(&mut self, out: &mut Loaded, added: usize, span: Span) -> bool {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > self.limits.max_nodes {
            self.fail(
                out,
                Problem::error(
                    rules::NODE_LIMIT,
                    format!(
                        "document has more than {} nodes (limits.max_nodes); it is not checked",
                        self.limits.max_nodes
                    ),
                    span,
                ),
            );
            return false;
        }
        true
    }

    /// Opens a collection; false when it is not built (a limit stops the
    /// document, or it is a key). The depth limit is checked in `run`.
    fn enter(&mut self, out: &mut Loaded, span: Span) -> bool {
        if !self.count_node(out, 1, span) {
            return false;
        }
        // A collection in key position is built as a placeholder and rejected.
        if let Some(Frame::Map { pending: None, .. }) = self.stack.last() {
            self.stack.push(Frame::ComplexKey {
                start: span.start,
                depth: 1,
            });
            return false;
        }
        if let Some(Frame::ComplexKey { depth, .. }) = self.stack.last_mut() {
            *depth += 1;
            return false;
        }
        true
    }

    fn leave(&mut self, out: &mut Loaded, span: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = match frame {
            Frame::ComplexKey { start, depth } => {
                if depth > 1 {
                    self.stack.push(Frame::ComplexKey {
                        start,
                        depth: depth - 1,
                    });
                    return;
                }
                let span = self.trimmed(start, span.end);
                self.fail(
                    out,
                    Problem::error(
                        rules::SYNTAX,
                        "a mapping key must be a scalar, not a mapping or sequence (an unquoted `{{ }}` template placeholder is read as a flow mapping)",
                        span,
                    ),
                );
                return;
            }
            Frame::Seq {
                mut items,
                start,
                anchor,
                intrinsic,
            } => {
                // Trees of large repositories are held while they render:
                // no spare capacity is kept (a third of a tree's entries).
                items.shrink_to_fit();
                let node = Node::new(Value::Seq(items), self.trimmed(start, span.end));
                let node = crate::cfn::long_form(intrinsic.as_deref(), node);
                self.remember(anchor, &node);
                node
            }
            Frame::Map {
                mut entries,
                start,
                anchor,
                merges,
                mut index,
                intrinsic,
                ..
            } => {
                for merged in merges {
                    let sources = match merged.value {
                        Value::Map(_) => vec![merged],
                        Value::Seq(items) => items,
                        _ => Vec::new(),
                    };
                    for source in sources {
                        if let Value::Map(src_entries) = source.value {
                            for entry in src_entries {
                                if find_key(&entries, index.as_ref(), &entry.key).is_none() {
                                    if let Some(idx) = index.as_mut() {
                                        idx.insert(entry.key.clone(), entries.len());
                                    }
                                    entries.push(entry);
                                }
                            }
                        }
                    }
                }
                entries.shrink_to_fit();
                let node = Node::new(Value::Map(entries), self.trimmed(start, span.end));
                let node = crate::cfn::long_form(intrinsic.as_deref(), node);
                self.remember(anchor, &node);
                node
            }
        };
        self.attach(out, node);
    }

    /// A span from `start` to `end`, with trailing whitespace left out.
    fn trimmed(&self, start: usize, end: usize) -> Span {
        let end = end.min(self.text.len()).max(start);
        let trimmed = self.text[start..end].trim_end().len();
        Span::new(start, start + trimmed)
    }

    fn remember(&mut self, anchor: Option<String>, node: &Node) {
        if let Some(name) = anchor {
            let count = node.count();
            self.anchors.insert(name, (node.clone(), count));
        }
    }

    fn scalar(
        &mut self,
        out: &mut Loaded,
        text: String,
        style: ScalarStyle,
        tag: Option<&str>,
        anchor: Option<String>,
        span: Span,
    ) {
        if !self.count_node(out, 1, span) {
            return;
        }
        if text.len() > self.limits.max_string_length {
            let message = format!(
                "a {}-byte string, longer than {} bytes (limits.max_string_length); the document is not checked",
                text.len(),
                self.limits.max_string_length
            );
            self.fail(
                out,
                Problem::error(rules::STRING_LIMIT, message, self.point(span.start)),
            );
            return;
        }
        if matches!(self.stack.last(), Some(Frame::ComplexKey { .. })) {
            return;
        }
        // Key position: stringify as sigs.k8s.io/yaml does.
        if let Some(Frame::Map {
            pending: pending @ None,
            ..
        }) = self.stack.last_mut()
        {
            let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
            let key = match (style, tag) {
                (ScalarStyle::Plain, None) => match scalar::resolve_plain(&text) {
                    Resolved::Value(v) => scalar::key_string(&v, &text),
                    Resolved::NotRepresentable => text.clone(),
                },
                (_, Some(tag)) => match scalar::resolve_tagged(&text, tag) {
                    Resolved::Value(v) => scalar::key_string(&v, &text),
                    Resolved::NotRepresentable => text.clone(),
                },
                (ScalarStyle::Quoted, None) => text.clone(),
            };
            *pending = Some(PendingKey { key, span, merge });
            if let Some(name) = anchor {
                let node = Node::new(Value::String(text), span);
                self.anchors.insert(name, (node, 1));
            }
            return;
        }
        let resolved = match (style, tag) {
            (ScalarStyle::Plain, None) => scalar::resolve_plain(&text),
            (_, Some(tag)) => scalar::resolve_tagged(&text, tag),
            (ScalarStyle::Quoted, None) => Resolved::Value(Value::String(text.clone())),
        };
        let value = match resolved {
            Resolved::Value(v) => v,
            Resolved::NotRepresentable => {
                self.fail(
                    out,
                    Problem::error(
                        rules::UNREPRESENTABLE,
                        format!("`{text}` is infinity or NaN in YAML, which JSON (and so Kubernetes) cannot represent; quote it if a string is meant"),
                        span,
                    ),
                );
                return;
            }
        };
        let node = Node::new(value, span);
        let node = crate::cfn::long_form(self.intrinsic(tag).as_deref(), node);
        self.remember(anchor, &node);
        self.attach(out, node);
    }

    /// The tag, when reading a CloudFormation template and it is an intrinsic.
    fn intrinsic(&self, tag: Option<&str>) -> Option<String> {
        let tag = tag?;
        (self.cloudformation && crate::cfn::is_intrinsic(tag)).then(|| tag.to_owned())
    }

    fn alias(&mut self, out: &mut Loaded, name: &str, span: Span) {
        if matches!(self.stack.last(), Some(Frame::ComplexKey { .. })) {
            return;
        }
        let Some((_, count)) = self.anchors.get(name) else {
            self.fail(
                out,
                Problem::error(
                    rules::SYNTAX,
                    format!("unknown anchor `{name}` referenced"),
                    span,
                ),
            );
            return;
        };
        let count = *count;
        self.aliases += 1;
        if self.aliases > self.limits.max_aliases {
            self.fail(
                out,
                Problem::error(
                    rules::ALIAS_LIMIT,
                    format!("more than {} aliases in one document (limits.max_aliases); the document is not checked", self.limits.max_aliases),
                    span,
                ),
            );
            return;
        }
        if self.nodes.saturating_add(count) > self.limits.max_nodes {
            self.fail(
                out,
                Problem::error(
                    rules::ALIAS_LIMIT,
                    format!(
                        "alias `*{name}` would expand the document past {} nodes (limits.max_nodes): an alias bomb? The document is not checked",
                        self.limits.max_nodes
                    ),
                    span,
                ),
            );
            return;
        }
        self.nodes += count;
        let Some((node, _)) = self.anchors.get(name) else {
            return;
        };
        let mut node = node.clone();
        // Key position: the aliased scalar becomes the key.
        if let Some(Frame::Map {
            pending: pending @ None,
            ..
        }) = self.stack.last_mut()
        {
            let key = match &node.value {
                Value::String(s) => s.clone(),
                other => scalar::key_string(other, name),
            };
            *pending = Some(PendingKey {
                key,
                span,
                merge: false,
            });
            return;
        }
        node.span = span;
        self.attach(out, node);
    }

    /// Adds a finished node to the enclosing collection, or makes it the root.
    fn attach(&mut self, out: &mut Loaded, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending,
                index,
                merges,
                ..
            }) => {
                let Some(key) = pending.take() else { return };
                if key.merge {
                    let valid = match &node.value {
                        Value::Map(_) => true,
                        Value::Seq(items) => items.iter().all(|i| matches!(i.value, Value::Map(_))),
                        _ => false,
                    };
                    if valid {
                        merges.push(node);
                    } else {
                        let span = node.span;
                        self.fail(
                            out,
                            Problem::error(rules::SYNTAX, "map merge requires a mapping or a sequence of mappings as its value", span),
                        );
                    }
                    return;
                }
                if let Some(existing) = find_key(entries, index.as_ref(), &key.key) {
                    let first = entries[existing].key_span;
                    out.problems.push(Problem::error(
                        rules::DUPLICATE_KEY,
                        format!(
                            "duplicate key `{}` (first on line {}): Kubernetes rejects it in strict field validation and otherwise silently keeps the last value",
                            key.key,
                            self.lines.line(first.start)
                        ),
                        key.span,
                    ));
                    // Last wins, as in non-strict Kubernetes decoding.
                    entries[existing] = Entry {
                        key: key.key,
                        key_span: key.span,
                        value: node,
                    };
                    return;
                }
                if let Some(idx) = index.as_mut() {
                    idx.insert(key.key.clone(), entries.len());
                } else if entries.len() >= INDEX_THRESHOLD {
                    let mut idx: HashMap<String, usize> = entries
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (e.key.clone(), i))
                        .collect();
                    idx.insert(key.key.clone(), entries.len());
                    *index = Some(idx);
                }
                entries.push(Entry {
                    key: key.key,
                    key_span: key.span,
                    value: node,
                });
            }
            Some(Frame::ComplexKey { .. }) => {}
        }
    }
}

fn find_key(entries: &[Entry], index: Option<&HashMap<String, usize>>, key: &str) -> Option<usize> {
    match index {
        Some(idx) => idx.get(key).copied(),
        None => entries.iter().position(|e| e.key == key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Syntax;

    fn load_yaml(text: &str) -> Loaded {
        crate::load(text, Syntax::Yaml, &Limits::default())
    }

    fn json(text: &str) -> Vec<serde_json::Value> {
        let loaded = load_yaml(text);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        loaded.documents.iter().map(|d| d.root.to_json()).collect()
    }

    #[test]
    fn multi_document_stream_skips_empty_documents() {
        let docs = json("# comment only\n---\na: 1\n---\n---\n# nothing\n---\nb: yes\n");
        assert_eq!(
            docs,
            vec![serde_json::json!({"a": 1}), serde_json::json!({"b": true})]
        );
    }

    #[test]
    fn kubernetes_scalars() {
        let docs =
            json("mode: 0755\nbig: 1_000\non: off\nq: 'yes'\nt: 2024-01-02\nref: !Ref bucket\n");
        assert_eq!(
            docs[0],
            serde_json::json!({"mode": 493, "big": 1000, "true": false, "q": "yes", "t": "2024-01-02", "ref": "bucket"})
        );
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let docs = json("base: &b {a: 1, b: 2}\nuse: *b\nmerged:\n  <<: *b\n  b: 3\n");
        assert_eq!(docs[0]["use"], serde_json::json!({"a": 1, "b": 2}));
        assert_eq!(docs[0]["merged"], serde_json::json!({"b": 3, "a": 1}));
    }

    #[test]
    fn duplicate_key_reported_at_second_occurrence() {
        let text = "a: 1\nb: 2\na: 3\n";
        let loaded = load_yaml(text);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].rule, rules::DUPLICATE_KEY);
        assert_eq!(
            loaded.problems[0].span.start,
            text.rfind("a:").unwrap_or_default()
        );
        assert_eq!(
            loaded.documents[0].root.to_json(),
            serde_json::json!({"a": 3, "b": 2})
        );
    }

    #[test]
    fn duplicate_detection_with_many_keys() {
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: again\n");
        let loaded = load_yaml(&text);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].rule, rules::DUPLICATE_KEY);
    }

    #[test]
    fn syntax_error_in_one_document_keeps_the_others() {
        let text = "a: 1\n---\nb: [\n---\nc: 3\n";
        let loaded = load_yaml(text);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].rule, rules::SYNTAX);
        let docs: Vec<_> = loaded
            .documents
            .iter()
            .map(|d| (d.index, d.root.to_json()))
            .collect();
        assert_eq!(
            docs,
            vec![
                (0, serde_json::json!({"a": 1})),
                (2, serde_json::json!({"c": 3}))
            ]
        );
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
        }
        let loaded = load_yaml(&text);
        assert!(loaded.documents.is_empty());
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].rule, rules::ALIAS_LIMIT);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let loaded = load_yaml(&text);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].rule, rules::DEPTH_LIMIT);
    }

    /// Nesting far past the limit inside a block mapping (where libyaml's
    /// scanner is quadratic in flow depth) stops at the limit, in linear time,
    /// whatever state the document is in; the next document is still read.
    #[test]
    fn deep_flow_nesting_in_block_context_stops_at_the_limit() {
        let n = 200_000;
        let shapes = [
            format!("a: {}{}\n", "[".repeat(n), "]".repeat(n)),
            format!("a: {}x{}\n", "{a: ".repeat(n), "}".repeat(n)),
            format!("bad: .inf\na: {}{}\n", "[".repeat(n), "]".repeat(n)),
            format!("{{{}{}: 1}}\n", "[".repeat(n), "]".repeat(n)),
            format!("a:\n{}x\n", "- ".repeat(n)),
        ];
        for (i, shape) in shapes.iter().enumerate() {
            let text = format!("{shape}---\nok: 1\n");
            let started = std::time::Instant::now();
            let loaded = load_yaml(&text);
            let took = started.elapsed();
            assert!(took.as_secs() < 10, "shape {i} took {took:?}");
            let rules: Vec<_> = loaded.problems.iter().map(|p| p.rule).collect();
            let expected = if i == 2 {
                vec![rules::UNREPRESENTABLE]
            } else {
                vec![rules::DEPTH_LIMIT]
            };
            assert_eq!(rules, expected, "shape {i}");
            let docs: Vec<_> = loaded
                .documents
                .iter()
                .map(|d| (d.index, d.root.to_json()))
                .collect();
            assert_eq!(docs, vec![(1, serde_json::json!({"ok": 1}))], "shape {i}");
        }
    }

    #[test]
    fn nesting_at_the_limit_still_loads() {
        let limits = Limits {
            max_depth: 4,
            ..Limits::default()
        };
        let at = crate::load("a: [[[1]]]\n", Syntax::Yaml, &limits);
        assert!(at.problems.is_empty(), "{:?}", at.problems);
        assert_eq!(
            at.documents[0].root.to_json(),
            serde_json::json!({"a": [[[1]]]})
        );
        let past = crate::load("a: [[[[1]]]]\n---\nb: 1\n", Syntax::Yaml, &limits);
        assert_eq!(past.problems.len(), 1);
        assert_eq!(past.problems[0].rule, rules::DEPTH_LIMIT);
        assert_eq!(past.problems[0].span.start, 6);
        assert_eq!(past.documents.len(), 1);
    }

    #[test]
    fn many_duplicate_keys_name_the_earlier_line() {
        let text = "a: 1\n".repeat(50_000);
        let started = std::time::Instant::now();
        let loaded = load_yaml(&text);
        assert!(started.elapsed().as_secs() < 10);
        assert_eq!(loaded.problems.len(), 49_999);
        assert!(
            loaded.problems[49_998]
                .message
                .contains("first on line 49999")
        );
    }

    #[test]
    fn complex_key_is_a_syntax_error() {
        let loaded = load_yaml("env:\n  token: {{HF_TOKEN}}\n---\nok: 1\n");
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].rule, rules::SYNTAX);
        assert_eq!(loaded.documents.len(), 1);
    }

    #[test]
    fn long_strings_are_bounded() {
        let limits = Limits {
            max_string_length: 8,
            ..Limits::default()
        };
        let loaded = crate::load("a: 123456789\n---\nb: ok\n", Syntax::Yaml, &limits);
        assert_eq!(loaded.problems[0].rule, rules::STRING_LIMIT);
        assert_eq!(loaded.documents.len(), 1);
        let json = crate::load("{\"a\": \"123456789\"}", Syntax::Json, &limits);
        assert_eq!(json.problems[0].rule, rules::STRING_LIMIT);
    }

    #[test]
    fn infinity_is_not_representable() {
        let loaded = load_yaml("x: .inf\n");
        assert_eq!(loaded.problems[0].rule, rules::UNREPRESENTABLE);
    }

    #[test]
    fn spans_point_at_values() {
        let text = "kind: Pod\nspec:\n  containers:\n  - image: nginx\n";
        let doc = &load_yaml(text).documents[0];
        let span = doc.root.pointer_span("/spec/containers/0/image").span;
        assert_eq!(&text[span.start..span.end], "nginx");
        let key = doc.root.pointer_key_span("/spec/containers").span;
        assert_eq!(&text[key.start..key.end], "containers");
    }

    #[test]
    fn trailing_tab_after_plain_scalar_parses_like_go() {
        let docs = json("a: b\t\nc: d\n");
        assert_eq!(docs[0], serde_json::json!({"a": "b", "c": "d"}));
    }
}
