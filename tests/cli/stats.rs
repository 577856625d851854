//! `tollgate check --stats`: the shape of the breakdown on stderr (never timings).

use super::tollgate;

/// The stage names, in the order printed.
const STAGES: [&str; 9] = [
    "startup", "discover", "render", "load", "schema", "policy", "diff", "check", "report",
];

#[test]
fn stats_prints_every_stage_on_stderr() {
    let plain = tollgate(&["check", "examples", "--format", "json"]);
    let run = tollgate(&["check", "examples", "--format", "json", "--stats"]);
    // Stats never change the report or the exit code.
    assert_eq!(run.code, plain.code);
    assert_eq!(run.stdout, plain.stdout);
    assert!(!plain.stderr.contains("stats:"), "{}", plain.stderr);

    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("stats: "))
        .collect();
    let names: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    let mut expected = vec!["total"];
    expected.extend(STAGES);
    assert_eq!(
        &names[..expected.len()],
        expected.as_slice(),
        "{}",
        run.stderr
    );
    assert!(lines[0].contains(" s  wall, ") && lines[0].ends_with(" threads"));
    for stage in ["load", "schema", "policy"] {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().nth(1) == Some(stage))
            .unwrap();
        assert!(line.ends_with(" s  summed over threads"), "{line}");
    }
    for stage in ["startup", "discover", "check", "report"] {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().nth(1) == Some(stage))
            .unwrap();
        assert!(line.ends_with(" s  wall"), "{line}");
    }
    // No change review in a plain check: the diff slot says so.
    let diff = lines
        .iter()
        .find(|l| l.split_whitespace().nth(1) == Some("diff"))
        .unwrap();
    assert!(diff.ends_with("not run"), "{diff}");

    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files = report["summary"]["files"].as_u64().unwrap();
    let documents = report["summary"]["documents"].as_u64().unwrap();
    let totals = lines.last().unwrap();
    assert!(
        totals.starts_with(&format!("stats: {files} files, {documents} documents, ")),
        "{totals}"
    );
    assert!(totals.contains(" MB; ") && totals.contains(" files/s, ") && totals.ends_with(" MB/s"));
}
