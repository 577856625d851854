//! Documents to resources: Kubernetes identity and `List` expansion, and the
//! resources an infrastructure document declares.
//!
//! A document with a string `apiVersion` and `kind` is a Kubernetes object and gets
//! a [`ResourceId`]. `kind: List` (and any `*List` kind with an `items` sequence) is
//! expanded into its items, each keeping its own spans, as `kubectl apply` does.
//!
//! A Terraform configuration (HCL2), a Terraform plan (`terraform show -json`)
//! or a CloudFormation template is one document holding many resources;
//! [`declared`] lists them with identities of their own ([`TERRAFORM`],
//! [`TERRAFORM_PLAN`], [`CLOUDFORMATION`] in `api_version`), for the resource
//! diff and change policies. They are not objects of the check pass: schemas
//! and policies see the document whole, as conftest gives it.

use serde::Serialize;

use crate::load::{Document, Node, Value};

/// Who a resource is: apiVersion, kind, namespace, name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceId {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `metadata.name`, or `metadata.generateName` when there is no name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ResourceId {
    /// Reads the identity of a node, if it looks like a Kubernetes object.
    pub fn of(node: &Node) -> Option<Self> {
        let api_version = node.get("apiVersion")?.as_str()?.to_owned();
        let kind = node.get("kind")?.as_str()?.to_owned();
        let metadata = node.get("metadata");
        let field = |name: &str| {
            metadata
                .and_then(|m| m.get(name))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        Some(Self {
            api_version,
            kind,
            namespace: field("namespace"),
            name: field("name").or_else(|| field("generateName")),
        })
    }

    /// The API group (empty for the core group); for a declared resource
    /// its family ([`TERRAFORM`], [`TERRAFORM_PLAN`], [`CLOUDFORMATION`]), so
    /// that it never matches a Kubernetes object.
    pub fn group(&self) -> &str {
        if self.is_declared() {
            return &self.api_version;
        }
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// Whether this is a resource of an infrastructure document ([`declared`]).
    pub fn is_declared(&self) -> bool {
        matches!(
            self.api_version.as_str(),
            TERRAFORM | TERRAFORM_PLAN | CLOUDFORMATION
        )
    }
}

/// `api_version` of a resource declared in Terraform HCL: `kind` is the
/// resource type (`aws_db_instance`, `module` for a module call), `name` the
/// address (`aws_db_instance.main`, `data.aws_ami.ubuntu`, `module.vpc`).
pub const TERRAFORM: &str = "terraform";
/// `api_version` of a resource change in a Terraform plan's JSON: `kind` is
/// the type, `name` the full address (`module.db.aws_db_instance.main[0]`).
pub const TERRAFORM_PLAN: &str = "terraform-plan";
/// `api_version` of a CloudFormation resource: `kind` is its `Type`
/// (`AWS::RDS::DBInstance`), `name` its logical id.
pub const CLOUDFORMATION: &str = "cloudformation";

impl std::fmt::Display for ResourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if matches!(self.api_version.as_str(), TERRAFORM | TERRAFORM_PLAN) {
            // The address says it all: `aws_db_instance.main`.
            return write!(f, "{}", self.name.as_deref().unwrap_or("<unnamed>"));
        }
        write!(f, "{}", self.kind)?;
        if let Some(ns) = &self.namespace {
            write!(f, " {ns}/")?;
        } else {
            write!(f, " ")?;
        }
        write!(f, "{}", self.name.as_deref().unwrap_or("<unnamed>"))
    }
}

/// One object to check: a document, or one item of a `List` document.
#[derive(Clone, Debug)]
pub struct Object {
    /// Index of the document in its file's stream.
    pub document: usize,
    /// Index within the `items` of a `List` document.
    pub item: Option<usize>,
    /// The object's tree.
    pub node: Node,
    /// Its identity, when it is a Kubernetes object.
    pub id: Option<ResourceId>,
}

