//! conftest's formats: its example policies (rewritten in
//! `tests/fixtures/conftest/`) on its example inputs
//! (`../shared/corpus/conftest-examples/`), compared with what conftest
//! reports there (`EXPECTED.md`): the same failures per file, the same
//! messages, the same exit code; and, beyond conftest, each finding on the
//! line of the attribute its `path` names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::{json, root, tollgate_in};

fn examples() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus/conftest-examples");
    if dir.join("EXPECTED.md").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared/corpus/conftest-examples is absent");
        None
    }
}

/// `(exit code, file → [(line, message)])` of `check` with one example's policy.
fn run(
    example: &str,
    inputs: &[&str],
    extra: &[&str],
) -> Option<(i32, BTreeMap<String, Vec<(u64, String)>>)> {
    let dir = examples()?;
    let policy = root()
        .join("tests/fixtures/conftest")
        .join(example)
        .join("policy");
    let policy = policy.to_string_lossy().into_owned();
    let mut args = vec!["check", "--no-builtin", "--format", "json", "-p", &policy];
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    let run = tollgate_in(&dir, &args, None);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let report = json(&run);
    let mut by_file: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        by_file
            .entry(f["file"].as_str().expect("file").to_owned())
            .or_default()
            .push((
                f["line"].as_u64().expect("line"),
                f["message"].as_str().expect("message").to_owned(),
            ));
    }
    Some((run.code, by_file))
}

/// conftest counts distinct messages per file.
fn messages(found: &[(u64, String)]) -> BTreeSet<&str> {
    found.iter().map(|(_, m)| m.as_str()).collect()
}

