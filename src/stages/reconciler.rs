//! Reconciler objects as named render targets: a Flux `Kustomization` or an
//! Argo CD `Application` whose path is in this repository renders as
//! kustomize-controller or Argo CD would render it.
//!
//! Both reconcilers edit the path's kustomization before they build it
//! (kustomize-controller's generator sets `namespace` from `targetNamespace`
//! and appends `patches`, `images` and `components`; Argo CD runs
//! `kustomize edit set ...`). Here the edit is a spanned tree: the path's own
//! kustomization as loaded, with the reconciler's fields put in as the nodes
//! of the Flux or Argo object, so a finding on what an override wrote
//! (`images[0].newTag`) lands on the reconciler's line. The renderer builds
//! that tree in the path's directory ([`tollgate_kustomize::build::render_with`]),
//! through the same repository view as every render: nothing outside the
//! repository is read.
//!
//! Flux's `postBuild` substitution runs on the rendered string values; Argo
//! CD's `destination.namespace` is set on namespaced objects without one. Helm
//! sources (a `HelmRelease`, an Argo `chart`, a chart directory) are targets
//! with one `render-unsupported` problem at the field's line.

use std::collections::BTreeMap;
use std::sync::Arc;

use tollgate_kustomize::files::{Reader, join_normalised};
use tollgate_kustomize::kustomization::{self, FILE_NAMES, Kustomization};
use tollgate_kustomize::{
    Entry, FileId, Files, Node, Options, Problem, Rendered, SourceText, Span, Value,
};

use crate::load::Syntax;

/// A reconciler target's render.
#[derive(Debug)]
pub(crate) struct Named {
    /// `flux:<namespace>/<name>`, `flux:<name>` or `argocd:<name>`.
    pub name: String,
    /// The render (a Helm source: no resources, one `render-unsupported`).
    pub rendered: Rendered,
    /// The repository path of the file holding the reconciler object: it is
    /// in the render's file table (spans point into it) but is not covered.
    pub own: String,
    /// A Helm chart directory of this repository the target builds from
    /// (not rendered, so not in the render's file table): a change under it
    /// reaches the target.
    pub watch: Option<String>,
}

/// Whether a file with this path may hold a reconciler object (or a
/// ConfigMap one substitutes from): the files [`targets`] reads.
pub(crate) fn may_hold_path(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// Whether a text may hold a reconciler object, a GitRepository or a
/// ConfigMap: the only texts [`targets`] loads. A change review reads every
/// candidate file's text once and hands [`targets`] only those that pass.
pub(crate) fn may_hold(text: &str) -> bool {
    holds_reconciler(text) || text.contains("ConfigMap")
}

fn holds_reconciler(text: &str) -> bool {
    text.contains("fluxcd.io") || text.contains("argoproj.io")
}

/// A reconciler object found in a file of the run.
struct Found {
    path: String,
    text: Arc<str>,
    root: Node,
}

/// What the run's files hold besides the reconciler objects.
#[derive(Default)]
struct Facts {
    /// Flux `GitRepository` (namespace, name) → URL.
    git_repositories: BTreeMap<(String, String), String>,
    /// `ConfigMap` (namespace, name) → (file, text, data node).
    config_maps: BTreeMap<(String, String), (String, Arc<str>, Node)>,
}

/// Finds the reconciler objects among `paths` (repository paths of the run's
/// files) and renders each one whose path is in this repository.
pub(crate) fn targets(
    files: &dyn Files,
    paths: &[String],
    urls: &[String],
    options: &Options,
    argo_restrictor: tollgate_kustomize::LoadRestrictor,
) -> Vec<Named> {
    let mut found = Vec::new();
    let mut facts = Facts::default();
    // Files with ConfigMaps and no reconciler object: loaded only when a Flux
    // object substitutes from ConfigMaps (most runs have none), and read again
    // then: keeping their texts would hold most of a large repository.
    let mut config_paths: Vec<&String> = Vec::new();
    // Reading is most of the scan's time: in parallel, in the paths' order.
    let read: Vec<(&String, Option<Arc<str>>)> = {
        use rayon::prelude::*;
        paths
            .par_iter()
            .filter(|p| may_hold_path(p))
            .filter_map(|path| {
                let text = files.read(path).ok()?;
                if holds_reconciler(&text) {
                    Some((path, Some(text)))
                } else {
                    text.contains("ConfigMap").then_some((path, None))
                }
            })
            .collect()
    };
    for (path, text) in read {
        match text {
            Some(text) => scan(path, &text, &options.limits, &mut found, &mut facts),
            None => config_paths.push(path),
        }
    }
    if found.iter().any(|f| f.text.contains("substituteFrom")) {
        for path in config_paths {
            if let Ok(text) = files.read(path) {
                scan(path, &text, &options.limits, &mut found, &mut facts);
            }
        }
    }
    let argo_options = Options {
        load_restrictor: argo_restrictor,
        limits: options.limits.clone(),
    };
    let flux_options = Options {
        load_restrictor: tollgate_kustomize::LoadRestrictor::None,
        limits: options.limits.clone(),
    };
    let mut out = Vec::new();
    for f in &found {
        let kind = str_at(&f.root, &["kind"]);
        match kind {
            "Kustomization" => out.extend(flux(files, f, &facts, urls, &flux_options)),
            "HelmRelease" => out.push(helm_release(files, f)),
            _ => out.extend(argo(files, f, urls, &argo_options)),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Loads one file of the run and keeps its reconciler objects (`found`),
/// GitRepositories and ConfigMaps (`facts`).
fn scan(
    path: &str,
    text: &Arc<str>,
    limits: &crate::load::Limits,
    found: &mut Vec<Found>,
    facts: &mut Facts,
) {
    let loaded = crate::load::load(text, Syntax::Yaml, limits);
    for doc in loaded.documents {
        let root = doc.root;
        let api = str_at(&root, &["apiVersion"]);
        let kind = str_at(&root, &["kind"]);
        let ns = str_at(&root, &["metadata", "namespace"]).to_owned();
        let name = str_at(&root, &["metadata", "name"]).to_owned();
        match (group(api), kind) {
            ("source.toolkit.fluxcd.io", "GitRepository") => {
                let url = str_at(&root, &["spec", "url"]).to_owned();
                facts.git_repositories.insert((ns, name), url);
            }
            ("", "ConfigMap") => {
                if let Some(data) = root.get("data") {
                    facts
                        .config_maps
                        .insert((ns, name), (path.to_owned(), text.clone(), data.clone()));
                }
            }
            ("kustomize.toolkit.fluxcd.io", "Kustomization")
            | ("helm.toolkit.fluxcd.io", "HelmRelease")
            | ("argoproj.io", "Application") => found.push(Found {
                path: path.to_owned(),
                text: text.clone(),
                root,
            }),
            _ => {}
        }
    }
}

/// The API group of an `apiVersion`.
fn group(api: &str) -> &str {
    api.split_once('/').map_or("", |(g, _)| g)
}

/// The string at a path of mapping keys ("" when absent).
fn str_at<'a>(node: &'a Node, keys: &[&str]) -> &'a str {
    at(node, keys).and_then(Node::as_str).unwrap_or("")
}

/// The node at a path of mapping keys.
fn at<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    let mut n = node;
    for k in keys {
        n = n.get(k)?;
    }
    (!matches!(n.value, Value::Null)).then_some(n)
}

/// The span of the key `name` in a mapping, or the mapping's span.
fn key_span(node: &Node, name: &str) -> Span {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .find(|e| e.key == name)
            .map_or(node.span, |e| e.key_span),
        _ => node.span,
    }
}

