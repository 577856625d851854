//! Key/value sources of a generator entry: `literals`, `files` and env files
//! (`envs`, legacy `env`), parsed as kustomize's `api/kv` does.

use crate::Span;

/// One key/value pair and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The data key.
    pub key: String,
    /// The value, as text.
    pub value: String,
    /// The literal, file entry or env-file line that produced the pair.
    pub span: Span,
}

/// Parses an env file's text into pairs; `file_span` places each line's span
/// (`file_span.file`, byte offsets in `text`).
pub fn parse_env_file(text: &str, file_span: Span) -> Result<Vec<Pair>, crate::Problem> {
    let _ = text;
    Err(crate::Problem::unsupported(
        "env files are not rendered yet",
        file_span,
    ))
}
