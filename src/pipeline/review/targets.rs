//! Rendered change review: which Kustomize targets a change reaches, their
//! renders at base and at head, and the rendered resource diff per target with
//! each field change attributed to the source line that made it.
//!
//! A target is a kustomization directory no other kustomization references
//! (`tollgate_kustomize::targets::Graph`). A changed file reaches a target when
//! it lies in a directory of the target's closure (the target and every
//! kustomization it references, transitively) at base or at head; with the
//! `none` load restrictor, where a kustomization may read any file of the
//! repository, targets no directory claims are rendered at head and kept when
//! their render read a changed file. Unaffected targets are never rendered.
//!
//! Flux `Kustomization` and Argo CD `Application` objects are targets too
//! ([`review_reconcilers`]), found and rendered at each side as `check` finds
//! and renders them ([`crate::stages::reconciler::targets`]) and kept when
//! their render read a changed file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use tollgate_kustomize::files::is_within;
use tollgate_kustomize::targets::Graph;
use tollgate_kustomize::{Files, Options, Rendered, Resource};

use crate::load::Span;
use crate::model::resource::ResourceId;
use crate::model::source::SourceFile;
use crate::stages::diff::{self, FieldChange, Located, Operation};
use crate::stages::reconciler::Named;

/// One field change with the source line that made it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct SourcedField {
    /// The pointer and the old and new values.
    #[serde(flatten)]
    pub field: FieldChange,
    /// `file:line` of the value that made the change: the head's for a new or
    /// changed value, the base's for a removed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A reference another object of the target holds to a renamed object, rewritten.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Reference {
    /// The object holding the reference.
    pub resource: ResourceId,
    /// The pointer of the rewritten field.
    pub path: String,
}

/// One changed rendered object of a target.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct TargetChange {
    /// `create`, `update`, `delete`, `move` (the document now comes from
    /// another file) or `rename` (a generated name changed with its content).
    pub operation: &'static str,
    /// The object (head identity; base identity for a delete).
    pub resource: ResourceId,
    /// For a rename: the identity at base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_resource: Option<ResourceId>,
    /// `file:line` where the object is introduced (head; base for a delete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Changed fields, each with its source line.
    pub fields: Vec<SourcedField>,
    /// For a rename: every reference to the object the render rewrote.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// The head object (for change policies; not serialised).
    #[serde(skip)]
    pub object: Option<Value>,
    /// The base object (for change policies; not serialised).
    #[serde(skip)]
    pub old_object: Option<Value>,
    /// The object's document file at head (display name; not serialised).
    #[serde(skip)]
    pub file: Option<String>,
    /// The object's document file at base (display name; not serialised).
    #[serde(skip)]
    pub old_file: Option<String>,
    /// Where a finding about this change lands: (file display name, its
    /// source, span). Not serialised.
    #[serde(skip)]
    pub place: Option<(Arc<SourceFile>, Span)>,
}

/// What the review says about one target.
#[derive(Clone, Debug)]
pub(crate) struct TargetDiff {
    /// The target's display name (its directory, or `flux:…`/`argocd:…` for
    /// a reconciler object).
    pub name: String,
    /// What change policies see as `target`: the target directory, relative
    /// to the repository root, or a reconciler target's name.
    pub dir: String,
    /// The files holding the reconciler object at base and at head: read by
    /// the render (their lines are sources) but reviewed and checked as
    /// written too. Empty for a kustomization target.
    pub own: BTreeSet<String>,
    /// The changed rendered objects, sorted by identity.
    pub changes: Vec<TargetChange>,
    /// The head render (its files are rendering inputs).
    pub head: Rendered,
    /// The base render.
    pub base: Rendered,
}

impl TargetDiff {
    /// Whether the target's render (at base or at head) read `path` as one
    /// of its inputs (a reconciler object's own file is not one: it stays a
    /// file of the file-level review).
    pub(crate) fn reads(&self, path: &str) -> bool {
        !self.own.contains(path)
            && self
                .head
                .files
                .iter()
                .chain(&self.base.files)
                .any(|f| f.path == path)
    }
}

