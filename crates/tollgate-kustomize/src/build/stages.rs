//! The generator and transformer stages of one kustomization, and the steps
//! kustomize runs once at the top-level target, each calling the module that
//! implements it, in `KustTarget`'s order:
//!
//! - generators: `configMapGenerator`, then `secretGenerator` (absorbed by
//!   their `behavior`);
//! - transformers: `patchesStrategicMerge`, `patches`, `namespace`,
//!   `namePrefix`, `nameSuffix`, `commonLabels`/`labels`,
//!   `commonAnnotations`, `patchesJson6902`, `replicas`, `images`,
//!   `replacements`;
//! - at the top: hash suffixes of generated names, name references, vars,
//!   and dropping `config.kubernetes.io/local-config` objects.

use super::{Accumulator, Builder};
use crate::kustomization::Kustomization;
use crate::patch::{self, PatchEntry, PatchError, PatchField, Selector};
use crate::transform;
use crate::{Node, Problem, Resource, Span, Value};

fn patch_problem(e: PatchError) -> Problem {
    Problem::error(e.message, e.span)
}

/// Runs the kustomization's generators and absorbs what they make.
pub(super) fn generate(
    b: &mut Builder<'_>,
    k: &Kustomization,
    acc: &mut Accumulator,
) -> Result<(), Problem> {
    if k.items("configMapGenerator").is_empty() && k.items("secretGenerator").is_empty() {
        return Ok(());
    }
    let reader = &mut b.reader;
    let dir = k.dir.clone();
    let generated = crate::generate::run_generators(&k.root, &mut |rel: &str, at: Span| {
        reader.read_content(&dir, rel, at)
    })?;
    for resource in generated {
        crate::generate::absorb(&mut acc.resources, resource)?;
    }
    Ok(())
}

/// Runs the kustomization's builtin transformers in kustomize's order.
pub(super) fn transform(
    b: &mut Builder<'_>,
    k: &Kustomization,
    acc: &mut Accumulator,
) -> Result<(), Problem> {
    for entry in strategic_merge_entries(b, k)? {
        patch::apply_patch(&entry, &mut acc.resources).map_err(patch_problem)?;
    }
    for entry in patch_entries(b, k, "patches", PatchField::Patches)? {
        patch::apply_patch(&entry, &mut acc.resources).map_err(patch_problem)?;
    }
    let specs = &acc.config;
    let resources = &mut acc.resources;
    if let Some((_, node)) = k.string("namespace") {
        transform::namespace::apply(resources, node, specs)?;
    }
    if let Some((_, node)) = k.string("namePrefix") {
        transform::prefix_suffix::apply_prefix(resources, node, specs)?;
    }
    if let Some((_, node)) = k.string("nameSuffix") {
        transform::prefix_suffix::apply_suffix(resources, node, specs)?;
    }
    // kustomize folds `commonLabels` into `labels` (after the `labels`
    // entries) in one LabelTransformer.
    if let Some(node) = k.field("labels") {
        transform::labels::apply_labels(resources, node, specs)?;
    }
    if let Some(node) = k.field("commonLabels") {
        transform::labels::apply_common_labels(resources, node, specs)?;
    }
    if let Some(node) = k.field("commonAnnotations") {
        transform::annotations::apply(resources, node, specs)?;
    }
    for entry in patch_entries(b, k, "patchesJson6902", PatchField::PatchesJson6902)? {
        patch::apply_patch(&entry, &mut acc.resources).map_err(patch_problem)?;
    }
    if let Some(node) = k.field("replicas") {
        transform::replicas::apply(&mut acc.resources, node, &acc.config)?;
    }
    for field in ["images", "imageTags"] {
        if let Some(node) = k.field(field) {
            transform::images::apply(&mut acc.resources, node, &acc.config)?;
        }
    }
    let replacements = replacement_entries(b, k)?;
    if !replacements.is_empty() {
        crate::replacement::apply_replacements(&mut acc.resources, &replacements)?;
    }
    Ok(())
}

/// `patchesStrategicMerge`: each entry is a file path or, when no such file
/// exists, an inline patch.
fn strategic_merge_entries(
    b: &mut Builder<'_>,
    k: &Kustomization,
) -> Result<Vec<PatchEntry>, Problem> {
    let mut out = Vec::new();
    for item in k.items("patchesStrategicMerge") {
        let Some(text) = item.as_str() else {
            return Err(Problem::error(
                "patchesStrategicMerge entries must be strings (a file path or an inline patch)",
                item.span,
            ));
        };
        let is_file = crate::files::join_normalised(&k.dir, text)
            .is_ok_and(|p| b.reader.files.read(&p).is_ok());
        let documents = if is_file {
            b.reader.load_yaml(&k.dir, text, item.span)?
        } else if text.contains('\n') || text.contains(": ") || text.contains(":\n") {
            b.reader.parse_inline(text, item.span)?
        } else {
            // Neither a file nor YAML: kustomize reports the missing file.
            b.reader.load_yaml(&k.dir, text, item.span)?
        };
        out.push(PatchEntry {
            field: PatchField::PatchesStrategicMerge,
            documents,
            target: None,
            allow_name_change: false,
            allow_kind_change: false,
            span: item.span,
        });
    }
    Ok(out)
}

