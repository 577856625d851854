//! Field specs: which fields of which kinds each built-in transformer
//! touches, as kustomize's transformer configuration lists them.
//!
//! [`FieldSpecs::builtin`] is kustomize v5.5's default configuration;
//! [`FieldSpecs::from_configuration`] reads a user `configurations:` file and
//! [`FieldSpecs::merge`] combines two configurations the way kustomize's
//! `TransformerConfig.Merge` does (deduplicating "effectively equal" specs,
//! refusing two that disagree on `create`, then sorting each list by kind
//! order). [`walk`] visits the nodes a spec selects in one object.

mod builtin;
pub mod walk;

pub use walk::{CreateKind, walk, walk_unchecked};

use crate::Problem;
use tollgate_load::{Node, Span, Value};

/// A group/version/kind selector; an empty field matches anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gvk {
    /// API group (`""`: any).
    pub group: String,
    /// API version (`""`: any).
    pub version: String,
    /// Kind (`""`: any).
    pub kind: String,
}

impl Gvk {
    /// A selector for `kind` only.
    pub fn kind(kind: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            ..Self::default()
        }
    }

    /// Whether an object of `group`/`version`/`kind` is selected by `self`
    /// (kustomize's `Gvk.IsSelected` with `self` as the selector).
    pub fn selects(&self, group: &str, version: &str, kind: &str) -> bool {
        (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
            && (self.kind.is_empty() || self.kind == kind)
    }

    /// Kustomize's `Gvk.IsLessThan`: kinds in its fixed order first, then
    /// `group_version_kind` with `~G`/`~V`/`~K` standing for empty fields.
    pub fn is_less_than(&self, other: &Gvk) -> bool {
        let (a, b) = (kind_order(&self.kind), kind_order(&other.kind));
        if a != b {
            return a < b;
        }
        self.stable_sort_string() < other.stable_sort_string()
    }

    fn stable_sort_string(&self) -> String {
        crate::order::gvk_string(&self.group, &self.version, &self.kind)
    }
}

/// Kustomize's `typeOrders`: these kinds sort first (negative), webhook
/// configurations last, everything else at 0.
fn kind_order(kind: &str) -> i64 {
    use crate::order::{ORDER_FIRST, ORDER_LAST, kind_rank};
    kind_rank(kind, ORDER_FIRST, ORDER_LAST)
}

/// One field spec: a path (`spec/template/metadata/labels`, `[]` marks a
/// list, `\/` an escaped slash) in objects the gvk selects.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSpec {
    /// Which objects.
    pub gvk: Gvk,
    /// The `/`-separated path.
    pub path: String,
    /// Whether missing fields along the path are created.
    pub create: bool,
}

impl FieldSpec {
    /// A spec of `path` on every object.
    pub fn any(path: &str, create: bool) -> Self {
        Self {
            gvk: Gvk::default(),
            path: path.to_owned(),
            create,
        }
    }

    /// Kustomize's `effectivelyEquals`: same path, and `self`'s gvk is
    /// selected by `other`'s (an empty field of `other` matches anything).
    fn effectively_equals(&self, other: &FieldSpec) -> bool {
        self.path == other.path
            && other
                .gvk
                .selects(&self.gvk.group, &self.gvk.version, &self.gvk.kind)
    }

    /// Reads one field spec (`group`, `version`, `kind`, `path`, `create`;
    /// unknown keys are refused as kustomize's strict reading does).
    pub fn read(node: &Node) -> Result<FieldSpec, Problem> {
        parse_spec(node)
    }

    /// The path split into segments (a leading `/` dropped, `\/` kept as `/`).
    pub fn segments(&self) -> Vec<String> {
        split_path(&self.path)
    }
}

/// Kustomize's `PathSplitter` with `/`: a segment ending in `\` swallows the
/// next one.
pub fn split_path(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 1 && parts.first().is_some_and(|p| p.is_empty()) {
        parts.remove(0);
    }
    let mut out: Vec<String> = Vec::new();
    for part in parts {
        match out.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('/');
                last.push_str(part);
            }
            _ => out.push(part.to_owned()),
        }
    }
    out
}

/// A list of field specs with kustomize's merge rules.
pub type FsSlice = Vec<FieldSpec>;

/// The fields that refer to objects of one kind by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameBackRef {
    /// The kind referred to (the referral).
    pub gvk: Gvk,
    /// The fields holding its name (the referrers).
    pub referrers: FsSlice,
}

