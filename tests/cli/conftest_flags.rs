//! conftest's `--combine` (one input for every document, for rules across
//! files) and `data.conftest.file` (the file a document comes from), on both
//! policy engines.

use super::review::write;
use super::{json, tollgate_in};

/// "Every Deployment has a Service selecting it", across files, plus a
/// result with no `path` (it lands on `Combined`).
const SERVICE_POLICY: &str = r#"package main

deny contains {"msg": msg, "path": [i, "contents", "metadata", "name"]} if {
	some i
	input[i].contents.kind == "Deployment"
	labels := input[i].contents.spec.template.metadata.labels
	not selected(labels)
	msg := sprintf("Deployment %s (%s) has no Service selecting it", [input[i].contents.metadata.name, input[i].path])
}

selected(labels) if {
	some j
	input[j].contents.kind == "Service"
	every k, v in input[j].contents.spec.selector {
		labels[k] == v
	}
}

warn contains msg if {
	msg := sprintf("%d documents in the run", [count(input)])
}
"#;

fn deployment(name: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers: [{{name: c, image: 'nginx:1.27'}}]\n"
    )
}

fn findings(run: &super::Run) -> Vec<String> {
    json(run)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}:{} {} {}",
                f["rule"].as_str().unwrap_or(""),
                f["file"].as_str().unwrap_or(""),
                f["line"],
                f["resource"]["name"].as_str().unwrap_or("-"),
                f["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn combine_gives_one_input_and_findings_land_on_their_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "policy/services.rego", SERVICE_POLICY);
    write(d, "apps/web.yaml", &deployment("web"));
    write(
        d,
        "apps/api.yaml",
        &format!(
            "{}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {{app: api}}\n  ports: [{{port: 80}}]\n",
            deployment("api")
        ),
    );
    let expected = vec![
        "main.warn Combined:1 - 3 documents in the run".to_owned(),
        "main.deny apps/web.yaml:4 web Deployment web (apps/web.yaml) has no Service selecting it"
            .to_owned(),
    ];
    for engine in ["auto", "interpreter"] {
        let args = [
            "check",
            "--no-builtin",
            "--policy",
            "policy",
            "--combine",
            "--format",
            "json",
            "--policy-engine",
            engine,
            "apps",
        ];
        let run = tollgate_in(d, &args, None);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(findings(&run), expected, "{engine}");
    }
    // The human report shows the document's line.
    let human = tollgate_in(
        d,
        &[
            "check",
            "--no-builtin",
            "--policy",
            "policy",
            "--combine",
            "apps",
        ],
        None,
    );
    assert!(
        human.stdout.contains("apps/web.yaml:4:9"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("Combined:1:1: 3 documents in the run"),
        "{}",
        human.stdout
    );
    // Without --combine each document is the input: no cross-file finding.
    let apart = tollgate_in(
        d,
        &[
            "check",
            "--no-builtin",
            "--policy",
            "policy",
            "--format",
            "json",
            "apps",
        ],
        None,
    );
    assert!(
        findings(&apart).iter().all(|f| !f.starts_with("main.deny")),
        "{:?}",
        findings(&apart)
    );
    // Split over shards, no combined input exists.
    let sharded = tollgate_in(d, &["check", "--combine", "--shard", "1/2", "apps"], None);
    assert_eq!(sharded.code, 2, "{}", sharded.stdout);
    assert!(sharded.stderr.contains("--shard"), "{}", sharded.stderr);
}

#[test]
fn data_conftest_file_names_each_documents_file_on_both_engines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "policy/file.rego",
        r#"package main

deny contains {"msg": msg, "path": "debug"} if {
	input.debug == true
	endswith(data.conftest.file.dir, "/envs/prod")
	msg := sprintf("debug is on in prod (%s)", [data.conftest.file.name])
}

deny contains {"msg": "debug server in TOML", "path": "server.debug"} if {
	input.server.debug
	data.conftest.file.name == "app.toml"
}
"#,
    );
    write(d, "envs/prod/app.yaml", "debug: true\n");
    write(d, "envs/dev/app.yaml", "debug: true\n");
    write(d, "envs/prod/app.toml", "[server]\ndebug = true\n");
    let expected = vec![
        "main.deny envs/prod/app.toml:2 - debug server in TOML".to_owned(),
        "main.deny envs/prod/app.yaml:1 - debug is on in prod (app.yaml)".to_owned(),
    ];
    for engine in ["auto", "interpreter"] {
        let args = [
            "check",
            "--no-builtin",
            "--policy",
            "policy",
            "--format",
            "json",
            "--policy-engine",
            engine,
            "envs",
        ];
        let run = tollgate_in(d, &args, None);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_eq!(findings(&run), expected, "{engine}");
    }
    // Standard input is named by --stdin-filename, as conftest renames it.
    let stdin = tollgate_in(
        d,
        &[
            "check",
            "--no-builtin",
            "--policy",
            "policy",
            "--format",
            "json",
            "--stdin-filename",
            "envs/prod/app.yaml",
            "-",
        ],
        Some(b"debug: true\n"),
    );
    assert_eq!(
        findings(&stdin),
        vec!["main.deny envs/prod/app.yaml:1 - debug is on in prod (app.yaml)".to_owned()]
    );
}
