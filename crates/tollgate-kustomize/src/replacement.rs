//! kustomize's `replacements`: copy a value from one field of a source
//! resource into fields of target resources (`api/filters/replacement`,
//! v5.5), with kustomize's selection, path syntax, options and errors.
//!
//! Selection is by exact ids (group, version, kind, name, namespace; empty
//! matches anything), against a resource's current *and* previous ids;
//! targets may also use `labelSelector`/`annotationSelector`, and `reject`
//! entries remove resources by id or by label/annotation selector. Paths are
//! kyaml's (see [`path`]): `spec.template.spec.containers.[name=app].image`,
//! `spec.ports.0.port`, `*` in targets only; in targets `[name=x]` is an
//! unanchored regular expression (`[name=app]` also matches `myapp`), as in
//! kustomize.
//!
//! Writing keeps kyaml's quirks: a scalar target keeps its type and takes
//! the source's text (`replicas: 1` given `"3"` becomes `3`; text that cannot
//! have the target's type is kustomize's decode error); a field made by
//! `options.create` takes the type its text reads as; a mapping or sequence
//! target is replaced by a copy of the source node.
//!
//! Provenance: a written node (and a created key) gets the span of the
//! **source node** it copies, the line holding the value that ended up in
//! the target; a copied mapping or sequence keeps the source's spans
//! throughout. The source line is where the value can be changed, so a
//! finding on a replaced image or replica count lands where it is fixed;
//! the replacement entry itself is only plumbing. With `options.delimiter`
//! the joined value mixes the target's text and the source's; it too gets
//! the source's span, since the part that changed came from there.

pub(crate) mod path;

use crate::patch::Selector;
use crate::{Node, Problem, ResId, Resource, Span, Value};
use path::NewKind;
use tollgate_load::scalar::{Resolved, resolve_plain};

/// Applies `replacements`, each the parsed mapping of one replacement
/// (`source`, `targets`), in order, to `resources`. Entries given as `path:`
/// in the kustomization are read and parsed by the build first (a file
/// holds one mapping or a list of them). Called among a kustomization's
/// transformers, after `images` (kustomize runs the ReplacementTransformer
/// last of the builtins but ValueAdd).
pub fn apply_replacements(
    resources: &mut [Resource],
    replacements: &[Node],
) -> Result<(), Problem> {
    for r in replacements {
        apply_one(resources, r)?;
    }
    Ok(())
}

/// Options of a source or a target (`types.FieldOptions`).
#[derive(Clone, Debug, Default)]
struct FieldOptions {
    delimiter: String,
    index: i64,
    create: bool,
}

impl FieldOptions {
    fn parse(node: Option<&Node>) -> Result<Self, Problem> {
        let mut o = FieldOptions::default();
        let Some(node) = node else { return Ok(o) };
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    match (
                        canonical(&e.key, &["delimiter", "index", "create", "encoding"]),
                        &e.value.value,
                    ) {
                        ("delimiter", Value::String(s)) => o.delimiter = s.clone(),
                        ("index", Value::Int(i)) => o.index = *i,
                        ("create", Value::Bool(b)) => o.create = *b,
                        (_, Value::Null) | ("encoding", Value::String(_)) => {}
                        ("delimiter" | "index" | "create", _) => {
                            return Err(Problem::error(
                                format!("replacement options: '{}' has the wrong type", e.key),
                                e.value.span,
                            ));
                        }
                        _ => {}
                    }
                }
                Ok(o)
            }
            Value::Null => Ok(o),
            _ => Err(Problem::error(
                "replacement options must be a mapping",
                node.span,
            )),
        }
    }

    /// kustomize's `FieldOptions.String`.
    fn describe(&self) -> String {
        if self.delimiter.is_empty() && !self.create {
            return String::new();
        }
        format!("{}({}), create={}", self.delimiter, self.index, self.create)
    }
}

/// The id part of a selector (`resid.ResId` inline): exact values, "" for any.
#[derive(Clone, Debug, Default)]
struct IdSelector {
    id: ResId,
}

