//! The kustomization file of a directory, found and parsed into a typed view
//! that keeps the spanned [`Node`] of every field.
//!
//! kustomize (v5.5) looks for `kustomization.yaml`, `kustomization.yml` and
//! `Kustomization`; more than one is an error, none is an error. It decodes the
//! file strictly (an unknown field is an error) and folds the legacy fields
//! into their successors (`bases` into `resources`, `imageTags` into
//! `images`). Here every field keeps its node, so a finding about a rendered
//! object can land on the kustomization line that caused it. Fields tollgate
//! does not render (Helm, plugins, remote bases are decided later) become
//! `render-unsupported` problems at the field's key.

use crate::files::Reader;
use crate::{Node, Problem, Span, Value};
use tollgate_load::FileId;

/// The file names kustomize recognises, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Every top-level field kustomize v5.5 decodes.
const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

/// Fields kustomize honours that tollgate does not render, with the reason.
const UNSUPPORTED_FIELDS: [(&str, &str); 9] = [
    ("helmCharts", "Helm charts are inflated by the helm binary"),
    ("helmGlobals", "Helm charts are inflated by the helm binary"),
    (
        "helmChartInflationGenerator",
        "Helm charts are inflated by the helm binary",
    ),
    (
        "generators",
        "generator plugins and KRM functions run external code",
    ),
    (
        "transformers",
        "transformer plugins and KRM functions run external code",
    ),
    ("validators", "validator plugins run external code"),
    (
        "openapi",
        "a custom OpenAPI schema changes strategic merges",
    ),
    ("crds", "CRD schemas change name references and merges"),
    (
        "buildMetadata",
        "build metadata adds origin/transformer annotations",
    ),
];

/// `kind:` of a kustomization file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// `Kustomization` (also when `kind` is absent).
    #[default]
    Kustomization,
    /// `Component` (`kustomize.config.k8s.io/v1alpha1`).
    Component,
}

/// A path-valued list entry (`resources`, `components`, `configurations`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct PathEntry {
    /// The path as written.
    pub path: String,
    /// Where it was written.
    pub span: Span,
}

/// One parsed kustomization file.
#[derive(Clone, Debug)]
pub struct Kustomization {
    /// The directory, relative to the repository root.
    pub dir: String,
    /// The file's repository path.
    pub path: String,
    /// The file's id in the render's file table.
    pub file: FileId,
    /// The whole document (generators read their fields from it).
    pub root: Node,
    /// `Kustomization` or `Component`.
    pub kind: Kind,
    /// `resources`, then the legacy `bases` (kustomize appends them).
    pub resources: Vec<PathEntry>,
    /// `components`.
    pub components: Vec<PathEntry>,
    /// `configurations` (transformer field-spec files).
    pub configurations: Vec<PathEntry>,
    /// `images`, then the legacy `imageTags` entries.
    pub images: Vec<Node>,
    /// Fields tollgate does not render, as problems at their keys.
    pub unsupported: Vec<Problem>,
}

impl Kustomization {
    /// A top-level field's value, if set (and not null).
    pub fn field(&self, name: &str) -> Option<&Node> {
        self.root
            .get(name)
            .filter(|n| !matches!(n.value, Value::Null))
    }

    /// The span of a field's key (where problems about the whole field land),
    /// or the document's span when it is absent.
    pub fn key_span(&self, name: &str) -> Span {
        key_span(&self.root, name).unwrap_or(self.root.span)
    }

    /// The items of a sequence field (empty when absent).
    pub fn items(&self, name: &str) -> &[Node] {
        match self.field(name).map(|n| &n.value) {
            Some(Value::Seq(items)) => items,
            _ => &[],
        }
    }

    /// A string field's value and node (`namespace`, `namePrefix`, ...),
    /// `None` when absent or empty.
    pub fn string(&self, name: &str) -> Option<(&str, &Node)> {
        let node = self.field(name)?;
        node.as_str().filter(|s| !s.is_empty()).map(|s| (s, node))
    }
}

fn key_span(node: &Node, name: &str) -> Option<Span> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|e| e.key == name).map(|e| e.key_span),
        _ => None,
    }
}

/// Finds and parses the kustomization file in `dir`. `at` is where a missing
/// or ambiguous kustomization is reported (the `resources` entry naming the
/// directory, or the target itself).
pub fn load(reader: &mut Reader<'_>, dir: &str, at: Span) -> Result<Kustomization, Problem> {
    let listed = reader.list(dir).unwrap_or_default();
    let found: Vec<&str> = FILE_NAMES
        .iter()
        .copied()
        .filter(|n| listed.iter().any(|l| l == n))
        .collect();
    let display = if dir.is_empty() { "." } else { dir };
    let name = match found.as_slice() {
        [] => {
            return Err(Problem::error(
                format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or \
                     'Kustomization' in directory '{display}'"
                ),
                at,
            ));
        }
        [one] => *one,
        _ => {
            return Err(Problem::error(
                format!("Found multiple kustomization files under: {display}"),
                at,
            ));
        }
    };
    let path = crate::files::join_normalised(dir, name).map_err(|m| Problem::error(m, at))?;
    let (file, text) = reader.read_path(&path, at)?;
    let loaded = tollgate_load::load(&text, tollgate_load::Syntax::Yaml, &reader.limits);
    if let Some(p) = loaded.problems.first() {
        return Err(Problem::error(
            format!("invalid Kustomization: {}", p.message),
            p.span.in_file(file),
        ));
    }
    let mut docs = loaded.documents.into_iter();
    let mut root = match docs.next() {
        Some(d) => d.root,
        None => Node::new(Value::Null, Span::new(0, 0)),
    };
    root.set_file(file);
    if let Some(extra) = docs.next() {
        return Err(Problem::error(
            "invalid Kustomization: a kustomization file holds one YAML document",
            extra.root.span.in_file(file),
        ));
    }
    parse(dir, &path, file, root)
}