/// A transformer configuration: one spec list per built-in transformer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSpecs {
    /// `namePrefix`.
    pub name_prefix: FsSlice,
    /// `nameSuffix`.
    pub name_suffix: FsSlice,
    /// `namespace`.
    pub namespace: FsSlice,
    /// `commonLabels` (selectors included).
    pub common_labels: FsSlice,
    /// `labels` (extra specs for every `labels:` entry).
    pub labels: FsSlice,
    /// `templateLabels` (`labels:` entries with `includeTemplates`).
    pub template_labels: FsSlice,
    /// `commonAnnotations`.
    pub common_annotations: FsSlice,
    /// `nameReference`.
    pub name_reference: Vec<NameBackRef>,
    /// `varReference`.
    pub var_reference: FsSlice,
    /// `images`.
    pub images: FsSlice,
    /// `replicas`.
    pub replicas: FsSlice,
}

impl FieldSpecs {
    /// Kustomize v5.5's default configuration (sorted as kustomize sorts it).
    pub fn builtin() -> FieldSpecs {
        let mut specs = builtin::specs();
        specs.sort();
        specs
    }

    /// The configuration a kustomization's transformers use: the built-in
    /// one merged with the `configurations:` files (parsed documents, those of
    /// the levels below first, then this level's), as kustomize's
    /// `MakeTransformerConfig` and the accumulator merge them. A merge
    /// conflict lands on the file that brought it.
    pub fn with_configurations(configurations: &[Node]) -> Result<FieldSpecs, Problem> {
        let mut out = FieldSpecs::builtin();
        for node in configurations {
            let user = FieldSpecs::from_configuration(node)?;
            out = out.merge(&user).map_err(|e| Problem::error(e, node.span))?;
        }
        Ok(out)
    }

