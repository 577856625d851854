//! Building one render target the way kustomize's `KustTarget` does.
//!
//! A kustomization is accumulated in kustomize's order: its `resources`
//! (files with one or more documents, and directories with kustomizations,
//! built recursively and merged in), its `configurations`, its generators,
//! its `components` (each run against the resources accumulated so far, as if
//! its fields were the including kustomization's), then its transformers
//! ([`stages`]) and its `vars`. The top-level target then gets hash suffixes
//! on generated names, name references fixed, vars resolved, local-config
//! objects dropped and kustomize's output order ([`crate::order`]).
//!
//! Every file read goes through one [`Reader`], whose table becomes
//! [`Rendered::files`]: the render's dependency set, kustomization files
//! included, in order of first use.

mod stages;

use crate::fieldspec::FieldSpecs;
use crate::files::{ReadError, Reader, is_within, join_normalised, normalise};
use crate::kustomization::{self, Kind, Kustomization, PathEntry};
use crate::transform::effective_namespace;
use crate::vars::VarSet;
use crate::{Files, Node, Options, Problem, Rendered, ResId, Resource, Span, Value};

/// What one kustomization level has accumulated (kustomize's `ResAccumulator`).
#[derive(Default)]
pub struct Accumulator {
    /// The resources, in accumulation order.
    pub resources: Vec<Resource>,
    /// The transformer configuration: kustomize's built-in field specs with
    /// the `configurations` of this level and the levels below merged in.
    pub config: FieldSpecs,
    /// The vars declared at this level and below.
    pub vars: VarSet,
}

/// Renders the kustomization in `dir`.
pub fn render(files: &dyn Files, dir: &str, options: &Options) -> Rendered {
    render_by(files, dir, options, |builder, target| {
        builder.build_top(target)
    })
}

