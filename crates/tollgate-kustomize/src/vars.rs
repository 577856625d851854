//! Legacy `vars`: `$(NAME)` in kustomize's var-reference fields replaced by
//! a field of a named object (`ResAccumulator.MergeVars`/`ResolveVars`,
//! `api/filters/refvar`, v5.5).
//!
//! Each kustomization's `vars` are bound, when that level is done, to the
//! one resource (by current or previous id) their `objref` names: group,
//! version and kind must equal the object's exactly (an `objref` without
//! `apiVersion` has version `""` and binds to nothing), the namespace counts
//! only when given. At the top, after hash suffixes and name references,
//! every var must have a bound resource holding its `fieldref.fieldPath`
//! (default `metadata.name`); then every string in the var-reference fields
//! has its `$(NAME)` replaced (`$$` escapes a `$`, unknown names stay). A
//! string that is exactly `$(NAME)` takes the value's type (`$(PORT)` becomes
//! the number 8080), as in kustomize.
//!
//! Provenance: a string that was exactly one `$(NAME)` gets the span of the
//! source field it now holds (that is where its value is decided); a string
//! mixing text and vars keeps its own span (the template line, where the
//! text around the vars is written).

use crate::fieldspec::{CreateKind, FieldSpec, FieldSpecs, walk};
use crate::replacement::path;
use crate::{Node, Problem, ResId, Resource, Span, Value};

/// One var, as declared.
#[derive(Clone, Debug)]
struct Var {
    name: String,
    group: String,
    version: String,
    kind: String,
    obj_name: String,
    namespace: String,
    field_path: String,
    /// The var's entry in its kustomization (where its errors land).
    span: Span,
    /// The ids of the resource bound when the var was merged.
    bound: Option<Vec<ResId>>,
}

impl Var {
    fn parse(node: &Node) -> Result<Self, Problem> {
        let s = |n: Option<&Node>, k: &str| -> Result<String, Problem> {
            match n.and_then(|n| path::field(n, k)) {
                None => Ok(String::new()),
                Some(v) => match &v.value {
                    Value::String(s) => Ok(s.clone()),
                    Value::Null => Ok(String::new()),
                    _ => Err(Problem::error(
                        format!("var field '{k}' must be a string"),
                        v.span,
                    )),
                },
            }
        };
        let objref = path::field(node, "objref");
        let mut group = s(objref, "group")?;
        let mut version = s(objref, "version")?;
        let api_version = s(objref, "apiVersion")?;
        if !api_version.is_empty() {
            let parts: Vec<&str> = api_version.split('/').collect();
            match parts.as_slice() {
                [g, v] => {
                    group = (*g).to_owned();
                    version = (*v).to_owned();
                }
                [v] => version = (*v).to_owned(),
                _ => {}
            }
        }
        Ok(Var {
            name: s(Some(node), "name")?,
            group,
            version,
            kind: s(objref, "kind")?,
            obj_name: s(objref, "name")?,
            namespace: s(objref, "namespace")?,
            field_path: s(path::field(node, "fieldref"), "fieldPath")?,
            span: node.span,
            bound: None,
        })
    }

    /// Go's `%v` of a `types.Var`: `{NAME Kind.Version.Group {fieldPath}}`.
    fn describe(&self) -> String {
        let or = |s: &str, none: &str| {
            if s.is_empty() {
                none.to_owned()
            } else {
                s.to_owned()
            }
        };
        format!(
            "{{{} {}.{}.{} {{{}}}}}",
            self.name,
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]"),
            self.field_path
        )
    }

    /// Whether `id` is the object this var names (kustomize's
    /// `GvknEquals`, or `Equals` when a namespace is given or the kind is
    /// cluster-scoped).
    fn names(&self, id: &ResId) -> bool {
        let gvkn = id.group == self.group
            && id.version == self.version
            && id.kind == self.kind
            && id.name == self.obj_name;
        let cluster =
            !crate::openapi::is_namespaced_version(&self.group, &self.version, &self.kind);
        if self.namespace.is_empty() && !cluster {
            return gvkn;
        }
        let me = ResId {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.obj_name.clone(),
        };
        gvkn && crate::patch::select::effective_namespace(&me)
            == crate::patch::select::effective_namespace(id)
    }
}