    /// Reads a `configurations:` file (kustomize refuses unknown fields).
    /// Problems land on the offending node.
    pub fn from_configuration(node: &Node) -> Result<FieldSpecs, Problem> {
        let mut out = FieldSpecs::default();
        let Value::Map(entries) = &node.value else {
            if matches!(node.value, Value::Null) {
                return Ok(out);
            }
            return Err(Problem::error(
                "a transformer configuration must be a mapping",
                node.span,
            ));
        };
        for e in entries {
            let list = match e.key.as_str() {
                "namePrefix" => &mut out.name_prefix,
                "nameSuffix" => &mut out.name_suffix,
                "namespace" => &mut out.namespace,
                "commonLabels" => &mut out.common_labels,
                "labels" => &mut out.labels,
                "templateLabels" => &mut out.template_labels,
                "commonAnnotations" => &mut out.common_annotations,
                "varReference" => &mut out.var_reference,
                "images" => &mut out.images,
                "replicas" => &mut out.replicas,
                "nameReference" => {
                    for item in seq_items(&e.value)? {
                        out.name_reference.push(parse_backref(item)?);
                    }
                    continue;
                }
                other => {
                    return Err(Problem::error(
                        format!("unknown field \"{other}\" in a transformer configuration"),
                        e.key_span,
                    ));
                }
            };
            for item in seq_items(&e.value)? {
                list.push(parse_spec(item)?);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Kustomize's `TransformerConfig.Merge`: `other`'s specs are added to
    /// `self`'s unless an effectively equal one is there (a disagreement on
    /// `create` is an error, "conflicting fieldspecs"); then every list is
    /// sorted by kind order.
    pub fn merge(&self, other: &FieldSpecs) -> Result<FieldSpecs, String> {
        let m = |a: &FsSlice, b: &FsSlice, what: &str| {
            merge_all(a, b).map_err(|e| format!("failed to merge {what} fieldSpec: {e}"))
        };
        let mut out = FieldSpecs {
            name_prefix: m(&self.name_prefix, &other.name_prefix, "NamePrefix")?,
            name_suffix: m(&self.name_suffix, &other.name_suffix, "NameSuffix")?,
            namespace: m(&self.namespace, &other.namespace, "NameSpace")?,
            common_annotations: m(
                &self.common_annotations,
                &other.common_annotations,
                "CommonAnnotations",
            )?,
            common_labels: m(&self.common_labels, &other.common_labels, "CommonLabels")?,
            labels: m(&self.labels, &other.labels, "Labels")?,
            template_labels: m(
                &self.template_labels,
                &other.template_labels,
                "TemplateLabels",
            )?,
            var_reference: m(&self.var_reference, &other.var_reference, "VarReference")?,
            name_reference: self.name_reference.clone(),
            images: m(&self.images, &other.images, "Images")?,
            replicas: m(&self.replicas, &other.replicas, "Replicas")?,
        };
        for incoming in &other.name_reference {
            let mut found = false;
            for existing in &mut out.name_reference {
                if existing.gvk == incoming.gvk {
                    existing.referrers = merge_all(&existing.referrers, &incoming.referrers)
                        .map_err(|e| format!("failed to merge NameReference fieldSpec: {e}"))?;
                    found = true;
                }
            }
            if !found {
                out.name_reference.push(incoming.clone());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Sorts every list by kustomize's gvk order (stable: kustomize's sort is
    /// not, which only matters between specs of the same gvk).
    fn sort(&mut self) {
        for list in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            list.sort_by(|a, b| order(&a.gvk, &b.gvk));
        }
        self.name_reference.sort_by(|a, b| order(&a.gvk, &b.gvk));
    }
}

fn order(a: &Gvk, b: &Gvk) -> std::cmp::Ordering {
    if a.is_less_than(b) {
        std::cmp::Ordering::Less
    } else if b.is_less_than(a) {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

/// Kustomize's `FsSlice.MergeAll`.
pub fn merge_all(base: &[FieldSpec], incoming: &[FieldSpec]) -> Result<FsSlice, String> {
    let mut out = base.to_vec();
    for x in incoming {
        merge_one(&mut out, x.clone())?;
    }
    Ok(out)
}

/// Kustomize's `FsSlice.MergeOne`.
pub fn merge_one(list: &mut FsSlice, x: FieldSpec) -> Result<(), String> {
    match list.iter().find(|s| s.effectively_equals(&x)) {
        Some(s) if s.create != x.create => Err("conflicting fieldspecs".to_owned()),
        Some(_) => Ok(()),
        None => {
            list.push(x);
            Ok(())
        }
    }
}

fn seq_items(node: &Node) -> Result<&[Node], Problem> {
    match &node.value {
        Value::Seq(items) => Ok(items),
        Value::Null => Ok(&[]),
        _ => Err(Problem::error("expected a list of field specs", node.span)),
    }
}

fn string_field(node: &Node, span: Span) -> Result<String, Problem> {
    match &node.value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        _ => Err(Problem::error("expected a string", span)),
    }
}

fn parse_spec(node: &Node) -> Result<FieldSpec, Problem> {
    let Value::Map(entries) = &node.value else {
        return Err(Problem::error("a field spec must be a mapping", node.span));
    };
    let mut spec = FieldSpec::default();
    for e in entries {
        match e.key.as_str() {
            "group" => spec.gvk.group = string_field(&e.value, e.value.span)?,
            "version" => spec.gvk.version = string_field(&e.value, e.value.span)?,
            "kind" => spec.gvk.kind = string_field(&e.value, e.value.span)?,
            "path" => spec.path = string_field(&e.value, e.value.span)?,
            "create" => {
                spec.create = match e.value.value {
                    Value::Bool(b) => b,
                    Value::Null => false,
                    _ => return Err(Problem::error("create must be true or false", e.value.span)),
                }
            }
            other => {
                return Err(Problem::error(
                    format!("unknown field \"{other}\" in a field spec"),
                    e.key_span,
                ));
            }
        }
    }
    Ok(spec)
}

fn parse_backref(node: &Node) -> Result<NameBackRef, Problem> {
    let Value::Map(entries) = &node.value else {
        return Err(Problem::error(
            "a nameReference entry must be a mapping",
            node.span,
        ));
    };
    let mut out = NameBackRef::default();
    for e in entries {
        match e.key.as_str() {
            "group" => out.gvk.group = string_field(&e.value, e.value.span)?,
            "version" => out.gvk.version = string_field(&e.value, e.value.span)?,
            "kind" => out.gvk.kind = string_field(&e.value, e.value.span)?,
            "fieldSpecs" => {
                for item in seq_items(&e.value)? {
                    out.referrers.push(parse_spec(item)?);
                }
            }
            other => {
                return Err(Problem::error(
                    format!("unknown field \"{other}\" in a nameReference entry"),
                    e.key_span,
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