fn flux_name(root: &Node) -> String {
    let ns = str_at(root, &["metadata", "namespace"]);
    let name = str_at(root, &["metadata", "name"]);
    if ns.is_empty() {
        format!("flux:{name}")
    } else {
        format!("flux:{ns}/{name}")
    }
}

/// A render with no resources and one problem in the reconciler's file.
fn problem_only(name: String, f: &Found, problem: Problem) -> Named {
    let mut problem = problem;
    problem.span = problem.span.in_file(FileId(0));
    Named {
        name,
        rendered: Rendered {
            target: f.path.clone(),
            files: vec![SourceText {
                path: f.path.clone(),
                text: f.text.clone(),
            }],
            resources: Vec::new(),
            problems: vec![problem],
        },
        own: f.path.clone(),
        watch: None,
    }
}

fn helm_release(files: &dyn Files, f: &Found) -> Named {
    let spec = f.root.get("spec");
    let at_span = spec
        .map(|s| key_span(s, "chart"))
        .filter(|s| *s != Span::default())
        .or_else(|| f.root.get("kind").map(|k| k.span))
        .unwrap_or(f.root.span);
    let mut named = problem_only(
        flux_name(&f.root),
        f,
        Problem::unsupported(
            "Flux HelmRelease is not rendered by tollgate: Helm charts are inflated by the helm \
             binary; its objects are not checked",
            at_span,
        ),
    );
    // A chart from a GitRepository is a path; when it is a directory here,
    // a change under it reaches the release.
    if let Some(chart) = at(&f.root, &["spec", "chart", "spec"])
        && str_at(chart, &["sourceRef", "kind"]) == "GitRepository"
    {
        named.watch = repo_path(str_at(chart, &["chart"]))
            .ok()
            .filter(|d| !d.is_empty() && files.is_dir(d));
    }
    named
}

/// A reconciler path as a repository path ("" is the root), or the reason it
/// leaves the repository.
fn repo_path(path: &str) -> Result<String, String> {
    join_normalised("", path.trim_start_matches('/'))
}

/// Whether `url` names this repository (compared without scheme noise:
/// case, a trailing `/` or `.git`).
fn url_matches(url: &str, urls: &[String]) -> bool {
    let canon = |u: &str| {
        u.trim()
            .trim_end_matches('/')
            .trim_end_matches(".git")
            .to_ascii_lowercase()
    };
    let u = canon(url);
    urls.iter().any(|x| canon(x) == u)
}