impl Object {
    /// The resource a finding at byte `at` of the object's file is about:
    /// the object's own identity, or, for a document that is not a Kubernetes
    /// object, the innermost resource it declares (a Terraform block, a
    /// CloudFormation logical id, a plan's resource change) whose
    /// declaration or label holds `at`, as the change review names it.
    pub fn resource_at(&self, at: usize) -> Option<ResourceId> {
        if self.id.is_some() {
            return self.id.clone();
        }
        let holds = |s: crate::load::Span| s.start <= at && at < s.end;
        declared(&self.node)
            .into_iter()
            .filter(|d| holds(d.node.span) || holds(d.at))
            .min_by_key(|d| d.node.span.end - d.node.span.start)
            .map(|d| d.id)
    }

    /// For a JSON pointer that names something this object does not have (a
    /// field to add), the longest prefix of it that exists; `None` when the
    /// whole pointer resolves.
    pub fn present_prefix(&self, pointer: &str) -> Option<String> {
        if self.node.pointer_span(pointer).exact {
            return None;
        }
        let mut prefix = pointer;
        while let Some((parent, _)) = prefix.rsplit_once('/') {
            prefix = parent;
            if self.node.pointer_span(prefix).exact {
                return Some(prefix.to_owned());
            }
        }
        Some(String::new())
    }
}

/// Whether a kind names a list (`List`, `ConfigMapList`, ...).
fn is_list_kind(node: &Node) -> bool {
    node.get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && node.get("apiVersion").is_some()
        && matches!(
            node.get("items").map(|i| &i.value),
            Some(Value::Seq(_)) | Some(Value::Null)
        )
}

/// Turns documents into objects, expanding lists into their items.
pub fn objects(documents: Vec<Document>) -> Vec<Object> {
    let mut out = Vec::with_capacity(documents.len());
    for doc in documents {
        if is_list_kind(&doc.root) {
            let Value::Map(entries) = doc.root.value else {
                continue;
            };
            for entry in entries {
                if entry.key != "items" {
                    continue;
                }
                if let Value::Seq(items) = entry.value.value {
                    for (i, item) in items.into_iter().enumerate() {
                        let id = ResourceId::of(&item);
                        out.push(Object {
                            document: doc.index,
                            item: Some(i),
                            node: item,
                            id,
                        });
                    }
                }
            }
        } else {
            let id = ResourceId::of(&doc.root);
            out.push(Object {
                document: doc.index,
                item: None,
                node: doc.root,
                id,
            });
        }
    }
    out
}

/// One resource an infrastructure document declares: its identity and the
/// node that declares it (a Terraform block's body, a plan's
/// `resource_changes` entry, a template's `Resources` entry).
#[derive(Clone, Debug)]
pub struct Declared<'a> {
    /// Its identity.
    pub id: ResourceId,
    /// What it is.
    pub node: &'a Node,
    /// Where it is declared: the block's label, the logical id, the plan entry.
    pub at: crate::load::Span,
}

/// The resources `root` declares, in source order, when it is a Terraform
/// plan, a CloudFormation template or a Terraform configuration; empty for
/// anything else (a Kubernetes object has its own [`ResourceId::of`]).
pub fn declared(root: &Node) -> Vec<Declared<'_>> {
    if ResourceId::of(root).is_some() {
        return Vec::new();
    }
    if is_terraform_plan(root) {
        return plan_resources(root);
    }
    if crate::load::cfn::is_template(root) {
        let resources = root.get("Resources").map(entries).unwrap_or_default();
        return resources
            .iter()
            .filter_map(|e| {
                let kind = e.value.get("Type").and_then(Node::as_str)?;
                Some(Declared {
                    id: declared_id(CLOUDFORMATION, kind, e.key.clone()),
                    node: &e.value,
                    at: e.key_span,
                })
            })
            .collect();
    }
    terraform_resources(root)
}