/// `patches` or `patchesJson6902`: mappings with `path` or `patch`,
/// `target` and `options`.
fn patch_entries(
    b: &mut Builder<'_>,
    k: &Kustomization,
    field: &str,
    kind: PatchField,
) -> Result<Vec<PatchEntry>, Problem> {
    let mut out = Vec::new();
    for item in k.items(field) {
        if !matches!(item.value, Value::Map(_)) {
            return Err(Problem::error(
                format!("{field} entries must be mappings with 'path' or 'patch'"),
                item.span,
            ));
        }
        let path = item.get("path").filter(|n| !is_blank(n));
        let inline = item.get("patch").filter(|n| !is_blank(n));
        let documents = match (path, inline) {
            (Some(_), Some(_)) => {
                return Err(Problem::error(
                    "patch and path can't be set at the same time",
                    item.span,
                ));
            }
            (None, None) => {
                return Err(Problem::error(
                    "must specify one of patch and path in the patch entry",
                    item.span,
                ));
            }
            (Some(p), None) => {
                let rel = p
                    .as_str()
                    .ok_or_else(|| Problem::error("'path' of a patch must be a string", p.span))?;
                b.reader.load_yaml(&k.dir, rel, p.span)?
            }
            (None, Some(p)) => {
                let text = p.as_str().ok_or_else(|| {
                    Problem::error("'patch' of a patch entry must be a string", p.span)
                })?;
                b.reader.parse_inline(text, p.span)?
            }
        };
        let target = match item.get("target").filter(|n| !is_blank(n)) {
            Some(t) => Some(Selector::parse(t).map_err(patch_problem)?),
            None => None,
        };
        if kind == PatchField::PatchesJson6902 && target.is_none() {
            return Err(Problem::error(
                "patchesJson6902 entries must have a 'target'",
                item.span,
            ));
        }
        let option = |name: &str| {
            item.get("options")
                .and_then(|o| o.get(name))
                .is_some_and(|v| matches!(v.value, Value::Bool(true)))
        };
        out.push(PatchEntry {
            field: kind,
            documents,
            target,
            allow_name_change: option("allowNameChange"),
            allow_kind_change: option("allowKindChange"),
            span: item.span,
        });
    }
    Ok(out)
}

fn is_blank(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Map(e) => e.is_empty(),
        _ => false,
    }
}

/// `replacements`: inline mappings, or `path:` files holding a list of them.
fn replacement_entries(b: &mut Builder<'_>, k: &Kustomization) -> Result<Vec<Node>, Problem> {
    let mut out = Vec::new();
    for item in k.items("replacements") {
        match item.get("path") {
            Some(p) if item.get("source").is_none() && item.get("targets").is_none() => {
                let rel = p.as_str().ok_or_else(|| {
                    Problem::error("'path' of a replacement must be a string", p.span)
                })?;
                for doc in b.reader.load_yaml(&k.dir, rel, p.span)? {
                    match doc.value {
                        Value::Seq(items) => out.extend(items),
                        _ => out.push(doc),
                    }
                }
            }
            Some(p) => {
                return Err(Problem::error(
                    "a replacement has either 'path' or 'source' and 'targets', not both",
                    p.span,
                ));
            }
            None => out.push(item.clone()),
        }
    }
    Ok(out)
}

/// The steps kustomize runs once, on the top-level target, after every
/// level has been accumulated and transformed.
pub(super) fn finish(_k: &Kustomization, acc: &mut Accumulator) -> Result<(), Problem> {
    crate::generate::add_hash_suffixes(&mut acc.resources)?;
    transform::nameref::apply(&mut acc.resources, &acc.config)?;
    acc.vars
        .resolve_with(&mut acc.resources, &acc.config.var_reference)?;
    acc.resources.retain(|r| !is_local_config(r));
    Ok(())
}

/// Whether kustomize drops the object from its output
/// (`config.kubernetes.io/local-config` set to anything but `"false"`).
fn is_local_config(resource: &Resource) -> bool {
    resource
        .node
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get("config.kubernetes.io/local-config"))
        .is_some_and(|v| v.as_str() != Some("false"))
}