fn has_kustomization(files: &dyn Files, dir: &str) -> bool {
    files
        .list(dir)
        .is_ok_and(|names| names.iter().any(|n| FILE_NAMES.contains(&n.as_str())))
}

// ---------------------------------------------------------------- Flux

fn flux(
    files: &dyn Files,
    f: &Found,
    facts: &Facts,
    urls: &[String],
    options: &Options,
) -> Option<Named> {
    let root = &f.root;
    let spec = root.get("spec")?;
    let name = flux_name(root);
    let source_kind = str_at(spec, &["sourceRef", "kind"]);
    if source_kind != "GitRepository" {
        return None; // an OCI artifact or a bucket: not this repository
    }
    // With `repository.urls`, the GitRepository (when the run holds it) decides.
    let mut required = false;
    if !urls.is_empty() {
        let own_ns = str_at(root, &["metadata", "namespace"]);
        let ref_ns = str_at(spec, &["sourceRef", "namespace"]);
        let ns = if ref_ns.is_empty() { own_ns } else { ref_ns };
        let key = (
            ns.to_owned(),
            str_at(spec, &["sourceRef", "name"]).to_owned(),
        );
        match facts.git_repositories.get(&key) {
            Some(url) if url_matches(url, urls) => required = true,
            Some(_) => return None,
            None => {}
        }
    }
    let path_node = spec.get("path");
    let path_span = path_node.map_or_else(|| key_span(root, "spec"), |n| n.span);
    let dir = match repo_path(path_node.and_then(Node::as_str).unwrap_or("")) {
        Ok(d) => d,
        Err(m) => {
            return Some(problem_only(
                name,
                f,
                Problem::error(format!("spec.path: {m}"), path_span),
            ));
        }
    };
    if !(dir.is_empty() || files.is_dir(&dir)) {
        if required {
            return Some(problem_only(
                name,
                f,
                Problem::error(
                    format!("spec.path '{dir}' is not a directory of this repository"),
                    path_span,
                ),
            ));
        }
        return None;
    }
    let postbuild = spec.get("postBuild").cloned();
    let make = |reader: &mut Reader<'_>| -> Result<Kustomization, Problem> {
        let id = reader.register(&f.path, f.text.clone());
        let mut spec = spec.clone();
        spec.set_file(id);
        let path_span = path_span.in_file(id);
        let (mut k, kpath, kfile) = if has_kustomization(reader.files, &dir) {
            let k = kustomization::load(reader, &dir, path_span)?;
            (k.root, k.path, k.file)
        } else {
            let listed = flux_listing(reader.files, &dir);
            let items = listed
                .into_iter()
                .map(|p| Node::new(Value::String(p), path_span))
                .collect();
            let root = Node::new(
                Value::Map(vec![Entry {
                    key: "resources".to_owned(),
                    key_span: path_span,
                    value: Node::new(Value::Seq(items), path_span),
                }]),
                path_span,
            );
            (root, kustomization_path(&dir), id)
        };
        for field in ["commonMetadata", "patchesStrategicMerge", "patchesJson6902"] {
            if at(&spec, &[field]).is_some() {
                return Err(Problem::unsupported(
                    format!(
                        "Flux Kustomization field 'spec.{field}' is not rendered by tollgate yet"
                    ),
                    key_span(&spec, field),
                ));
            }
        }
        if let Some(n) = at(&spec, &["targetNamespace"]) {
            set(&mut k, "namespace", key_span(&spec, "targetNamespace"), n);
        }
        for field in ["namePrefix", "nameSuffix"] {
            if let Some(n) = at(&spec, &[field]) {
                set(&mut k, field, key_span(&spec, field), n);
            }
        }
        for field in ["patches", "components"] {
            if let Some(Value::Seq(items)) = at(&spec, &[field]).map(|n| &n.value) {
                append(&mut k, field, key_span(&spec, field), items);
            }
        }
        if let Some(Value::Seq(items)) = at(&spec, &["images"]).map(|n| &n.value) {
            for image in items {
                upsert_by_name(&mut k, "images", key_span(&spec, "images"), image);
            }
        }
        kustomization::parse(&dir, &kpath, kfile, k)
    };
    let mut rendered = tollgate_kustomize::build::render_with(files, &dir, options, &make);
    if rendered.problems.is_empty()
        && let Some(post) = postbuild
        && let Err(p) = post_build(&mut rendered, f, &post, facts)
    {
        rendered.resources.clear();
        rendered.problems.push(p);
    }
    Some(Named {
        name,
        rendered,
        own: f.path.clone(),
        watch: None,
    })
}

/// Where a generated kustomization would sit (never read: spans of its
/// nodes are in the reconciler's file).
fn kustomization_path(dir: &str) -> String {
    if dir.is_empty() {
        "kustomization.yaml".to_owned()
    } else {
        format!("{dir}/kustomization.yaml")
    }
}

