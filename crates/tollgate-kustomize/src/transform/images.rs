//! `images:` (kustomize's `ImageTagTransformer`, `filters/imagetag` and
//! `internal/image`).
//!
//! Each entry is its own transformer and runs two passes over every object
//! but CustomResourceDefinitions, as kustomize does: first the `image` of
//! every element of any `containers` / `initContainers` list anywhere in the
//! object, then every field the `images` specs select. An image matches an
//! entry's `name` when it is the name, optionally followed by `:tag` and/or
//! `@sha256:digest` (kustomize builds a regular expression from the name,
//! unescaped). The new image is `newName` (or the old name), then `newTag`
//! with `digest` / `newTag` alone (dropping any digest) / `digest` alone
//! (dropping the tag) / the old tag plus `tagSuffix`. The rewritten node
//! carries the span of the entry field that decided it: `newTag`, else
//! `digest`, else `newName`, else `tagSuffix`, else the entry.

use super::scalar_text;
use crate::fieldspec::{CreateKind, FieldSpecs, walk};
use crate::{Problem, Resource};
use regex::Regex;
use tollgate_load::{Node, Span, Value};

/// One `images:` entry.
#[derive(Clone, Debug, Default)]
pub struct ImageEntry {
    /// `name`.
    pub name: String,
    /// `newName`.
    pub new_name: String,
    /// `newTag`.
    pub new_tag: String,
    /// `digest`.
    pub digest: String,
    /// `tagSuffix`.
    pub tag_suffix: String,
    /// The span written images carry.
    pub span: Span,
}

impl ImageEntry {
    /// Reads an entry; a value that is no string (`newTag: 1.20`) is an
    /// error, as in kustomize.
    pub fn read(item: &Node) -> Result<Self, Problem> {
        let Value::Map(entries) = &item.value else {
            return Err(Problem::error(
                "an images entry must be a mapping",
                item.span,
            ));
        };
        let mut out = ImageEntry {
            span: item.span,
            ..Self::default()
        };
        let mut spans: [Option<Span>; 4] = [None; 4];
        for e in entries {
            let text = match &e.value.value {
                Value::Null => String::new(),
                Value::String(v) => v.clone(),
                other => {
                    let what = match other {
                        Value::Bool(_) => "bool",
                        Value::Seq(_) => "array",
                        Value::Map(_) => "object",
                        _ => "number",
                    };
                    return Err(Problem::error(
                        format!(
                            "invalid Kustomization: json: cannot unmarshal {what} into Go struct field Image.images.{} of type string",
                            e.key
                        ),
                        e.value.span,
                    ));
                }
            };
            match e.key.as_str() {
                "name" => out.name = text,
                "newName" => {
                    out.new_name = text;
                    spans[2] = Some(e.value.span);
                }
                "newTag" => {
                    out.new_tag = text;
                    spans[0] = Some(e.value.span);
                }
                "digest" => {
                    out.digest = text;
                    spans[1] = Some(e.value.span);
                }
                "tagSuffix" => {
                    out.tag_suffix = text;
                    spans[3] = Some(e.value.span);
                }
                other => {
                    return Err(Problem::error(
                        format!("unknown field \"{other}\" in an images entry"),
                        e.key_span,
                    ));
                }
            }
        }
        let values = [&out.new_tag, &out.digest, &out.new_name, &out.tag_suffix];
        if let Some(span) = spans
            .iter()
            .zip(values)
            .find_map(|(s, v)| s.filter(|_| !v.is_empty()))
        {
            out.span = span;
        }
        Ok(out)
    }

