//! Property tests: any input gives findings or a clean pass, never a panic; every
//! span lies inside the file; every pointer that exists maps to its node's span;
//! and the report does not depend on the thread count.

use proptest::prelude::*;
use tollgate::load::{Syntax, invariants};

/// Fragments that exercise YAML's corners when strung together at random.
const YAML_BITS: &[&str] = &[
    "key: ",
    "- ",
    "\n",
    "  ",
    "    ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    "&a ",
    "*a",
    "&b ",
    "*b",
    "<<: ",
    "---\n",
    "...\n",
    "'",
    "\"",
    "yes",
    "0755",
    "1_000",
    ".inf",
    "~",
    "# c\n",
    "\t",
    "\r\n",
    "é",
    "!Ref ",
    "!!str ",
    "|\n",
    ">-\n",
    "? ",
    "x",
    "y",
    "apiVersion: v1\n",
    "kind: List\n",
    "items:\n",
    "%YAML 1.1\n",
    "\u{feff}",
    "\\",
    "{{ v }}",
    "key: a\nkey: b\n",
];

const JSON_BITS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"a\"",
    "\"b\"",
    "1",
    "-0.5e3",
    "true",
    "null",
    " ",
    "\n",
    "\t",
    "\"\\u00e9\"",
    "\"\\ud83d\"",
    "01",
    "\"",
    "\\",
    "1e999",
];

fn pieces(bits: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(bits), 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn yaml_fragments_never_break_invariants(text in pieces(YAML_BITS)) {
        invariants::check(&text, Syntax::Yaml);
    }

    #[test]
    fn json_fragments_never_break_invariants(text in pieces(JSON_BITS)) {
        invariants::check(&text, Syntax::Json);
    }

    #[test]
    fn arbitrary_text_never_breaks_invariants(text in "\\PC{0,200}") {
        invariants::check(&text, Syntax::Yaml);
        invariants::check(&text, Syntax::Json);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random files in a directory: `--jobs 1` and `--jobs 2` print the same bytes.
    #[test]
    fn report_is_identical_for_one_and_two_threads(files in proptest::collection::vec(pieces(YAML_BITS), 1..12)) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (i, text) in files.iter().enumerate() {
            std::fs::write(dir.path().join(format!("f{i}.yaml")), text).expect("write");
        }
        let one = super::tollgate_in(dir.path(), &["-j", "1", "check", "--format", "json"], None);
        let two = super::tollgate_in(dir.path(), &["-j", "2", "check", "--format", "json"], None);
        prop_assert!(one.code == 0 || one.code == 1, "exit {}: {}", one.code, one.stderr);
        prop_assert_eq!(one.stdout, two.stdout);
    }
}