/// Parses a kustomization document already loaded (spans in `file`).
pub fn parse(dir: &str, path: &str, file: FileId, root: Node) -> Result<Kustomization, Problem> {
    let entries = match &root.value {
        Value::Map(entries) => entries,
        Value::Null => return Err(Problem::error("kustomization.yaml is empty", root.span)),
        _ => {
            return Err(Problem::error(
                "invalid Kustomization: the document is not a mapping",
                root.span,
            ));
        }
    };
    let mut unsupported = Vec::new();
    for e in entries {
        if !KNOWN_FIELDS.contains(&e.key.as_str()) {
            let hint = suggest(&e.key)
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return Err(Problem::error(
                format!(
                    "invalid Kustomization: json: unknown field \"{}\"{hint}",
                    e.key
                ),
                e.key_span,
            ));
        }
        if matches!(e.value.value, Value::Null) {
            continue;
        }
        if let Some((_, why)) = UNSUPPORTED_FIELDS.iter().find(|(f, _)| *f == e.key)
            && !is_empty(&e.value)
        {
            unsupported.push(Problem::unsupported(
                format!(
                    "kustomization field '{}' is not rendered by tollgate: {why}",
                    e.key
                ),
                e.key_span,
            ));
        }
    }
    let only_type_meta = entries
        .iter()
        .all(|e| matches!(e.key.as_str(), "apiVersion" | "kind") || is_empty(&e.value));
    if only_type_meta {
        return Err(Problem::error("kustomization.yaml is empty", root.span));
    }
    let kind_node = root.get("kind");
    let kind_str = kind_node.and_then(Node::as_str).unwrap_or("");
    let kind = match kind_str {
        "" | "Kustomization" => Kind::Kustomization,
        "Component" => Kind::Component,
        _ => {
            return Err(Problem::error(
                format!(
                    "Failed to read kustomization file under {}:\nkind should be Kustomization or Component",
                    if dir.is_empty() { "." } else { dir }
                ),
                kind_node.map_or(root.span, |n| n.span),
            ));
        }
    };
    if let Some(v) = root.get("apiVersion") {
        let s = v.as_str().unwrap_or("");
        let required = match kind {
            Kind::Component => "kustomize.config.k8s.io/v1alpha1",
            Kind::Kustomization => "kustomize.config.k8s.io/v1beta1",
        };
        if !s.is_empty() && s != required {
            return Err(Problem::error(
                format!(
                    "Failed to read kustomization file under {}:\napiVersion for {} should be {required}",
                    if dir.is_empty() { "." } else { dir },
                    if kind_str.is_empty() {
                        "Kustomization"
                    } else {
                        kind_str
                    }
                ),
                v.span,
            ));
        }
    }
    check_types(&root)?;
    let mut resources = paths(&root, "resources")?;
    resources.extend(paths(&root, "bases")?);
    let mut images: Vec<Node> = seq(&root, "images").to_vec();
    images.extend(seq(&root, "imageTags").iter().cloned());
    Ok(Kustomization {
        dir: dir.to_owned(),
        path: path.to_owned(),
        file,
        components: paths(&root, "components")?,
        configurations: paths(&root, "configurations")?,
        resources,
        images,
        unsupported,
        kind,
        root,
    })
}

/// Whether a value is empty as Go's `omitempty`/`DeepEqual` sees it.
fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        _ => false,
    }
}

fn seq<'n>(root: &'n Node, name: &str) -> &'n [Node] {
    match root.get(name).map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

fn paths(root: &Node, name: &str) -> Result<Vec<PathEntry>, Problem> {
    seq(root, name)
        .iter()
        .map(|n| match &n.value {
            Value::String(s) => Ok(PathEntry {
                path: s.clone(),
                span: n.span,
            }),
            _ => Err(Problem::error(
                format!(
                    "invalid Kustomization: json: cannot unmarshal {} into Go struct field \
                     Kustomization.{name} of type string",
                    go_type(n)
                ),
                n.span,
            )),
        })
        .collect()
}

