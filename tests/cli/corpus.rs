//! The real-world corpus in `../shared/corpus`: every file loads without a
//! panic, and the only syntax findings are in the files that really are broken.

use std::collections::BTreeSet;

use super::{json, root, tollgate};

#[test]
fn real_corpus_loads_and_only_broken_files_have_syntax_findings() {
    let corpus = root().join("../shared/corpus");
    if !corpus.join("real").is_dir() {
        eprintln!(
            "SKIPPED: ../shared/corpus/real is absent; the corpus test needs the shared corpus"
        );
        return;
    }
    let stats = std::fs::read_to_string(corpus.join("STATS.md")).expect("STATS.md");
    // STATS.md lists parse failures as `- [INVALID] real/...` (cross-checked with Go's reader).
    let expected: BTreeSet<String> = stats
        .lines()
        .filter_map(|l| l.strip_prefix("- [INVALID] "))
        .filter_map(|l| l.split(" — ").next())
        .filter(|p| p.starts_with("real/"))
        .map(|p| format!("../shared/corpus/{p}"))
        .collect();
    assert_eq!(
        expected.len(),
        18,
        "STATS.md lists 18 broken files in real/"
    );
    let run = tollgate(&["check", "../shared/corpus/real", "--format", "json"]);
    assert_eq!(run.code, 1);
    // A long run: progress is shown only on a terminal, never in redirected output.
    assert_eq!(run.stderr, "", "nothing on a redirected stderr");
    let report = json(&run);
    let findings = report["findings"].as_array().expect("findings");
    let syntax: BTreeSet<String> = findings
        .iter()
        .filter(|f| f["rule"] == "syntax")
        .map(|f| f["file"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(syntax, expected);
    assert!(findings.iter().all(|f| f["rule"] != "internal-error"));
    // istio's skaffold.yaml is a Skaffold config: recognised, skipped, counted.
    assert_eq!(report["summary"]["files"], 1273);
    assert_eq!(report["summary"]["skipped_by_reason"]["not-kubernetes"], 1);
}

/// The built-in pack gives the same report on the compiled VM (the default)
/// as on the interpreter, byte for byte, over the whole real corpus and the
/// examples: the VM is only a faster way to the same findings.
#[test]
fn vm_and_interpreter_give_the_same_report() {
    let mut inputs = vec!["examples"];
    if root().join("../shared/corpus/real").is_dir() {
        inputs.push("../shared/corpus/real");
    } else {
        eprintln!("SKIPPED (real corpus part): ../shared/corpus/real is absent");
    }
    for input in inputs {
        let vm = tollgate(&["check", input, "--format", "json"]);
        let interpreter = tollgate(&[
            "check",
            input,
            "--format",
            "json",
            "--policy-engine",
            "interpreter",
        ]);
        assert_eq!(vm.code, 1, "{input}: {}", vm.stderr);
        assert_eq!(vm.stdout, interpreter.stdout, "{input}");
        let report = json(&vm);
        let pack_findings = report["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter(|f| f["rule"] != "schema" && f["rule"] != "syntax")
                    .count()
            })
            .unwrap_or_default();
        assert!(pack_findings > 10, "{input}: {pack_findings}");
        assert!(
            report["findings"]
                .as_array()
                .is_some_and(|f| f.iter().all(|f| f["rule"] != "policy-error")),
            "{input}"
        );
    }
}