/// The kustomization directories among a snapshot's paths.
pub(crate) fn kustomization_dirs<'a>(paths: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut dirs = BTreeSet::new();
    for path in paths {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        if tollgate_kustomize::kustomization::FILE_NAMES.contains(&name) {
            dirs.insert(dir.to_owned());
        }
    }
    dirs.into_iter().collect()
}

/// A view of one side of the change: its files and its kustomization graph.
pub(crate) struct Side<'a> {
    /// The repository view.
    pub files: &'a dyn Files,
    /// The kustomization graph of every kustomization directory of the side.
    pub graph: Graph,
}

impl<'a> Side<'a> {
    /// Builds the side's graph over `dirs`.
    pub(crate) fn new(files: &'a dyn Files, dirs: &[String], options: &Options) -> Self {
        Self {
            files,
            graph: Graph::build(files, dirs, options),
        }
    }

    fn closure(&self, target: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![target.to_owned()];
        while let Some(dir) = stack.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            if let Some(next) = self.graph.edges.get(&dir) {
                stack.extend(next.iter().cloned());
            }
        }
        seen
    }

    fn has(&self, dir: &str) -> bool {
        self.graph.edges.contains_key(dir)
    }

    fn render(&self, dir: &str, options: &Options) -> Rendered {
        if self.has(dir) {
            tollgate_kustomize::render(self.files, dir, options)
        } else {
            Rendered {
                target: dir.to_owned(),
                ..Rendered::default()
            }
        }
    }
}

/// The targets `changed` (repository paths, both sides) reaches, rendered at
/// base and at head, sorted by directory. `display` names repository paths
/// as reports do.
pub(crate) fn review(
    base: &Side<'_>,
    head: &Side<'_>,
    changed: &BTreeSet<String>,
    options: &Options,
    display: &(dyn Fn(&str) -> String + Sync),
) -> Vec<TargetDiff> {
    let mut all: BTreeSet<String> = base.graph.targets().into_iter().collect();
    all.extend(head.graph.targets());
    let reaches = |closure: &BTreeSet<String>| {
        changed
            .iter()
            .any(|path| closure.iter().any(|dir| is_within(path, dir)))
    };
    let mut affected: Vec<String> = Vec::new();
    let mut claimed: BTreeSet<&String> = BTreeSet::new();
    for target in &all {
        let mut closure = base.closure(target);
        closure.extend(head.closure(target));
        if reaches(&closure) {
            affected.push(target.clone());
        }
        for path in changed {
            if closure.iter().any(|dir| is_within(path, dir)) {
                claimed.insert(path);
            }
        }
    }
    // With no load restriction a kustomization may read any file: targets
    // that no directory ties to the change are rendered at head and kept when
    // their render read an unclaimed changed file.
    let mut heads: HashMap<String, Rendered> = HashMap::new();
    if options.load_restrictor == tollgate_kustomize::LoadRestrictor::None
        && changed.len() > claimed.len()
    {
        let unclaimed: BTreeSet<&String> =
            changed.iter().filter(|p| !claimed.contains(p)).collect();
        let rest: Vec<&String> = all.iter().filter(|t| !affected.contains(t)).collect();
        let renders: Vec<Rendered> = rest.par_iter().map(|t| head.render(t, options)).collect();
        for r in renders {
            if r.files.iter().any(|f| unclaimed.contains(&f.path)) {
                affected.push(r.target.clone());
                heads.insert(r.target.clone(), r);
            }
        }
        affected.sort();
    }
    affected
        .par_iter()
        .map(|dir| {
            let head_render = heads
                .get(dir)
                .cloned()
                .unwrap_or_else(|| head.render(dir, options));
            let base_render = base.render(dir, options);
            let changes = if failed(&head_render) || failed(&base_render) {
                Vec::new()
            } else {
                diff_renders(&base_render, &head_render, display)
            };
            TargetDiff {
                name: display(dir),
                dir: dir.clone(),
                own: BTreeSet::new(),
                changes,
                head: head_render,
                base: base_render,
            }
        })
        .collect()
}

