//! The rendered stream as `kustomize build` prints it, and as JSON.
//!
//! kustomize writes each object through `sigs.k8s.io/yaml` (go-yaml v2):
//! mapping keys sorted in go-yaml's natural order (digit runs compared as
//! numbers, letters before other characters), two-space indentation,
//! sequences not indented under their key, `{}`/`[]` for empty collections,
//! strings plain where they read back as the same string and quoted
//! otherwise (double quotes when plain would change the type, single quotes
//! when only the syntax forbids plain), literal blocks for strings with line
//! breaks, and plain or quoted lines folded past column 80. Documents are
//! separated by `---`. Numbers follow Go's JSON-then-YAML round trip
//! (integral floats print as integers).

use crate::{Node, Resource, Value};
use std::fmt::Write as _;
use tollgate_load::scalar::{Resolved, resolve_plain};

const BEST_WIDTH: usize = 80;

/// The YAML stream of `resources`, byte for byte as `kustomize build` prints it.
pub fn yaml(resources: &[Resource]) -> String {
    let mut out = String::new();
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&node_yaml(&r.node));
    }
    out
}

/// One document as YAML (no `---`).
pub fn node_yaml(node: &Node) -> String {
    let mut e = Emitter::default();
    match &node.value {
        Value::Map(entries) if !entries.is_empty() => e.map(node, 0),
        Value::Seq(items) if !items.is_empty() => e.seq(node, 0),
        _ => {
            e.scalar(node, 0);
            e.newline();
        }
    }
    e.out
}

/// The objects as a pretty-printed JSON array (keys in source order).
pub fn json(resources: &[Resource]) -> String {
    let items: Vec<serde_json::Value> = resources.iter().map(|r| r.node.to_json()).collect();
    serde_json::to_string_pretty(&serde_json::Value::Array(items)).unwrap_or_default()
}

