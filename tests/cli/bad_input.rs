//! The bad-input corpus: every hostile or broken input has an explicit expected
//! outcome. Static inputs live in `tests/fixtures/bad-input/`; large or special
//! ones (sparse files, FIFOs, symlinks) are made at test time in a temp dir.

use std::fs;
use std::path::Path;
use std::time::Instant;

use super::{Run, json, root, tollgate, tollgate_in};

/// Rules the loader reports; schema and policy findings are left out here.
const LOADER_RULES: &[&str] = &[
    "syntax",
    "duplicate-key",
    "encoding",
    "unreadable",
    "file-too-large",
    "document-limit",
    "depth-limit",
    "node-limit",
    "alias-limit",
    "string-limit",
    "unrepresentable-value",
    "internal-error",
];

/// (rule, line, column) of every loader finding, in report order.
fn loader_findings(run: &Run) -> Vec<(String, u64, u64)> {
    let report = json(run);
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| LOADER_RULES.contains(&r))
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn check_json(path: &str) -> Run {
    let run = tollgate(&["check", path, "--format", "json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "{path}: exit {} {}",
        run.code,
        run.stderr
    );
    run
}

fn expect(file: &str, expected: &[(&str, u64, u64)]) {
    let run = check_json(&format!("tests/fixtures/bad-input/{file}"));
    let got = loader_findings(&run);
    let want: Vec<(String, u64, u64)> = expected
        .iter()
        .map(|(r, l, c)| ((*r).to_owned(), *l, *c))
        .collect();
    assert_eq!(got, want, "{file}");
}

#[test]
fn static_bad_inputs_have_their_expected_outcomes() {
    // Binary content named .yaml: not UTF-8, one finding at the first bad byte.
    let run = check_json("tests/fixtures/bad-input/binary.yaml");
    let got = loader_findings(&run);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "encoding");
    expect("invalid-utf8.yaml", &[("encoding", 4, 9)]);
    // NUL is not allowed in YAML: libyaml (like go-yaml) rejects it where it stands.
    expect("nul.yaml", &[("syntax", 4, 7)]);
    // UTF-16 with a byte order mark is read as Kubernetes reads it.
    expect("utf16-bom.yaml", &[]);
    assert_eq!(
        json(&check_json("tests/fixtures/bad-input/utf16-bom.yaml"))["summary"]["resources"],
        1
    );
    // A 0-byte file: nothing to check, no finding.
    expect("empty.yaml", &[]);
    assert_eq!(
        json(&check_json("tests/fixtures/bad-input/empty.yaml"))["summary"]["documents"],
        0
    );
    expect("dup-keys-deep.yaml", &[("duplicate-key", 6, 7)]);
    let deep = json(&check_json("tests/fixtures/bad-input/dup-keys-deep.yaml"));
    let dup = deep["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "duplicate-key")
        .cloned();
    assert_eq!(
        dup.map(|f| f["path"].clone()),
        Some(serde_json::json!("/a/b/c/d"))
    );
    // Tabs cannot indent YAML.
    expect("tabs.yaml", &[("syntax", 4, 1)]);
    // Mixed CRLF and LF: positions stay right.
    expect("mixed-eol.yaml", &[("duplicate-key", 7, 3)]);
    expect("billion-laughs.yaml", &[("alias-limit", 7, 8)]);
}

#[test]
fn malicious_config_is_exit_2_with_a_location() {
    let run = tollgate_in(
        &root().join("tests/fixtures/bad-input/config"),
        &["check", "."],
        None,
    );
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.starts_with("tollgate: error: .tollgate.yaml:2:10: invalid type: map, expected a sequence at /exclude"), "{}", run.stderr);
}

fn generated(dir: &Path, name: &str, write: impl FnOnce(&Path)) -> String {
    let path = dir.join(name);
    write(&path);
    path.to_string_lossy().into_owned()
}