/// kustomize-controller's generated kustomization for a path without one:
/// every `.yaml`/`.yml` file below it, recursively, and each subdirectory
/// holding a kustomization as one entry (not descended into).
fn flux_listing(files: &dyn Files, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let full = join(dir, &rel);
        let Ok(names) = files.list(&full) else {
            continue;
        };
        let mut subdirs = Vec::new();
        for n in names {
            if n == ".git" {
                continue;
            }
            let child_rel = join(&rel, &n);
            let child = join(dir, &child_rel);
            if files.is_dir(&child) {
                if has_kustomization(files, &child) {
                    out.push(format!("./{child_rel}"));
                } else {
                    subdirs.push(child_rel);
                }
            } else if n.ends_with(".yaml") || n.ends_with(".yml") {
                out.push(format!("./{child_rel}"));
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    out.sort();
    out
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}/{b}"),
    }
}

// ---------------------------------------------------------------- edits

/// Sets (or replaces) a top-level field of a kustomization tree.
fn set(k: &mut Node, key: &str, key_span: Span, value: &Node) {
    let Value::Map(entries) = &mut k.value else {
        return;
    };
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) => {
            e.value = value.clone();
            e.key_span = key_span;
        }
        None => entries.push(Entry {
            key: key.to_owned(),
            key_span,
            value: value.clone(),
        }),
    }
}

/// Appends items to a top-level sequence field.
fn append(k: &mut Node, key: &str, key_span: Span, items: &[Node]) {
    let Value::Map(entries) = &mut k.value else {
        return;
    };
    match entries.iter_mut().find(|e| e.key == key) {
        Some(e) => match &mut e.value.value {
            Value::Seq(existing) => existing.extend(items.iter().cloned()),
            _ => e.value = Node::new(Value::Seq(items.to_vec()), e.value.span),
        },
        None => entries.push(Entry {
            key: key.to_owned(),
            key_span,
            value: Node::new(Value::Seq(items.to_vec()), key_span),
        }),
    }
}

/// Replaces the item of a sequence field with the same `name`, or appends it
/// (`kustomize edit set image`, `set replicas`; Flux's `images`).
fn upsert_by_name(k: &mut Node, key: &str, key_span: Span, item: &Node) {
    let name = str_at(item, &["name"]).to_owned();
    if let Some(Node {
        value: Value::Seq(existing),
        ..
    }) = k.get_mut(key)
        && let Some(slot) = existing.iter_mut().find(|e| str_at(e, &["name"]) == name)
    {
        *slot = item.clone();
        return;
    }
    append(k, key, key_span, std::slice::from_ref(item));
}

/// Merges mapping entries into a top-level mapping field (`kustomize edit add
/// label --force`).
fn merge_map(k: &mut Node, key: &str, key_span: Span, pairs: &Node) {
    let Value::Map(add) = &pairs.value else {
        return;
    };
    match k.get_mut(key) {
        Some(Node {
            value: Value::Map(existing),
            ..
        }) => {
            for e in add {
                match existing.iter_mut().find(|x| x.key == e.key) {
                    Some(x) => *x = e.clone(),
                    None => existing.push(e.clone()),
                }
            }
        }
        _ => set(k, key, key_span, pairs),
    }
}

// ---------------------------------------------------------------- Flux postBuild

/// Flux's `postBuild`: variables from `substituteFrom` ConfigMaps (in order),
/// then `substitute` (which wins), replaced in every string value of the
/// rendered objects, except those annotated
/// `kustomize.toolkit.fluxcd.io/substitute: disabled`.
fn post_build(
    rendered: &mut Rendered,
    f: &Found,
    post: &Node,
    facts: &Facts,
) -> Result<(), Problem> {
    let own = rendered
        .files
        .iter()
        .position(|s| s.path == f.path)
        .map_or(FileId(0), |i| FileId(u32::try_from(i).unwrap_or(0)));
    let mut post = post.clone();
    post.set_file(own);
    let own_ns = str_at(&f.root, &["metadata", "namespace"]).to_owned();
    let mut vars: BTreeMap<String, (String, Span)> = BTreeMap::new();
    if let Some(Value::Seq(refs)) = at(&post, &["substituteFrom"]).map(|n| &n.value) {
        for r in refs {
            let kind = str_at(r, &["kind"]);
            let name = str_at(r, &["name"]);
            let optional = matches!(
                at(r, &["optional"]).map(|n| &n.value),
                Some(Value::Bool(true))
            );
            if kind != "ConfigMap" {
                return Err(Problem::unsupported(
                    format!(
                        "postBuild.substituteFrom {kind} '{name}' is not read by tollgate (only \
                         ConfigMaps in the repository are)"
                    ),
                    r.span,
                ));
            }
            let Some((path, text, data)) =
                facts.config_maps.get(&(own_ns.clone(), name.to_owned()))
            else {
                if optional {
                    continue;
                }
                return Err(Problem::error(
                    format!(
                        "postBuild.substituteFrom ConfigMap '{name}' is not among the checked files \
                         (kustomize-controller reads it from the cluster; mark it optional or add it)"
                    ),
                    r.span,
                ));
            };
            let id = match rendered.files.iter().position(|s| &s.path == path) {
                Some(i) => FileId(u32::try_from(i).unwrap_or(0)),
                None => {
                    rendered.files.push(SourceText {
                        path: path.clone(),
                        text: text.clone(),
                    });
                    FileId(u32::try_from(rendered.files.len() - 1).unwrap_or(0))
                }
            };
            if let Value::Map(entries) = &data.value {
                for e in entries {
                    if let Some(v) = scalar_string(&e.value) {
                        vars.insert(e.key.clone(), (v, e.value.span.in_file(id)));
                    }
                }
            }
        }
    }
    if let Some(Value::Map(entries)) = at(&post, &["substitute"]).map(|n| &n.value) {
        for e in entries {
            if let Some(v) = scalar_string(&e.value) {
                vars.insert(e.key.clone(), (v, e.value.span));
            }
        }
    }
    for r in &mut rendered.resources {
        let disabled = str_at(
            &r.node,
            &[
                "metadata",
                "annotations",
                "kustomize.toolkit.fluxcd.io/substitute",
            ],
        ) == "disabled";
        if !disabled {
            substitute_tree(&mut r.node, &vars);
        }
    }
    Ok(())
}