fn ids_of(r: &Resource) -> Vec<ResId> {
    std::iter::once(r.id())
        .chain(r.previous_ids.iter().cloned())
        .collect()
}

/// The vars declared so far, across the kustomizations of a build, each
/// bound to the resource it names.
#[derive(Clone, Debug, Default)]
pub struct VarSet {
    vars: Vec<Var>,
}

impl VarSet {
    /// Adds the `vars:` entries of one kustomization (its `vars` node, a
    /// sequence), binding each to the one resource among `resources` it names.
    /// Call at the end of each kustomization's accumulation, after its
    /// transformers; a child's set is merged into its parent with
    /// [`VarSet::merge_set`].
    pub fn merge(&mut self, vars: &Node, resources: &[Resource]) -> Result<(), Problem> {
        let items = match &vars.value {
            Value::Seq(items) => items.as_slice(),
            Value::Null => &[],
            _ => return Err(Problem::error("vars must be a list", vars.span)),
        };
        let mut incoming = Vec::new();
        for item in items {
            let mut v = Var::parse(item)?;
            let matched: Vec<&Resource> = resources
                .iter()
                .filter(|r| ids_of(r).iter().any(|id| v.names(id)))
                .collect();
            if matched.len() > 1 {
                return Err(Problem::error(
                    format!(
                        "found {} resId matches for var {} (unable to disambiguate)",
                        matched.len(),
                        v.describe()
                    ),
                    v.span,
                ));
            }
            v.bound = matched.first().map(|r| ids_of(r));
            incoming.push(v);
        }
        for v in incoming {
            self.add(v)?;
        }
        Ok(())
    }

    fn add(&mut self, mut v: Var) -> Result<(), Problem> {
        if self.vars.iter().any(|o| o.name == v.name) {
            return Err(Problem::error(
                format!("var '{}' already encountered", v.name),
                v.span,
            ));
        }
        if v.field_path.is_empty() {
            v.field_path = "metadata.name".to_owned();
        }
        self.vars.push(v);
        Ok(())
    }

    /// Merges the vars of a sub-kustomization (a resource directory).
    pub fn merge_set(&mut self, other: VarSet) -> Result<(), Problem> {
        for v in other.vars {
            self.add(v)?;
        }
        Ok(())
    }

    /// Whether no var was declared.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// [`VarSet::resolve_with`] kustomize's built-in var-reference fields.
    pub fn resolve(&self, resources: &mut [Resource]) -> Result<(), Problem> {
        if self.vars.is_empty() {
            return Ok(());
        }
        self.resolve_with(resources, &FieldSpecs::builtin().var_reference)
    }

    /// Replaces `$(NAME)` in the var-reference fields `specs` (the build's
    /// merged configuration, `configurations` included) of every resource.
    /// Call once at the top level, after hash suffixes and name references.
    pub fn resolve_with(
        &self,
        resources: &mut [Resource],
        specs: &[FieldSpec],
    ) -> Result<(), Problem> {
        if self.vars.is_empty() {
            return Ok(());
        }
        let mut values: Vec<(String, Option<Node>)> = Vec::new();
        let mut sorted: Vec<&Var> = self.vars.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        for v in sorted {
            values.push((v.name.clone(), var_value(v, resources)?));
        }
        for res in resources.iter_mut() {
            let origin = res.origin;
            for spec in specs {
                let mut visit = |node: &mut Node| set(node, &values);
                walk(&mut res.node, spec, CreateKind::None, origin, &mut visit)
                    .map_err(|m| Problem::error(m, origin))?;
            }
        }
        Ok(())
    }
}