impl IdSelector {
    fn parse(node: &Node) -> Self {
        let field = |k: &str| match path::field(node, k).map(|n| &n.value) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(_) => path::field(node, k)
                .map(path::scalar_text)
                .unwrap_or_default(),
        };
        IdSelector {
            id: ResId {
                group: field("group"),
                version: field("version"),
                kind: field("kind"),
                namespace: field("namespace"),
                name: field("name"),
            },
        }
    }

    fn is_empty(&self) -> bool {
        let i = &self.id;
        i.group.is_empty()
            && i.version.is_empty()
            && i.kind.is_empty()
            && i.name.is_empty()
            && i.namespace.is_empty()
    }

    /// kyaml's `ResId.IsSelectedBy`.
    fn selects(&self, id: &ResId) -> bool {
        let s = &self.id;
        (s.name.is_empty() || s.name == id.name)
            && (s.namespace.is_empty()
                || crate::patch::select::effective_namespace(s)
                    == crate::patch::select::effective_namespace(id))
            && (s.group.is_empty() || s.group == id.group)
            && (s.version.is_empty() || s.version == id.version)
            && (s.kind.is_empty() || s.kind == id.kind)
    }
}

/// The name of `key` among `known` ignoring case (Go's JSON field
/// matching), or `key` itself.
fn canonical<'k>(key: &'k str, known: &[&'static str]) -> &'k str {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key))
        .copied()
        .unwrap_or(key)
}

/// kyaml's `ResId.String`: `Kind.Version.Group/Name.Namespace`.
fn id_string(id: &ResId) -> String {
    let or = |s: &str, none: &str| {
        if s.is_empty() {
            none.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{}.{}.{}/{}.{}",
        or(&id.kind, "[noKind]"),
        or(&id.version, "[noVer]"),
        or(&id.group, "[noGrp]"),
        or(&id.name, "[noName]"),
        or(&id.namespace, "[noNs]")
    )
}

fn ids_of(r: &Resource) -> Vec<ResId> {
    std::iter::once(r.id())
        .chain(r.previous_ids.iter().cloned())
        .collect()
}

fn string_field(node: &Node, key: &str) -> Result<Option<String>, Problem> {
    match path::field(node, key) {
        None => Ok(None),
        Some(n) => match &n.value {
            Value::String(s) => Ok(Some(s.clone())),
            Value::Null => Ok(None),
            _ => Err(Problem::error(
                format!("replacement '{key}' must be a string"),
                n.span,
            )),
        },
    }
}

fn apply_one(resources: &mut [Resource], r: &Node) -> Result<(), Problem> {
    let (Some(source), Some(targets)) = (
        path::field(r, "source").filter(|n| !matches!(n.value, Value::Null)),
        path::field(r, "targets").filter(|n| !matches!(n.value, Value::Null)),
    ) else {
        return Err(Problem::error(
            "replacements must specify a source and at least one target",
            r.span,
        ));
    };
    let value = source_value(resources, source)?;
    let Value::Seq(targets) = &targets.value else {
        return Err(Problem::error(
            "replacement targets must be a list",
            targets.span,
        ));
    };
    for t in targets {
        apply_target(resources, t, &value)?;
    }
    Ok(())
}

/// The source node (a copy), refined by `options.delimiter`/`index`.
fn source_value(resources: &[Resource], source: &Node) -> Result<Node, Problem> {
    let sel = IdSelector::parse(source);
    let field_path = string_field(source, "fieldPath")?;
    let options = FieldOptions::parse(path::field(source, "options"))?;
    let describe = || {
        let mut parts = vec![id_string(&sel.id)];
        if let Some(fp) = field_path.as_ref().filter(|f| !f.is_empty()) {
            parts.push(fp.clone());
        }
        let o = options.describe();
        if !o.is_empty() {
            parts.push(o);
        }
        parts.join(":")
    };
    let mut found: Option<&Resource> = None;
    for res in resources {
        if ids_of(res).iter().any(|id| sel.selects(id)) {
            if found.is_some() {
                return Err(Problem::error(
                    format!("multiple matches for selector {}", describe()),
                    source.span,
                ));
            }
            found = Some(res);
        }
    }
    let Some(res) = found else {
        return Err(Problem::error(
            format!("nothing selected by {}", describe()),
            source.span,
        ));
    };
    let fp = field_path
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "metadata.name".to_owned());
    let at = path::field(source, "fieldPath").map_or(source.span, |n| n.span);
    let node = path::lookup(&res.node, &path::split(&fp))
        .map_err(|m| Problem::error(format!("error looking up replacement source: {m}"), at))?;
    let node = node.filter(|n| match &n.value {
        Value::Null => false,
        Value::Map(e) => !e.is_empty(),
        Value::Seq(i) => !i.is_empty(),
        _ => true,
    });
    let Some(node) = node else {
        return Err(Problem::error(
            format!(
                "fieldPath `{fp}` is missing for replacement source {}",
                id_string(&sel.id)
            ),
            at,
        ));
    };
    if options.delimiter.is_empty() {
        return Ok(node.clone());
    }
    if matches!(node.value, Value::Map(_) | Value::Seq(_)) {
        return Err(Problem::error(
            "delimiter option can only be used with scalar nodes",
            at,
        ));
    }
    let text = path::scalar_text(node);
    let parts: Vec<&str> = text.split(options.delimiter.as_str()).collect();
    let part = usize::try_from(options.index)
        .ok()
        .and_then(|i| parts.get(i));
    let Some(part) = part else {
        return Err(Problem::error(
            format!(
                "options.index {} is out of bounds for value {text}",
                options.index
            ),
            at,
        ));
    };
    // The refined value keeps the source node's type, with the part's text.
    Ok(Node::new(
        retyped(&node.value, part).unwrap_or(Value::String((*part).to_owned())),
        node.span,
    ))
}