fn scalar_string(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(x) => Some(x.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Substitutes in every string of a tree (recursion is bounded: rendered
/// trees are at most `limits.max_depth` deep).
fn substitute_tree(n: &mut Node, vars: &BTreeMap<String, (String, Span)>) {
    let replaced = match &mut n.value {
        Value::Seq(items) => {
            for item in items {
                substitute_tree(item, vars);
            }
            None
        }
        Value::Map(entries) => {
            for e in entries {
                substitute_tree(&mut e.value, vars);
            }
            None
        }
        Value::String(s) if s.contains('$') => {
            let (out, sole) = envsubst(s, vars);
            (out != *s).then_some((out, sole))
        }
        _ => None,
    };
    if let Some((out, sole)) = replaced {
        // Flux substitutes in the YAML text: a value that now reads as a
        // number or a boolean becomes one.
        n.value = match crate::load::scalar::resolve_plain(&out) {
            crate::load::scalar::Resolved::Value(
                v @ (Value::Int(_) | Value::UInt(_) | Value::Float(_) | Value::Bool(_)),
            ) => v,
            _ => Value::String(out),
        };
        if let Some(span) = sole {
            n.span = span;
        }
    }
}

/// Flux's envsubst on one string: `${var}`, `${var:=default}` and
/// `${var:-default}`; an unset variable without a default is empty; `$${`
/// writes `${`. Returns the result and, when the whole string was one
/// variable with a value, that value's span.
fn envsubst(s: &str, vars: &BTreeMap<String, (String, Span)>) -> (String, Option<Span>) {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut sole = None;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(escaped) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = escaped;
            continue;
        }
        if let Some(body_end) = after.strip_prefix("${").and_then(|b| b.find('}'))
            && let Some(body) = after.get(2..2 + body_end)
        {
            let (var, default) = match body.find(":=").or_else(|| body.find(":-")) {
                Some(j) => (&body[..j], Some(&body[j + 2..])),
                None => (body, None),
            };
            if valid_name(var) {
                let whole = i == 0 && after.len() == body_end + 3 && out.is_empty();
                match (vars.get(var), default) {
                    (Some((v, span)), _) => {
                        out.push_str(v);
                        if whole {
                            sole = Some(*span);
                        }
                    }
                    (None, Some(d)) => out.push_str(d),
                    (None, None) => {}
                }
                rest = &after[body_end + 3..];
                continue;
            }
        }
        out.push('$');
        rest = &after[1..];
    }
    out.push_str(rest);
    (out, sole)
}

fn valid_name(v: &str) -> bool {
    let mut chars = v.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

// ---------------------------------------------------------------- Argo CD

fn argo(files: &dyn Files, f: &Found, urls: &[String], options: &Options) -> Vec<Named> {
    let root = &f.root;
    let Some(spec) = root.get("spec") else {
        return Vec::new();
    };
    let app = str_at(root, &["metadata", "name"]);
    let sources: Vec<&Node> = match (at(spec, &["source"]), at(spec, &["sources"])) {
        (
            _,
            Some(Node {
                value: Value::Seq(items),
                ..
            }),
        ) => items.iter().collect(),
        (Some(s), _) => vec![s],
        _ => return Vec::new(),
    };
    let several = sources.len() > 1;
    let dest_ns = at(spec, &["destination", "namespace"]).cloned();
    let mut out = Vec::new();
    for (i, source) in sources.into_iter().enumerate() {
        let name = if several {
            format!("argocd:{app}[{i}]")
        } else {
            format!("argocd:{app}")
        };
        if let Some(chart) = at(source, &["chart"]) {
            out.push(problem_only(
                name,
                f,
                Problem::unsupported(
                    format!(
                        "Argo CD Helm source (chart '{}') is not rendered by tollgate: Helm \
                         charts are inflated by the helm binary; its objects are not checked",
                        chart.as_str().unwrap_or("")
                    ),
                    key_span(source, "chart"),
                ),
            ));
            continue;
        }
        let Some(path_node) = at(source, &["path"]) else {
            continue; // a `ref` source: values for another source
        };
        let repo_url = str_at(source, &["repoURL"]);
        let matched = !urls.is_empty() && url_matches(repo_url, urls);
        if !urls.is_empty() && !matched {
            continue; // another repository
        }
        let dir = match repo_path(path_node.as_str().unwrap_or("")) {
            Ok(d) => d,
            Err(m) => {
                out.push(problem_only(
                    name,
                    f,
                    Problem::error(format!("source.path: {m}"), path_node.span),
                ));
                continue;
            }
        };
        if !(dir.is_empty() || files.is_dir(&dir)) {
            if matched {
                out.push(problem_only(
                    name,
                    f,
                    Problem::error(
                        format!("source.path '{dir}' is not a directory of this repository"),
                        path_node.span,
                    ),
                ));
            }
            continue;
        }
        let is_chart = files
            .list(&dir)
            .is_ok_and(|n| n.iter().any(|n| n == "Chart.yaml"));
        let unsupported_at = if is_chart {
            Some((
                format!(
                    "Argo CD Helm source (chart directory '{dir}') is not rendered by tollgate: \
                     Helm charts are inflated by the helm binary; its objects are not checked"
                ),
                path_node.span,
            ))
        } else {
            ["helm", "plugin"].iter().find_map(|field| {
                at(source, &[field]).map(|_| {
                    (
                        format!("Argo CD source field '{field}' is not rendered by tollgate"),
                        key_span(source, field),
                    )
                })
            })
        };
        if let Some((message, span)) = unsupported_at {
            let mut named = problem_only(name, f, Problem::unsupported(message, span));
            named.watch = is_chart.then(|| dir.clone());
            out.push(named);
            continue;
        }
        let mut rendered = render_argo(files, f, source, &dir, options);
        if let Some(ns) = &dest_ns
            && rendered.problems.is_empty()
        {
            set_destination_namespace(&mut rendered, f, ns);
        }
        out.push(Named {
            name,
            rendered,
            own: f.path.clone(),
            watch: None,
        });
    }
    out
}

/// The fields of `spec.source.kustomize` this renders.
const ARGO_KUSTOMIZE: &[&str] = &[
    "namePrefix",
    "nameSuffix",
    "namespace",
    "images",
    "commonLabels",
    "commonAnnotations",
    "replicas",
    "patches",
    "components",
    "forceCommonLabels",
    "forceCommonAnnotations",
    "version",
];

fn render_argo(
    files: &dyn Files,
    f: &Found,
    source: &Node,
    dir: &str,
    options: &Options,
) -> Rendered {
    let make = |reader: &mut Reader<'_>| -> Result<Kustomization, Problem> {
        let id = reader.register(&f.path, f.text.clone());
        let mut source = source.clone();
        source.set_file(id);
        let path_span = at(&source, &["path"]).map_or(source.span, |n| n.span);
        let kz = at(&source, &["kustomize"]);
        if !has_kustomization(reader.files, dir) {
            if let Some(kz) = kz {
                return Err(Problem::error(
                    format!(
                        "Argo CD builds this source with kustomize, but '{dir}' has no \
                         kustomization.yaml"
                    ),
                    kz.span,
                ));
            }
            return directory_app(reader, &source, dir, path_span);
        }
        let loaded = kustomization::load(reader, dir, path_span)?;
        let (mut k, kpath, kfile) = (loaded.root, loaded.path, loaded.file);
        if let Some(kz) = kz {
            if let Value::Map(entries) = &kz.value {
                for e in entries {
                    let enabled = !matches!(e.value.value, Value::Null | Value::Bool(false));
                    if !ARGO_KUSTOMIZE.contains(&e.key.as_str()) && enabled {
                        return Err(Problem::unsupported(
                            format!(
                                "Argo CD kustomize option '{}' is not rendered by tollgate",
                                e.key
                            ),
                            e.key_span,
                        ));
                    }
                }
            }
            for field in ["namePrefix", "nameSuffix", "namespace"] {
                if let Some(n) = at(kz, &[field]) {
                    set(&mut k, field, key_span(kz, field), n);
                }
            }
            for field in ["commonLabels", "commonAnnotations"] {
                if let Some(n) = at(kz, &[field]) {
                    merge_map(&mut k, field, key_span(kz, field), n);
                }
            }
            for field in ["patches", "components"] {
                if let Some(Value::Seq(items)) = at(kz, &[field]).map(|n| &n.value) {
                    append(&mut k, field, key_span(kz, field), items);
                }
            }
            if let Some(Value::Seq(items)) = at(kz, &["images"]).map(|n| &n.value) {
                for image in items {
                    let entry = argo_image(image)?;
                    upsert_by_name(&mut k, "images", key_span(kz, "images"), &entry);
                }
            }
            if let Some(Value::Seq(items)) = at(kz, &["replicas"]).map(|n| &n.value) {
                for r in items {
                    upsert_by_name(&mut k, "replicas", key_span(kz, "replicas"), r);
                }
            }
        }
        kustomization::parse(dir, &kpath, kfile, k)
    };
    tollgate_kustomize::build::render_with(files, dir, options, &make)
}

/// An Argo CD directory source: the `.yaml`, `.yml` and `.json` files of the
/// path (below it with `directory.recurse`).
fn directory_app(
    reader: &mut Reader<'_>,
    source: &Node,
    dir: &str,
    path_span: Span,
) -> Result<Kustomization, Problem> {
    let directory = at(source, &["directory"]);
    for field in ["include", "exclude", "jsonnet"] {
        if let Some(d) = directory
            && at(d, &[field]).is_some()
        {
            return Err(Problem::unsupported(
                format!("Argo CD directory option '{field}' is not rendered by tollgate"),
                key_span(d, field),
            ));
        }
    }
    let recurse = matches!(
        directory.and_then(|d| d.get("recurse")).map(|n| &n.value),
        Some(Value::Bool(true))
    );
    let mut listed = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let Ok(names) = reader.list(&join(dir, &rel)) else {
            continue;
        };
        for n in names {
            let child_rel = join(&rel, &n);
            if reader.is_dir(&join(dir, &child_rel)) {
                if recurse && !n.starts_with('.') {
                    stack.push(child_rel);
                }
            } else if [".yaml", ".yml", ".json"].iter().any(|e| n.ends_with(e)) {
                listed.push(format!("./{child_rel}"));
            }
        }
    }
    listed.sort();
    let id = path_span.file;
    let items = listed
        .into_iter()
        .map(|p| Node::new(Value::String(p), path_span))
        .collect();
    let root = Node::new(
        Value::Map(vec![Entry {
            key: "resources".to_owned(),
            key_span: path_span,
            value: Node::new(Value::Seq(items), path_span),
        }]),
        path_span,
    );
    kustomization::parse(dir, &kustomization_path(dir), id, root)
}

