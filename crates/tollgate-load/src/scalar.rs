//! Scalar resolution exactly as Kubernetes reads YAML.
//!
//! The API server and kubectl turn YAML into JSON with sigs.k8s.io/yaml, which runs
//! go-yaml v2: YAML 1.1 implicit typing. `yes`, `on` and `y` are booleans, `0755` is
//! octal, `1_000` is a thousand. A manifest must be judged as the cluster will read
//! it, so this table (one place, tested below) mirrors go-yaml v2's `resolve.go`,
//! not YAML 1.2. Timestamps stay strings, as go-yaml v2 leaves them when decoding
//! into an untyped value.

use super::node::Value;

/// The outcome of resolving a plain scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A value JSON can hold.
    Value(Value),
    /// `.inf`, `-.inf` or `.nan`: valid YAML that JSON (and so Kubernetes) rejects.
    NotRepresentable,
}

/// The YAML 1.1 words go-yaml v2 maps to booleans and null (its `resolveMap`).
const TRUE_WORDS: [&str; 11] = [
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
];
const FALSE_WORDS: [&str; 11] = [
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
];
const NULL_WORDS: [&str; 5] = ["", "~", "null", "Null", "NULL"];
const SPECIAL_FLOATS: [&str; 12] = [
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
    "-.INF",
];

/// Returns true when an unquoted scalar reads as a boolean in YAML 1.1 but as a
/// string in YAML 1.2 (`yes`, `on`, `n`, ...): the classic manifest surprise.
pub fn is_yaml11_only_bool(text: &str) -> bool {
    !matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
        && (TRUE_WORDS.contains(&text) || FALSE_WORDS.contains(&text))
}

/// Resolves an unquoted, untagged scalar as go-yaml v2 does.
pub fn resolve_plain(text: &str) -> Resolved {
    if TRUE_WORDS.contains(&text) {
        return Resolved::Value(Value::Bool(true));
    }
    if FALSE_WORDS.contains(&text) {
        return Resolved::Value(Value::Bool(false));
    }
    if NULL_WORDS.contains(&text) {
        return Resolved::Value(Value::Null);
    }
    if SPECIAL_FLOATS.contains(&text) {
        return Resolved::NotRepresentable;
    }
    let Some(first) = text.bytes().next() else {
        return Resolved::Value(Value::Null);
    };
    let value = match first {
        // '.5' style floats.
        b'.' => parse_go_float(text).map(Value::Float),
        b'0'..=b'9' | b'+' | b'-' => resolve_number(text),
        _ => None,
    };
    Resolved::Value(value.unwrap_or_else(|| Value::String(text.to_owned())))
}

/// Resolves a scalar carrying an explicit standard tag (`!!int 3`, `!!str yes`).
///
/// Unknown and custom tags (`!Ref`, `!Sub`) make the value a plain string, as in
/// go-yaml v2 where such tags are not resolvable.
pub fn resolve_tagged(text: &str, tag: &str) -> Resolved {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some("bool" | "int" | "float" | "null") => resolve_plain(text),
        _ => Resolved::Value(Value::String(text.to_owned())),
    }
}

/// Integers (Go `strconv.ParseInt(s, 0, 64)` after removing `_`), then floats.
fn resolve_number(text: &str) -> Option<Value> {
    if is_timestamp(text) {
        return None;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(i) = parse_go_int(&plain) {
        return Some(i);
    }
    if let Some(f) = parse_go_float(&plain) {
        return Some(Value::Float(f));
    }
    // go-yaml v2 also reads `0b1010` / `-0b1010` when base-0 parsing failed.
    let (neg, digits) = match plain.strip_prefix("-0b") {
        Some(d) => (true, d),
        None => (false, plain.strip_prefix("0b")?),
    };
    let magnitude = u64::from_str_radix(digits, 2).ok()?;
    signed(neg, magnitude)
}

/// Go's `ParseInt(s, 0, 64)` falling back to `ParseUint(s, 0, 64)`.
fn parse_go_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) =
        if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, d)
        } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, d)
        } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, d)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    signed(neg, magnitude)
}

fn signed(neg: bool, magnitude: u64) -> Option<Value> {
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            #[allow(clippy::cast_possible_wrap, reason = "range checked above")]
            return Some(Value::Int((magnitude as i64).wrapping_neg()));
        }
        return None;
    }
    Some(match i64::try_from(magnitude) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::UInt(magnitude),
    })
}