#[derive(Default)]
struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        match s.rfind('\n') {
            Some(i) => self.column = s[i + 1..].chars().count(),
            None => self.column += s.chars().count(),
        }
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn indent(&mut self, n: usize) {
        self.write(&" ".repeat(n));
    }

    /// A non-empty mapping whose first key is written at the current position
    /// (already indented to `indent`).
    fn map(&mut self, node: &Node, indent: usize) {
        let Value::Map(entries) = &node.value else {
            return;
        };
        let mut sorted: Vec<_> = entries.iter().collect();
        sorted.sort_by(|a, b| key_order(&a.key, &b.key));
        for (i, e) in sorted.into_iter().enumerate() {
            if i > 0 {
                self.indent(indent);
            }
            let key = Node::new(Value::String(e.key.clone()), e.key_span);
            self.scalar(&key, indent + 2);
            self.write(":");
            self.value(&e.value, indent, true);
        }
    }

    /// A non-empty sequence whose first dash is written at the current position.
    fn seq(&mut self, node: &Node, indent: usize) {
        let Value::Seq(items) = &node.value else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.indent(indent);
            }
            self.write("-");
            self.value(item, indent, false);
        }
    }

    /// The value after `key:` or `-` (a space or a newline follows).
    fn value(&mut self, v: &Node, indent: usize, in_map: bool) {
        match &v.value {
            Value::Map(entries) if !entries.is_empty() => {
                if in_map {
                    self.newline();
                    self.indent(indent + 2);
                } else {
                    self.write(" ");
                }
                self.map(v, indent + 2);
            }
            Value::Seq(items) if !items.is_empty() => {
                if in_map {
                    self.newline();
                    self.indent(indent);
                    self.seq(v, indent);
                } else {
                    self.write(" ");
                    self.seq(v, indent + 2);
                }
            }
            _ => {
                self.write(" ");
                self.scalar(v, indent + 2);
                self.newline();
            }
        }
    }

    /// A scalar (or empty collection); `indent` is where continuation lines
    /// and literal block lines go.
    fn scalar(&mut self, v: &Node, indent: usize) {
        match &v.value {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Int(i) => self.write(&i.to_string()),
            Value::UInt(u) => self.write(&u.to_string()),
            Value::Float(f) => self.write(&float_text(*f)),
            Value::Map(_) => self.write("{}"),
            Value::Seq(_) => self.write("[]"),
            Value::String(s) => self.string(s, indent),
        }
    }

    fn string(&mut self, s: &str, indent: usize) {
        let a = analyze(s);
        if s.contains('\n') && a.block_allowed {
            self.literal(s, indent);
        } else if resolves_to_string(s) && a.plain_allowed {
            self.folded(s, indent, Quote::Plain);
        } else if !resolves_to_string(s) || !a.single_allowed {
            self.double_quoted(s, indent);
        } else {
            self.folded(s, indent, Quote::Single);
        }
    }

    /// Plain or single-quoted text, folded at spaces past the best width.
    fn folded(&mut self, s: &str, indent: usize, quote: Quote) {
        if quote == Quote::Single {
            self.write("'");
        }
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        let mut buf = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                let inner = quote == Quote::Plain || (i != 0 && i + 1 != chars.len());
                self.write(&buf);
                buf.clear();
                if !spaces && self.column > BEST_WIDTH && !next_space && inner {
                    self.newline();
                    self.indent(indent);
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                if quote == Quote::Single && c == '\'' {
                    buf.push('\'');
                }
                buf.push(c);
                spaces = false;
            }
        }
        self.write(&buf);
        if quote == Quote::Single {
            self.write("'");
        }
    }

    fn double_quoted(&mut self, s: &str, indent: usize) {
        self.write("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.newline();
                    self.indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.write("\\");
                    }
                } else {
                    self.write(" ");
                }
                spaces = true;
                continue;
            }
            spaces = false;
            let escaped = match c {
                '\0' => "\\0".to_owned(),
                '\x07' => "\\a".to_owned(),
                '\x08' => "\\b".to_owned(),
                '\t' => "\\t".to_owned(),
                '\n' => "\\n".to_owned(),
                '\x0b' => "\\v".to_owned(),
                '\x0c' => "\\f".to_owned(),
                '\r' => "\\r".to_owned(),
                '\x1b' => "\\e".to_owned(),
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                '\u{85}' => "\\N".to_owned(),
                '\u{a0}' => "\\_".to_owned(),
                '\u{2028}' => "\\L".to_owned(),
                '\u{2029}' => "\\P".to_owned(),
                c if !is_printable(c) || c == '\u{feff}' => {
                    let n = u32::from(c);
                    if n <= 0xff {
                        format!("\\x{n:02X}")
                    } else if n <= 0xffff {
                        format!("\\u{n:04X}")
                    } else {
                        format!("\\U{n:08X}")
                    }
                }
                c => c.to_string(),
            };
            self.write(&escaped);
        }
        self.write("\"");
    }

    /// A literal block (`|`, `|-`, `|+`, with an indentation indicator when
    /// the text starts with a space or a line break).
    fn literal(&mut self, s: &str, indent: usize) {
        let mut header = String::from("|");
        if s.starts_with(' ') || s.starts_with('\n') {
            header.push('2');
        }
        if !s.ends_with('\n') {
            header.push('-');
        } else if s.ends_with("\n\n") || s == "\n" {
            header.push('+');
        }
        self.write(&header);
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            self.newline();
            if !line.is_empty() {
                self.indent(indent);
                self.write(line);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Plain,
    Single,
}

/// What libyaml's scalar analysis allows for a string in block context.
struct Analysis {
    plain_allowed: bool,
    single_allowed: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{85}')
        || ('\u{20}'..='\u{7e}').contains(&c)
        || ('\u{a0}'..='\u{d7ff}').contains(&c)
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
        || ('\u{10000}'..='\u{10ffff}').contains(&c)
}

fn analyze(s: &str) -> Analysis {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return Analysis {
            plain_allowed: false,
            single_allowed: true,
            block_allowed: false,
        };
    }
    let mut plain = true;
    let mut single = true;
    let mut block = true;
    if s.starts_with("---") || s.starts_with("...") {
        plain = false;
    }
    let is_blank = |c: Option<&char>| matches!(c, None | Some(' ' | '\t' | '\n'));
    let mut special = false;
    let mut line_breaks = false;
    let mut previous_space = false;
    let mut previous_break = false;
    let mut space_break = false;
    let mut break_space = false;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                plain = false;
            }
            if matches!(c, '?' | ':' | '-') && is_blank(next) {
                plain = false;
            }
        } else {
            if c == ':' && is_blank(next) {
                plain = false;
            }
            if c == '#' && matches!(chars.get(i - 1), Some(' ' | '\t' | '\n')) {
                plain = false;
            }
        }
        if !is_printable(c) || c == '\u{feff}' {
            special = true;
        }
        if c == '\n' {
            line_breaks = true;
        }
        if c == ' ' {
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if c == '\n' {
            if previous_space {
                space_break = true;
            }
            previous_break = true;
            previous_space = false;
        } else {
            previous_space = false;
            previous_break = false;
        }
    }
    let leading_space = chars.first() == Some(&' ');
    let leading_break = chars.first() == Some(&'\n');
    let trailing_space = chars.last() == Some(&' ');
    let trailing_break = chars.last() == Some(&'\n');
    if leading_space || leading_break || trailing_space || trailing_break {
        plain = false;
    }
    if trailing_space {
        block = false;
    }
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
        block = false;
    }
    if line_breaks {
        plain = false;
    }
    Analysis {
        plain_allowed: plain,
        single_allowed: single,
        block_allowed: block,
    }
}