fn declared_id(family: &str, kind: &str, name: String) -> ResourceId {
    ResourceId {
        api_version: family.to_owned(),
        kind: kind.to_owned(),
        namespace: None,
        name: Some(name),
    }
}

/// `terraform show -json` of a plan: `format_version`, `terraform_version`,
/// and `resource_changes` or `planned_values`.
pub fn is_terraform_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && root.get("terraform_version").is_some()
        && (root.get("resource_changes").is_some() || root.get("planned_values").is_some())
}

/// A plan's `resource_changes[]`, by `address` (type from `type`).
fn plan_resources(root: &Node) -> Vec<Declared<'_>> {
    let Some(Value::Seq(items)) = root.get("resource_changes").map(|r| &r.value) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let address = item.get("address").and_then(Node::as_str)?;
            let kind = item.get("type").and_then(Node::as_str).unwrap_or_default();
            Some(Declared {
                id: declared_id(TERRAFORM_PLAN, kind, address.to_owned()),
                node: item,
                at: item.span,
            })
        })
        .collect()
}

/// The entries of a map node (none for anything else).
fn entries(node: &Node) -> &[crate::load::Entry] {
    match &node.value {
        Value::Map(entries) => entries,
        _ => &[],
    }
}

/// The first body of a block (`[body, ...]` in conftest's shape).
fn first_body(node: &Node) -> &Node {
    match &node.value {
        Value::Seq(items) => items.first().unwrap_or(node),
        _ => node,
    }
}

