//! Schema validation: embedded Kubernetes schemas, CRDs from the tree, removed
//! APIs, user schemas, and conformance with kubeconform's own fixtures.

use std::path::{Path, PathBuf};

use super::{json, root, tollgate, tollgate_in};
use insta::assert_snapshot;

/// Policies stay out of these tests: no built-in pack, and an empty policy
/// directory instead of the repository's `policies/`.
const NO_POLICY: [&str; 2] = ["--no-builtin", "--policy"];

fn no_policies() -> String {
    root()
        .join("tests/fixtures/schema/no-policies")
        .to_string_lossy()
        .into_owned()
}

/// `tollgate check ARGS` in `dir` with schemas only ([`NO_POLICY`]), on the
/// files as written (`--no-render`: the schema fixtures sit beside a
/// kustomization that would otherwise render them; rendering has its own tests).
fn check_schemas_in(dir: &Path, args: &[&str]) -> super::Run {
    let empty = no_policies();
    let mut all = vec!["check", "--no-render", NO_POLICY[0], NO_POLICY[1], &empty];
    all.extend_from_slice(args);
    tollgate_in(dir, &all, None)
}

/// `tollgate check ARGS` in the repository root with schemas only.
fn check_schemas(args: &[&str]) -> super::Run {
    check_schemas_in(&root(), args)
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/schema/{name}")
}

/// The human report without the code frames: rule, message and location lines.
fn summary(run: &super::Run) -> String {
    let report = json(run);
    let mut out = format!("exit: {}\n", run.code);
    let ours = |f: &&serde_json::Value| {
        f["rule"].as_str().is_some_and(|r| {
            r.starts_with("schema") || r.starts_with("api-") || r == "resource-identity"
        })
    };
    for f in report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(ours)
    {
        out.push_str(&format!(
            "{}:{}:{} {} [{}] {}\n",
            f["file"].as_str().unwrap_or_default(),
            f["line"],
            f["column"],
            f["severity"].as_str().unwrap_or_default(),
            f["rule"].as_str().unwrap_or_default(),
            f["message"].as_str().unwrap_or_default()
        ));
    }
    let s = &report["summary"];
    out.push_str(&format!(
        "files: {}, resources: {}, schema_missing: {}\n",
        s["files"], s["resources"], s["schema_missing"]
    ));
    out
}