/// `kustomize edit set image` of an Argo CD image override:
/// `[name=]newName[:tag][@digest]`, every field at the string's span.
fn argo_image(image: &Node) -> Result<Node, Problem> {
    let Some(s) = image.as_str() else {
        return Err(Problem::error(
            "an Argo CD kustomize image is a string ('name=newName:tag')",
            image.span,
        ));
    };
    let (name, new) = match s.split_once('=') {
        Some((n, rest)) => (n.to_owned(), Some(rest)),
        None => (String::new(), None),
    };
    let spec = new.unwrap_or(s);
    let (spec, digest) = match spec.split_once('@') {
        Some((a, d)) => (a, Some(d)),
        None => (spec, None),
    };
    let slash = spec.rfind('/').map_or(0, |i| i + 1);
    let (image_name, tag) = match spec[slash..].rfind(':') {
        Some(c) => (&spec[..slash + c], Some(&spec[slash + c + 1..])),
        None => (spec, None),
    };
    let span = image.span;
    let text = |v: &str| Node::new(Value::String(v.to_owned()), span);
    let mut entries = vec![];
    let mut push = |key: &str, v: &str| {
        entries.push(Entry {
            key: key.to_owned(),
            key_span: span,
            value: text(v),
        });
    };
    if new.is_some() {
        push("name", &name);
        if image_name != name {
            push("newName", image_name);
        }
    } else {
        push("name", image_name);
    }
    if let Some(t) = tag {
        push("newTag", t);
    }
    if let Some(d) = digest {
        push("digest", d);
    }
    Ok(Node::new(Value::Map(entries), span))
}