    /// The rewritten image, or `None` when `image` does not match.
    pub fn rewrite(&self, pattern: Option<&Regex>, image: &str) -> Option<String> {
        if !pattern.is_some_and(|p| p.is_match(image)) {
            return None;
        }
        let (mut name, mut tag, mut digest) = split(image);
        if !self.new_name.is_empty() {
            name = self.new_name.clone();
        }
        if !self.new_tag.is_empty() && !self.digest.is_empty() {
            tag = self.new_tag.clone();
            digest = self.digest.clone();
        } else if !self.new_tag.is_empty() {
            tag = self.new_tag.clone();
            digest.clear();
        } else if !self.digest.is_empty() {
            tag.clear();
            digest = self.digest.clone();
        } else if !self.tag_suffix.is_empty() {
            tag.push_str(&self.tag_suffix);
            digest.clear();
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }

    /// Kustomize's match pattern (the name is not escaped; a name that is no
    /// valid expression matches nothing).
    pub fn pattern(&self) -> Option<Regex> {
        Regex::new(&format!(
            "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
            self.name
        ))
        .ok()
    }
}

/// Splits an image into name, tag and digest as kustomize does (a `:` or
/// `@` before the first `/` belongs to the name: a registry port).
pub fn split(image: &str) -> (String, String, String) {
    let offset = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@').map(|i| i + offset);
    let colon = search.find(':').map(|i| i + offset);
    match (colon, at) {
        (None, None) => (image.to_owned(), String::new(), String::new()),
        (c, Some(a)) if c.is_none_or(|c| a < c) => (
            image[..a].to_owned(),
            String::new(),
            image[a + 1..].to_owned(),
        ),
        (Some(c), Some(a)) => (
            image[..c].to_owned(),
            image[c + 1..a].to_owned(),
            image[a + 1..].to_owned(),
        ),
        (Some(c), None) => (
            image[..c].to_owned(),
            image[c + 1..].to_owned(),
            String::new(),
        ),
        (None, Some(_)) => (image.to_owned(), String::new(), String::new()),
    }
}

/// Applies `images:` (`field` is its list).
pub fn apply(resources: &mut [Resource], field: &Node, specs: &FieldSpecs) -> Result<(), Problem> {
    match &field.value {
        Value::Seq(items) => apply_entries(resources, items, specs),
        Value::Null => Ok(()),
        _ => Err(Problem::error("images must be a list", field.span)),
    }
}

/// Applies `images:` entries given one by one (legacy `imageTags` folded in).
pub fn apply_entries(
    resources: &mut [Resource],
    items: &[Node],
    specs: &FieldSpecs,
) -> Result<(), Problem> {
    for item in items {
        let entry = ImageEntry::read(item)?;
        let pattern = entry.pattern();
        let update = |node: &mut Node| -> Result<(), String> {
            let Some(image) = scalar_text(node) else {
                if matches!(node.value, Value::Null) {
                    return Ok(());
                }
                return Err("wrong node kind: expected a scalar image".to_owned());
            };
            if let Some(new) = entry.rewrite(pattern.as_ref(), &image) {
                super::set_string(node, &new, entry.span);
            }
            Ok(())
        };
        for resource in resources.iter_mut() {
            if resource.node.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition")
            {
                continue;
            }
            legacy_walk(&mut resource.node, &update).map_err(|e| Problem::error(e, entry.span))?;
            for spec in &specs.images {
                walk(
                    &mut resource.node,
                    spec,
                    CreateKind::None,
                    entry.span,
                    &mut |n| update(n),
                )
                .map_err(|e| Problem::error(e, entry.span))?;
            }
        }
    }
    Ok(())
}

/// Kustomize's legacy pass: every `containers` / `initContainers` list in
/// the object, depth first, children before the list itself.
fn legacy_walk(
    node: &mut Node,
    update: &dyn Fn(&mut Node) -> Result<(), String>,
) -> Result<(), String> {
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                legacy_walk(&mut e.value, update)?;
                if (e.key == "containers" || e.key == "initContainers")
                    && let Value::Seq(items) = &mut e.value.value
                {
                    for item in items.iter_mut() {
                        if let Some(image) = item.get_mut("image") {
                            update(image)?;
                        }
                    }
                }
            }
            Ok(())
        }
        Value::Seq(items) => {
            for item in items.iter_mut() {
                legacy_walk(item, update)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