/// HCL blocks with an address: `resource "t" "n"` (`t.n`), `data "t" "n"`
/// (`data.t.n`), `module "n"` (`module.n`). Any other document declares none.
fn terraform_resources(root: &Node) -> Vec<Declared<'_>> {
    let mut out = Vec::new();
    for top in entries(root) {
        match top.key.as_str() {
            "resource" | "data" => {
                let prefix = if top.key == "data" { "data." } else { "" };
                for kind in entries(&top.value) {
                    for name in entries(&kind.value) {
                        out.push(Declared {
                            id: declared_id(
                                TERRAFORM,
                                &kind.key,
                                format!("{prefix}{}.{}", kind.key, name.key),
                            ),
                            node: first_body(&name.value),
                            at: name.key_span,
                        });
                    }
                }
            }
            "module" => {
                for name in entries(&top.value) {
                    out.push(Declared {
                        id: declared_id(TERRAFORM, "module", format!("module.{}", name.key)),
                        node: first_body(&name.value),
                        at: name.key_span,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Limits, Syntax, load};

    fn objs(text: &str) -> Vec<Object> {
        objects(load(text, Syntax::Yaml, &Limits::default()).documents)
    }

    #[test]
    fn identity_from_metadata() {
        let o = objs(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n",
        );
        let id = o[0].id.clone();
        assert_eq!(
            id,
            Some(ResourceId {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("prod".into()),
                name: Some("web".into())
            })
        );
        assert_eq!(
            id.map(|i| (i.group().to_owned(), i.to_string())),
            Some(("apps".into(), "Deployment prod/web".into()))
        );
        let generated = objs("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: run-\n");
        assert_eq!(
            generated[0].id.as_ref().and_then(|i| i.name.clone()),
            Some("run-".into())
        );
        assert!(objs("foo: bar\n")[0].id.is_none());
    }

    fn ids(text: &str, syntax: Syntax) -> Vec<(String, String, usize)> {
        let loaded = load(text, syntax, &Limits::default());
        loaded
            .documents
            .iter()
            .flat_map(|d| declared(&d.root))
            .map(|d| {
                (
                    d.id.to_string(),
                    d.id.group().to_owned(),
                    crate::load::line_of(text, d.at.start),
                )
            })
            .collect()
    }

    #[test]
    fn terraform_blocks_have_addresses() {
        let tf = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n\ndata \"aws_ami\" \"ubuntu\" {\n  most_recent = true\n}\n\nmodule \"vpc\" {\n  source = \"./vpc\"\n}\n\nvariable \"x\" {}\n";
        let got = ids(tf, Syntax::Hcl2);
        let names: Vec<(&str, &str)> = got
            .iter()
            .map(|(n, g, _)| (n.as_str(), g.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("aws_db_instance.main", "terraform"),
                ("data.aws_ami.ubuntu", "terraform"),
                ("module.vpc", "terraform"),
            ]
        );
        let loaded = load(tf, Syntax::Hcl2, &Limits::default());
        let d = declared(&loaded.documents[0].root);
        assert_eq!(d[0].id.kind, "aws_db_instance");
        assert_eq!(
            d[0].node.get("engine").and_then(Node::as_str),
            Some("postgres")
        );
    }

    #[test]
    fn a_place_inside_a_declared_resource_names_it() {
        let tf = "resource \"aws_s3_bucket\" \"a\" {\n  acl = \"private\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n\nvariable \"x\" {}\n";
        let loaded = load(tf, Syntax::Hcl2, &Limits::default());
        let obj = &objects(loaded.documents)[0];
        let name = |needle: &str| {
            obj.resource_at(tf.find(needle).expect("needle"))
                .and_then(|id| id.name)
        };
        assert_eq!(name("public-read").as_deref(), Some("aws_s3_bucket.b"));
        assert_eq!(name("\"a\"").as_deref(), Some("aws_s3_bucket.a"));
        assert_eq!(name("variable"), None);
        // A Kubernetes object is its own resource wherever the place is.
        let k8s = &objs("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")[0];
        assert_eq!(k8s.resource_at(0), k8s.id);
    }

    #[test]
    fn cloudformation_resources_by_logical_id() {
        let yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n  Queue:\n    Type: AWS::SQS::Queue\n";
        let got = ids(yaml, Syntax::Yaml);
        assert_eq!(
            got,
            vec![
                ("AWS::RDS::DBInstance Db".into(), "cloudformation".into(), 3),
                ("AWS::SQS::Queue Queue".into(), "cloudformation".into(), 7),
            ]
        );
    }

    #[test]
    fn plan_resource_changes_by_address() {
        let plan = r#"{"format_version": "1.2", "terraform_version": "1.9.0",
 "resource_changes": [
  {"address": "module.db.aws_db_instance.main", "type": "aws_db_instance", "name": "main",
   "change": {"actions": ["delete"]}}]}"#;
        let got = ids(plan, Syntax::Json);
        assert_eq!(
            got,
            vec![(
                "module.db.aws_db_instance.main".into(),
                "terraform-plan".into(),
                3
            )]
        );
        // A Kubernetes object and plain data declare nothing.
        assert!(
            ids(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
                Syntax::Yaml
            )
            .is_empty()
        );
        assert!(ids("a: 1\n", Syntax::Yaml).is_empty());
    }

    #[test]
    fn lists_expand_with_their_own_spans() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n";
        let o = objs(text);
        assert_eq!(o.len(), 2);
        assert_eq!(o[1].item, Some(1));
        assert_eq!(
            o[1].id.as_ref().and_then(|i| i.name.clone()),
            Some("b".into())
        );
        let start = o[1].node.span.start;
        assert_eq!(&text[start..start + 10], "apiVersion");
    }

    #[test]
    fn present_prefix_stops_at_the_deepest_existing_node() {
        let o = objs("kind: Pod\nspec:\n  containers:\n  - name: a\n");
        assert_eq!(o[0].present_prefix("/spec/containers/0/name"), None);
        assert_eq!(
            o[0].present_prefix("/spec/containers/0/securityContext/runAsNonRoot"),
            Some("/spec/containers/0".into())
        );
        assert_eq!(o[0].present_prefix("/status/x"), Some(String::new()));
    }
}