#[test]
fn generated_bad_inputs_are_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A 100 MB sparse file: refused by size before a byte is read.
    let sparse = generated(d, "sparse.yaml", |p| {
        fs::File::create(p)
            .and_then(|f| f.set_len(100 << 20))
            .expect("sparse")
    });
    // A 1 MB single line: loads.
    let line = generated(d, "line.yaml", |p| {
        fs::write(p, format!("a: {}\n", "x".repeat(1 << 20))).expect("write")
    });
    // 200,000 nested brackets: a depth finding, no stack overflow.
    let nested = generated(d, "nested.yaml", |p| {
        fs::write(p, format!("{}{}", "[".repeat(200_000), "]".repeat(200_000))).expect("write")
    });
    // 100,000 documents in one file: the document limit (10,000) stops it.
    let docs = generated(d, "docs.yaml", |p| {
        fs::write(p, "---\na: 1\n".repeat(100_000)).expect("write")
    });
    // A 3 MiB string: longer than any valid object can hold.
    let long = generated(d, "long.yaml", |p| {
        fs::write(p, format!("a: {}\n", "y".repeat(3 << 20))).expect("write")
    });
    let started = Instant::now();
    let run = tollgate_in(
        d,
        &[
            "check", &sparse, &line, &nested, &docs, &long, "--format", "json",
        ],
        None,
    );
    let elapsed = started.elapsed();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut rules: Vec<String> = loader_findings(&run)
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            "depth-limit",
            "document-limit",
            "file-too-large",
            "string-limit"
        ]
    );
    // Not a timing assertion on speed, a guard against a hang: generous on purpose.
    assert!(elapsed.as_secs() < 60, "took {elapsed:?}");
}

/// 200,000 levels of flow nesting inside a block mapping (quadratic in libyaml
/// before the loader stopped at the depth limit: about 150 s): one `depth-limit`
/// finding each, at the first bracket past the limit, and the next document read.
#[test]
fn deep_flow_nesting_in_block_context_is_linear() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let n = 200_000;
    let seq = generated(d, "seq.yaml", |p| {
        let text = format!("a: {}{}\n---\nb: [\n", "[".repeat(n), "]".repeat(n));
        fs::write(p, text).expect("write")
    });
    let map = generated(d, "map.yaml", |p| {
        fs::write(p, format!("a: {}x{}\n", "{a: ".repeat(n), "}".repeat(n))).expect("write")
    });
    let started = Instant::now();
    let run = tollgate_in(d, &["check", &seq, &map, "--format", "json"], None);
    let elapsed = started.elapsed();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut found = loader_findings(&run);
    found.sort();
    // The depth limit is 256: the block mapping is level 1, so the 256th bracket
    // (column 259) or `{a: ` (column 3 + 255 * 4 = 1023) is the one past it. The
    // second document of seq.yaml is still read: its syntax error is reported.
    assert_eq!(
        found,
        [
            ("depth-limit".to_owned(), 1, 259),
            ("depth-limit".to_owned(), 1, 1024),
            ("syntax".to_owned(), 4, 1),
        ]
    );
    // A guard against quadratic time, loose on purpose (debug build).
    assert!(elapsed.as_secs() < 10, "took {elapsed:?}");
}

