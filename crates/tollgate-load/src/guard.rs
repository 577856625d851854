//! A cheap check before handing text to a parser that recurses: nesting of
//! brackets deeper than `limits.max_depth` is a `depth-limit` problem, so a
//! hostile file cannot exhaust the stack of a third-party parser.

use crate::node::Span;
use crate::{Limits, Problem, rules};

/// The first place where `{`, `[` or `(` nest deeper than the limit, outside
/// double-quoted strings.
pub(crate) fn nesting(text: &str, limits: &Limits) -> Option<Problem> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Some(Problem::error(
                        rules::DEPTH_LIMIT,
                        format!("nesting deeper than {} levels", limits.max_depth),
                        Span::new(i, i + 1),
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_brackets_stop_before_the_parser() {
        let text = "[".repeat(300);
        let p = nesting(&text, &Limits::default()).map(|p| p.span.start);
        assert_eq!(p, Some(256));
        assert!(
            nesting(
                "\"[[[[\"",
                &Limits {
                    max_depth: 2,
                    ..Limits::default()
                }
            )
            .is_none()
        );
    }
}
