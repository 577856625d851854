//! Rego policies: conftest compatibility, locations, exceptions, errors, the
//! built-in pack, `tollgate test` and `tollgate explain`.

use std::collections::BTreeMap;

use super::{Run, json, root, tollgate};
use insta::assert_snapshot;

const FIX: &str = "tests/fixtures/policy";
const CONFTEST: &str = "../shared/corpus/conftest-examples";

fn corpus_present(what: &str) -> bool {
    let present = root().join(CONFTEST).join("EXPECTED.md").is_file();
    if !present {
        eprintln!("SKIPPED {what}: {CONFTEST} is absent; the test needs the shared corpus");
    }
    present
}

/// (failures, warnings, exceptions) counted as conftest counts them: policy
/// findings only (ids with a dot: `<package>.<rule>`), waived ones apart.
fn policy_counts(run: &Run) -> (usize, usize, usize) {
    let report = json(run);
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let mut counts = (0, 0, 0);
    for f in findings {
        if !f["rule"].as_str().unwrap_or_default().contains('.') {
            continue;
        }
        if f.get("waived").is_some() {
            counts.2 += 1;
        } else if f["severity"] == "error" {
            counts.0 += 1;
        } else if f["severity"] == "warning" {
            counts.1 += 1;
        }
    }
    counts
}

#[test]
fn conftest_examples_give_the_same_counts() {
    if !corpus_present("conftest equivalence") {
        return;
    }
    let k8s = format!("{FIX}/conftest/kubernetes/policy");
    let c = |p: &str| format!("{CONFTEST}/{p}");
    // (flags, inputs, expected (failures, warnings, exceptions)) from EXPECTED.md.
    let cases: Vec<(Vec<String>, Vec<String>, (usize, usize, usize))> = vec![
        (
            vec!["-p".into(), k8s.clone()],
            vec![c("kubernetes/deployment.yaml")],
            (4, 0, 0),
        ),
        (
            vec!["-p".into(), k8s.clone()],
            vec![c("kubernetes/service.yaml")],
            (0, 1, 0),
        ),
        (
            vec!["-p".into(), k8s.clone()],
            vec![c("kubernetes/deployment+service.yaml")],
            (4, 1, 0),
        ),
        (
            vec!["-p".into(), k8s.clone(), "--all-namespaces".into()],
            vec![c("kubernetes/deployment.yaml")],
            (4, 0, 0),
        ),
        (
            vec![
                "-p".into(),
                k8s.clone(),
                "--namespace".into(),
                "notpresent".into(),
            ],
            vec![c("kubernetes/deployment.yaml")],
            (0, 0, 0),
        ),
        // Only deny.rego: the helper package is not loaded, the rules are undefined.
        (
            vec!["-p".into(), format!("{k8s}/deny.rego")],
            vec![c("kubernetes/deployment.yaml")],
            (0, 0, 0),
        ),
        (
            vec!["-p".into(), format!("{FIX}/conftest/exceptions/policy")],
            vec![c("exceptions/deployments.yaml")],
            (1, 0, 1),
        ),
        (
            vec![
                "-p".into(),
                format!("{FIX}/conftest/data/policy"),
                "-d".into(),
                c("data/exclusions"),
            ],
            vec![c("data/service.yaml")],
            (1, 0, 0),
        ),
        (
            vec!["-p".into(), format!("{FIX}/conftest/compose/policy")],
            vec![c("compose/docker-compose.yml")],
            (2, 0, 0),
        ),
        (
            vec!["-p".into(), format!("{FIX}/conftest/compose/policy")],
            vec![c("compose/docker-compose-valid.yml")],
            (0, 0, 0),
        ),
        (
            vec![
                "-p".into(),
                format!("{FIX}/conftest/multidir/org"),
                "-p".into(),
                format!("{FIX}/conftest/multidir/team"),
            ],
            vec![c("_tests/multidir/data.json")],
            (2, 0, 0),
        ),
        (
            vec![
                "-p".into(),
                format!("{FIX}/conftest/nested/policy"),
                "--namespace".into(),
                "group1".into(),
                "--namespace".into(),
                "group2".into(),
            ],
            vec![c("_tests/nested/data.json")],
            (2, 0, 0),
        ),
        (
            vec!["-p".into(), format!("{FIX}/conftest/multiple/policy")],
            vec![c("_tests/return-multiple-failures/file.json")],
            (3, 0, 0),
        ),
        (
            vec!["-p".into(), format!("{FIX}/conftest/kustomize/policy")],
            vec![c("kustomize/deployment.yaml"), c("kustomize/service.yaml")],
            (2, 1, 0),
        ),
    ];
    for (flags, inputs, expected) in cases {
        let mut args: Vec<&str> = vec!["check", "--no-builtin", "--format", "json"];
        args.extend(flags.iter().map(String::as_str));
        args.extend(inputs.iter().map(String::as_str));
        let run = tollgate(&args);
        assert!(run.code == 0 || run.code == 1, "{args:?}: {}", run.stderr);
        assert_eq!(policy_counts(&run), expected, "{args:?}");
    }
}

