//! The spanned document tree every later stage reads.
//!
//! A [`Node`] is a JSON-compatible value (what Kubernetes turns YAML into before
//! decoding) that remembers the byte range it came from. Mapping entries also keep
//! the span of their key, so "unknown field" findings can underline the key itself.
//! [`Node::pointer_span`] is the one function that maps a JSON pointer back to
//! source: schema errors and policy results both go through it.

use std::fmt::Write as _;

/// Which source file a span is in.
///
/// Loading one file gives every span [`FileId::SELF`], "the file being read".
/// Rendering builds objects out of many files (a base, a patch, a
/// kustomization's `images` entry); it gives each file of a render target its
/// own id, so every node of a rendered tree keeps the file it was written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

impl FileId {
    /// The file that was loaded (every span of a plain [`crate::load`]).
    pub const SELF: Self = Self(0);
}

/// A half-open byte range `start..end` in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// The file the bytes are in ([`FileId::SELF`] outside rendering).
    pub file: FileId,
}

impl Span {
    /// Creates a span, swapping the ends if they are reversed.
    pub fn new(start: usize, end: usize) -> Self {
        if end < start {
            Self {
                start: end,
                end: start,
                file: FileId::SELF,
            }
        } else {
            Self {
                start,
                end,
                file: FileId::SELF,
            }
        }
    }

    /// The same bytes, placed in `file`.
    #[must_use]
    pub fn in_file(self, file: FileId) -> Self {
        Self { file, ..self }
    }

    /// Moves the span by `offset` bytes.
    #[must_use]
    pub fn shifted(self, offset: usize) -> Self {
        Self {
            start: self.start + offset,
            end: self.end + offset,
            file: self.file,
        }
    }
}

/// A value of the document tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// A boolean, including YAML 1.1 `yes`/`no`/`on`/`off`.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A floating point number (always finite: infinities are findings).
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping in source order; keys are unique (duplicates are findings).
    Map(Vec<Entry>),
}

/// A mapping entry: the key as Kubernetes stringifies it, and where it was.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key, stringified as sigs.k8s.io/yaml does (`on:` becomes `"true"`).
    pub key: String,
    /// Where the key was written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A value and the source bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The span of the whole value (for a mapping, from its first key to its end).
    pub span: Span,
}

/// Where a JSON pointer landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointerSpan {
    /// The span of the node, or of the deepest existing parent.
    pub span: Span,
    /// Whether the whole pointer resolved (false: `span` is a parent's).
    pub exact: bool,
}

impl Node {
    /// Creates a node.
    pub fn new(value: Value, span: Span) -> Self {
        Self { value, span }
    }

    /// Looks up a mapping key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// Looks up a mapping key, for changing its value.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|e| e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        }
    }

    /// Places every span of this subtree (keys included) in `file`.
    pub fn set_file(&mut self, file: FileId) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.span.file = file;
            match &mut node.value {
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(entries) => {
                    for e in entries.iter_mut() {
                        e.key_span.file = file;
                        stack.push(&mut e.value);
                    }
                }
                _ => {}
            }
        }
    }

    /// Builds a tree from a JSON value, every node (and key) carrying `span`:
    /// the place that wrote the whole value (a generator entry, say).
    pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::UInt(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::Seq(items.iter().map(|v| Node::from_json(v, span)).collect()),
            J::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        key_span: span,
                        value: Node::from_json(v, span),
                    })
                    .collect(),
            ),
        };
        Node { value, span }
    }

    /// Returns the string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Maps a JSON pointer (RFC 6901, `/spec/containers/0/image`) to a span.
    ///
    /// A pointer that resolves gives the node's span; when the last token names a
    /// mapping key, the span of the *value* is returned. A pointer that runs into a
    /// missing key or index gives the span of the deepest node that exists, with
    /// `exact: false`, so a "missing required field" finding lands on the parent.
    pub fn pointer_span(&self, pointer: &str) -> PointerSpan {
        self.pointer_target(pointer, false)
    }

    /// Like [`Node::pointer_span`], but for a pointer ending in a mapping key it
    /// returns the span of the key (used for "unknown field" findings).
    pub fn pointer_key_span(&self, pointer: &str) -> PointerSpan {
        self.pointer_target(pointer, true)
    }

    fn pointer_target(&self, pointer: &str, want_key: bool) -> PointerSpan {
        let mut node = self;
        if pointer.is_empty() {
            return PointerSpan {
                span: node.span,
                exact: true,
            };
        }
        let Some(rest) = pointer.strip_prefix('/') else {
            return PointerSpan {
                span: node.span,
                exact: false,
            };
        };
        let mut tokens = rest.split('/').peekable();
        while let Some(raw) = tokens.next() {
            let token = unescape_token(raw);
            let last = tokens.peek().is_none();
            match &node.value {
                Value::Map(entries) => match entries.iter().find(|e| e.key == token) {
                    Some(entry) if last && want_key => {
                        return PointerSpan {
                            span: entry.key_span,
                            exact: true,
                        };
                    }
                    Some(entry) => node = &entry.value,
                    None => {
                        return PointerSpan {
                            span: node.span,
                            exact: false,
                        };
                    }
                },
                Value::Seq(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(item) => node = item,
                    None => {
                        return PointerSpan {
                            span: node.span,
                            exact: false,
                        };
                    }
                },
                _ => {
                    return PointerSpan {
                        span: node.span,
                        exact: false,
                    };
                }
            }
        }
        PointerSpan {
            span: node.span,
            exact: true,
        }
    }

    /// The JSON pointer of the deepest node (or mapping key) covering byte `offset`.
    pub fn pointer_at(&self, offset: usize) -> String {
        let mut pointer = String::new();
        let mut node = self;
        loop {
            let next = match &node.value {
                Value::Map(entries) => entries
                    .iter()
                    .find_map(|e| {
                        if e.key_span.start <= offset
                            && offset < e.key_span.end.max(e.key_span.start + 1)
                        {
                            push_token(&mut pointer, &e.key);
                            None
                        } else if e.value.span.start <= offset && offset < e.value.span.end {
                            Some((e.key.clone(), &e.value))
                        } else {
                            None
                        }
                    })
                    .map(|(k, n)| {
                        push_token(&mut pointer, &k);
                        n
                    }),
                Value::Seq(items) => items
                    .iter()
                    .enumerate()
                    .find(|(_, n)| n.span.start <= offset && offset < n.span.end)
                    .map(|(i, n)| {
                        let _ = write!(pointer, "/{i}");
                        n
                    }),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => return pointer,
            }
        }
    }

    /// Counts the nodes of this subtree (used for alias-expansion budgets).
    pub fn count(&self) -> usize {
        match &self.value {
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => 1 + entries.iter().map(|e| e.value.count()).sum::<usize>(),
            _ => 1,
        }
    }

    /// Converts the tree to `serde_json::Value`, as Kubernetes' YAMLToJSON would.
    ///
    /// Floats with no fractional part become integers, because Go's
    /// `json.Marshal(float64(8))` writes `8` and the API server reads it as one.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            Value::Float(f) => float_to_json(*f),
            Value::String(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

fn float_to_json(f: f64) -> serde_json::Value {
    // Integral floats within the exactly representable range become integers.
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked to be integral and in range"
        )]
        return serde_json::Value::from(f as i64);
    }
    serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// Undoes RFC 6901 escaping of one reference token (`~1` is `/`, `~0` is `~`).