/// A render that stopped (on an error or on something tollgate does not
/// render) has no objects to compare.
fn failed(r: &Rendered) -> bool {
    !r.problems.is_empty()
}

/// The reconciler targets (`flux:…`, `argocd:…`) `changed` (repository
/// paths, both sides) reaches, paired by name, diffed as kustomization
/// targets are, sorted by name. A change reaches one when its render read a
/// changed file at base or at head (the object's own file, a file of its
/// path, a `substituteFrom` ConfigMap) or lies under the Helm chart directory
/// it builds from. An object only at one side is a target whose objects are
/// all created (or deleted); a Helm source is listed with its
/// `render-unsupported` problem and no changes.
pub(crate) fn review_reconcilers(
    base: Vec<Named>,
    head: Vec<Named>,
    changed: &BTreeSet<String>,
    display: &(dyn Fn(&str) -> String + Sync),
) -> Vec<TargetDiff> {
    let mut pairs: BTreeMap<String, (Option<Named>, Option<Named>)> = BTreeMap::new();
    for n in base {
        let slot = pairs.entry(n.name.clone()).or_default();
        slot.0 = Some(n);
    }
    for n in head {
        let slot = pairs.entry(n.name.clone()).or_default();
        slot.1 = Some(n);
    }
    let reaches = |n: &Named| {
        n.rendered.files.iter().any(|f| changed.contains(&f.path))
            || n.watch
                .as_deref()
                .is_some_and(|dir| changed.iter().any(|p| is_within(p, dir)))
    };
    let affected: Vec<(String, Option<Named>, Option<Named>)> = pairs
        .into_iter()
        .filter(|(_, (b, h))| b.iter().chain(h.iter()).any(&reaches))
        .map(|(name, (b, h))| (name, b, h))
        .collect();
    affected
        .into_par_iter()
        .map(|(name, base, head)| {
            let mut own = BTreeSet::new();
            let mut side = |n: Option<Named>| match n {
                Some(n) => {
                    own.insert(n.own);
                    n.rendered
                }
                None => Rendered {
                    target: name.clone(),
                    ..Rendered::default()
                },
            };
            let (base_render, head_render) = (side(base), side(head));
            let changes = if failed(&head_render) || failed(&base_render) {
                Vec::new()
            } else {
                diff_renders(&base_render, &head_render, display)
            };
            TargetDiff {
                dir: name.clone(),
                name,
                own,
                changes,
                head: head_render,
                base: base_render,
            }
        })
        .collect()
}

/// One side's objects, with what locating their fields needs.
struct Objects<'r> {
    render: &'r Rendered,
    sources: Vec<Arc<SourceFile>>,
    by_key: BTreeMap<Key, &'r Resource>,
}

type Key = (String, String, String, String);

fn key(id: &ResourceId) -> Key {
    (
        id.group().to_owned(),
        id.kind.clone(),
        id.namespace.clone().unwrap_or_default(),
        id.name.clone().unwrap_or_default(),
    )
}

impl<'r> Objects<'r> {
    fn new(render: &'r Rendered, display: &dyn Fn(&str) -> String) -> Self {
        let sources = render
            .files
            .iter()
            .map(|f| Arc::new(SourceFile::new(Arc::from(display(&f.path)), f.text.clone())))
            .collect();
        let mut by_key = BTreeMap::new();
        for res in &render.resources {
            if let Some(id) = ResourceId::of(&res.node) {
                by_key.entry(key(&id)).or_insert(res);
            }
        }
        Self {
            render,
            sources,
            by_key,
        }
    }

    fn located(&self) -> Vec<Located> {
        self.render
            .resources
            .iter()
            .filter_map(|res| {
                Some(Located {
                    file: self.file_of(res.origin).unwrap_or_default(),
                    id: ResourceId::of(&res.node)?,
                    value: res.node.to_json(),
                })
            })
            .collect()
    }