#[test]
fn conftest_policy_directory_runs_unchanged_with_exit_codes() {
    if !corpus_present("conftest exit codes") {
        return;
    }
    let k8s = format!("{FIX}/conftest/kubernetes/policy");
    let deny = tollgate(&[
        "check",
        "--no-builtin",
        "-p",
        &k8s,
        &format!("{CONFTEST}/kubernetes/deployment.yaml"),
    ]);
    assert_eq!(deny.code, 1);
    assert_snapshot!(deny.transcript());
    let warn = tollgate(&[
        "check",
        "--no-builtin",
        "-p",
        &k8s,
        &format!("{CONFTEST}/kubernetes/service.yaml"),
    ]);
    assert_eq!(warn.code, 0, "{}", warn.transcript());
    let fail_on_warn = tollgate(&[
        "check",
        "--no-builtin",
        "--fail-on",
        "warning",
        "-p",
        &k8s,
        &format!("{CONFTEST}/kubernetes/service.yaml"),
    ]);
    assert_eq!(fail_on_warn.code, 1);
}

#[test]
fn exception_is_reported_as_waived() {
    if !corpus_present("exceptions") {
        return;
    }
    let run = tollgate(&[
        "check",
        "--no-builtin",
        "-p",
        &format!("{FIX}/conftest/exceptions/policy"),
        &format!("{CONFTEST}/exceptions/deployments.yaml"),
        "--format",
        "json",
    ]);
    let report = json(&run);
    assert_eq!(report["summary"]["waived"], 1);
    let waived: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f.get("waived").is_some())
        .map(|f| (f["line"].clone(), f["waived"].clone()))
        .collect();
    assert_eq!(
        waived,
        vec![(
            serde_json::json!(15),
            serde_json::json!("data.main.exception[_][_] == \"run_as_root\"")
        )]
    );
}

#[test]
fn path_points_at_the_line_in_the_second_document() {
    let run = tollgate(&[
        "check",
        "--no-builtin",
        "-p",
        &format!("{FIX}/located/policy"),
        &format!("{FIX}/located/multi.yaml"),
    ]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    let run = tollgate(&[
        "check",
        "--no-builtin",
        "-p",
        &format!("{FIX}/located/policy"),
        &format!("{FIX}/located/multi.yaml"),
        "--format",
        "json",
    ]);
    let report = json(&run);
    let f = &report["findings"];
    let registry = f
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "registry-required")
        .cloned()
        .unwrap_or_default();
    assert_eq!(registry["line"], 26);
    assert_eq!(registry["path"], "/spec/template/spec/containers/1/image");
    assert_eq!(registry["metadata"]["team"], "platform");
}

#[test]
fn policy_that_does_not_compile_is_exit_2_with_its_location() {
    let run = tollgate(&[
        "check",
        "-p",
        &format!("{FIX}/broken/policy"),
        &format!("{FIX}/located/multi.yaml"),
    ]);
    assert_eq!(run.code, 2);
    assert_snapshot!(run.transcript());
}

