//! Dockerfiles into a spanned tree in the shape conftest gives policies (its
//! docker parser, over BuildKit's Dockerfile parser): one document, a list of
//! `{Cmd, SubCmd, JSON, Flags, Value, Stage}`, one per instruction, in order:
//!
//! - `Cmd`: the instruction, lower case (`from`); comments are entries of
//!   their own (`Cmd: "comment"`, `Value: [text]`) placed before the
//!   instruction they precede;
//! - `Flags`: the leading `--name=value` words (`[]` when none, `null` for a
//!   comment or an instruction without arguments);
//! - `Value`: the arguments as BuildKit splits them per instruction: one
//!   string for shell-form `RUN`/`CMD`/`ENTRYPOINT`/`SHELL`, the JSON array's
//!   strings for the exec form (`JSON: true`), whitespace-separated words for
//!   `FROM`, `EXPOSE`, `COPY`, `ADD`, `VOLUME`, `ARG`, `key, value, "="`
//!   triples for `ENV`/`LABEL` (`key, value, ""` in the old `ENV k v` form);
//! - `SubCmd`: the instruction under `ONBUILD` (as written), whose arguments
//!   are the `Value`;
//! - `Stage`: the index of the `FROM` the instruction belongs to.
//!
//! Written here (no maintained Rust crate keeps positions, and the rules are
//! BuildKit's line rules): `\` (or the `# escape=` character) continues a
//! line, `#` lines are comments, heredocs (`RUN <<EOF`) are read to their
//! terminator. An unknown instruction is a `syntax` problem, as BuildKit
//! rejects it.

use crate::node::{Entry, Node, Span, Value};
use crate::{Document, Limits, Loaded, Problem, rules};

const INSTRUCTIONS: [&str; 18] = [
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// A logical line: its text and, for each piece, where it came from
/// (offset in the logical text, offset in the file).
struct Logical {
    text: String,
    pieces: Vec<(usize, usize)>,
    /// First and last byte of the instruction in the file.
    start: usize,
    end: usize,
}

impl Logical {
    /// The file offset of logical offset `at`.
    fn file_offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|&(l, _)| l <= at).max(1) - 1;
        let (l, f) = self.pieces[i];
        f + (at - l)
    }

    fn span(&self, from: usize, to: usize) -> Span {
        if from >= to {
            let a = self.file_offset(from.min(self.text.len()));
            return Span::new(a, a);
        }
        Span::new(self.file_offset(from), self.file_offset(to - 1) + 1)
    }
}

/// One parsed instruction, before it becomes a node.
struct Command {
    cmd: String,
    sub_cmd: String,
    json: bool,
    flags: Option<Vec<(String, Span)>>,
    value: Option<Vec<(String, Span)>>,
    stage: i64,
    span: Span,
    cmd_span: Span,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r')
}

/// Words separated by whitespace, with their logical ranges.
fn split_ws(s: &str, base: usize) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (is_space(c) || c == '\n', start) {
            (true, Some(st)) => {
                out.push((s[st..i].to_owned(), base + st, base + i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((s[st..].to_owned(), base + st, base + s.len()));
    }
    out
}

/// BuildKit's word splitting for `ENV`/`LABEL`/`ARG`: quotes kept, escapes kept.
fn words_quoted(s: &str, base: usize, escape: char) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                word.push(c);
                if c == escape
                    && q != '\''
                    && let Some((_, n)) = chars.next()
                {
                    word.push(n);
                }
            }
            None => {
                if c.is_whitespace() {
                    if let Some(st) = start.take()
                        && (blank_ok || !word.is_empty())
                    {
                        out.push((std::mem::take(&mut word), base + st, base + i));
                    }
                    word.clear();
                    blank_ok = false;
                    continue;
                }
                start.get_or_insert(i);
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    blank_ok = true;
                }
                word.push(c);
                if c == escape {
                    match chars.next() {
                        Some((_, n)) => word.push(n),
                        None => {
                            word.pop();
                        }
                    }
                }
            }
        }
    }
    if let Some(st) = start
        && (blank_ok || !word.is_empty())
    {
        out.push((word, base + st, base + s.len()));
    }
    out
}

