//! JSONC: JSON with `//` and `/* */` comments and trailing commas (VS Code's
//! settings, tsconfig). Comments and trailing commas are blanked out byte for
//! byte (newlines kept), and the result goes through the JSON parser, so every
//! span, limit and syntax error is the JSON parser's, at the original bytes.

use crate::node::Span;
use crate::{Limits, Loaded, Problem, rules};

/// The text with comments and trailing commas replaced by spaces, or the
/// offset of an unterminated block comment.
fn blank(text: &str) -> Result<String, usize> {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    // The last `,` outside strings and comments, not yet followed by a value.
    let mut comma: Option<usize> = None;
    // Whether a value ended since the last `,`, `[` or `{`.
    let mut after_value = false;
    while i < b.len() {
        match b[i] {
            b'"' => {
                comma = None;
                after_value = true;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                out[i] = b' ';
                out[i + 1] = b' ';
                i += 2;
                loop {
                    if i + 1 >= b.len() {
                        return Err(start);
                    }
                    if b[i] == b'*' && b[i + 1] == b'/' {
                        out[i] = b' ';
                        out[i + 1] = b' ';
                        i += 2;
                        break;
                    }
                    if b[i] != b'\n' {
                        out[i] = b' ';
                    }
                    i += 1;
                }
            }
            b',' => {
                comma = after_value.then_some(i);
                after_value = false;
                i += 1;
            }
            b'}' | b']' => {
                if let Some(c) = comma.take() {
                    out[c] = b' ';
                }
                after_value = true;
                i += 1;
            }
            b'{' | b'[' => {
                comma = None;
                after_value = false;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            _ => {
                comma = None;
                after_value = true;
                i += 1;
            }
        }
    }
    // Only ASCII bytes were replaced, by ASCII spaces: still UTF-8.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Loads a JSONC file.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    match blank(text) {
        Ok(clean) => crate::json::load(&clean, limits),
        Err(at) => Loaded {
            documents: Vec::new(),
            problems: vec![Problem::error(
                rules::SYNTAX,
                "unterminated `/*` comment",
                Span::new(at, at + 2),
            )],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas() {
        let text = "{\n  // a comment, with \"quotes\"\n  \"a\": 1, /* b */\n  \"u\": \"http://x//y\",\n  \"l\": [1, 2,],\n}\n";
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let root = &l.documents[0].root;
        assert_eq!(
            root.to_json(),
            serde_json::json!({"a": 1, "u": "http://x//y", "l": [1, 2]})
        );
        assert_eq!(
            crate::line_of(text, root.pointer_span("/l/1").span.start),
            5
        );
    }

    #[test]
    fn errors_are_json_errors_at_their_place() {
        let text = "{\n  \"a\": 1,\n  \"b\" 2\n}\n";
        let l = load(text, &Limits::default());
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 3);
        let l = load("{ /* open", &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        // A lone comma is still an error.
        assert!(!load("[,]", &Limits::default()).problems.is_empty());
    }
}