    fn file_of(&self, span: Span) -> Option<String> {
        self.sources
            .get(span.file.0 as usize)
            .map(|s| s.name.to_string())
    }

    /// `file:line` of a span.
    fn line_of(&self, span: Span) -> Option<String> {
        let src = self.sources.get(span.file.0 as usize)?;
        Some(format!("{}:{}", src.name, src.position(span.start).line))
    }

    fn place(&self, span: Span) -> Option<(Arc<SourceFile>, Span)> {
        let src = self.sources.get(span.file.0 as usize)?;
        Some((src.clone(), span))
    }

    fn get(&self, id: &ResourceId) -> Option<&'r Resource> {
        self.by_key.get(&key(id)).copied()
    }
}

/// For a generated object with kustomize's content-hash suffix: its key with
/// the name before the hash (the id the hash transformer pushed last).
fn generated_stem(res: &Resource, id: &ResourceId) -> Option<(Key, String)> {
    res.generated.as_ref()?;
    let name = id.name.as_deref()?;
    let stem = &res.previous_ids.last()?.name;
    let hash = name.strip_prefix(stem.as_str())?.strip_prefix('-')?;
    if hash.len() != 10 || !hash.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut k = key(id);
    k.3 = stem.clone();
    Some((k, stem.clone()))
}

/// The rendered resource diff of one target, fields attributed to their lines.
pub(crate) fn diff_renders(
    base: &Rendered,
    head: &Rendered,
    display: &dyn Fn(&str) -> String,
) -> Vec<TargetChange> {
    let old = Objects::new(base, display);
    let new = Objects::new(head, display);
    let raw = diff::diff(old.located(), new.located());
    let mut out: Vec<TargetChange> = Vec::new();
    // Generated objects whose hashed name changed: deleted and created under
    // one unhashed stem. They become one rename.
    let mut deleted_generated: BTreeMap<Key, ResourceId> = BTreeMap::new();
    let mut created_generated: BTreeMap<Key, ResourceId> = BTreeMap::new();
    for c in &raw {
        match c.operation {
            Operation::Delete => {
                if let Some((k, _)) = old
                    .get(&c.resource)
                    .and_then(|r| generated_stem(r, &c.resource))
                {
                    deleted_generated.insert(k, c.resource.clone());
                }
            }
            Operation::Create => {
                if let Some((k, _)) = new
                    .get(&c.resource)
                    .and_then(|r| generated_stem(r, &c.resource))
                {
                    created_generated.insert(k, c.resource.clone());
                }
            }
            _ => {}
        }
    }
    let renamed: BTreeMap<Key, (ResourceId, ResourceId)> = deleted_generated
        .into_iter()
        .filter_map(|(k, from)| created_generated.get(&k).map(|to| (k, (from, to.clone()))))
        .collect();
    let renamed_from: BTreeSet<Key> = renamed.values().map(|(f, _)| key(f)).collect();
    let renamed_to: BTreeSet<Key> = renamed.values().map(|(_, t)| key(t)).collect();
    for c in raw {
        let k = key(&c.resource);
        if renamed_from.contains(&k) || renamed_to.contains(&k) {
            continue;
        }
        let head_res = new.get(&c.resource);
        let base_res = old.get(&c.resource);
        let (source, place) = match c.operation {
            Operation::Delete => (
                base_res.and_then(|r| old.line_of(r.origin)),
                base_res.and_then(|r| old.place(r.origin)),
            ),
            _ => (
                head_res.and_then(|r| new.line_of(r.origin)),
                head_res.and_then(|r| new.place(r.origin)),
            ),
        };
        let fields = attribute(c.fields, base_res, head_res, &old, &new);
        let place = first_place(&fields, base_res, head_res, &old, &new).or(place);
        out.push(TargetChange {
            operation: c.operation.as_str(),
            resource: c.resource,
            old_resource: None,
            source,
            fields,
            references: Vec::new(),
            object: c.object,
            old_object: c.old_object,
            file: c.file,
            old_file: c.old_file,
            place,
        });
    }
    for (from, to) in renamed.into_values() {
        let (Some(base_res), Some(head_res)) = (old.get(&from), new.get(&to)) else {
            continue;
        };
        let before = base_res.node.to_json();
        let after = head_res.node.to_json();
        // Compared under one identity, so Secret payloads are redacted as in any update.
        let fields = diff::diff(
            vec![Located {
                file: String::new(),
                id: to.clone(),
                value: before.clone(),
            }],
            vec![Located {
                file: String::new(),
                id: to.clone(),
                value: after.clone(),
            }],
        )
        .into_iter()
        .flat_map(|c| c.fields)
        .collect();
        let fields = attribute(fields, Some(base_res), Some(head_res), &old, &new);
        let (old_name, new_name) = (
            from.name.clone().unwrap_or_default(),
            to.name.clone().unwrap_or_default(),
        );
        let mut references: Vec<Reference> = out
            .iter()
            .flat_map(|c| {
                c.fields
                    .iter()
                    .filter(|f| {
                        f.field.old.as_ref().and_then(Value::as_str) == Some(old_name.as_str())
                            && f.field.new.as_ref().and_then(Value::as_str)
                                == Some(new_name.as_str())
                    })
                    .map(|f| Reference {
                        resource: c.resource.clone(),
                        path: f.field.path.clone(),
                    })
            })
            .collect();
        references.sort();
        let place = first_place(&fields, Some(base_res), Some(head_res), &old, &new)
            .or_else(|| new.place(head_res.origin));
        out.push(TargetChange {
            operation: "rename",
            resource: to,
            old_resource: Some(from),
            source: new.line_of(head_res.origin),
            fields,
            references,
            object: Some(after),
            old_object: Some(before),
            file: new.file_of(head_res.origin),
            old_file: old.file_of(base_res.origin),
            place,
        });
    }
    out.sort_by(|a, b| {
        a.resource
            .cmp(&b.resource)
            .then(a.operation.cmp(b.operation))
    });
    out
}