/// Whether `resource` passes the label/annotation parts of `select` and of
/// every `reject` (kustomize's `selectByAnnoAndLabel`).
fn by_labels(resource: &Resource, select: &Node, rejects: &[&Node]) -> Result<bool, Problem> {
    if !label_selector(select)?.is_none_or(|s| s.matches(resource)) {
        return Ok(false);
    }
    for r in rejects {
        if let Some(s) = label_selector(r)?
            && s.matches(resource)
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The `labelSelector`/`annotationSelector` of a selector node, as a patch
/// [`Selector`] without id fields; `None` when both are empty.
fn label_selector(node: &Node) -> Result<Option<Selector>, Problem> {
    let Value::Map(entries) = &node.value else {
        return Ok(None);
    };
    let kept: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.key.eq_ignore_ascii_case("labelSelector")
                || e.key.eq_ignore_ascii_case("annotationSelector")
        })
        .filter(|e| e.value.as_str().is_some_and(|s| !s.is_empty()))
        .cloned()
        .collect();
    if kept.is_empty() {
        return Ok(None);
    }
    Selector::parse(&Node::new(Value::Map(kept), node.span))
        .map(Some)
        .map_err(|e| Problem::error(e.message, e.span))
}

fn apply_target(resources: &mut [Resource], t: &Node, value: &Node) -> Result<(), Problem> {
    let Some(select) = path::field(t, "select").filter(|n| !matches!(n.value, Value::Null)) else {
        return Err(Problem::error(
            "target must specify resources to select",
            t.span,
        ));
    };
    let select_id = IdSelector::parse(select);
    let rejects: Vec<&Node> = match path::field(t, "reject").map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    let reject_ids: Vec<IdSelector> = rejects
        .iter()
        .map(|n| IdSelector::parse(n))
        .filter(|s| !s.is_empty())
        .collect();
    let mut field_paths: Vec<&Node> = match path::field(t, "fieldPaths").map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    let default_path = Node::new(Value::String("metadata.name".to_owned()), t.span);
    if field_paths.is_empty() {
        field_paths.push(&default_path);
    }
    let options = FieldOptions::parse(path::field(t, "options"))?;
    for res in resources.iter_mut() {
        if !by_labels(res, select, &rejects)? {
            continue;
        }
        let ids = ids_of(res);
        let rejected = reject_ids
            .iter()
            .any(|r| ids.iter().any(|id| r.selects(id)));
        if rejected || !ids.iter().any(|id| select_id.selects(id)) {
            continue;
        }
        for fp in &field_paths {
            copy_to_target(res, fp, value, &options)?;
        }
    }
    Ok(())
}