/// go-yaml v2's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A finite float from Go-style text; Rust's parser agrees on the accepted syntax
/// once the regex above (or a leading `.`) has vetted it.
fn parse_go_float(s: &str) -> Option<f64> {
    if !is_yaml_style_float(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// go-yaml v2 timestamp shapes (`2001-12-14`, `2001-12-14t21:59:43.10-05:00`, ...),
/// which stay strings when decoded into an untyped value.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // YYYY-M-D prefix.
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || b.get(i) != Some(&b'-') {
        return false;
    }
    let rest = &s[5..];
    let date_end = rest.find(['T', 't', ' ']).unwrap_or(rest.len());
    let date = &rest[..date_end];
    let mut parts = date.split('-');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()))
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// Stringifies a resolved map key as sigs.k8s.io/yaml does for JSON objects.
pub fn key_string(value: &Value, original: &str) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Null => "null".to_owned(),
        // Go formats float keys with %v-like shortest formatting; the source text
        // is the closest faithful rendering for the rare float key.
        Value::Float(_) | Value::Seq(_) | Value::Map(_) => original.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Value {
        match resolve_plain(text) {
            Resolved::Value(v) => v,
            Resolved::NotRepresentable => panic!("{text} not representable"),
        }
    }

    #[test]
    fn yaml11_booleans() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(v(t), Value::Bool(true), "{t}");
        }
        for t in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(v(t), Value::Bool(false), "{t}");
        }
        // Mixed case outside the table stays a string, as in go-yaml v2.
        for t in ["yEs", "oN", "tRUE", "nO"] {
            assert_eq!(v(t), Value::String(t.into()), "{t}");
        }
        assert!(is_yaml11_only_bool("on") && !is_yaml11_only_bool("true"));
    }

    #[test]
    fn nulls() {
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(v(t), Value::Null, "{t}");
        }
        assert_eq!(v("nULL"), Value::String("nULL".into()));
    }

    #[test]
    fn integers_like_go_parse_int_base_0() {
        assert_eq!(v("0755"), Value::Int(493));
        assert_eq!(v("0777"), Value::Int(511));
        assert_eq!(v("1_000"), Value::Int(1000));
        assert_eq!(v("0x1F"), Value::Int(31));
        assert_eq!(v("0o17"), Value::Int(15));
        assert_eq!(v("0b101"), Value::Int(5));
        assert_eq!(v("-0b101"), Value::Int(-5));
        assert_eq!(v("+12"), Value::Int(12));
        assert_eq!(v("-12"), Value::Int(-12));
        assert_eq!(v("0"), Value::Int(0));
        assert_eq!(v("9223372036854775807"), Value::Int(i64::MAX));
        assert_eq!(v("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(v("18446744073709551615"), Value::UInt(u64::MAX));
    }

    #[test]
    fn floats() {
        // Not valid octal, so go-yaml falls back to the float regex.
        assert_eq!(v("08"), Value::Float(8.0));
        assert_eq!(v("007"), Value::Int(7));
        assert_eq!(v("1.5"), Value::Float(1.5));
        assert_eq!(v(".5"), Value::Float(0.5));
        assert_eq!(v("1e3"), Value::Float(1000.0));
        assert_eq!(v("-1.5E-2"), Value::Float(-0.015));
        assert_eq!(v("1."), Value::Float(1.0));
        assert_eq!(v("99999999999999999999"), Value::Float(1e20));
        assert_eq!(resolve_plain(".inf"), Resolved::NotRepresentable);
        assert_eq!(resolve_plain("-.Inf"), Resolved::NotRepresentable);
        assert_eq!(resolve_plain(".NaN"), Resolved::NotRepresentable);
    }

    #[test]
    fn strings_stay_strings() {
        for t in [
            "2024-01-02",
            "2001-12-14t21:59:43.10-05:00",
            "12:30:00",
            "1.2.3",
            "v1",
            "0x",
            "1e",
            "+",
            "-",
            "_1",
            "0xZZ",
            "1_0.5.3",
        ] {
            assert_eq!(v(t), Value::String(t.into()), "{t}");
        }
        assert_eq!(v("1_0.5"), Value::Float(10.5));
    }

    #[test]
    fn tags() {
        assert_eq!(
            resolve_tagged("yes", "tag:yaml.org,2002:str"),
            Resolved::Value(Value::String("yes".into()))
        );
        assert_eq!(
            resolve_tagged("5", "tag:yaml.org,2002:int"),
            Resolved::Value(Value::Int(5))
        );
        assert_eq!(
            resolve_tagged("my-bucket", "!Ref"),
            Resolved::Value(Value::String("my-bucket".into()))
        );
    }

    #[test]
    fn keys_are_stringified() {
        assert_eq!(key_string(&Value::Bool(true), "on"), "true");
        assert_eq!(key_string(&Value::Int(1), "1"), "1");
        assert_eq!(key_string(&Value::Null, "~"), "null");
    }
}