#[test]
fn hcl2_terraform_six_failures_on_their_lines() {
    let Some((code, found)) = run("hcl2", &["hcl2/terraform.tf"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    let tf = &found["hcl2/terraform.tf"];
    let tags = |t: &str, n: &str| {
        format!(
            "AWS resource: \"{t}\" named \"{n}\" is missing required tags: {{\"environment\", \"owner\"}}"
        )
    };
    let expected: BTreeSet<String> = [
        "ALB `my-alb-listener` is using HTTP rather than HTTPS".to_owned(),
        "ASG `my-rule` defines a fully open ingress".to_owned(),
        "Azure disk `source` is not encrypted".to_owned(),
        tags("aws_security_group_rule", "my-rule"),
        tags("aws_alb_listener", "my-alb-listener"),
        tags("aws_db_security_group", "my-group"),
    ]
    .into_iter()
    .collect();
    assert_eq!(messages(tf), expected.iter().map(String::as_str).collect());
    assert_eq!(tf.len(), 6);
    // `protocol = "HTTP"` is line 8, `cidr_blocks` line 3, `enabled = false` line 17.
    let line_of = |m: &str| tf.iter().find(|(_, x)| x.contains(m)).map(|(l, _)| *l);
    assert_eq!(line_of("HTTP rather"), Some(8));
    assert_eq!(line_of("fully open"), Some(3));
    assert_eq!(line_of("not encrypted"), Some(17));
    assert_eq!(line_of("\"my-group\""), Some(11));
}

#[test]
fn hcl2_directory_seven_failures_in_two_files() {
    // conftest: `10 tests, 3 passed, 0 warnings, 7 failures` on the walked directory.
    let Some((code, found)) = run("hcl2", &["hcl2"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found["hcl2/terraform.tf"].len(), 6);
    assert_eq!(
        found["hcl2/policy/unencrypted_azure_disk.tf"],
        vec![(3, "Azure disk `sample` is not encrypted".to_owned())]
    );
}

#[test]
fn toml_traefik_cipher() {
    let Some((code, found)) = run("traefik", &["traefik/traefik.toml"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    assert_eq!(
        found["traefik/traefik.toml"],
        vec![(
            16,
            "Following ciphers are not allowed: [\"TLS_RSA_WITH_AES_256_GCM_SHA384\"]".to_owned()
        )]
    );
}

#[test]
fn ini_grafana_email_verification_only() {
    let Some((code, found)) = run("ini", &["ini/grafana.ini"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    // `[auth.basic] enabled = true`: a flat section key, typed as a boolean.
    assert_eq!(
        found["ini/grafana.ini"],
        vec![(58, "Users should verify their e-mail address".to_owned())]
    );
}

#[test]
fn ini_on_stdin_with_parser() {
    let Some(dir) = examples() else { return };
    let text = std::fs::read(dir.join("ini/grafana.ini")).expect("grafana.ini");
    let policy = root().join("tests/fixtures/conftest/ini/policy");
    let policy = policy.to_string_lossy().into_owned();
    let run = tollgate_in(
        &dir,
        &[
            "check",
            "--no-builtin",
            "--format",
            "json",
            "-p",
            &policy,
            "--parser",
            "ini",
            "-",
        ],
        Some(&text),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run);
    let findings = report["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0]["message"],
        "Users should verify their e-mail address"
    );
    assert_eq!(findings[0]["line"], 58);
    // Without `--parser`, standard input is YAML, as in conftest: the INI
    // text is not YAML.
    let run = tollgate_in(
        &dir,
        &["check", "--no-builtin", "-p", &policy, "-"],
        Some(&text),
    );
    assert_ne!(run.code, 0);
}

#[test]
fn dotenv_and_properties_pass() {
    for (example, input) in [
        ("dotenv", "dotenv/sample.env"),
        ("properties", "properties/sample.properties"),
    ] {
        let Some((code, found)) = run(example, &[input], &[]) else {
            return;
        };
        assert_eq!((code, found.len()), (0, 0), "{example}: {found:?}");
    }
}

#[test]
fn cloudformation_sam_four_distinct_failures() {
    let Some((code, found)) = run("awssam", &["awssam/lambda.yaml"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    let lambda = &found["awssam/lambda.yaml"];
    let expected: BTreeSet<&str> = [
        "python2.7 runtime not allowed",
        "excessive Action permissions not allowed",
        "excessive Resource permissions not allowed",
        "Sensitive data not allowed in environment variables",
    ]
    .into_iter()
    .collect();
    // conftest counts 4 (distinct messages); tollgate reports each place,
    // so the wildcard Action shows on both statements that have one.
    assert_eq!(messages(lambda), expected);
    let line_of = |m: &str| lambda.iter().find(|(_, x)| x == m).map(|(l, _)| *l);
    assert_eq!(line_of("python2.7 runtime not allowed"), Some(13));
    assert_eq!(
        line_of("excessive Resource permissions not allowed"),
        Some(43)
    );
}

#[test]
fn syntax_errors_in_each_format_are_findings_at_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("main.tf", "resource \"a\" \"b\" {\n  x = \n}\n", 2),
        ("conf.toml", "a = 1\nb = \n", 2),
        ("app.ini", "[a]\nnot a pair\n", 2),
        ("prod.env", "A=1\nnot valid\n", 2),
        (
            "pom.xml",
            "<project>\n  <version>1</version>\n  </build>\n</project>\n",
            3,
        ),
        ("Dockerfile", "FROM alpine\nFROBNICATE x\n", 2),
        (
            "tsconfig.jsonc",
            "{\n  // c\n  \"a\": 1,\n  \"b\" 2\n}\n",
            4,
        ),
        ("config.edn", "{:a 1\n :b [1 2}\n", 2),
        ("app.hocon", "a {\n  b = 1\n  c = \"open\n}\n", 3),
    ];
    for (name, text, _) in &cases {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let run = tollgate_in(
        dir.path(),
        &["check", "--no-builtin", "--format", "json", "."],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run);
    let findings = report["findings"].as_array().expect("findings");
    for (name, _, line) in &cases {
        let f = findings
            .iter()
            .find(|f| f["file"] == *name)
            .unwrap_or_else(|| panic!("no finding for {name}: {findings:?}"));
        assert_eq!(f["rule"], "syntax", "{name}");
        assert_eq!(f["line"], *line, "{name}");
    }
}

/// A temporary directory holding `policy/p.rego` with `rego` in it.
fn with_policy(rego: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("policy")).expect("mkdir");
    std::fs::write(dir.path().join("policy/p.rego"), rego).expect("policy");
    dir
}

#[test]
fn a_policy_path_in_a_tf_file_gives_the_attribute_line() {
    let dir = with_policy(
        "package main\nimport rego.v1\ndeny contains {\"msg\": \"public bucket\", \"path\": [\"resource\", \"aws_s3_bucket\", n, 0, \"acl\"]} if {\n  some n, b in input.resource.aws_s3_bucket\n  b[0].acl == \"public-read\"\n}\n",
    );
    std::fs::write(
        dir.path().join("s3.tf"),
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = var.name\n\n  acl = \"public-read\"\n}\n",
    )
    .expect("tf");
    let run = tollgate_in(
        dir.path(),
        &[
            "check",
            "--no-builtin",
            "--format",
            "json",
            "-p",
            "policy",
            "s3.tf",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json(&run);
    let f = &report["findings"][0];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(9))
    );
    assert_eq!(f["path"], "/resource/aws_s3_bucket/logs/0/acl");
    // The finding names the resource, as the change review names it.
    assert_eq!(
        f["resource"],
        serde_json::json!({"apiVersion": "terraform", "kind": "aws_s3_bucket", "name": "aws_s3_bucket.logs"})
    );
}

#[test]
fn policy_findings_name_the_terraform_or_cloudformation_resource_they_are_in() {
    // One rule per format; the CloudFormation one points into a resource's
    // properties, the Terraform one at the second of two blocks.
    let dir = with_policy(
        r#"package main
import rego.v1
deny contains {"msg": sprintf("%s is public", [n]), "path": ["Resources", n, "Properties", "AccessControl"]} if {
  some n, r in input.Resources
  r.Properties.AccessControl == "PublicRead"
}
deny contains {"msg": sprintf("%s is public", [n]), "path": ["resource", "aws_s3_bucket", n, 0, "acl"]} if {
  some n, b in input.resource.aws_s3_bucket
  b[0].acl == "public-read"
}
"#,
    );
    std::fs::write(
        dir.path().join("s3.tf"),
        "resource \"aws_s3_bucket\" \"private\" {\n  acl = \"private\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  acl = \"public-read\"\n}\n",
    )
    .expect("tf");
    std::fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Quiet:\n    Type: AWS::S3::Bucket\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicRead\n",
    )
    .expect("template");
    let args = [
        "check",
        "--no-builtin",
        "-p",
        "policy",
        "s3.tf",
        "template.yaml",
    ];
    let run = tollgate_in(dir.path(), &args, None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Human output says which resource, under the line.
    assert!(
        run.stdout.contains("in aws_s3_bucket.logs"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("in AWS::S3::Bucket Site"),
        "{}",
        run.stdout
    );
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let report = json(&tollgate_in(dir.path(), &all, None));
    let found: Vec<(String, u64, serde_json::Value)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["resource"].clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "s3.tf".to_owned(),
                6,
                serde_json::json!({"apiVersion": "terraform", "kind": "aws_s3_bucket", "name": "aws_s3_bucket.logs"})
            ),
            (
                "template.yaml".to_owned(),
                8,
                serde_json::json!({"apiVersion": "cloudformation", "kind": "AWS::S3::Bucket", "name": "Site"})
            ),
        ],
        "{report:#}"
    );
}

/// `(exit code, file → [(line, message)])` of `check` with a fixture's own
/// input (an example conftest describes without shipping, or one it lacks).
fn run_fixture(
    example: &str,
    inputs: &[&str],
    extra: &[&str],
) -> (i32, BTreeMap<String, Vec<(u64, String)>>) {
    let dir = root().join("tests/fixtures/conftest").join(example);
    let mut args = vec!["check", "--no-builtin", "--format", "json", "-p", "policy"];
    args.extend_from_slice(extra);
    args.extend_from_slice(inputs);
    let run = tollgate_in(&dir, &args, None);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let report = json(&run);
    let mut by_file: BTreeMap<String, Vec<(u64, String)>> = BTreeMap::new();
    for f in report["findings"].as_array().expect("findings") {
        by_file
            .entry(f["file"].as_str().expect("file").to_owned())
            .or_default()
            .push((
                f["line"].as_u64().expect("line"),
                f["message"].as_str().expect("message").to_owned(),
            ));
    }
    (run.code, by_file)
}

#[test]
fn xml_pom_compiler_plugin_version() {
    // conftest: exit 1, 3 tests, 1 failure containing
    // `--- maven-plugin must have the version: 3.6.1`.
    let Some((code, found)) = run("xml", &["xml/pom.xml"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    let pom = &found["xml/pom.xml"];
    assert_eq!(pom.len(), 1, "{pom:?}");
    let (line, message) = &pom[0];
    // `<version>3.6.0</version>` of maven-compiler-plugin.
    assert_eq!(*line, 23);
    assert!(message.starts_with("in {"), "{message}");
    assert!(
        message.contains("\"artifactId\": \"maven-compiler-plugin\""),
        "{message}"
    );
    assert!(
        message.ends_with(" \n--- maven-plugin must have the version: 3.6.1 \n"),
        "{message:?}"
    );
}

#[test]
fn edn_production_logging() {
    let Some((code, found)) = run("edn", &["edn/sample_config.edn"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
    assert_eq!(
        found["edn/sample_config.edn"],
        vec![(
            47,
            "Applications in the production environment should have error only logging".to_owned()
        )]
    );
}

#[test]
fn hocon_play_port_with_parser_flag() {
    // `.conf` is not chosen for HOCON: conftest and tollgate need `--parser hocon`.
    let Some((code, found)) = run("hocon", &["hocon/hocon.conf"], &["--parser", "hocon"]) else {
        return;
    };
    assert_eq!(code, 1);
    // `port = 9001` (line 16) stays: the optional substitutions after it do not resolve.
    assert_eq!(
        found["hocon/hocon.conf"],
        vec![(16, "Play http server port should be 9000".to_owned())]
    );
    // Without `--parser`, a `.conf` file named on the command line is read as
    // YAML (tollgate's default for unknown names) and is not HOCON.
    let Some((code, _)) = run("hocon", &["hocon/hocon.conf"], &[]) else {
        return;
    };
    assert_eq!(code, 1);
}

#[test]
fn docker_namespaces_as_conftest() {
    let image = "unallowed image found [\"openjdk:8-jdk-alpine\"]".to_owned();
    let commands = "unallowed commands found [\"apk add --no-cache python3 python3-dev build-base && pip3 install awscli==1.18.1\"]".to_owned();
    let messages = |found: &BTreeMap<String, Vec<(u64, String)>>| -> Vec<(u64, String)> {
        let mut v = found.get("Dockerfile").cloned().unwrap_or_default();
        v.sort();
        v
    };
    // Default namespace `main`: the image only, on the FROM line.
    let (code, found) = run_fixture("docker", &["Dockerfile"], &[]);
    assert_eq!(code, 1);
    assert_eq!(messages(&found), vec![(1, image.clone())]);
    // Every namespace (`--all-namespaces`, `--namespace '*'`): both, the
    // commands on the RUN line.
    for extra in [&["--all-namespaces"][..], &["--namespace", "*"][..]] {
        let (code, found) = run_fixture("docker", &["Dockerfile"], extra);
        assert_eq!(code, 1);
        assert_eq!(
            messages(&found),
            vec![(1, image.clone()), (7, commands.clone())],
            "{extra:?}"
        );
    }
    let (_, found) = run_fixture("docker", &["Dockerfile"], &["--namespace", "main"]);
    assert_eq!(messages(&found), vec![(1, image.clone())]);
    let (code, found) = run_fixture("docker", &["Dockerfile"], &["--namespace", "c*"]);
    assert_eq!(code, 1);
    assert_eq!(messages(&found), vec![(7, commands.clone())]);
}

#[test]
fn docker_inspect_shows_conftest_shape_and_stdin_with_parser() {
    let dir = root().join("tests/fixtures/conftest/docker");
    let run = tollgate_in(&dir, &["inspect", "Dockerfile"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"Cmd\": \"from\""), "{}", run.stdout);
    assert!(run.stdout.contains("\"Flags\": []"), "{}", run.stdout);
    // conftest's acceptance test: a `# syntax=` directive and `COPY --link`
    // on standard input with `--parser dockerfile`.
    let text = b"# syntax=docker/dockerfile:1.4\nFROM alpine\nCOPY --link a /a\n";
    let run = tollgate_in(
        &dir,
        &[
            "check",
            "--no-builtin",
            "-p",
            "policy",
            "--parser",
            "dockerfile",
            "-",
        ],
        Some(text),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn jsonc_comments_and_trailing_commas_finding_on_its_line() {
    let (code, found) = run_fixture("jsonc", &["tsconfig.jsonc"], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found["tsconfig.jsonc"],
        vec![(5, "TypeScript must run in strict mode".to_owned())]
    );
}

#[test]
fn discovery_walks_the_new_formats_and_inspect_shows_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = [
        ("pom.xml", "<project><version>1</version></project>\n"),
        ("Dockerfile", "FROM alpine\n"),
        ("app.dockerfile", "FROM alpine\n"),
        ("tsconfig.jsonc", "{\"a\": 1, // c\n}\n"),
        ("app.hocon", "a.b = 1\n"),
        ("config.edn", "{:a 1}\n"),
        // Not chosen for any parser: left alone by the walk.
        ("application.conf", "a = [\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let run = tollgate_in(dir.path(), &["inspect", "."], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (name, shown) in [
        ("pom.xml", "\"version\": \"1\""),
        ("Dockerfile", "\"Cmd\": \"from\""),
        ("app.dockerfile", "\"Cmd\": \"from\""),
        ("tsconfig.jsonc", "\"a\": 1"),
        ("app.hocon", "\"b\": 1"),
        ("config.edn", "\":a\": \"1\""),
    ] {
        assert!(
            run.stdout.contains(name),
            "{name} not inspected: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains(shown),
            "{name}: {shown} not in {}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("application.conf"), "{}", run.stdout);
}

#[test]
fn a_duplicate_key_in_a_cloudformation_resource_names_the_resource() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Site:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: Private\n      AccessControl: PublicRead\n",
    )
    .expect("template");
    let run = tollgate_in(
        dir.path(),
        &["check", "--no-builtin", "--format", "json", "template.yaml"],
        None,
    );
    let report = json(&run);
    let f = &report["findings"][0];
    assert_eq!(
        (f["rule"].as_str(), f["line"].as_u64()),
        (Some("duplicate-key"), Some(7)),
        "{report:#}"
    );
    assert_eq!(
        f["resource"],
        serde_json::json!({"apiVersion": "cloudformation", "kind": "AWS::S3::Bucket", "name": "Site"})
    );
}