#[cfg(unix)]
#[test]
fn special_files_in_a_walk() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("tempdir");
    fs::write(outside.path().join("o.yaml"), "a: [").expect("write");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::write(d.join("ok.yaml"), "a: 1\n").expect("write");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(d.join("x.yaml"))
            .status()
            .is_ok_and(|s| s.success())
    );
    fs::create_dir(d.join("y.yaml")).expect("dir named y.yaml");
    fs::write(d.join("y.yaml/inner.yaml"), "b: 2\n").expect("write");
    symlink(d.join("gone.yaml"), d.join("dangling.yaml")).expect("symlink");
    symlink(d, d.join("loop")).expect("symlink");
    symlink(outside.path().join("o.yaml"), d.join("outside.yaml")).expect("symlink");
    let run = tollgate_in(d, &["check", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = json(&run);
    // ok.yaml and y.yaml/inner.yaml are checked; the directory named y.yaml is walked into.
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(
        report["summary"]["skipped_by_reason"],
        serde_json::json!({"not-regular": 1, "symlink": 3})
    );
}

#[test]
fn a_file_that_vanishes_after_discovery_is_an_unreadable_finding() {
    // As root, permissions cannot make a file unreadable; a file removed between
    // discovery and reading takes the same path (the open fails).
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("gone.yaml");
    let inputs = vec![tollgate::input::discover::Input {
        name: "gone.yaml".into(),
        origin: tollgate::input::discover::Origin::Path(path),
    }];
    let run = tollgate::pipeline::run::Run::new(tollgate::settings::Settings::defaults(dir.path()));
    let report =
        tollgate::pipeline::run::check_files(&run, &inputs, &[], None).expect("the run goes on");
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_ref()).collect();
    assert_eq!(rules, ["unreadable"]);
}

fn policy_run(rego: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("policy")).expect("mkdir");
    fs::write(dir.path().join("policy/p.rego"), rego).expect("write");
    fs::write(
        dir.path().join("a.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n",
    )
    .expect("write");
    let mut args = vec![
        "check",
        "a.yaml",
        "--no-builtin",
        "--policy",
        "policy",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    tollgate_in(dir.path(), &args, None)
}

#[test]
fn policies_cannot_reach_the_network_or_the_filesystem() {
    for (builtin, call) in [
        (
            "http.send",
            r#"http.send({"method": "get", "url": "http://example.com"})"#,
        ),
        ("opa.runtime", "opa.runtime()"),
        ("io.jwt.decode", r#"io.jwt.decode("x")"#),
    ] {
        let run = policy_run(
            &format!(
                "package main\n\ndeny contains msg if {{\n\tx := {call}\n\tmsg := sprintf(\"%v\", [x])\n}}\n"
            ),
            &[],
        );
        assert_eq!(
            run.code, 2,
            "{builtin} must be refused: {}{}",
            run.stdout, run.stderr
        );
        assert!(
            run.stderr.contains("p.rego:4:") && run.stderr.contains(builtin),
            "{builtin}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_policy_that_loops_or_recurses_deeply_is_bounded() {
    // A comprehension over a huge range: the per-document time limit stops it.
    let run = policy_run(
        "package main\n\ndeny contains msg if {\n\tn := count([x | some x in numbers.range(1, 100000000)])\n\tmsg := sprintf(\"%d\", [n])\n}\n",
        &["--policy-timeout", "200"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rules: Vec<String> = json(&run)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(rules, ["policy-timeout"]);
}

#[test]
fn schemas_with_ref_cycles_neither_hang_nor_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // A pure cycle (constrains nothing) and a recursive schema (a tree of nodes).
    fs::write(d.join("cycle.json"), r##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##).expect("write");
    fs::write(
        d.join("tree.json"),
        r##"{"$defs": {"node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}, "additionalProperties": false}}, "$ref": "#/$defs/node"}"##,
    )
    .expect("write");
    fs::write(
        d.join("a.yaml"),
        "# yaml-language-server: $schema=./cycle.json\nname: x\n",
    )
    .expect("write");
    fs::write(d.join("b.yaml"), "# yaml-language-server: $schema=./tree.json\nchild:\n  child:\n    child:\n      oops: 1\n").expect("write");
    let run = tollgate_in(
        d,
        &[
            "check",
            "a.yaml",
            "b.yaml",
            "--no-builtin",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found: Vec<(String, String, u64)> = json(&run)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["file"].as_str().unwrap_or("").to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(found, [("schema".to_owned(), "b.yaml".to_owned(), 5)]);
}