fn copy_to_target(
    res: &mut Resource,
    fp_node: &Node,
    value: &Node,
    options: &FieldOptions,
) -> Result<(), Problem> {
    let fp = path::scalar_text(fp_node);
    let kind = match value.value {
        Value::Map(_) => NewKind::Map,
        Value::Seq(_) => NewKind::Seq,
        _ => NewKind::Scalar,
    };
    let create = options.create.then_some(kind);
    let prefix = if create.is_some() {
        format!("unable to find or create field {fp:?} in replacement target")
    } else {
        format!("unable to find field {fp:?} in replacement target")
    };
    let mut visit = |target: &mut Node, created: bool| {
        set_field_value(target, created, value, options, fp_node.span)
    };
    let outcome = path::for_each_match(
        &mut res.node,
        &path::split(&fp),
        create,
        value.span,
        &mut visit,
        false,
    )?;
    match outcome {
        Ok(0) => Err(Problem::error(prefix, fp_node.span)),
        Ok(_) => Ok(()),
        Err(m) => Err(Problem::error(format!("{prefix}: {m}"), fp_node.span)),
    }
}

/// kustomize's `setFieldValue`, with tollgate's spans.
fn set_field_value(
    target: &mut Node,
    created: bool,
    value: &Node,
    options: &FieldOptions,
    at: Span,
) -> Result<(), Problem> {
    let scalar_target = !matches!(target.value, Value::Map(_) | Value::Seq(_));
    let mut text = path::scalar_text(value);
    if !options.delimiter.is_empty() {
        if !scalar_target || created && matches!(value.value, Value::Map(_) | Value::Seq(_)) {
            return Err(Problem::error(
                "delimiter option can only be used with scalar nodes",
                at,
            ));
        }
        let current = if created {
            String::new()
        } else {
            path::scalar_text(target)
        };
        let mut parts: Vec<String> = current
            .split(options.delimiter.as_str())
            .map(str::to_owned)
            .collect();
        match usize::try_from(options.index) {
            Err(_) => parts.insert(0, text),
            Ok(i) if i >= parts.len() => parts.push(text),
            Ok(i) => parts[i] = text,
        }
        text = parts.join(&options.delimiter);
    } else if !scalar_target || created && matches!(value.value, Value::Map(_) | Value::Seq(_)) {
        // A mapping or sequence target (or one just created for such a
        // source) becomes a copy of the source node.
        *target = value.clone();
        return Ok(());
    }
    // A scalar target keeps its type (kyaml keeps the node's tag); a created
    // one takes the type its text reads as.
    let new_value = if created {
        match resolve_plain(&text) {
            Resolved::Value(v) => v,
            Resolved::NotRepresentable => Value::String(text),
        }
    } else {
        match retyped(&target.value, &text) {
            Some(v) => v,
            None => {
                return Err(Problem::error(
                    format!(
                        "yaml: cannot decode {} `{text}` as a {}",
                        tag_of_text(&text),
                        tag_of(&target.value)
                    ),
                    value.span,
                ));
            }
        }
    };
    *target = Node::new(new_value, value.span);
    Ok(())
}

/// `text` as a value of the type of `like`, or `None` when it cannot be one.
fn retyped(like: &Value, text: &str) -> Option<Value> {
    if let Value::String(_) = like {
        return Some(Value::String(text.to_owned()));
    }
    let resolved = match resolve_plain(text) {
        Resolved::Value(v) => v,
        Resolved::NotRepresentable => return None,
    };
    match (like, resolved) {
        (Value::Int(_) | Value::UInt(_), v @ (Value::Int(_) | Value::UInt(_))) => Some(v),
        (Value::Float(_), v @ (Value::Int(_) | Value::UInt(_) | Value::Float(_))) => Some(v),
        (Value::Bool(_), v @ Value::Bool(_)) => Some(v),
        (Value::Null, v @ Value::Null) => Some(v),
        _ => None,
    }
}

fn tag_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "!!null",
        Value::Bool(_) => "!!bool",
        Value::Int(_) | Value::UInt(_) => "!!int",
        Value::Float(_) => "!!float",
        Value::String(_) => "!!str",
        Value::Seq(_) => "!!seq",
        Value::Map(_) => "!!map",
    }
}

fn tag_of_text(text: &str) -> &'static str {
    match resolve_plain(text) {
        Resolved::Value(v) => tag_of(&v),
        Resolved::NotRepresentable => "!!float",
    }
}

#[cfg(test)]
mod tests;
