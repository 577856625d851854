//! The `target:` of a patch: which resources it applies to, with
//! kustomize's semantics (`resmap.Select`): group, version, kind, name and
//! namespace are anchored regexes (`^(?:...)$`); name and namespace match
//! the original *or* the current value (the namespace as kustomize's
//! "effective" one: `default` when unset, none for cluster-scoped kinds);
//! `labelSelector` and `annotationSelector` use Kubernetes selector syntax
//! (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`).

use super::PatchError;
use crate::{ResId, Resource};
use regex::Regex;
use tollgate_load::{Node, Span, Value};

/// A parsed `target:` selector.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    /// `group` (regex; "" matches any).
    pub group: String,
    /// `version` (regex; "" matches any).
    pub version: String,
    /// `kind` (regex; "" matches any).
    pub kind: String,
    /// `name` (anchored regex; "" matches any).
    pub name: String,
    /// `namespace` (anchored regex; "" matches any).
    pub namespace: String,
    /// `labelSelector` ("" matches any).
    pub label_selector: String,
    /// `annotationSelector` ("" matches any).
    pub annotation_selector: String,
    /// The span of the `target:` node.
    pub span: Span,
    regexes: Vec<(Field, Regex)>,
    labels: Vec<Requirement>,
    annotations: Vec<Requirement>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Group,
    Version,
    Kind,
    Name,
    Namespace,
}

#[derive(Clone, Debug)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// kustomize's stand-in namespace of cluster-scoped objects.
const NOT_A_NAMESPACE: &str = "~X";

impl Selector {
    /// Parses a `target:` mapping.
    pub fn parse(node: &Node) -> Result<Self, PatchError> {
        let Value::Map(entries) = &node.value else {
            return Err(PatchError::new("target must be a mapping", node.span));
        };
        let mut s = Selector {
            span: node.span,
            ..Selector::default()
        };
        for e in entries {
            let text = match &e.value.value {
                Value::Null => String::new(),
                Value::String(t) => t.clone(),
                _ => super::smp::scalar_string(&e.value),
            };
            let slot = match e.key.as_str() {
                "group" => &mut s.group,
                "version" => &mut s.version,
                "kind" => &mut s.kind,
                "name" => &mut s.name,
                "namespace" => &mut s.namespace,
                "labelSelector" => &mut s.label_selector,
                "annotationSelector" => &mut s.annotation_selector,
                _ => continue,
            };
            *slot = text;
        }
        let fields = [
            (Field::Group, &s.group),
            (Field::Version, &s.version),
            (Field::Kind, &s.kind),
            (Field::Name, &s.name),
            (Field::Namespace, &s.namespace),
        ];
        let mut regexes = Vec::new();
        for (f, pattern) in fields {
            if pattern.is_empty() {
                continue;
            }
            let re = Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| PatchError::new(format!("error parsing regexp: {e}"), node.span))?;
            regexes.push((f, re));
        }
        s.regexes = regexes;
        s.labels = parse_selector(&s.label_selector).map_err(|m| PatchError::new(m, node.span))?;
        s.annotations =
            parse_selector(&s.annotation_selector).map_err(|m| PatchError::new(m, node.span))?;
        Ok(s)
    }

    /// Whether `resource` is selected (by its current or original name and
    /// namespace, its current group/version/kind, labels and annotations).
    pub fn matches(&self, resource: &Resource) -> bool {
        let cur = resource.id();
        let org = resource.original_id();
        let re = |f: Field| self.regexes.iter().find(|(g, _)| *g == f).map(|(_, r)| r);
        let ok =
            |f: Field, values: &[&str]| re(f).is_none_or(|r| values.iter().any(|v| r.is_match(v)));
        let (ns_org, ns_cur) = (effective_namespace(&org), effective_namespace(&cur));
        ok(Field::Namespace, &[&ns_org, &ns_cur])
            && ok(Field::Name, &[&org.name, &cur.name])
            && ok(Field::Group, &[&cur.group])
            && ok(Field::Version, &[&cur.version])
            && ok(Field::Kind, &[&cur.kind])
            && requirements_hold(&self.labels, metadata_map(&resource.node, "labels"))
            && requirements_hold(
                &self.annotations,
                metadata_map(&resource.node, "annotations"),
            )
    }
}

/// kustomize's `EffectiveNamespace`: `~X` for cluster-scoped kinds,
/// `default` when unset.
pub fn effective_namespace(id: &ResId) -> String {
    if !crate::openapi::is_namespaced_version(&id.group, &id.version, &id.kind) {
        NOT_A_NAMESPACE.to_owned()
    } else if id.namespace.is_empty() {
        "default".to_owned()
    } else {
        id.namespace.clone()
    }
}

