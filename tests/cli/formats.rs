//! SARIF, JUnit and GitHub outputs, and several reports in one run.

use super::{root, tollgate, tollgate_in};

fn sarif_of(run_args: &[&str]) -> serde_json::Value {
    let run = tollgate(run_args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("SARIF is JSON")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema_text =
        std::fs::read_to_string(root().join("tests/fixtures/sarif/sarif-2.1.0-rtm.5.json"))
            .expect("schema");
    // The published schema's `run.language` pattern has an unbalanced `]`, which
    // Rust's regex engine rejects when checking the schema itself; it is repaired
    // in memory (our output has no `language`, so nothing is loosened for us).
    let schema_text = schema_text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema JSON");
    let validator = jsonschema::options()
        .build(&schema)
        .expect("schema compiles");
    let log = sarif_of(&[
        "check",
        "examples",
        "tests/fixtures/load",
        "--format",
        "sarif",
    ]);
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject a bad log, so the check above can fail.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    // One rule per rule id, each with help text and a default level.
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique);
    assert!(
        rules.iter().all(
            |r| r["help"]["text"].is_string() && r["defaultConfiguration"]["level"].is_string()
        )
    );
    // Results are located and point at their rule.
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1)
        );
    }
}

#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.yaml");
    let body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: shop\ndata:\n  k: v\n  k: w\n";
    std::fs::write(&file, body).expect("write");
    let fingerprints = |d: &std::path::Path| -> Vec<(String, u64, String)> {
        let run = tollgate_in(d, &["check", "a.yaml", "--format", "sarif"], None);
        let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
        log["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or_default().to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap_or(0),
                    r["partialFingerprints"]["tollgate/v1"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    };
    let first = fingerprints(dir.path());
    let again = fingerprints(dir.path());
    assert_eq!(first, again, "stable across runs");
    std::fs::write(&file, format!("# a comment added above\n\n{body}")).expect("write");
    let moved = fingerprints(dir.path());
    let dup_before = first
        .iter()
        .find(|(r, _, _)| r == "duplicate-key")
        .expect("finding");
    let dup_after = moved
        .iter()
        .find(|(r, _, _)| r == "duplicate-key")
        .expect("finding");
    assert_eq!(
        dup_after.1,
        dup_before.1 + 2,
        "the finding moved down two lines"
    );
    assert_eq!(dup_after.2, dup_before.2, "and kept its fingerprint");
}

#[test]
fn junit_is_well_formed_with_failures_and_locations() {
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/multi.yaml",
        "tests/fixtures/load/dup.json",
        "--format",
        "junit",
    ]);
    assert_eq!(run.code, 1);
    let doc = roxmltree::Document::parse(&run.stdout).expect("well-formed XML");
    let root_el = doc.root_element();
    assert_eq!(root_el.tag_name().name(), "testsuites");
    let failures: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| {
            format!(
                "{} | {}",
                n.attribute("type").unwrap_or_default(),
                n.text().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("syntax | tests/fixtures/load/multi.yaml:14:1:")),
        "{failures:#?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("duplicate-key | tests/fixtures/load/dup.json:5:22:")),
        "{failures:#?}"
    );
    let declared: usize = root_el
        .attribute("failures")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cases_failing = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .count();
    assert_eq!(declared, cases_failing);
}

#[test]
fn github_annotations_worst_first_and_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"));
    let out = cmd
        .args([
            "check",
            "tests/fixtures/load/multi.yaml",
            "tests/fixtures/load/crlf.yaml",
            "--format",
            "github",
        ])
        .current_dir(root())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.iter().all(|l| l.starts_with("::")), "{stdout}");
    let first_non_error = lines
        .iter()
        .position(|l| !l.starts_with("::error"))
        .unwrap_or(lines.len());
    assert!(
        lines[first_non_error..]
            .iter()
            .all(|l| !l.starts_with("::error")),
        "errors come first:\n{stdout}"
    );
    assert!(
        lines.contains(&"::error file=tests/fixtures/load/multi.yaml,line=14,col=1,endLine=14,endColumn=2,title=syntax::did not find expected ',' or ']', while parsing a flow sequence"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(&summary).expect("step summary written");
    assert!(md.starts_with("## tollgate\n"), "{md}");
    assert!(
        md.contains("| error | `syntax` | `tests/fixtures/load/multi.yaml:14:1` |"),
        "{md}"
    );
}

#[test]
fn several_reports_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("out.sarif");
    let junit = dir.path().join("out.xml");
    let spec_s = format!("sarif={}", sarif.display());
    let spec_j = format!("junit={}", junit.display());
    let run = tollgate(&[
        "check",
        "tests/fixtures/load/multi.yaml",
        "--report",
        &spec_s,
        "--report",
        &spec_j,
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("Found "),
        "the terminal output is still there"
    );
    let direct = tollgate(&[
        "check",
        "tests/fixtures/load/multi.yaml",
        "--format",
        "sarif",
    ]);
    assert_eq!(
        std::fs::read_to_string(&sarif).expect("sarif written"),
        direct.stdout
    );
    assert!(
        std::fs::read_to_string(&junit)
            .expect("junit written")
            .starts_with("<?xml")
    );
    let bad = tollgate(&["check", "examples", "--report", "pdf=x.pdf"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown format `pdf`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn golden_outputs_per_format() {
    for format in ["sarif", "junit", "github"] {
        let run = tollgate(&[
            "check",
            "tests/fixtures/load/multi.yaml",
            "tests/fixtures/load/dup.json",
            "--no-builtin",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        insta::assert_snapshot!(format!("golden_{format}"), run.stdout);
    }
}