/// The leading `--flag` words (quotes removed, as BuildKit), and where the
/// arguments start.
fn flags(s: &str) -> (Vec<(String, usize, usize)>, usize) {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        pos += s[pos..].len() - s[pos..].trim_start().len();
        if !s[pos..].starts_with("--") {
            return (out, pos);
        }
        let start = pos;
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut chars = s[pos..].char_indices();
        let mut end = s.len();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some(q) if c == q => quote = None,
                None if c.is_whitespace() => {
                    end = start + i;
                    break;
                }
                None if c == '\'' || c == '"' => quote = Some(c),
                _ if c == '\\' => {
                    if let Some((_, n)) = chars.next() {
                        word.push(n);
                    }
                }
                _ => word.push(c),
            }
        }
        pos = end;
        if word == "--" {
            return (out, pos);
        }
        out.push((word, start, pos));
    }
}

/// A JSON array of strings (`["a", "b"]`), if the text is one.
fn json_array(s: &str) -> Option<Result<Vec<String>, ()>> {
    let t = s.trim_start();
    if !t.starts_with('[') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(t).ok()?;
    let items = v.as_array()?;
    Some(
        items
            .iter()
            .map(|x| x.as_str().map(str::to_owned).ok_or(()))
            .collect(),
    )
}

struct Parser<'t> {
    text: &'t str,
    limits: &'t Limits,
    escape: char,
}

type Words = Vec<(String, Span)>;