/// Whether go-yaml v2 reads `s`, written plain, back as the same string
/// (not a bool, null, number, timestamp, base-60 float or merge key).
fn resolves_to_string(s: &str) -> bool {
    if s == "<<" || is_timestamp(s) || is_base60(s) {
        return false;
    }
    matches!(resolve_plain(s), Resolved::Value(Value::String(ref t)) if t == s)
}

fn digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// go-yaml v2's timestamp forms: `2006-1-2` optionally followed by a time.
fn is_timestamp(s: &str) -> bool {
    let date_end = s.find(['T', 't', ' ', '\t']).unwrap_or(s.len());
    let date = &s[..date_end];
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if !(digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2)) {
        return false;
    }
    if date_end == s.len() {
        return true;
    }
    let rest = s[date_end..].trim_start_matches([' ', '\t', 'T', 't']);
    let mut hms = rest.splitn(3, ':');
    let (Some(h), Some(mi), Some(sec)) = (hms.next(), hms.next(), hms.next()) else {
        return false;
    };
    digits(h, 1, 2) && digits(mi, 2, 2) && sec.len() >= 2 && digits(&sec[..2], 2, 2)
}

/// YAML 1.1 base-60 floats (`1:20`, `-190:20:30.15`), which go-yaml v2 quotes.
fn is_base60(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let mut parts = body.split(':');
    let Some(first) = parts.next() else {
        return false;
    };
    if first.is_empty()
        || !first.starts_with(|c: char| c.is_ascii_digit())
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return false;
    }
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return false;
    }
    for (i, p) in rest.iter().enumerate() {
        let (int, frac) = match p.split_once('.') {
            Some((a, b)) if i + 1 == rest.len() => (a, Some(b)),
            Some(_) => return false,
            None => (*p, None),
        };
        let ok = !int.is_empty()
            && int.len() <= 2
            && int.bytes().all(|b| b.is_ascii_digit())
            && (int.len() == 1 || int.as_bytes()[0] <= b'5');
        if !ok || frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_')) {
            return false;
        }
    }
    true
}

