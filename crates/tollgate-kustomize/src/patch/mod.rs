//! Patches as kustomize v5.5 applies them: strategic merge patches
//! ([`smp`]), RFC 6902 JSON patches ([`json6902`]) and the `target:`
//! selector that picks the resources a patch applies to ([`select`]).
//!
//! [`apply_patch`] is the one entry point for a `patches`,
//! `patchesStrategicMerge` or `patchesJson6902` entry.

pub mod json6902;
pub mod select;
pub mod smp;
mod smp_list;
mod smp_unset;

pub use select::Selector;

use crate::{ResId, Resource};
use tollgate_load::{Entry, Node, Span, Value};

/// A patch that could not be applied, in kustomize's words, at the place
/// that caused it (the patch node, the failing op).
#[derive(Clone, Debug, PartialEq)]
pub struct PatchError {
    /// What went wrong.
    pub message: String,
    /// Where (a span in the patch's or the kustomization's file).
    pub span: Span,
}

impl PatchError {
    /// An error at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
        }
    }
}

/// Which kustomization field a patch came from (kustomize treats them differently).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PatchField {
    /// `patches:` (SMP or JSON 6902, decided by content; a target that selects
    /// nothing is not an error).
    #[default]
    Patches,
    /// `patchesStrategicMerge:` (deprecated; a patch that matches nothing is an error).
    PatchesStrategicMerge,
    /// `patchesJson6902:` (deprecated; always JSON 6902, target required).
    PatchesJson6902,
}

/// One patch entry of a kustomization, parsed.
#[derive(Clone, Debug)]
pub struct PatchEntry {
    /// The field the entry is in.
    pub field: PatchField,
    /// The patch documents (a file may hold several SMP documents; a JSON
    /// 6902 patch is one document, a sequence of ops). Spans are in their file.
    pub documents: Vec<Node>,
    /// The `target:` selector, if any.
    pub target: Option<Selector>,
    /// `options.allowNameChange`.
    pub allow_name_change: bool,
    /// `options.allowKindChange`.
    pub allow_kind_change: bool,
    /// The span of the entry in the kustomization (errors without a better place land here).
    pub span: Span,
}

/// Applies one patch entry to `resources` as kustomize's PatchTransformer /
/// PatchStrategicMergeTransformer / PatchJson6902Transformer would.
///
/// A `patches:` entry whose (first) document is a sequence is JSON 6902,
/// otherwise strategic merge. JSON 6902 needs a target and applies to every
/// selected resource. A strategic merge patch with a target applies to every
/// selected resource (its `apiVersion` taken from each); without one it
/// applies to the one resource whose current or any earlier id is the
/// patch's id, and it is an error when none or several match. A target that
/// selects nothing is not an error. Name, namespace and kind of a patched
/// object are restored unless `allowNameChange` / `allowKindChange`;
/// objects a patch deletes (`$patch: delete`) are removed.
pub fn apply_patch(entry: &PatchEntry, resources: &mut Vec<Resource>) -> Result<(), PatchError> {
    let docs: Vec<&Node> = entry
        .documents
        .iter()
        .filter(|d| !matches!(d.value, Value::Null))
        .collect();
    let Some(first) = docs.first() else {
        return Err(PatchError::new(
            "unable to parse SM or JSON patch: the patch is empty",
            entry.span,
        ));
    };
    let json = match entry.field {
        PatchField::PatchesJson6902 => true,
        PatchField::PatchesStrategicMerge => false,
        PatchField::Patches => json6902::is_json6902(first),
    };
    if json {
        let Some(target) = &entry.target else {
            return Err(PatchError::new(
                "must specify a target for JSON patch",
                entry.span,
            ));
        };
        for res in resources.iter_mut().filter(|r| target.matches(r)) {
            let before = res.id();
            json6902::apply(&mut res.node, first)?;
            res.nulls_written = true;
            if res.id() != before {
                res.previous_ids.push(before);
            }
        }
        return Ok(());
    }
    if let Some(target) = &entry.target {
        if docs.len() > 1 {
            return Err(PatchError::new(
                "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
                entry.span,
            ));
        }
        let selected: Vec<bool> = resources.iter().map(|r| target.matches(r)).collect();
        let mut deleted = vec![false; resources.len()];
        for (i, res) in resources.iter_mut().enumerate() {
            if selected.get(i) == Some(&true) {
                let mut patch = (*first).clone();
                if let (Some(av), Value::Map(entries)) =
                    (res.node.get("apiVersion").cloned(), &mut patch.value)
                {
                    match entries.iter_mut().find(|e| e.key == "apiVersion") {
                        Some(e) => e.value = av,
                        None => entries.push(Entry {
                            key: "apiVersion".into(),
                            key_span: av.span,
                            value: av,
                        }),
                    }
                }
                if let Some(d) = deleted.get_mut(i) {
                    *d = apply_smp(res, &patch, entry)?;
                }
            }
        }
        let mut flags = deleted.into_iter();
        resources.retain(|_| !flags.next().unwrap_or(false));
        return Ok(());
    }
    for doc in docs {
        let id = ResId::of(doc);
        let found: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.previous_ids
                    .iter()
                    .chain(std::iter::once(&r.id()))
                    .any(|p| crate::build::same_id(p, &id))
            })
            .map(|(i, _)| i)
            .collect();
        let shown = id_string(&id);
        let (Some(&i), 1) = (found.first(), found.len()) else {
            let what = if found.is_empty() {
                "no matches"
            } else {
                "multiple matches"
            };
            let inner =
                format!("{what} for Id {shown}; failed to find unique target for patch {shown}");
            let message = match entry.field {
                PatchField::Patches => {
                    format!("no resource matches strategic merge patch \"{shown}\": {inner}")
                }
                _ => inner,
            };
            return Err(PatchError::new(message, doc.span));
        };
        let Some(res) = resources.get_mut(i) else {
            continue;
        };
        if apply_smp(res, doc, entry)? {
            resources.remove(i);
        }
    }
    Ok(())
}