#[test]
fn configmap_yes_is_a_yaml11_boolean() {
    let run = check_schemas(&[&fixture("configmap-yes.yaml"), "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = json(&run);
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("unquoted `yes` is a YAML 1.1 boolean in Kubernetes; quote it"));
    assert_eq!(report["findings"][0]["line"], 6);
    assert_snapshot!(check_schemas(&[&fixture("configmap-yes.yaml")]).transcript());
}

#[test]
fn unknown_field_is_reported_at_its_key() {
    let run = check_schemas(&[&fixture("unknown-field.yaml"), "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = json(&run);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "schema");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(18), Some(11))
    );
    assert_eq!(
        f["path"],
        "/spec/template/spec/containers/0/imagePullPolicyy"
    );
    assert_snapshot!(check_schemas(&[&fixture("unknown-field.yaml")]).transcript());
}

#[test]
fn permissive_accepts_unknown_fields() {
    let run = check_schemas(&["--permissive", &fixture("unknown-field.yaml")]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn missing_required_field_and_int_or_string() {
    let run = tollgate(&[
        "check",
        &fixture("missing-required.yaml"),
        "--format",
        "json",
    ]);
    assert_snapshot!(summary(&run));
}

#[test]
fn custom_resource_is_validated_against_a_crd_elsewhere_in_the_tree() {
    let run = check_schemas(&[&fixture("crd-tree"), "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_snapshot!(summary(&run));
    // The CRD alone gives nothing; the resources alone give schema-missing.
    let alone = check_schemas(&[&fixture("crd-tree/apps"), "--format", "json"]);
    assert_eq!(json(&alone)["summary"]["schema_missing"], 3);
    assert_eq!(alone.code, 0);
}

#[test]
fn missing_schema_is_a_warning_counted_in_the_summary() {
    let run = check_schemas(&[&fixture("unknown-kind.yaml"), "--format", "json"]);
    assert_eq!(run.code, 0);
    let report = json(&run);
    assert_eq!(report["summary"]["schema_missing"], 1);
    assert_eq!(report["findings"][0]["rule"], "schema-missing");
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_snapshot!(check_schemas(&[&fixture("unknown-kind.yaml")]).transcript());
}

#[test]
fn kubernetes_version_changes_the_verdict_for_a_removed_api() {
    let hpa = fixture("hpa-v2beta2.yaml");
    let at_125 = check_schemas(&["--kubernetes-version", "1.25", &hpa]);
    assert_eq!(at_125.code, 0, "{}", at_125.stdout);
    let at_126 = tollgate(&[
        "check",
        "--kubernetes-version",
        "1.26.3",
        &hpa,
        "--format",
        "json",
    ]);
    assert_eq!(at_126.code, 1);
    assert_snapshot!(summary(&at_126));
}

#[test]
fn unknown_kubernetes_version_is_exit_2_with_the_choices() {
    let run = tollgate(&[
        "check",
        "--kubernetes-version",
        "1.19",
        &fixture("hpa-v2beta2.yaml"),
    ]);
    assert_eq!(run.code, 2);
    assert_snapshot!(run.transcript());
}

#[test]
fn identity_deprecation_and_known_files() {
    let run = tollgate(&[
        "check",
        &fixture("identity.yaml"),
        &fixture("endpoints.yaml"),
        &fixture("kustomization.yaml"),
        &fixture("chart"),
        "--format",
        "json",
    ]);
    assert_snapshot!(summary(&run));
}

#[test]
fn schema_directories_with_kubeconform_names() {
    let dir = root().join(fixture("dirs"));
    let run = check_schemas_in(&dir, &["manifests", "--format", "json"]);
    assert_snapshot!(summary(&run));
}

#[test]
fn associations_modelines_and_remote_schemas() {
    let dir = root().join(fixture("assoc"));
    let run = check_schemas_in(&dir, &[".", "--format", "json"]);
    assert_snapshot!(summary(&run));
}

// ---------------------------------------------------------------------------
// Conformance with kubeconform's fixtures (../shared/corpus/kubeconform-fixtures,
// expectations from its acceptance tests, see EXPECTED.md there).

/// How a fixture is run.
#[derive(Clone, Copy)]
enum Setup {
    /// Default settings (strict, newest Kubernetes).
    Default,
    /// `--permissive` (kubeconform without `-strict`).
    Permissive,
    /// `schemas.missing: error` (kubeconform without `-ignore-missing-schemas`).
    MissingIsError,
    /// `schemas.directories` set to a directory of the fixtures.
    Directory(&'static str),
}

/// One case: fixture, setup, kubeconform's verdict, ours, and why they differ.
struct Case {
    fixture: &'static str,
    setup: Setup,
    kubeconform_valid: bool,
    tollgate_valid: bool,
    difference: &'static str,
}

const fn case(fixture: &'static str, setup: Setup, valid: bool) -> Case {
    Case {
        fixture,
        setup,
        kubeconform_valid: valid,
        tollgate_valid: valid,
        difference: "",
    }
}

/// Every fixture that needs no network. kubeconform needs the network for the
/// built-in schemas of most of them; tollgate embeds those, so they run here too.
/// Not run: `httpproxy.yaml` (its schema comes from the CRDs-catalog over the
/// network; tollgate reports `schema-missing`), the OpenShift cases (#33, #34:
/// OpenShift schemas fetched from GitHub), and `valid_large.yaml` (absent).
fn cases() -> Vec<Case> {
    use Setup::*;
    vec![
        case("valid.yaml", Default, true),          // #3, N2
        case("folder", Default, true),              // #4
        case("int_or_string.yaml", Default, true),  // #5
        case("valid.json", Default, true),          // #6 (1.20.0 there; 1.20 is not embedded)
        case("generate_name.yaml", Default, true),  // #7
        case("quantity.yaml", Default, true),       // #8
        case("null_string.yaml", Default, true),    // #9, #10
        case("multi_valid.yaml", Default, true),    // #11
        case("multi_invalid.yaml", Default, false), // #12
        case("invalid.yaml", Default, false),       // #13
        case("blank.yaml", Default, true),          // #15
        case("comment.yaml", Default, true),        // #16
        Case {
            fixture: "missing_kind.yaml", // #17
            setup: Default,
            kubeconform_valid: false,
            tollgate_valid: true,
            difference: "the document is `key: value`, with neither apiVersion nor kind; kubeconform assumes every document is a Kubernetes object, tollgate checks any YAML and only calls a document with one of the two incomplete (missing_apiversion.yaml and missing_kind_value.yaml agree)",
        },
        case("missing_apiversion.yaml", Default, false), // #18
        case("missing_kind_value.yaml", Default, false), // #19
        case("test_crd.yaml", MissingIsError, false),    // #20
        case("test_crd.yaml", Default, true),            // #21 (-ignore-missing-schemas; we warn)
        case("extra_property.yaml", Permissive, true),   // #22
        case("extra_property.yaml", Default, false),     // #23 (-strict)
        case("duplicate_property.yaml", Default, false), // #24 (-strict)
        Case {
            fixture: "duplicate_property.yaml", // #25
            setup: Permissive,
            kubeconform_valid: true,
            tollgate_valid: false,
            difference: "a duplicate key is always an error in tollgate (kubectl's strict field validation rejects it; without it the API server silently keeps the last value), and the DaemonSet also has `spec.replicas`, which --permissive accepts",
        },
        case("list_valid.yaml", Default, true),       // #50
        case("list_invalid.yaml", Default, false),    // #52
        case("list_empty_valid.yaml", Default, true), // #54
        case("multi_with_list.yaml", Default, true),  // #55
        case("grafana-alert-rule-group-sample.yaml", Directory("."), true), // #61
        case("test_crd.yaml", Directory("registry"), true), // N3, N4
        // Fixtures no acceptance test uses; kubeconform's natural verdict.
        case("duplicates.yaml", Default, true),
        case("duplicates-non-namespaced.yaml", Default, true),
        case("duplicates-with-namespace.yaml", Default, true),
        case("duplicates-with-namespace-default.yaml", Default, true),
        case("duplicates-skipped-kinds.yaml", MissingIsError, false),
        case("same-kind-different-api.yaml", Default, false), // apps/v1beta1: api-removed
        case("same-object-different-namespace.yaml", Default, true),
        case(
            "same-object-different-namespace-default.yaml",
            Default,
            true,
        ),
        case("full_domain_group.yaml", Default, true),
        case("null_array.yaml", Default, true),
        case("multi_invalid_resources.yaml", Default, false),
        case("multi_valid_source.yaml", Default, true),
        case("unconventional_keys.yaml", Default, true),
        case("valid_version.yaml", Default, true),
        case("crd_schema.yaml", Default, false), // apiextensions.k8s.io/v1beta1: api-removed
    ]
}

fn kubeconform_fixtures() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus/kubeconform-fixtures");
    dir.is_dir().then_some(dir)
}

fn run_case(dir: &Path, config_dir: &Path, c: &Case) -> super::Run {
    let config = config_dir.join(format!("{}.yaml", c.fixture.replace('/', "_")));
    let body = match c.setup {
        Setup::Default | Setup::Permissive => String::new(),
        Setup::MissingIsError => "schemas:\n  missing: error\n".to_owned(),
        Setup::Directory(sub) => {
            format!("schemas:\n  directories: ['{}']\n", dir.join(sub).display())
        }
    };
    std::fs::write(&config, body).expect("config written");
    let config = config.to_string_lossy().into_owned();
    let mut args = vec!["--config", config.as_str(), c.fixture];
    if matches!(c.setup, Setup::Permissive) {
        args.push("--permissive");
    }
    check_schemas_in(dir, &args)
}

#[test]
fn kubeconform_fixtures_conformance() {
    let Some(dir) = kubeconform_fixtures() else {
        eprintln!(
            "SKIPPED kubeconform_fixtures_conformance: ../shared/corpus/kubeconform-fixtures is absent"
        );
        return;
    };
    let configs = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for c in cases() {
        let run = run_case(&dir, configs.path(), &c);
        let valid = match run.code {
            0 => true,
            1 => false,
            _ => {
                failures.push(format!("{}: exit {}\n{}", c.fixture, run.code, run.stderr));
                continue;
            }
        };
        assert_eq!(
            c.kubeconform_valid == c.tollgate_valid,
            c.difference.is_empty(),
            "{}: a difference needs a reason, and only a difference",
            c.fixture
        );
        if valid != c.tollgate_valid {
            failures.push(format!(
                "{} ({}): expected {}, got {}\n{}",
                c.fixture,
                match c.setup {
                    Setup::Default => "default",
                    Setup::Permissive => "--permissive",
                    Setup::MissingIsError => "missing: error",
                    Setup::Directory(_) => "schema directory",
                },
                if c.tollgate_valid { "valid" } else { "invalid" },
                if valid { "valid" } else { "invalid" },
                run.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kustomize_patches_are_partial_objects() {
    let run = check_schemas(&[&fixture("kustomize"), "--format", "json"]);
    assert_snapshot!(summary(&run));
}

#[test]
fn misspelt_kind_and_yaml11_keys() {
    let run = check_schemas(&[&fixture("typos.yaml"), "--format", "json"]);
    assert_snapshot!(summary(&run));
}

/// The workloads 1.16 stopped serving are named as removed in 1.16 (the embedded
/// OpenAPI data still lists them in 1.17), with the apiVersion to use instead.
#[test]
fn workloads_unserved_since_1_16_say_1_16() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("old.yaml"),
        "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: web\n---\napiVersion: extensions/v1beta1\nkind: DaemonSet\nmetadata:\n  name: agent\n",
    )
    .expect("write");
    let run = tollgate_in(
        dir.path(),
        &["check", "--no-builtin", "old.yaml", "--format", "json"],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "api-removed")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    for message in messages {
        assert!(
            message.contains("was removed in Kubernetes 1.16") && message.contains("apps/v1"),
            "{message}"
        );
    }
}