#[test]
fn test_command_exits_1_when_a_test_fails_and_prints_coverage() {
    let run = tollgate(&["test", &format!("{FIX}/unit/policy"), "--coverage"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(run.transcript());
    let ok = tollgate(&["test", &format!("{FIX}/conftest/kubernetes/policy")]);
    assert_eq!(ok.code, 0, "{}", ok.transcript());
    assert!(
        ok.stdout.ends_with("4 tests, 4 passed, 0 failed\n"),
        "{}",
        ok.stdout
    );
}

#[test]
fn builtin_pack_tests_pass_from_the_cli() {
    let run = tollgate(&[
        "test",
        "--builtin",
        "tests/fixtures/policy/conftest/multiple",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains(" passed, 0 failed"));
}

#[test]
fn explain_prints_metadata_location_and_example() {
    let run = tollgate(&["explain", "privileged-container"]);
    assert_eq!(run.code, 0);
    assert_snapshot!(run.transcript());
    let unknown = tollgate(&["explain", "no-such-rule"]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn config_turns_rules_off_and_changes_severity() {
    let run = tollgate(&[
        "--config",
        &format!("{FIX}/config/.tollgate.yaml"),
        "check",
        &format!("{FIX}/config/pod.yaml"),
        "--format",
        "json",
    ]);
    let report = json(&run);
    let rules: BTreeMap<String, String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(!rules.contains_key("image-tag-latest"), "{rules:?}");
    assert_eq!(rules.get("host-port").map(String::as_str), Some("warning"));
}

#[test]
fn builtin_pack_over_the_real_corpus_has_no_policy_error() {
    let corpus = root().join("../shared/corpus/real");
    if !corpus.is_dir() {
        eprintln!("SKIPPED: ../shared/corpus/real is absent");
        return;
    }
    let run = tollgate(&["check", "../shared/corpus/real", "--format", "json"]);
    let report = json(&run);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for f in report["findings"].as_array().into_iter().flatten() {
        *counts
            .entry(f["rule"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    assert!(!counts.contains_key("policy-error"), "{counts:?}");
    assert!(!counts.contains_key("policy-timeout"), "{counts:?}");
    assert!(
        counts.get("privileged-container").is_some_and(|n| *n > 0),
        "{counts:?}"
    );
}

#[test]
fn runtime_error_is_a_finding_and_the_run_goes_on() {
    let run = tollgate(&[
        "check",
        "--no-builtin",
        "-p",
        &format!("{FIX}/runtime/policy"),
        &format!("{FIX}/runtime/ratios.yaml"),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1);
    let report = json(&run);
    let found: Vec<(String, i64)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_i64().unwrap_or_default(),
            )
        })
        .filter(|(rule, _)| rule.contains('.') || rule.starts_with("policy-"))
        .collect();
    assert_eq!(
        found,
        vec![
            ("main.warn".to_owned(), 1),
            ("policy-error".to_owned(), 1),
            ("main.deny".to_owned(), 5),
            ("main.warn".to_owned(), 5),
        ]
    );
    let message = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "policy-error")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default();
    assert!(message.contains("ratio.rego:7:"), "{message}");
    assert!(message.contains("divide by zero"), "{message}");
}

/// The pack means the same on OPA (what conftest users run) as on regorus: its
/// own Rego tests pass on the OPA Go engine, through PyPI's
/// `opa-golib-python-bindings` and `bench/peers/opa_loop.py --tests`. A rule
/// written so that OPA reads it differently (a negated expression around an
/// undefined function call, OPA issue 1877) fails here. Skipped unless the
/// bindings import; `.ci/run` installs them and sets `TOLLGATE_REQUIRE_OPA=1`.
#[test]
fn builtin_pack_tests_pass_on_opa() {
    let python = std::env::var("TOLLGATE_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let importable = std::process::Command::new(&python)
        .args(["-c", "import opa_bindings, yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !importable {
        assert!(
            std::env::var_os("TOLLGATE_REQUIRE_OPA").is_none(),
            "opa_bindings (PyPI opa-golib-python-bindings) missing but required"
        );
        eprintln!(
            "SKIPPED: the OPA bindings are not installed (pip install --ignore-requires-python opa-golib-python-bindings)"
        );
        return;
    }
    let out = std::process::Command::new(&python)
        .args(["bench/peers/opa_loop.py", "--tests", "policies/kubernetes"])
        .current_dir(root())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(result["failed"], serde_json::json!([]), "{stdout}");
    // As many tests as `tollgate test --builtin` runs: none was missed.
    let ours = tollgate(&["test", "--builtin"]);
    let summary = ours.stdout.lines().last().unwrap_or_default().to_owned();
    assert_eq!(
        summary,
        format!("{n} tests, {n} passed, 0 failed", n = result["tests"]),
        "{}",
        ours.stdout
    );
}

/// `policy.engine` in the config: `interpreter` gives the same report as the
/// default; a value it does not know stops the run (exit 2) at its line.
#[test]
fn policy_engine_in_the_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: n\nspec:\n  containers:\n    - name: c\n      image: nginx\n      securityContext: {privileged: true}\n",
    )
    .expect("write");
    let args = ["check", "pod.yaml", "--format", "json"];
    let default = super::tollgate_in(dir.path(), &args, None);
    std::fs::write(
        dir.path().join(".tollgate.yaml"),
        "policy:\n  engine: interpreter\n",
    )
    .expect("write");
    let interpreter = super::tollgate_in(dir.path(), &args, None);
    assert_eq!(default.code, 1, "{}", default.stderr);
    assert_eq!(interpreter.stdout, default.stdout);
    assert!(default.stdout.contains("privileged-container"));
    std::fs::write(
        dir.path().join(".tollgate.yaml"),
        "policy:\n  engine: fast\n",
    )
    .expect("write");
    let bad = super::tollgate_in(dir.path(), &args, None);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains(".tollgate.yaml:2:") && bad.stderr.contains("fast"),
        "{}",
        bad.stderr
    );
}

/// Users' policies on the compiled VM give the interpreter's report, byte for
/// byte: the conftest-equivalent policies, the benchmark's 4-rule policy, a
/// policy that fails at run time and one the VM cannot compile, each with and
/// without the pack, over generated documents with wrongly typed fields, the
/// conftest examples' inputs and the real corpus (each skipped when absent).
#[test]
fn users_policies_on_the_vm_give_the_interpreters_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = dir.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    write_generated_documents(&docs, 120);
    // A policy the VM compiler refuses (`walk`, `with`): the interpreter runs it.
    let gaps = dir.path().join("gaps");
    std::fs::create_dir_all(&gaps).expect("mkdir");
    std::fs::write(
        gaps.join("gaps.rego"),
        "package main\n\nimport rego.v1\n\ndeny_deep contains sprintf(\"deep %v\", [p]) if {\n\twalk(input, [p, v])\n\tv == \"deep\"\n}\n\nlabels := input.metadata.labels\n\nwarn_app contains \"no app label\" if {\n\tnot labels.app with input as {\"metadata\": {\"labels\": {}}}\n\tinput.kind == \"Service\"\n}\n",
    )
    .expect("write");
    let c = format!("{FIX}/conftest");
    let policies: Vec<Vec<String>> = vec![
        vec![
            "-p".into(),
            format!("{c}/kubernetes/policy"),
            "--all-namespaces".into(),
        ],
        vec!["-p".into(), format!("{c}/exceptions/policy")],
        vec!["-p".into(), format!("{c}/compose/policy")],
        vec!["-p".into(), format!("{c}/kustomize/policy")],
        vec!["-p".into(), format!("{c}/multiple/policy")],
        vec![
            "-p".into(),
            format!("{c}/nested/policy"),
            "--namespace".into(),
            "group*".into(),
        ],
        vec!["-p".into(), "bench/policy/conftest4".into()],
        vec!["-p".into(), format!("{FIX}/runtime/policy")],
        vec!["-p".into(), gaps.display().to_string()],
    ];
    let mut inputs = vec![docs.display().to_string()];
    let examples = root().join(CONFTEST);
    if examples.join("EXPECTED.md").is_file() {
        for sub in ["kubernetes", "exceptions", "compose", "data", "kustomize"] {
            inputs.push(format!("{CONFTEST}/{sub}"));
        }
    } else {
        eprintln!("SKIPPED the conftest inputs: {CONFTEST} is absent");
    }
    let real = root().join("../shared/corpus/real");
    if real.is_dir() {
        inputs.push("../shared/corpus/real".into());
    } else {
        eprintln!("SKIPPED the real corpus: ../shared/corpus/real is absent");
    }
    let mut compared = 0;
    let mut policy_findings = 0;
    for flags in &policies {
        for input in &inputs {
            for pack in [true, false] {
                let mut args: Vec<&str> = vec!["check", "--format", "json", "--no-render"];
                if !pack {
                    args.push("--no-builtin");
                }
                args.extend(flags.iter().map(String::as_str));
                args.push(input);
                let vm = tollgate(&args);
                args.extend(["--policy-engine", "interpreter"]);
                let interpreter = tollgate(&args);
                assert!(vm.code < 2, "{args:?}: {}", vm.stderr);
                assert_eq!(vm.code, interpreter.code, "{args:?}");
                assert!(
                    vm.stdout == interpreter.stdout,
                    "{args:?}: the reports differ"
                );
                compared += 1;
                policy_findings += json(&vm)["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|f| {
                        let rule = f["rule"].as_str().unwrap_or_default();
                        rule.contains('.') || rule.starts_with("policy-")
                    })
                    .count();
            }
        }
    }
    assert!(compared >= 18, "{compared}");
    // Not vacuous: the users' rules report, and the runtime policy errors.
    assert!(policy_findings > 500, "{policy_findings}");
}

/// `n` files of Deployments, Pods, Services, compose-like and ratio documents,
/// each field the test policies read right, wrong, or of the wrong type.
fn write_generated_documents(dir: &std::path::Path, n: usize) {
    use serde_json::json;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut pick =
        |items: &[serde_json::Value]| items[(next() % items.len() as u64) as usize].clone();
    for i in 0..n {
        let image = pick(&[
            json!("nginx:latest"),
            json!("nginx:1.27"),
            json!(5),
            json!(null),
            json!("a:b:latest"),
        ]);
        let privileged = pick(&[json!(true), json!(false), json!("true"), json!(null)]);
        let memory = pick(&[
            json!({"limits": {"memory": "1Gi"}}),
            json!({}),
            json!("oops"),
            json!({"limits": 3}),
        ]);
        let container = json!({"name": format!("c{i}"), "image": image, "securityContext": {"privileged": privileged}, "resources": memory});
        let containers = pick(&[
            json!([container.clone()]),
            json!([container.clone(), {"name": "b", "image": "x:latest"}]),
            json!("oops"),
            json!([]),
        ]);
        let non_root = pick(&[json!(true), json!(false), json!("yes"), json!(null)]);
        let pod_security = pick(&[json!({"runAsNonRoot": non_root}), json!({}), json!("oops")]);
        let name = pick(&[
            json!(format!("app-{i}")),
            json!("can-run-as-root"),
            json!(7),
            json!(null),
        ]);
        let labels = pick(&[
            json!({"app": "web", "app.kubernetes.io/name": "web"}),
            json!({}),
            json!("oops"),
        ]);
        let kind = pick(&[
            json!("Deployment"),
            json!("Pod"),
            json!("StatefulSet"),
            json!("Service"),
            json!("Ratio"),
            json!(3),
        ]);
        let pod = json!({"securityContext": pod_security, "containers": containers, "initContainers": pick(&[json!([]), json!([{"name": "i", "image": "busybox:latest"}]), json!(1)])});
        let spec = if kind == "Pod" {
            pod
        } else {
            json!({"selector": {"matchLabels": pick(&[json!({"app": "a", "release": "r"}), json!({"app": "a"}), json!("x")])}, "template": {"spec": pod}, "type": pick(&[json!("LoadBalancer"), json!("ClusterIP")]), "ports": pick(&[json!([{"port": 22}, {"port": 80}]), json!("22"), json!([22])])})
        };
        let doc = json!({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "labels": labels}, "spec": spec,
            "services": pick(&[json!({"web": {"image": "nginx:latest"}}), json!({"web": {"image": 3}}), json!(["x:latest"]), json!("oops")]),
            "version": pick(&[json!("3.4"), json!("3.9"), json!("x"), json!(2)]),
            "total": pick(&[json!(100), json!(5), json!("10")]), "parts": pick(&[json!(2), json!(0), json!(1)]),
            "hello": pick(&[json!("world"), json!("there")])});
        let text = serde_json::to_string_pretty(&doc).expect("json");
        std::fs::write(dir.join(format!("doc-{i:03}.json")), text).expect("write");
    }
}