/// Argo CD applies with `destination.namespace` as the default namespace: a
/// namespaced object without one lands there.
fn set_destination_namespace(rendered: &mut Rendered, f: &Found, ns: &Node) {
    let Some(value) = ns.as_str().filter(|s| !s.is_empty()) else {
        return;
    };
    let Some(own) = rendered.files.iter().position(|s| s.path == f.path) else {
        return;
    };
    let span = ns.span.in_file(FileId(u32::try_from(own).unwrap_or(0)));
    for r in &mut rendered.resources {
        let id = tollgate_kustomize::ResId::of(&r.node);
        if tollgate_kustomize::transform::is_cluster_scoped(&id.group, &id.version, &id.kind)
            || !id.namespace.is_empty()
        {
            continue;
        }
        let node = Node::new(Value::String(value.to_owned()), span);
        let entry = Entry {
            key: "namespace".to_owned(),
            key_span: span,
            value: node,
        };
        if let Some(Node {
            value: Value::Map(entries),
            ..
        }) = r.node.get_mut("metadata")
        {
            entries.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, (String, Span)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), ((*v).to_owned(), Span::new(1, 2))))
            .collect()
    }

    #[test]
    fn envsubst_as_flux() {
        let v = vars(&[("TAG", "1.2"), ("N", "3")]);
        assert_eq!(envsubst("nginx:${TAG}", &v).0, "nginx:1.2");
        assert_eq!(
            envsubst("${N}", &v),
            ("3".to_owned(), Some(Span::new(1, 2)))
        );
        assert_eq!(envsubst("${MISSING:=dflt}", &v).0, "dflt");
        assert_eq!(envsubst("${MISSING:-x}", &v).0, "x");
        assert_eq!(envsubst("a${MISSING}b", &v).0, "ab");
        assert_eq!(envsubst("$${TAG}", &v).0, "${TAG}");
        assert_eq!(envsubst("$TAG and $", &v).0, "$TAG and $");
        assert_eq!(envsubst("${not valid}", &v).0, "${not valid}");
    }

    #[test]
    fn argo_image_strings() {
        let img = |s: &str| {
            argo_image(&Node::new(Value::String(s.to_owned()), Span::new(0, 1)))
                .unwrap()
                .to_json()
        };
        assert_eq!(
            img("nginx:1.27"),
            serde_json::json!({"name": "nginx", "newTag": "1.27"})
        );
        assert_eq!(
            img("nginx=ghcr.io/x/nginx:latest"),
            serde_json::json!({"name": "nginx", "newName": "ghcr.io/x/nginx", "newTag": "latest"})
        );
        assert_eq!(
            img("localhost:5000/app@sha256:abc"),
            serde_json::json!({"name": "localhost:5000/app", "digest": "sha256:abc"})
        );
    }

    #[test]
    fn urls_compare_loosely() {
        let urls = vec!["https://github.com/Org/Repo.git".to_owned()];
        assert!(url_matches("https://github.com/org/repo", &urls));
        assert!(url_matches("https://github.com/org/repo/", &urls));
        assert!(!url_matches("https://github.com/org/other", &urls));
    }

    #[test]
    fn paths_stay_in_the_repository() {
        assert_eq!(repo_path("./apps/prod").as_deref(), Ok("apps/prod"));
        assert_eq!(repo_path("/apps").as_deref(), Ok("apps"));
        assert_eq!(repo_path("./").as_deref(), Ok(""));
        assert!(repo_path("../other").is_err());
        assert!(repo_path("apps/../../x").is_err());
    }
}

