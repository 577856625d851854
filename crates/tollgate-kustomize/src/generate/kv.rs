//! Key/value sources of a generator entry: env files (`envs`, legacy `env`),
//! `literals` and `files`, in that order, parsed as kustomize's `api/kv`
//! does (v5.5: its validator accepts any key).

use super::ReadFn;
use super::args::GenArgs;
use crate::files::Content;
use crate::{Problem, Span};
use std::sync::Arc;

/// One key/value pair and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The data key.
    pub key: String,
    /// The value, as text (empty when `bytes` holds it).
    pub value: String,
    /// The value of a `files` entry whose file is not UTF-8: its bytes,
    /// which kustomize base64-encodes into a ConfigMap's `binaryData`.
    pub bytes: Option<Arc<[u8]>>,
    /// Where the key was written: the literal, the `files` entry or the env
    /// file line.
    pub key_span: Span,
    /// Where the value came from: the literal or env line, or the whole file
    /// read for a `files` entry.
    pub value_span: Span,
}

/// All pairs of an entry: env files, then literals, then files.
pub(crate) fn load_pairs(args: &GenArgs, read: &mut ReadFn) -> Result<Vec<Pair>, Problem> {
    let mut out = Vec::new();
    for env in &args.envs {
        let rel = env.as_str().unwrap_or("");
        let (file, text) = match read(rel, env.span)? {
            (file, Content::Text(text)) => (file, text),
            (_, Content::Binary(bytes)) => {
                let line = bytes
                    .split(|b| *b == b'\n')
                    .position(|l| std::str::from_utf8(l).is_err())
                    .map_or(1, |i| i + 1);
                return Err(Problem::error(
                    format!(
                        "loading KV pairs: env source files: [{rel}]: line {line} has invalid utf8 bytes"
                    ),
                    env.span,
                ));
            }
        };
        out.extend(parse_env_file(
            &text,
            Span::new(0, text.len()).in_file(file),
        )?);
    }
    for lit in &args.literals {
        let s = lit.as_str().unwrap_or("");
        let (key, value) = parse_literal(s).ok_or_else(|| {
            Problem::error(
                format!(
                    "loading KV pairs: literal sources [{}]: invalid literal source {s}, expected key=value",
                    joined(&args.literals)
                ),
                lit.span,
            )
        })?;
        out.push(Pair {
            key,
            value,
            bytes: None,
            key_span: lit.span,
            value_span: lit.span,
        });
    }
    for f in &args.files {
        let s = f.as_str().unwrap_or("");
        let (key, rel) = parse_file_source(s).map_err(|m| {
            Problem::error(
                format!(
                    "loading KV pairs: file sources: [{}]: {m}",
                    joined(&args.files)
                ),
                f.span,
            )
        })?;
        // A binary file has no lines: its value carries the entry.
        out.push(match read(&rel, f.span)? {
            (file, Content::Text(text)) => Pair {
                key,
                value: text.to_string(),
                bytes: None,
                key_span: f.span,
                value_span: Span::new(0, text.len()).in_file(file),
            },
            (_, Content::Binary(bytes)) => Pair {
                key,
                value: String::new(),
                bytes: Some(bytes),
                key_span: f.span,
                value_span: f.span,
            },
        });
    }
    Ok(out)
}

fn joined(nodes: &[&crate::Node]) -> String {
    nodes
        .iter()
        .map(|n| n.as_str().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses an env file's text into pairs. `file_span` gives the file id (its
/// offsets are those of `text`); each pair's spans are its line (without
/// leading white space and line break).
///
/// kustomize v5.5: lines split on `\n` (a trailing `\r` dropped), a UTF-8
/// BOM dropped from the first line, leading white space trimmed, empty lines
/// and `#` comments skipped; the key is everything before the first `=`
/// (trailing spaces kept), the value everything after it, unquoted and
/// untrimmed. A line without `=` is the key with an empty value: v5.5 does
/// not read the process environment (older kustomize did), so neither do we.
pub fn parse_env_file(text: &str, file_span: Span) -> Result<Vec<Pair>, Problem> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_start = offset;
        offset += raw.len();
        let mut line = raw.strip_suffix('\n').unwrap_or(raw);
        line = line.strip_suffix('\r').unwrap_or(line);
        let mut start = line_start;
        if index == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            start += line.len() - rest.len();
            line = rest;
        }
        let trimmed = line.trim_start();
        start += line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let span = Span {
            start: file_span.start + start,
            end: file_span.start + start + trimmed.len(),
            file: file_span.file,
        };
        let (key, value) = trimmed.split_once('=').unwrap_or((trimmed, ""));
        out.push(Pair {
            key: key.to_owned(),
            value: value.to_owned(),
            bytes: None,
            key_span: span,
            value_span: span,
        });
    }
    Ok(out)
}

/// `KEY=VALUE` (kustomize's `parseLiteralSource`): split at the first `=`,
/// the key must not be empty; one pair of matching outer quotes (`"` or
/// `'`) is removed from the value.
pub(crate) fn parse_literal(source: &str) -> Option<(String, String)> {
    let (key, value) = source.split_once('=')?;
    if key.is_empty() {
        return None;
    }
    Some((key.to_owned(), remove_quotes(value).to_owned()))
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// `[key=]path` (kustomize's `ParseFileSource`): without `=` the key is the
/// path's last element.
pub(crate) fn parse_file_source(source: &str) -> Result<(String, String), String> {
    match source.matches('=').count() {
        0 => Ok((go_path_base(source), source.to_owned())),
        1 if source.starts_with('=') => Err(format!(
            "missing key name for file path {:?} in source {source:?}",
            &source[1..]
        )),
        1 if source.ends_with('=') => Err(format!(
            "missing file path for key name {:?} in source {source:?}",
            &source[..source.len() - 1]
        )),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or((source, ""));
            Ok((k.to_owned(), p.to_owned()))
        }
        _ => Err(format!(
            "source {source:?} key name or file path contains '='"
        )),
    }
}

/// Go's `path.Base`.
fn go_path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".to_owned();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_owned();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_owned()
}
