//! Change review beyond Kubernetes: Terraform resources (by address) and
//! CloudFormation resources (by logical id) in the resource diff, the
//! approval report and change policies, in temporary git repositories.

use super::review::{git, write};
use super::{json, tollgate_in};

const CHANGE_POLICY: &str = r#"package tollgate.change.dba

approval contains {"group": "dba", "reason": msg} if {
	input.operation == "delete"
	input.resource.kind == "aws_db_instance"
	msg := sprintf("deleting %s needs a DBA", [input.resource.name])
}

approval contains {"group": "dba", "reason": msg} if {
	input.resource.kind == "AWS::RDS::DBInstance"
	some c in input.changes
	c.path == "/Properties/DBInstanceClass"
	msg := sprintf("%s changes class from %s to %s", [input.resource.name, c.old, c.new])
}

warn contains msg if {
	input.operation == "delete"
	msg := sprintf("%s is deleted", [input.resource.name])
}
"#;

const BASE_TF: &str = "# database\n# managed by the DBA team\nresource \"aws_db_instance\" \"main\" {\n  engine         = \"postgres\"\n  instance_class = \"db.t3.micro\"\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  acl = \"private\"\n}\n";

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      DBInstanceClass: db.t3.micro\n      VPCSecurityGroups: [!Ref Sg]\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n";

/// `main`: a database and a bucket in Terraform, a CloudFormation template;
/// `feature`: the database deleted, the bucket made public, the template's
/// instance class changed.
fn scenario() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "infra/main.tf", BASE_TF);
    write(d, "infra/template.yaml", TEMPLATE);
    write(d, "policy/change.rego", CHANGE_POLICY);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    git(d, &["checkout", "-q", "-b", "feature"]);
    write(
        d,
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  acl = \"public-read\"\n}\n",
    );
    write(
        d,
        "infra/template.yaml",
        &TEMPLATE.replace("db.t3.micro", "db.t3.large"),
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "feature"]);
    dir
}

const ARGS: [&str; 6] = [
    "--no-builtin",
    "--policy",
    "policy",
    "--base",
    "main",
    "--head",
];

fn report(dir: &std::path::Path, format: &str) -> super::Run {
    let mut args = vec!["report", "--format", format];
    args.extend(ARGS);
    args.push("feature");
    tollgate_in(dir, &args, None)
}

#[test]
fn a_deleted_terraform_database_needs_its_approval_in_markdown_and_json() {
    let repo = scenario();
    let run = report(repo.path(), "json");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = json(&run);
    assert_eq!(r["verdict"], "approval-required");
    let changes = r["changes"].as_array().expect("changes");
    let db = &changes[0];
    assert_eq!(db["operation"], "delete");
    assert_eq!(
        db["resource"],
        serde_json::json!({"apiVersion": "terraform", "kind": "aws_db_instance", "name": "aws_db_instance.main"})
    );
    // The base line of the deleted block (after two comment lines).
    assert_eq!(db["old_file"], "infra/main.tf");
    assert_eq!(db["old_line"], 3);
    assert!(db.get("file").is_none(), "{db}");
    let bucket = &changes[1];
    assert_eq!(bucket["operation"], "update");
    assert_eq!(bucket["resource"]["name"], "aws_s3_bucket.logs");
    assert_eq!(
        (bucket["line"].clone(), bucket["old_line"].clone()),
        (1.into(), 8.into())
    );
    assert_eq!(
        bucket["fields"],
        serde_json::json!([{"path": "/acl", "old": "private", "new": "public-read"}])
    );
    let approvals = r["approvals"].as_array().expect("approvals");
    assert!(
        approvals.iter().any(|a| a["group"] == "dba"
            && a["reason"] == "deleting aws_db_instance.main needs a DBA"
            && a["resource"]["name"] == "aws_db_instance.main"),
        "{approvals:?}"
    );
    // The change policy's warning lands on the base line of the deleted block.
    let warn = r["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "tollgate.change.dba.warn")
        .expect("the delete warning");
    assert_eq!(
        (
            warn["file"].as_str(),
            warn["line"].as_u64(),
            warn["message"].as_str()
        ),
        (
            Some("infra/main.tf"),
            Some(3),
            Some("aws_db_instance.main is deleted")
        )
    );

    let md = report(repo.path(), "markdown");
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        md.stdout.contains(
            "| **dba** | aws_db_instance.main | deleting aws_db_instance.main needs a DBA |"
        ),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("- **delete** aws_db_instance.main (`infra/main.tf:3`)\n"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout.contains(
            "- **update** aws_s3_bucket.logs (`infra/main.tf:1`)\n  - `/acl: \"private\" → \"public-read\"`\n"
        ),
        "{}",
        md.stdout
    );
}

#[test]
fn a_cloudformation_resource_change_shows_by_logical_id() {
    let repo = scenario();
    let r = json(&report(repo.path(), "json"));
    let changes = r["changes"].as_array().expect("changes");
    let db = changes
        .iter()
        .find(|c| c["resource"]["apiVersion"] == "cloudformation")
        .expect("the template's change");
    assert_eq!(
        db["resource"],
        serde_json::json!({"apiVersion": "cloudformation", "kind": "AWS::RDS::DBInstance", "name": "Db"})
    );
    assert_eq!(db["operation"], "update");
    assert_eq!(
        (db["file"].as_str(), db["line"].as_u64()),
        (Some("infra/template.yaml"), Some(3))
    );
    assert_eq!(
        db["fields"],
        serde_json::json!([{"path": "/Properties/DBInstanceClass", "old": "db.t3.micro", "new": "db.t3.large"}])
    );
    // The security group did not change: it is not listed.
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(
        r["approvals"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| { a["reason"] == "Db changes class from db.t3.micro to db.t3.large" })
    );
    let md = report(repo.path(), "markdown").stdout;
    assert!(
        md.contains("- **update** AWS::RDS::DBInstance Db (`infra/template.yaml:3`)\n  - `/Properties/DBInstanceClass: \"db.t3.micro\" → \"db.t3.large\"`\n"),
        "{md}"
    );
}

#[test]
fn terraform_plan_resource_changes_are_identified_by_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let plan = |actions: &str| {
        format!(
            "{{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.0\",\n \"resource_changes\": [\n  {{\"address\": \"module.db.aws_db_instance.main\", \"type\": \"aws_db_instance\", \"name\": \"main\",\n   \"change\": {{\"actions\": [{actions}]}}}}\n ]}}\n"
        )
    };
    git(d, &["init", "-q", "-b", "main"]);
    write(d, "plan.json", &plan("\"no-op\""));
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    write(d, "plan.json", &plan("\"delete\""));
    git(d, &["commit", "-q", "-am", "plan"]);
    let run = tollgate_in(
        d,
        &[
            "report",
            "--format",
            "json",
            "--no-builtin",
            "--base",
            "HEAD~1",
            "--head",
            "HEAD",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r = json(&run);
    assert_eq!(
        r["changes"],
        serde_json::json!([{
            "operation": "update",
            "resource": {"apiVersion": "terraform-plan", "kind": "aws_db_instance", "name": "module.db.aws_db_instance.main"},
            "file": "plan.json", "line": 3, "old_file": "plan.json", "old_line": 3,
            "fields": [{"path": "/change/actions/0", "old": "no-op", "new": "delete"}]
        }])
    );
}