/// Applies a strategic merge patch to one resource, restoring name,
/// namespace and kind as kustomize does; true when the patch deleted it.
fn apply_smp(res: &mut Resource, patch: &Node, entry: &PatchEntry) -> Result<bool, PatchError> {
    let before = res.id();
    let meta = res.node.get("metadata");
    let name = meta.and_then(|m| m.get("name")).cloned();
    let namespace = meta.and_then(|m| m.get("namespace")).cloned();
    let kind = res.node.get("kind").cloned();
    if smp::apply_to(&mut res.node, patch, res.nulls_written)? == smp::Outcome::Deleted {
        return Ok(true);
    }
    if !entry.allow_kind_change {
        restore(&mut res.node, &[], "kind", kind);
    }
    if !entry.allow_name_change {
        restore(&mut res.node, &["metadata"], "name", name);
    }
    restore(&mut res.node, &["metadata"], "namespace", namespace);
    if (entry.allow_name_change || entry.allow_kind_change) && res.id() != before {
        res.previous_ids.push(before);
    }
    Ok(false)
}

/// Puts `value` back at `path`/`key` (removes the key when `None`).
fn restore(node: &mut Node, path: &[&str], key: &str, value: Option<Node>) {
    let mut node = node;
    for p in path {
        match node.get_mut(p) {
            Some(n) => node = n,
            None => return,
        }
    }
    let Value::Map(entries) = &mut node.value else {
        return;
    };
    let pos = entries.iter().position(|e| e.key == key);
    match (pos, value) {
        (Some(i), Some(v)) => {
            if let Some(e) = entries.get_mut(i)
                && e.value != v
            {
                e.value = v;
            }
        }
        (Some(i), None) => {
            entries.remove(i);
        }
        (None, Some(v)) => entries.push(Entry {
            key: key.to_owned(),
            key_span: v.span,
            value: v,
        }),
        (None, None) => {}
    }
}

/// A `ResId` as kustomize prints it: `Kind.version.group/name.namespace`.
pub fn id_string(id: &ResId) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{}.{}.{}/{}.{}",
        or(&id.kind, "[noKind]"),
        or(&id.version, "[noVer]"),
        or(&id.group, "[noGrp]"),
        id.name,
        or(&id.namespace, "[noNs]")
    )
}

#[cfg(test)]
mod tests;