/// The value of `v` (a copy of the field node), or `None` when it is a
/// mapping or sequence (kustomize leaves `$(NAME)` then).
fn var_value(v: &Var, resources: &[Resource]) -> Result<Option<Node>, Problem> {
    let res = v.bound.as_ref().and_then(|bound| {
        resources.iter().find(|r| {
            ids_of(r)
                .iter()
                .any(|id| bound.first().is_some_and(|b| b == id))
        })
    });
    let Some(res) = res else {
        return Err(Problem::error(
            format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                v.describe()
            ),
            v.span,
        ));
    };
    let fields = slice_indexes(path::split(&v.field_path));
    let node = path::lookup(&res.node, &fields).ok().flatten();
    let Some(node) = node else {
        return Err(Problem::error(
            format!(
                "field specified in var '{}' not found in corresponding resource",
                v.describe()
            ),
            v.span,
        ));
    };
    Ok(match &node.value {
        Value::Map(_) | Value::Seq(_) => None,
        Value::Null => Some(Node::new(Value::String(String::new()), node.span)),
        _ => Some(node.clone()),
    })
}

/// kyaml's `convertSliceIndex`: `ports[0]` is `ports`, `0`.
fn slice_indexes(fields: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for f in fields {
        let split = f
            .strip_suffix(']')
            .and_then(|s| s.rsplit_once('['))
            .filter(|(_, digits)| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        match split {
            Some((head, digits)) => {
                if !head.is_empty() {
                    out.push(head.to_owned());
                }
                out.push(digits.to_owned());
            }
            None => out.push(f),
        }
    }
    out
}

/// refvar's `set`: a string, the string values of a mapping, or every item
/// of a sequence (which must all be strings).
fn set(node: &mut Node, values: &[(String, Option<Node>)]) -> Result<(), String> {
    match &mut node.value {
        Value::Null => Ok(()),
        Value::String(_) => {
            replace_in(node, values);
            Ok(())
        }
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                if matches!(e.value.value, Value::String(_)) {
                    replace_in(&mut e.value, values);
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                if !matches!(item.value, Value::String(_)) {
                    return Err("invalid value type expect a string".to_owned());
                }
                replace_in(item, values);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn lookup<'a>(values: &'a [(String, Option<Node>)], name: &str) -> Option<&'a Node> {
    values
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.as_ref())
}

/// Go's `%v` of a var value.
fn text_of(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => go_float(*f),
        _ => String::new(),
    }
}

/// Go's `%v` of a float64 (`%g` with the shortest representation).
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        // Rust writes 1e21 and 1.5e-7; Go writes 1e+21 and 1.5e-07.
        match s.split_once('e') {
            Some((m, e)) => {
                let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                format!("{m}e{sign}{digits:0>2}")
            }
            None => s,
        }
    } else {
        f.to_string()
    }
}

/// kustomize's `DoReplacements` on one string node.
fn replace_in(node: &mut Node, values: &[(String, Option<Node>)]) {
    let Value::String(input) = &node.value else {
        return;
    };
    let bytes = input.as_bytes();
    // Exactly one reference: the node takes the value itself.
    if let Some(name) = input.strip_prefix("$(").and_then(|r| r.strip_suffix(')'))
        && !name.contains(')')
    {
        if let Some(v) = lookup(values, name) {
            *node = Node::new(v.value.clone(), v.span);
        }
        return;
    }
    let mut out = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest[1..].find(')') {
                    Some(close) => {
                        let name = &rest[1..=close];
                        match lookup(values, name) {
                            Some(v) => out.push_str(&text_of(v)),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        close + 2
                    }
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$` and the next character, kept.
                    let c = rest.chars().next().map_or(1, char::len_utf8);
                    out.push('$');
                    out.push_str(&rest[..c]);
                    c
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < input.len() {
        out.push_str(&input[checkpoint..]);
    }
    node.value = Value::String(out);
}

#[cfg(test)]
mod tests;