fn metadata_map<'a>(node: &'a Node, field: &str) -> Vec<(&'a str, String)> {
    match node
        .get("metadata")
        .and_then(|m| m.get(field))
        .map(|n| &n.value)
    {
        Some(Value::Map(entries)) => entries
            .iter()
            .map(|e| (e.key.as_str(), super::smp::scalar_string(&e.value)))
            .collect(),
        _ => Vec::new(),
    }
}

fn requirements_hold(reqs: &[Requirement], map: Vec<(&str, String)>) -> bool {
    let get = |k: &str| {
        map.iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.as_str())
    };
    reqs.iter().all(|r| match r {
        Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
        Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
        Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
        Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
        Requirement::Exists(k) => get(k).is_some(),
        Requirement::NotExists(k) => get(k).is_none(),
    })
}

/// Splits a selector at the commas outside parentheses.
fn split_top(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, String> {
    let inner = rest
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("unable to parse requirement: found '{whole}', expected: '('"))?;
    Ok(inner.split(',').map(|v| v.trim().to_owned()).collect())
}

fn parse_selector(text: &str) -> Result<Vec<Requirement>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut reqs = Vec::new();
    for part in split_top(text) {
        let p = part.trim();
        if p.is_empty() {
            return Err(format!("unable to parse requirement: found '{text}'"));
        }
        let req = if let Some(k) = p.strip_prefix('!') {
            Requirement::NotExists(k.trim().to_owned())
        } else if let Some((k, v)) = p.split_once("!=") {
            Requirement::NotEquals(k.trim().to_owned(), v.trim().to_owned())
        } else if let Some((k, v)) = p.split_once("==") {
            Requirement::Equals(k.trim().to_owned(), v.trim().to_owned())
        } else if let Some((k, v)) = p.split_once('=') {
            Requirement::Equals(k.trim().to_owned(), v.trim().to_owned())
        } else if let Some((k, rest)) = p.split_once(" notin") {
            Requirement::NotIn(k.trim().to_owned(), parse_set(rest, p)?)
        } else if let Some((k, rest)) = p.split_once(" in") {
            Requirement::In(k.trim().to_owned(), parse_set(rest, p)?)
        } else if p.contains(char::is_whitespace) {
            return Err(format!("unable to parse requirement: found '{p}'"));
        } else {
            Requirement::Exists(p.to_owned())
        };
        reqs.push(req);
    }
    Ok(reqs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_load::{Limits, Syntax, load};

    fn doc(text: &str) -> Node {
        load(text, Syntax::Yaml, &Limits::default())
            .documents
            .remove(0)
            .root
    }

    fn res(text: &str) -> Resource {
        Resource::new(doc(text))
    }

    const DEP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-1\n  labels: {app: web, tier: front}\n  annotations: {team: a}\n";

    fn sel(text: &str) -> Selector {
        Selector::parse(&doc(text)).unwrap()
    }

    #[test]
    fn regexes_are_anchored() {
        let d = res(DEP);
        assert!(sel("name: web-.*").matches(&d));
        assert!(!sel("name: web").matches(&d));
        assert!(sel("kind: Deploy.*\ngroup: apps").matches(&d));
        assert!(!sel("group: \"\"\nkind: Service").matches(&d));
        assert!(sel("namespace: default").matches(&d));
        let ns = res("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n");
        assert!(!sel("namespace: default").matches(&ns));
    }

    #[test]
    fn label_and_annotation_selectors() {
        let d = res(DEP);
        assert!(sel("labelSelector: app=web").matches(&d));
        assert!(sel("labelSelector: app==web,tier").matches(&d));
        assert!(sel("labelSelector: app in (web, api), !missing").matches(&d));
        assert!(!sel("labelSelector: app notin (web)").matches(&d));
        assert!(sel("labelSelector: other!=x").matches(&d));
        assert!(!sel("labelSelector: tier!=front").matches(&d));
        assert!(sel("annotationSelector: team=a").matches(&d));
        assert!(!sel("annotationSelector: team=b").matches(&d));
    }

    #[test]
    fn original_names_match_too() {
        let mut d = res(DEP);
        d.previous_ids.push(d.id());
        if let Some(Value::Map(m)) = d.node.get_mut("metadata").map(|m| &mut m.value) {
            m[0].value = Node::new(Value::String("p-web-1".into()), Span::default());
        }
        assert!(sel("name: web-1").matches(&d));
        assert!(sel("name: p-web-1").matches(&d));
    }
}