#[cfg(test)]
mod kubectl {
    //! The reconciler renders against `kubectl kustomize` of the equivalent
    //! edited kustomization (skipped when kubectl is absent).

    use super::*;
    use std::path::Path;

    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            let t = to.join(e.file_name());
            if e.path().is_dir() {
                copy(&e.path(), &t);
            } else {
                std::fs::copy(e.path(), &t).unwrap();
            }
        }
    }

    fn kubectl(dir: &Path) -> Option<String> {
        let out = std::process::Command::new("kubectl")
            .arg("kustomize")
            .arg(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn flux_and_argo_render_as_kubectl_renders_the_edited_kustomization() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reconciler");
        let Some(_) = kubectl(&fixture.join("apps/base")) else {
            println!("kubectl not found: skipping the kubectl comparison");
            return;
        };
        let files = tollgate_kustomize::DiskFiles::new(&fixture).unwrap();
        let paths: Vec<String> = [
            "clusters/prod/apps.yaml",
            "clusters/prod/guestbook.yaml",
            "clusters/prod/plain.yaml",
            "clusters/prod/cluster-vars.yaml",
        ]
        .map(str::to_owned)
        .to_vec();
        let named = targets(
            &files,
            &paths,
            &[],
            &Options::default(),
            tollgate_kustomize::LoadRestrictor::RootOnly,
        );
        let yaml = |name: &str| {
            let n = named.iter().find(|n| n.name == name).unwrap();
            assert!(n.rendered.problems.is_empty(), "{:?}", n.rendered.problems);
            n.rendered.to_yaml()
        };
        // The same edits, written into a copy as kustomize-controller and
        // `kustomize edit` would write them.
        let tmp = tempfile::tempdir().unwrap();
        copy(&fixture, tmp.path());
        let edit = |dir: &str, extra: &str| {
            let p = tmp.path().join(dir).join("kustomization.yaml");
            let mut text = std::fs::read_to_string(&p).unwrap_or_default();
            text.push_str(extra);
            std::fs::write(&p, text).unwrap();
            kubectl(&tmp.path().join(dir)).unwrap()
        };
        assert_eq!(
            yaml("flux:flux-system/apps"),
            edit("apps/production", "namespace: production\n")
        );
        // Argo CD: `kustomize edit set image nginx:latest`; the destination
        // namespace, for this lone namespaced object, as `namespace:`.
        assert_eq!(
            yaml("argocd:guestbook-prod"),
            edit(
                "apps/guestbook",
                "images:\n- name: nginx\n  newTag: latest\nnamespace: guestbook\n"
            )
        );
        // Flux over a path without a kustomization: the generated one, then
        // the substitution (done here on kubectl's text, as Flux does).
        let generated = edit(
            "plain/manifests",
            "resources:\n- ./deployment.yaml\n- ./sub/configmap.yaml\nnamespace: plain\n",
        );
        let substituted = generated
            .replace("$${NAME}", "\u{0}")
            .replace("${REPLICAS}", "2")
            .replace("${TAG:=1.27}", "1.27")
            .replace("${NAME}", "production")
            .replace('\u{0}', "${NAME}");
        assert_eq!(yaml("flux:flux-system/plain"), substituted, "{generated}");
    }
}