impl Parser<'_> {
    fn syntax(&self, span: Span, message: impl Into<String>) -> Problem {
        Problem::error(
            rules::SYNTAX,
            format!("Dockerfile: {}", message.into()),
            span,
        )
    }

    /// The arguments of instruction `cmd` (lower case), from logical offset `at`.
    fn arguments(
        &self,
        line: &Logical,
        cmd: &str,
        at: usize,
    ) -> Result<(Option<Words>, bool), Problem> {
        let rest = &line.text[at..];
        let lead = rest.len() - rest.trim_start().len();
        let rest = rest.trim();
        let at = at + lead;
        let sp = |a: usize, b: usize| line.span(a, b);
        let whole = || vec![(rest.to_owned(), sp(at, at + rest.len()))];
        let words = |v: Vec<(String, usize, usize)>| {
            v.into_iter()
                .map(|(w, a, b)| (w, sp(a, b)))
                .collect::<Words>()
        };
        let not_strings = || {
            self.syntax(
                sp(at, at + rest.len()),
                "when using JSON array syntax, arrays must be comprised of strings only",
            )
        };
        let value = match cmd {
            "run" | "cmd" | "entrypoint" | "shell" => {
                if rest.is_empty() {
                    return Ok((None, false));
                }
                match json_array(rest) {
                    Some(Ok(items)) => {
                        let span = sp(at, at + rest.len());
                        let v = items.into_iter().map(|s| (s, span)).collect();
                        return Ok((Some(v), true));
                    }
                    Some(Err(())) => return Err(not_strings()),
                    None => whole(),
                }
            }
            "add" | "copy" | "volume" => match json_array(rest) {
                Some(Ok(items)) => {
                    let span = sp(at, at + rest.len());
                    let v = items.into_iter().map(|s| (s, span)).collect();
                    return Ok((Some(v), true));
                }
                Some(Err(())) => return Err(not_strings()),
                None if rest.is_empty() => return Ok((None, false)),
                None => words(split_ws(rest, at)),
            },
            "from" | "expose" => {
                if rest.is_empty() {
                    return Ok((None, false));
                }
                words(split_ws(rest, at))
            }
            "arg" => words(words_quoted(rest, at, self.escape)),
            "env" | "label" => {
                let ws = words_quoted(rest, at, self.escape);
                let Some(first) = ws.first() else {
                    return Ok((None, false));
                };
                if !first.0.contains('=') {
                    // Old form: `ENV name value…`.
                    let name_end = rest.find(|c: char| is_space(c)).ok_or_else(|| {
                        self.syntax(
                            sp(at, at + rest.len()),
                            format!("{} must have two arguments", cmd.to_uppercase()),
                        )
                    })?;
                    let value = rest[name_end..].trim_start();
                    let vat = at + rest.len() - value.len();
                    let end = sp(at + rest.len(), at + rest.len());
                    vec![
                        (rest[..name_end].to_owned(), sp(at, at + name_end)),
                        (value.to_owned(), sp(vat, vat + value.len())),
                        (String::new(), end),
                    ]
                } else {
                    let mut out = Vec::new();
                    for (w, a, b) in ws {
                        let Some(eq) = w.find('=') else {
                            return Err(self.syntax(
                                sp(a, b),
                                format!(
                                    "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
                                ),
                            ));
                        };
                        out.push((w[..eq].to_owned(), sp(a, a + eq)));
                        out.push((w[eq + 1..].to_owned(), sp(a + eq + 1, b)));
                        out.push(("=".to_owned(), sp(a + eq, a + eq + 1)));
                    }
                    out
                }
            }
            "healthcheck" => {
                let Some(sep) = rest.find(|c: char| c.is_whitespace()) else {
                    if rest.is_empty() {
                        return Ok((None, false));
                    }
                    return Ok((Some(whole()), false));
                };
                let kind = (rest[..sep].to_owned(), sp(at, at + sep));
                let cmd_text = rest[sep..].trim_start();
                let cat = at + rest.len() - cmd_text.len();
                let mut out = vec![kind];
                match json_array(cmd_text) {
                    Some(Ok(items)) => {
                        let span = sp(cat, cat + cmd_text.len());
                        out.extend(items.into_iter().map(|s| (s, span)));
                        return Ok((Some(out), true));
                    }
                    Some(Err(())) => return Err(not_strings()),
                    None => out.push((cmd_text.to_owned(), sp(cat, cat + cmd_text.len()))),
                }
                out
            }
            // maintainer, stopsignal, user, workdir: the rest as one string.
            _ => {
                if rest.is_empty() {
                    return Ok((None, false));
                }
                whole()
            }
        };
        Ok((Some(value), false))
    }

    /// One instruction from a logical line.
    fn instruction(&self, line: &Logical, stage: i64, nested: bool) -> Result<Command, Problem> {
        let t = &line.text;
        let lead = t.len() - t.trim_start().len();
        let name_end = t[lead..]
            .find(|c: char| is_space(c) || c == '\n')
            .map_or(t.len(), |i| lead + i);
        let word = &t[lead..name_end];
        let cmd = word.to_ascii_lowercase();
        let cmd_span = line.span(lead, name_end);
        if !INSTRUCTIONS.contains(&cmd.as_str()) {
            return Err(self.syntax(cmd_span, format!("unknown instruction: {word}")));
        }
        let (flag_words, args_at) = if name_end < t.len() {
            let (f, a) = flags(&t[name_end..]);
            (Some(f), name_end + a)
        } else {
            (None, t.len())
        };
        let flags = flag_words.map(|f| {
            f.into_iter()
                .map(|(w, a, b)| (w, line.span(name_end + a, name_end + b)))
                .collect::<Words>()
        });
        if cmd == "onbuild" {
            if nested {
                return Err(self.syntax(
                    cmd_span,
                    "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                ));
            }
            let sub_at = args_at + (t.len() - args_at - t[args_at..].trim_start().len());
            if sub_at >= t.len() {
                return Err(self.syntax(cmd_span, "ONBUILD requires at least one argument"));
            }
            let sub = Logical {
                text: t[sub_at..].to_owned(),
                pieces: vec![(0, line.file_offset(sub_at))],
                start: line.start,
                end: line.end,
            };
            let inner = self.instruction(&sub, stage, true)?;
            let sub_name_end = sub
                .text
                .find(|c: char| is_space(c))
                .unwrap_or(sub.text.len());
            return Ok(Command {
                cmd,
                sub_cmd: sub.text[..sub_name_end].to_owned(),
                json: inner.json,
                flags,
                value: inner.value,
                stage,
                span: Span::new(line.start, line.end),
                cmd_span,
            });
        }
        let (value, json) = self.arguments(line, &cmd, args_at)?;
        let needs_args = !matches!(cmd.as_str(), "run" | "cmd" | "entrypoint" | "shell");
        if needs_args && value.as_ref().is_none_or(Vec::is_empty) {
            return Err(self.syntax(
                cmd_span,
                format!("{} requires at least one argument", cmd.to_uppercase()),
            ));
        }
        if matches!(cmd.as_str(), "copy" | "add") && value.as_ref().is_some_and(|v| v.len() < 2) {
            return Err(self.syntax(
                cmd_span,
                format!("{} requires at least two arguments", cmd.to_uppercase()),
            ));
        }
        Ok(Command {
            cmd,
            sub_cmd: String::new(),
            json,
            flags,
            value,
            stage,
            span: Span::new(line.start, line.end),
            cmd_span,
        })
    }

    fn parse(&mut self) -> Result<Vec<Command>, Problem> {
        let text = self.text;
        // Physical lines with their offsets (line ending removed).
        let mut lines: Vec<(usize, &str)> = Vec::new();
        let mut start = 0;
        for l in text.split_inclusive('\n') {
            let body = l.trim_end_matches(['\n', '\r']);
            lines.push((start, body));
            start += l.len();
        }
        if let Some((_, first)) = lines.first_mut()
            && let Some(rest) = first.strip_prefix('\u{feff}')
        {
            *first = rest;
            lines[0].0 += 3;
        }
        let mut commands: Vec<Command> = Vec::new();
        let mut comments: Vec<(String, Span)> = Vec::new();
        let mut stages = 0i64;
        let mut directives_done = false;
        let mut i = 0;
        while i < lines.len() {
            let (at, raw) = lines[i];
            i += 1;
            let trimmed = raw.trim_start();
            let lead = raw.len() - trimmed.len();
            if let Some(comment) = trimmed.strip_prefix('#') {
                if !directives_done {
                    match directive(comment) {
                        Some(("escape", v)) => {
                            self.escape = match v {
                                "\\" => '\\',
                                "`" => '`',
                                _ => {
                                    return Err(self.syntax(
                                        Span::new(at, at + raw.len()),
                                        format!(
                                            "invalid escape token '{v}' does not match ` or \\"
                                        ),
                                    ));
                                }
                            };
                        }
                        Some(_) => {}
                        None => directives_done = true,
                    }
                }
                let c = comment.trim();
                comments.push((c.to_owned(), Span::new(at + lead, at + raw.len())));
                continue;
            }
            directives_done = true;
            if trimmed.trim().is_empty() {
                continue;
            }
            let mut line = Logical {
                text: String::new(),
                pieces: Vec::new(),
                start: at + lead,
                end: at + raw.len(),
            };
            let mut piece = trimmed;
            let mut piece_at = at + lead;
            loop {
                let (body, continues) = self.continuation(piece);
                line.pieces.push((line.text.len(), piece_at));
                line.text.push_str(body);
                if line.text.len() > self.limits.max_string_length {
                    return Err(Problem::error(
                        rules::STRING_LIMIT,
                        format!(
                            "an instruction longer than {} bytes (limits.max_string_length)",
                            self.limits.max_string_length
                        ),
                        Span::new(line.start, piece_at),
                    ));
                }
                if !continues {
                    break;
                }
                // Next physical lines: comments are skipped, empty ones too.
                let mut next = None;
                while i < lines.len() {
                    let (nat, nraw) = lines[i];
                    i += 1;
                    let nt = nraw.trim_start();
                    if nt.starts_with('#') {
                        continue;
                    }
                    if nt.trim().is_empty() {
                        continue;
                    }
                    next = Some((nat, nraw));
                    break;
                }
                let Some((nat, nraw)) = next else { break };
                piece = nraw;
                piece_at = nat;
                line.end = nat + nraw.len();
            }
            let mut cmd = self.instruction(&line, stages, false)?;
            if cmd.cmd == "from" {
                stages += 1;
            }
            let stage = (stages - 1).max(0);
            cmd.stage = stage;
            // Heredocs: `<<EOF` words on RUN/COPY/ADD (also under ONBUILD).
            let heredoc_cmd = if cmd.cmd == "onbuild" {
                cmd.sub_cmd.to_ascii_lowercase()
            } else {
                cmd.cmd.clone()
            };
            if matches!(heredoc_cmd.as_str(), "run" | "copy" | "add") && !cmd.json {
                for name in heredocs(&line.text) {
                    let (word, chomp) = name;
                    let mut done = false;
                    while i < lines.len() {
                        let (hat, hraw) = lines[i];
                        i += 1;
                        let cand = if chomp {
                            hraw.trim_start_matches('\t')
                        } else {
                            hraw
                        };
                        line.end = hat + hraw.len();
                        if cand == word {
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        return Err(
                            self.syntax(Span::new(line.start, line.end), "unterminated heredoc")
                        );
                    }
                }
                cmd.span = Span::new(line.start, line.end);
            }
            for (c, span) in comments.drain(..) {
                commands.push(Command {
                    cmd: "comment".to_owned(),
                    sub_cmd: String::new(),
                    json: false,
                    flags: None,
                    value: Some(vec![(c, span)]),
                    stage,
                    span,
                    cmd_span: span,
                });
            }
            commands.push(cmd);
            if commands.len() > self.limits.max_nodes {
                return Err(Problem::error(
                    rules::NODE_LIMIT,
                    format!(
                        "more than {} instructions (limits.max_nodes)",
                        self.limits.max_nodes
                    ),
                    Span::new(line.start, line.start),
                ));
            }
        }
        if commands.is_empty() {
            let end = text.len();
            return Err(self.syntax(Span::new(end, end), "file with no instructions"));
        }
        Ok(commands)
    }

    /// A line without its continuation character, and whether it continues.
    fn continuation<'s>(&self, line: &'s str) -> (&'s str, bool) {
        let t = line.trim_end_matches([' ', '\t']);
        if let Some(body) = t.strip_suffix(self.escape)
            && (body.is_empty() || !body.ends_with(self.escape))
        {
            return (body, true);
        }
        (line, false)
    }
}

/// A parser directive (`# name=value`) as (name lower case, value).
fn directive(comment: &str) -> Option<(&'static str, &str)> {
    let (name, value) = comment.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value = value.trim();
    match name.to_ascii_lowercase().as_str() {
        "escape" => Some(("escape", value)),
        "syntax" => Some(("syntax", value)),
        "check" => Some(("check", value)),
        _ => None,
    }
}

/// The heredoc words of a line: `<<EOF`, `<<-EOF`, `<<"EOF"` → (name, chomp).
fn heredocs(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for w in line.split_whitespace() {
        let w = w.trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(rest) = w.strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let name: String = rest.chars().filter(|&c| c != '"' && c != '\'').collect();
        if !name.is_empty() && !name.contains('<') {
            out.push((name, chomp));
        }
    }
    out
}

fn strings(items: Option<Words>, fallback: Span) -> Node {
    match items {
        None => Node::new(Value::Null, fallback),
        Some(items) => {
            let span = match (items.first(), items.last()) {
                (Some(a), Some(b)) => Span::new(a.1.start, b.1.end.max(a.1.end)),
                _ => fallback,
            };
            Node::new(
                Value::Seq(
                    items
                        .into_iter()
                        .map(|(s, sp)| Node::new(Value::String(s), sp))
                        .collect(),
                ),
                span,
            )
        }
    }
}

fn command_node(c: Command) -> Node {
    let entry = |key: &str, key_span: Span, value: Node| Entry {
        key: key.to_owned(),
        key_span,
        value,
    };
    let args = c
        .value
        .as_ref()
        .and_then(|v| v.first())
        .map_or(c.span, |v| v.1);
    let entries = vec![
        entry(
            "Cmd",
            c.cmd_span,
            Node::new(Value::String(c.cmd), c.cmd_span),
        ),
        entry(
            "SubCmd",
            c.cmd_span,
            Node::new(Value::String(c.sub_cmd), c.cmd_span),
        ),
        entry("JSON", args, Node::new(Value::Bool(c.json), args)),
        entry("Flags", c.cmd_span, strings(c.flags, c.cmd_span)),
        entry("Value", args, strings(c.value, c.span)),
        entry(
            "Stage",
            c.cmd_span,
            Node::new(Value::Int(c.stage), c.cmd_span),
        ),
    ];
    Node::new(Value::Map(entries), c.span)
}

/// Loads a Dockerfile: one document (the list of instructions), or a
/// `syntax` problem at its position.
pub fn load(text: &str, limits: &Limits) -> Loaded {
    let mut loaded = Loaded::default();
    let mut p = Parser {
        text,
        limits,
        escape: '\\',
    };
    match p.parse() {
        Ok(commands) => {
            let items: Vec<Node> = commands.into_iter().map(command_node).collect();
            let root = Node::new(Value::Seq(items), Span::new(0, text.trim_end().len()));
            loaded.documents.push(Document { index: 0, root });
        }
        Err(problem) => loaded.problems.push(problem),
    }
    loaded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> serde_json::Value {
        let l = load(text, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        l.documents[0].root.to_json()
    }

    #[test]
    fn conftest_shape() {
        let text = "# syntax=docker/dockerfile:1.4\nFROM openjdk:8-jdk-alpine AS base\nCOPY --link --chown=1:1 a b\nRUN apk add \\\n    curl\nENV A=1 B=\"x y\"\nENV C 2 3\nCMD [\"java\", \"-jar\"]\nONBUILD RUN make\n";
        let j = json(text);
        assert_eq!(
            j[0],
            serde_json::json!({"Cmd": "comment", "SubCmd": "", "JSON": false, "Flags": null, "Value": ["syntax=docker/dockerfile:1.4"], "Stage": 0})
        );
        assert_eq!(
            j[1],
            serde_json::json!({"Cmd": "from", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["openjdk:8-jdk-alpine", "AS", "base"], "Stage": 0})
        );
        assert_eq!(j[2]["Flags"], serde_json::json!(["--link", "--chown=1:1"]));
        assert_eq!(j[2]["Value"], serde_json::json!(["a", "b"]));
        assert_eq!(j[3]["Value"], serde_json::json!(["apk add     curl"]));
        assert_eq!(
            j[4]["Value"],
            serde_json::json!(["A", "1", "=", "B", "\"x y\"", "="])
        );
        assert_eq!(j[5]["Value"], serde_json::json!(["C", "2 3", ""]));
        assert_eq!(j[6]["JSON"], true);
        assert_eq!(j[6]["Value"], serde_json::json!(["java", "-jar"]));
        assert_eq!(j[7]["Cmd"], "onbuild");
        assert_eq!(j[7]["SubCmd"], "RUN");
        assert_eq!(j[7]["Value"], serde_json::json!(["make"]));
    }

    #[test]
    fn stages_heredocs_and_lines() {
        let text = "FROM a AS build\nRUN <<EOF\nFROM not-an-instruction\nEOF\nFROM b\nCOPY --from=build /x /y\n";
        let l = load(text, &Limits::default());
        let j = l.documents[0].root.to_json();
        assert_eq!(j.as_array().map(Vec::len), Some(4));
        assert_eq!(j[2]["Stage"], 1);
        assert_eq!(j[3]["Stage"], 1);
        let root = &l.documents[0].root;
        let line = |p: &str| crate::line_of(text, root.pointer_span(p).span.start);
        assert_eq!(line("/3/Flags/0"), 6);
        assert_eq!(line("/2/Value/0"), 5);
    }

    #[test]
    fn errors_have_positions() {
        let text = "FROM a\nFROBNICATE x\n";
        let l = load(text, &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        assert_eq!(crate::line_of(text, l.problems[0].span.start), 2);
        let l = load("# only a comment\n", &Limits::default());
        assert_eq!(l.problems[0].rule, rules::SYNTAX);
        let text = "FROM a\nRUN <<EOF\necho\n";
        assert_eq!(load(text, &Limits::default()).problems.len(), 1);
        let text = "FROM a\nCMD [\"a\", 1]\n";
        assert_eq!(load(text, &Limits::default()).problems.len(), 1);
    }
}