/// The span a field change comes from: the new value's at head, the old
/// value's at base when the field was removed.
fn field_span(
    f: &FieldChange,
    base: Option<&Resource>,
    head: Option<&Resource>,
) -> Option<(bool, Span)> {
    let (at_head, res) = if f.new.is_some() {
        (true, head?)
    } else {
        (false, base?)
    };
    let found = res.node.pointer_span(&f.path);
    Some((at_head, found.span))
}

fn attribute(
    fields: Vec<FieldChange>,
    base: Option<&Resource>,
    head: Option<&Resource>,
    old: &Objects<'_>,
    new: &Objects<'_>,
) -> Vec<SourcedField> {
    fields
        .into_iter()
        .map(|field| {
            let source = field_span(&field, base, head).and_then(|(at_head, span)| {
                if at_head {
                    new.line_of(span)
                } else {
                    old.line_of(span)
                }
            });
            SourcedField { field, source }
        })
        .collect()
}

fn first_place(
    fields: &[SourcedField],
    base: Option<&Resource>,
    head: Option<&Resource>,
    old: &Objects<'_>,
    new: &Objects<'_>,
) -> Option<(Arc<SourceFile>, Span)> {
    let f = fields.first()?;
    let (at_head, span) = field_span(&f.field, base, head)?;
    if at_head {
        new.place(span)
    } else {
        old.place(span)
    }
}

/// A value as the markdown report shows it: plain strings bare, the rest as JSON.
pub(crate) fn show(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".to_owned(),
        Some(Value::String(s))
            if !s.is_empty()
                && !s.contains(char::is_whitespace)
                && !s.contains(['`', '|', '"']) =>
        {
            s.clone()
        }
        Some(v) => v.to_string(),
    }
}