/// Renders `dir` with a kustomization that `make` builds instead of the one
/// on disk (a reconciler's edits: Flux's kustomize-controller and Argo CD
/// change a path's kustomization before they build it). `make` gets the
/// render's [`Reader`]: it registers the files its nodes point into (their
/// spans must be in those files' ids) and may load the directory's own
/// kustomization with [`kustomization::load`].
pub fn render_with(
    files: &dyn Files,
    dir: &str,
    options: &Options,
    make: &dyn Fn(&mut Reader<'_>) -> Result<Kustomization, Problem>,
) -> Rendered {
    render_by(files, dir, options, |builder, target| {
        let k = make(&mut builder.reader)?;
        if let Some(p) = k.unsupported.first() {
            return Err(p.clone());
        }
        builder.build_loaded(target, &k)
    })
}

/// A render of the normalised `dir` by `build`, its problem (if any) and
/// the files it read.
fn render_by(
    files: &dyn Files,
    dir: &str,
    options: &Options,
    build: impl FnOnce(&mut Builder<'_>, &str) -> Result<Vec<Resource>, Problem>,
) -> Rendered {
    let target = normalise(dir).unwrap_or_else(|| dir.to_owned());
    let mut builder = Builder {
        reader: Reader::new(files, options),
        stack: Vec::new(),
    };
    let (resources, problems) = match build(&mut builder, &target) {
        Ok(resources) => (resources, Vec::new()),
        Err(problem) => (Vec::new(), vec![problem]),
    };
    Rendered {
        target,
        files: builder.reader.table,
        resources,
        problems,
    }
}

/// The state of one render.
pub struct Builder<'a> {
    /// Every read goes through it.
    pub reader: Reader<'a>,
    /// Directories being built, outermost first (cycle detection).
    stack: Vec<String>,
}

impl Builder<'_> {
    /// Builds the top-level target: accumulate, then the steps kustomize runs
    /// only once (hash suffixes, name references, vars, local configs, order).
    fn build_top(&mut self, dir: &str) -> Result<Vec<Resource>, Problem> {
        if !dir.is_empty() && !self.reader.is_dir(dir) {
            return Err(Problem::error(
                format!("must build at directory: '{dir}' is not a directory"),
                Span::default(),
            ));
        }
        let k = self.load_kustomization(dir, Span::default())?;
        self.build_loaded(dir, &k)
    }

    /// [`Builder::build_top`] of a kustomization already loaded.
    fn build_loaded(&mut self, dir: &str, k: &Kustomization) -> Result<Vec<Resource>, Problem> {
        if k.kind == Kind::Component {
            return Err(Problem::error(
                format!("expected kind != 'Component' for path '{}'", display(dir)),
                k.root.get("kind").map_or(k.root.span, |n| n.span),
            ));
        }
        let mut acc = Accumulator::default();
        self.stack.push(dir.to_owned());
        self.accumulate_target(k, &mut acc)?;
        self.stack.pop();
        stages::finish(k, &mut acc)?;
        let sort = k.field("sortOptions").cloned();
        crate::order::sort(&mut acc.resources, sort.as_ref())?;
        for r in &mut acc.resources {
            null_annotations_as_written(r, &self.reader);
        }
        Ok(acc.resources)
    }

    /// Loads the kustomization of `dir`, turning its unsupported fields into
    /// the first problem.
    fn load_kustomization(&mut self, dir: &str, at: Span) -> Result<Kustomization, Problem> {
        let k = kustomization::load(&mut self.reader, dir, at)?;
        if let Some(p) = k.unsupported.first() {
            return Err(p.clone());
        }
        Ok(k)
    }

    /// kustomize's `accumulateTarget`: resources, configurations,
    /// generators, components, transformers, vars.
    fn accumulate_target(
        &mut self,
        k: &Kustomization,
        acc: &mut Accumulator,
    ) -> Result<(), Problem> {
        for entry in &k.resources {
            self.accumulate_resource(k, entry, acc)?;
        }
        let mut config = FieldSpecs::builtin();
        for entry in &k.configurations {
            for doc in self.reader.load_yaml(&k.dir, &entry.path, entry.span)? {
                let own = FieldSpecs::from_configuration(&doc)?;
                config = config
                    .merge(&own)
                    .map_err(|m| Problem::error(m, entry.span))?;
            }
        }
        acc.config = acc
            .config
            .merge(&config)
            .map_err(|m| Problem::error(m, k.key_span("configurations")))?;
        stages::generate(self, k, acc)?;
        for entry in &k.components {
            self.accumulate_component(k, entry, acc)?;
        }
        stages::transform(self, k, acc)?;
        if let Some(vars) = k.field("vars") {
            acc.vars.merge(vars, &acc.resources)?;
        }
        Ok(())
    }

    /// One `resources` (or `bases`) entry: a file of documents, or a
    /// directory holding a kustomization (built on its own and merged in).
    fn accumulate_resource(
        &mut self,
        k: &Kustomization,
        entry: &PathEntry,
        acc: &mut Accumulator,
    ) -> Result<(), Problem> {
        let joined = join_normalised(&k.dir, &entry.path);
        let read = match &joined {
            Ok(path) if self.reader.is_dir(path) => {
                let sub = self.build_directory(path, entry.span, false)?;
                return merge_accumulator(acc, sub, entry.span);
            }
            Ok(path) => self.reader.files.read(path),
            Err(_) => Err(ReadError::NotFound),
        };
        let docs = match read {
            Ok(text) => {
                let path = self.reader.resolve(&k.dir, &entry.path, entry.span)?;
                self.reader.load_read(&path, text, entry.span)?
            }
            // Not text: the reader's own problem, after its load restrictor.
            Err(ReadError::Binary) => self.reader.load_yaml(&k.dir, &entry.path, entry.span)?,
            Err(_) => return Err(missing_resource(entry, joined)),
        };
        for resource in resources_from_documents(docs)? {
            append(&mut acc.resources, resource, entry.span)?;
        }
        Ok(())
    }

    /// One `components` entry: a directory with a `kind: Component`
    /// kustomization, accumulated into the including kustomization's
    /// accumulator (its transformers see everything accumulated so far).
    fn accumulate_component(
        &mut self,
        k: &Kustomization,
        entry: &PathEntry,
        acc: &mut Accumulator,
    ) -> Result<(), Problem> {
        let path = match join_normalised(&k.dir, &entry.path) {
            Ok(p) if self.reader.is_dir(&p) => p,
            Ok(p) if self.reader.files.read(&p).is_ok() => {
                return Err(Problem::error(
                    format!("accumulating components: component '{p}' must be a directory"),
                    entry.span,
                ));
            }
            other => {
                if is_remote(&entry.path) {
                    return Err(Problem::unsupported(
                        format!(
                            "remote component '{}' is not rendered by tollgate",
                            entry.path
                        ),
                        entry.span,
                    ));
                }
                let reason = match other {
                    Err(m) => m,
                    Ok(p) => format!("directory '{p}' does not exist"),
                };
                return Err(Problem::error(
                    format!("accumulating components: {reason}"),
                    entry.span,
                ));
            }
        };
        self.check_cycle(&path, entry.span)?;
        let sub = self.load_kustomization(&path, entry.span)?;
        if sub.kind != Kind::Component {
            return Err(Problem::error(
                format!(
                    "accumulating components: expected kind 'Component' for path '{path}' but \
                     got 'Kustomization'"
                ),
                entry.span,
            ));
        }
        self.stack.push(path);
        let result = self.accumulate_target(&sub, acc);
        self.stack.pop();
        result
    }

    /// Builds a resource directory on its own accumulator.
    fn build_directory(
        &mut self,
        dir: &str,
        at: Span,
        component: bool,
    ) -> Result<Accumulator, Problem> {
        self.check_cycle(dir, at)?;
        let k = self.load_kustomization(dir, at)?;
        if !component && k.kind == Kind::Component {
            return Err(Problem::error(
                format!(
                    "accumulating resources: expected kind != 'Component' for path '{dir}' \
                     (a component belongs in 'components:')"
                ),
                at,
            ));
        }
        let mut acc = Accumulator::default();
        self.stack.push(dir.to_owned());
        let result = self.accumulate_target(&k, &mut acc);
        self.stack.pop();
        result.map(|()| acc)
    }

    /// kustomize refuses a directory that is, or contains, one being built.
    fn check_cycle(&self, dir: &str, at: Span) -> Result<(), Problem> {
        if let Some(visited) = self.stack.iter().find(|s| is_within(s, dir)) {
            return Err(Problem::error(
                format!(
                    "cycle detected: candidate root '{}' contains visited root '{}'",
                    display(dir),
                    display(visited)
                ),
                at,
            ));
        }
        Ok(())
    }
}