pub fn unescape_token(token: &str) -> String {
    if token.contains('~') {
        token.replace("~1", "/").replace("~0", "~")
    } else {
        token.to_owned()
    }
}

/// Appends one escaped reference token to a JSON pointer.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Converts a dotted path with indexes (`spec.containers[1].image`) or a list of
/// segments into a JSON pointer. A string that already starts with `/` is kept.
pub fn dotted_to_pointer(path: &str) -> String {
    if path.starts_with('/') || path.is_empty() {
        return path.to_owned();
    }
    let mut pointer = String::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            push_token(&mut pointer, name);
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(close) = stripped.find(']') else {
                break;
            };
            let index = stripped[..close].trim_matches(|c| c == '"' || c == '\'');
            let _ = write!(pointer, "/{index}");
            rest = &stripped[close + 1..];
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(v: Value, s: usize, e: usize) -> Node {
        Node::new(v, Span::new(s, e))
    }

    fn sample() -> Node {
        // spec: {containers: [{image: x}], a/b: 1}
        let container = leaf(
            Value::Map(vec![Entry {
                key: "image".into(),
                key_span: Span::new(30, 35),
                value: leaf(Value::String("x".into()), 37, 38),
            }]),
            30,
            38,
        );
        let spec = leaf(
            Value::Map(vec![
                Entry {
                    key: "containers".into(),
                    key_span: Span::new(10, 20),
                    value: leaf(Value::Seq(vec![container]), 28, 38),
                },
                Entry {
                    key: "a/b".into(),
                    key_span: Span::new(40, 43),
                    value: leaf(Value::Int(1), 45, 46),
                },
            ]),
            10,
            46,
        );
        leaf(
            Value::Map(vec![Entry {
                key: "spec".into(),
                key_span: Span::new(0, 4),
                value: spec,
            }]),
            0,
            46,
        )
    }

    #[test]
    fn pointer_resolves_value_and_key() {
        let root = sample();
        let hit = root.pointer_span("/spec/containers/0/image");
        assert_eq!(
            hit,
            PointerSpan {
                span: Span::new(37, 38),
                exact: true
            }
        );
        let key = root.pointer_key_span("/spec/containers/0/image");
        assert_eq!(
            key,
            PointerSpan {
                span: Span::new(30, 35),
                exact: true
            }
        );
        assert_eq!(root.pointer_span("/spec/a~1b").span, Span::new(45, 46));
    }

    #[test]
    fn missing_pointer_falls_back_to_parent() {
        let root = sample();
        let miss = root.pointer_span("/spec/containers/0/resources/limits");
        assert_eq!(
            miss,
            PointerSpan {
                span: Span::new(30, 38),
                exact: false
            }
        );
        assert!(!root.pointer_span("/spec/containers/7").exact);
        assert!(root.pointer_span("").exact);
    }

    #[test]
    fn pointer_at_finds_keys_and_values() {
        let root = sample();
        assert_eq!(root.pointer_at(31), "/spec/containers/0/image");
        assert_eq!(root.pointer_at(37), "/spec/containers/0/image");
        assert_eq!(root.pointer_at(45), "/spec/a~1b");
    }

    #[test]
    fn dotted_paths_become_pointers() {
        assert_eq!(
            dotted_to_pointer("spec.template.spec.containers[1].image"),
            "/spec/template/spec/containers/1/image"
        );
        assert_eq!(
            dotted_to_pointer("metadata.labels[\"app\"]"),
            "/metadata/labels/app"
        );
        assert_eq!(dotted_to_pointer("/already/pointer"), "/already/pointer");
    }

    #[test]
    fn integral_floats_become_json_integers() {
        assert_eq!(
            leaf(Value::Float(8.0), 0, 1).to_json(),
            serde_json::json!(8)
        );
        assert_eq!(
            leaf(Value::Float(0.5), 0, 1).to_json(),
            serde_json::json!(0.5)
        );
    }
}
