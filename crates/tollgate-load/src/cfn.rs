//! CloudFormation templates: detection and the short-form intrinsics.
//!
//! A template is YAML or JSON with `AWSTemplateFormatVersion`, or with
//! `Resources` holding entries whose `Type` is `AWS::…`. In YAML, the short
//! forms (`!Ref x`, `!Sub s`, `!GetAtt a.b`, `!If [c, a, b]`, …) are read as
//! CloudFormation reads them: `{"Ref": "x"}`, `{"Fn::Sub": "s"}`,
//! `{"Fn::GetAtt": ["a", "b"]}`, `{"Fn::If": [...]}`. YAML that is not a
//! template keeps its tags as before (the tag is dropped, the value kept).

use crate::node::{Entry, Node, Span, Value};

/// The intrinsic functions with a YAML short form (`!Name`).
const FUNCTIONS: [&str; 21] = [
    "Ref",
    "Condition",
    "GetAtt",
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ToJsonString",
    "Length",
    "ForEach",
];

/// Whether a YAML tag is an intrinsic's short form (`!Ref`, `!GetAtt`, ...).
pub fn is_intrinsic(tag: &str) -> bool {
    tag.strip_prefix('!')
        .is_some_and(|name| FUNCTIONS.contains(&name))
}

/// Whether a document is a CloudFormation template.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    match root.get("Resources").map(|r| &r.value) {
        Some(Value::Map(entries)) => entries.iter().any(|e| {
            e.value
                .get("Type")
                .and_then(Node::as_str)
                .is_some_and(|t| t.starts_with("AWS::") || t.starts_with("Custom::"))
        }),
        _ => false,
    }
}

/// The resources of a template: `(logical id, type, node)` in source order.
pub fn resources(root: &Node) -> Vec<(&str, &str, &Node)> {
    match root.get("Resources").map(|r| &r.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|e| {
                let t = e.value.get("Type").and_then(Node::as_str)?;
                Some((e.key.as_str(), t, &e.value))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `node` under its intrinsic's long form, when `tag` is one; else `node`.
pub(crate) fn long_form(tag: Option<&str>, node: Node) -> Node {
    let Some(name) = tag.and_then(|t| t.strip_prefix('!')) else {
        return node;
    };
    let span = node.span;
    let key_span = Span::new(span.start, span.start + name.len() + 1);
    let (key, value) = match name {
        "Ref" | "Condition" => (name.to_owned(), node),
        "GetAtt" => {
            let value = match &node.value {
                // `!GetAtt a.b.c` is `["a", "b.c"]`.
                Value::String(s) => {
                    let (res, attr) = s.split_once('.').unwrap_or((s.as_str(), ""));
                    Node::new(
                        Value::Seq(vec![
                            Node::new(Value::String(res.to_owned()), span),
                            Node::new(Value::String(attr.to_owned()), span),
                        ]),
                        span,
                    )
                }
                _ => node,
            };
            ("Fn::GetAtt".to_owned(), value)
        }
        _ => (format!("Fn::{name}"), node),
    };
    Node::new(
        Value::Map(vec![Entry {
            key,
            key_span,
            value,
        }]),
        span,
    )
}

#[cfg(test)]
mod tests {
    use crate::{Limits, Syntax, load};

    #[test]
    fn short_forms_become_long_forms_in_templates() {
        let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Role.Arn\n      Name: !Sub '${AWS::StackName}-fn'\n      Bucket: !Ref Bucket\n      Env: !If [IsProd, !Ref A, !Join ['', [a, b]]]\n      Azs: !GetAZs ''\n";
        let l = load(text, Syntax::Yaml, &Limits::default());
        assert!(l.problems.is_empty(), "{:?}", l.problems);
        let root = &l.documents[0].root;
        let j = root.to_json();
        let p = &j["Resources"]["Fn"]["Properties"];
        assert_eq!(
            p["Role"],
            serde_json::json!({"Fn::GetAtt": ["Role", "Arn"]})
        );
        assert_eq!(
            p["Name"],
            serde_json::json!({"Fn::Sub": "${AWS::StackName}-fn"})
        );
        assert_eq!(p["Bucket"], serde_json::json!({"Ref": "Bucket"}));
        assert_eq!(
            p["Env"],
            serde_json::json!({"Fn::If": ["IsProd", {"Ref": "A"}, {"Fn::Join": ["", ["a", "b"]]}]})
        );
        assert_eq!(p["Azs"], serde_json::json!({"Fn::GetAZs": ""}));
        // The long form keeps the line of the short one.
        let s = root
            .pointer_span("/Resources/Fn/Properties/Bucket/Ref")
            .span;
        assert_eq!(crate::line_of(text, s.start), 8);
    }

    #[test]
    fn other_yaml_keeps_its_tags_as_before() {
        let text = "a: !Ref b\n";
        let l = load(text, Syntax::Yaml, &Limits::default());
        assert_eq!(l.documents[0].root.to_json(), serde_json::json!({"a": "b"}));
    }
}