/// The problem of a `resources` entry that is neither a directory nor a
/// file: a remote resource, or a missing one (`joined` is the entry's path,
/// or why it has none).
fn missing_resource(entry: &PathEntry, joined: Result<String, String>) -> Problem {
    if is_remote(&entry.path) {
        return Problem::unsupported(
            format!(
                "remote resource '{}' is not rendered by tollgate (it would be fetched from the \
                 network)",
                entry.path
            ),
            entry.span,
        );
    }
    let reason = match joined {
        Err(m) => m,
        Ok(p) => format!("file or directory '{p}' does not exist"),
    };
    Problem::error(
        format!(
            "accumulating resources: accumulation err='accumulating resources from '{}': \
             {reason}'",
            entry.path
        ),
        entry.span,
    )
}

fn display(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// Whether a resource path names something kustomize would fetch: a URL, a
/// git address or a `host/org/repo` path of a known forge.
pub fn is_remote(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("git@")
        || lower.starts_with("github.com/")
        || lower.starts_with("gitlab.com/")
        || lower.starts_with("bitbucket.org/")
        || lower.contains("?ref=")
        || lower.contains("?version=")
        || lower.contains(".git//")
}

/// kustomize's `MergeAccumulator`: a sub-target's resources appended (an id
/// clash is an error), its configurations and vars merged.
fn merge_accumulator(acc: &mut Accumulator, sub: Accumulator, at: Span) -> Result<(), Problem> {
    for resource in sub.resources {
        append(&mut acc.resources, resource, at)?;
    }
    acc.config = acc
        .config
        .merge(&sub.config)
        .map_err(|m| Problem::error(m, at))?;
    acc.vars.merge_set(sub.vars)
}

/// Whether two ids are the same object for kustomize: same group, version,
/// kind, name, and the same effective namespace (`""` is `default`;
/// cluster-scoped kinds ignore it).
pub fn same_id(a: &ResId, b: &ResId) -> bool {
    a.group == b.group
        && a.version == b.version
        && a.kind == b.kind
        && a.name == b.name
        && effective_namespace(a) == effective_namespace(b)
}

/// Appends `resource`, refusing one whose id is already there.
pub fn append(resources: &mut Vec<Resource>, resource: Resource, at: Span) -> Result<(), Problem> {
    let id = resource.id();
    if resources.iter().any(|r| same_id(&r.id(), &id)) {
        let span = if resource.origin == Span::default() {
            at
        } else {
            resource.origin
        };
        return Err(Problem::error(
            format!(
                "may not add resource with an already registered id: {}",
                crate::order::id_string(&id)
            ),
            span,
        ));
    }
    resources.push(resource);
    Ok(())
}

/// The resources of a file's documents: `*List` kinds with `items` are
/// expanded, every object must have a `kind` and a `metadata.name`.
pub fn resources_from_documents(docs: Vec<Node>) -> Result<Vec<Resource>, Problem> {
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<Node> = docs.into();
    while let Some(doc) = queue.pop_front() {
        if matches!(&doc.value, Value::Map(e) if e.is_empty()) {
            continue;
        }
        if !matches!(doc.value, Value::Map(_)) {
            return Err(Problem::error(
                "a resource document must be a mapping (an object with apiVersion, kind and metadata)",
                doc.span,
            ));
        }
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
        if kind.is_empty() {
            return Err(Problem::error("missing kind in object", doc.span));
        }
        if kind.ends_with("List") {
            match doc.get("items").map(|n| &n.value) {
                Some(Value::Seq(items)) => {
                    for item in items.iter().rev() {
                        queue.push_front(item.clone());
                    }
                    continue;
                }
                Some(Value::Null) => continue,
                Some(_) => {
                    return Err(Problem::error(
                        format!("expected array in {kind}/items"),
                        doc.get("items").map_or(doc.span, |n| n.span),
                    ));
                }
                None => {}
            }
        }
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("");
        if name.is_empty() && !kind.ends_with("List") {
            return Err(Problem::error(
                format!("missing metadata.name in object of kind '{kind}'"),
                doc.get("metadata").map_or(doc.span, |n| n.span),
            ));
        }
        let mut doc = doc;
        drop_empty_annotations(&mut doc);
        out.push(Resource::new(doc));
    }
    Ok(out)
}

/// kustomize's reader drops a `metadata.annotations` that is null or empty
/// (it adds and removes its own bookkeeping annotations, which clears an
/// emptied mapping); `labels` and other empty fields stay.
fn drop_empty_annotations(doc: &mut Node) {
    if let Some(Node {
        value: Value::Map(entries),
        ..
    }) = doc.get_mut("metadata")
    {
        entries.retain(|e| {
            e.key != "annotations"
                || !matches!(&e.value.value, Value::Null)
                    && !matches!(&e.value.value, Value::Map(m) if m.is_empty())
        });
    }
}

/// kustomize rewrites every object's annotations as strings when it removes
/// its build annotations at the end: an annotation whose value is a null is
/// printed as the text it was written with (`a:` as `""`, `b: ~` as `"~"`),
/// or `"null"` once the object went through JSON (`kubectl kustomize`,
/// v5.5.0). Labels keep their nulls.
fn null_annotations_as_written(r: &mut Resource, reader: &Reader<'_>) {
    let nulls_written = r.nulls_written;
    let Some(Value::Map(entries)) = r
        .node
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .map(|a| &mut a.value)
    else {
        return;
    };
    for e in entries.iter_mut() {
        if !matches!(e.value.value, Value::Null) {
            continue;
        }
        let span = e.value.span;
        let text = if nulls_written {
            "null"
        } else {
            reader
                .text(span.file)
                .and_then(|t| t.get(span.start..span.end))
                .unwrap_or("null")
        };
        e.value.value = Value::String(text.to_owned());
    }
}

#[cfg(test)]
mod tests;