/// The shape each field must have, as Go's decoder checks it.
fn check_types(root: &Node) -> Result<(), Problem> {
    const STRINGS: [&str; 5] = [
        "apiVersion",
        "kind",
        "namePrefix",
        "nameSuffix",
        "namespace",
    ];
    const MAPS: [&str; 7] = [
        "metadata",
        "openapi",
        "commonLabels",
        "commonAnnotations",
        "sortOptions",
        "generatorOptions",
        "helmGlobals",
    ];
    let Value::Map(entries) = &root.value else {
        return Ok(());
    };
    for e in entries {
        let want = if STRINGS.contains(&e.key.as_str()) {
            "string"
        } else if MAPS.contains(&e.key.as_str()) {
            "object"
        } else {
            "array"
        };
        let ok = matches!(
            (&e.value.value, want),
            (Value::Null, _)
                | (Value::String(_), "string")
                | (Value::Map(_), "object")
                | (Value::Seq(_), "array")
        );
        if !ok {
            return Err(Problem::error(
                format!(
                    "invalid Kustomization: json: cannot unmarshal {} into Go struct field \
                     Kustomization.{} of type {}",
                    go_type(&e.value),
                    e.key,
                    match want {
                        "string" => "string",
                        "object" => "map",
                        _ => "slice",
                    }
                ),
                e.value.span,
            ));
        }
    }
    Ok(())
}

fn go_type(node: &Node) -> &'static str {
    match node.value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

/// The known field closest to an unknown one (edit distance at most 2, or
/// the same letters ignoring case).
fn suggest(unknown: &str) -> Option<&'static str> {
    let lower = unknown.to_ascii_lowercase();
    KNOWN_FIELDS
        .iter()
        .map(|f| (distance(&lower, &f.to_ascii_lowercase()), *f))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryFiles, Options};

    fn load_one(files: &[(&str, &str)], dir: &str) -> Result<Kustomization, Problem> {
        let files = MemoryFiles::from_pairs(files.iter().copied());
        let mut reader = Reader::new(&files, &Options::default());
        load(&mut reader, dir, Span::new(0, 0))
    }

    #[test]
    fn finds_and_parses_fields_with_spans() {
        let src =
            "resources:\n- a.yaml\nbases:\n- ../base\nnamespace: prod\nimageTags:\n- name: x\n";
        let k = load_one(&[("app/kustomization.yml", src)], "app").unwrap();
        assert_eq!(k.path, "app/kustomization.yml");
        assert_eq!(k.kind, Kind::Kustomization);
        let paths: Vec<&str> = k.resources.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["a.yaml", "../base"]);
        assert_eq!(
            &src[k.resources[1].span.start..k.resources[1].span.end],
            "../base"
        );
        assert_eq!(k.images.len(), 1);
        let (ns, node) = k.string("namespace").unwrap();
        assert_eq!(ns, "prod");
        assert_eq!(&src[node.span.start..node.span.end], "prod");
        assert!(k.unsupported.is_empty());
    }

    #[test]
    fn missing_multiple_and_empty() {
        let e = load_one(&[("app/x.yaml", "a: 1\n")], "app").unwrap_err();
        assert!(
            e.message
                .starts_with("unable to find one of 'kustomization.yaml'")
        );
        let e = load_one(
            &[
                ("d/kustomization.yaml", "resources: [a]\n"),
                ("d/Kustomization", "resources: [a]\n"),
            ],
            "d",
        )
        .unwrap_err();
        assert!(e.message.starts_with("Found multiple kustomization files"));
        let e = load_one(&[("d/kustomization.yaml", "kind: Kustomization\n")], "d").unwrap_err();
        assert_eq!(e.message, "kustomization.yaml is empty");
    }

    #[test]
    fn unknown_field_is_an_error_with_a_suggestion() {
        let src = "resources: [a.yaml]\nresource: [b.yaml]\n";
        let e = load_one(&[("kustomization.yaml", src)], "").unwrap_err();
        assert_eq!(e.rule, crate::RENDER_ERROR);
        assert!(
            e.message.contains("did you mean 'resources'"),
            "{}",
            e.message
        );
        assert_eq!(&src[e.span.start..e.span.end], "resource");
    }

    #[test]
    fn unsupported_fields_land_on_their_key() {
        let src = "resources: [a.yaml]\nhelmCharts:\n- name: x\n";
        let k = load_one(&[("kustomization.yaml", src)], "").unwrap();
        assert_eq!(k.unsupported.len(), 1);
        let p = &k.unsupported[0];
        assert_eq!(p.rule, crate::RENDER_UNSUPPORTED);
        assert_eq!(&src[p.span.start..p.span.end], "helmCharts");
    }

    #[test]
    fn component_kind_and_bad_types() {
        let src = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [a]\n";
        let k = load_one(&[("c/kustomization.yaml", src)], "c").unwrap();
        assert_eq!(k.kind, Kind::Component);
        let e = load_one(
            &[("kustomization.yaml", "kind: Other\nresources: [a]\n")],
            "",
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("kind should be Kustomization or Component")
        );
        let e = load_one(&[("kustomization.yaml", "resources: a.yaml\n")], "").unwrap_err();
        assert!(
            e.message.contains("Kustomization.resources"),
            "{}",
            e.message
        );
    }
}