/// go-yaml v2's map key order: runs of digits compare as numbers, a letter
/// sorts before a non-letter, otherwise by character.
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn): (i128, i128) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(i128::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(i128::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// A float as Go's JSON encoding, read back by go-yaml v2 and written again,
/// prints it: integral values as integers, others in `%g` shortest form with
/// a two-digit exponent.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        return format!("{f:.0}");
    }
    let sci = format!("{f:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..21).contains(&exp) {
        return f.to_string();
    }
    let sign = if exp < 0 { '-' } else { '+' };
    let mut out = String::new();
    let _ = write!(out, "{mantissa}e{sign}{:02}", exp.abs());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emit(yaml_text: &str) -> String {
        let loaded =
            tollgate_load::load(yaml_text, tollgate_load::Syntax::Yaml, &Default::default());
        node_yaml(&loaded.documents[0].root)
    }

    #[test]
    fn kyaml_layout_and_key_order() {
        let out = emit(
            "kind: Deployment\napiVersion: apps/v1\nmetadata: {name: web, labels: {z: '1', a: 'yes'}}\nspec:\n  list:\n  - name: c\n    args: [a, b]\n    env: []\n  - - x\n  empty: {}\n  k10: 1\n  k9: 2\n",
        );
        assert_eq!(
            out,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels:\n    a: \"yes\"\n    z: \"1\"\n  name: web\nspec:\n  empty: {}\n  k9: 2\n  k10: 1\n  list:\n  - args:\n    - a\n    - b\n    env: []\n    name: c\n  - - x\n"
        );
    }

    #[test]
    fn string_styles_match_kubectl() {
        // Expected lines from `kubectl kustomize` (v5.5.0) on the same values.
        let out = emit(
            "a:\n- \"on\"\n- \"0755\"\n- \"1.0\"\n- \"\"\n- \"null\"\n- \"~\"\n- 'a: b'\n- '- x'\n- '#c'\n- \"text with\\nnewline\\n\"\n- \"tab\\there\"\n- \"*a\"\n- \"-\"\n- \"a:b\"\n- \"'\"\n- '\"'\n- \"a \"\n- \"2001-12-14\"\n- \"1:20\"\n- \"Y\"\n- 1.5\n- 1e3\n",
        );
        let want = "a:\n- \"on\"\n- \"0755\"\n- \"1.0\"\n- \"\"\n- \"null\"\n- \"~\"\n- 'a: b'\n- '- x'\n- '#c'\n- |\n  text with\n  newline\n- \"tab\\there\"\n- '*a'\n- '-'\n- a:b\n- ''''\n- '\"'\n- 'a '\n- \"2001-12-14\"\n- \"1:20\"\n- \"Y\"\n- 1.5\n- 1000\n";
        assert_eq!(out, want);
    }

    #[test]
    fn long_plain_lines_fold_like_kubectl() {
        let long = format!("{} {} {}", "a".repeat(104), "b".repeat(52), "c".repeat(23));
        let out = emit(&format!("spec:\n  long: {long}\n"));
        assert_eq!(
            out,
            format!(
                "spec:\n  long: {}\n    {} {}\n",
                "a".repeat(104),
                "b".repeat(52),
                "c".repeat(23)
            )
        );
    }

    #[test]
    fn key_order_and_more_literals_match_kubectl() {
        let out = emit(
            "data:\n  a: \"x\\n\\ny\\n\\n\"\n  b: \"  x\\ny\\n\"\n  d: \"\\nfoo\"\n  e: \"a  b\"\n  \"on\": \"1\"\n  k1: v\n  K2: v\n  _x: v\n  \"1a\": v\n",
        );
        assert_eq!(
            out,
            "data:\n  _x: v\n  1a: v\n  K2: v\n  a: |+\n    x\n\n    y\n\n  b: |2\n      x\n    y\n  d: |2-\n\n    foo\n  e: a  b\n  k1: v\n  \"on\": \"1\"\n"
        );
    }

    #[test]
    fn literal_chomping() {
        assert_eq!(emit("a: \"x\\ny\"\n"), "a: |-\n  x\n  y\n");
        assert_eq!(emit("a: \"x\\n\\ny\\n\\n\"\n"), "a: |+\n  x\n\n  y\n\n");
        assert_eq!(emit("a: \"  x\\ny\\n\"\n"), "a: |2\n    x\n  y\n");
    }

    #[test]
    fn floats() {
        assert_eq!(float_text(1.5), "1.5");
        assert_eq!(float_text(1000.0), "1000");
        assert_eq!(float_text(0.000_01), "1e-05");
        assert_eq!(float_text(1.5e22), "1.5e+22");
    }
}
