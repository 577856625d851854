//! `labels:` and `commonLabels:` (kustomize's `LabelTransformer` and
//! `filters/labels`).
//!
//! Each `labels:` entry is its own transformer, applied in order, then
//! `commonLabels`. An entry's specs are its own `fields`, the configured
//! `labels` specs and either the `commonLabels` specs (`includeSelectors:
//! true`: selectors and templates too) or, without selectors, the
//! `templateLabels` specs when `includeTemplates: true`, and always
//! `metadata/labels`. Within one object the pairs are applied in key order.
//! A written label's key carries the span of the kustomization's key and its
//! value the span of the kustomization's value.

use super::set_entry;
use crate::fieldspec::{CreateKind, FieldSpec, FieldSpecs, FsSlice, merge_all, merge_one, walk};
use crate::{Problem, Resource};
use tollgate_load::{Node, Span, Value};

/// One label (or annotation) to write, with the spans of its key and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// The key.
    pub key: String,
    /// Where the key was written in the kustomization.
    pub key_span: Span,
    /// The value.
    pub value: String,
    /// Where the value was written.
    pub value_span: Span,
}

/// Reads a `key: value` mapping of a kustomization field, sorted by key (as
/// kustomize applies them). A value that is no string is an error, as in
/// kustomize (`json: cannot unmarshal number into ... of type string`).
pub fn pairs(field: &Node) -> Result<Vec<Pair>, Problem> {
    let mut out = Vec::new();
    match &field.value {
        Value::Null => {}
        Value::Map(entries) => {
            for e in entries {
                let value = match &e.value.value {
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
                                "invalid Kustomization: cannot unmarshal {what} into the string value of \"{}\"",
                                e.key
                            ),
                            e.value.span,
                        ));
                    }
                };
                out.push(Pair {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value,
                    value_span: e.value.span,
                });
            }
        }
        _ => {
            return Err(Problem::error(
                "expected a mapping of keys to values",
                field.span,
            ));
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Writes `pairs` into every field `specs` select (creating mappings),
/// object by object, key by key.
pub fn apply_pairs(
    resources: &mut [Resource],
    pairs: &[Pair],
    specs: &[FieldSpec],
) -> Result<(), Problem> {
    if pairs.is_empty() {
        return Ok(());
    }
    for resource in resources.iter_mut() {
        for pair in pairs {
            for spec in specs {
                walk(
                    &mut resource.node,
                    spec,
                    CreateKind::Map,
                    pair.value_span,
                    &mut |node| {
                        set_entry(node, &pair.key, pair.key_span, &pair.value, pair.value_span)
                    },
                )
                .map_err(|e| Problem::error(e, pair.key_span))?;
            }
        }
    }
    Ok(())
}

/// Applies `commonLabels:` (`field` is its mapping).
pub fn apply_common_labels(
    resources: &mut [Resource],
    field: &Node,
    specs: &FieldSpecs,
) -> Result<(), Problem> {
    apply_pairs(resources, &pairs(field)?, &specs.common_labels)
}

/// Applies `labels:` (`field` is its list of entries with `pairs`,
/// `includeSelectors`, `includeTemplates` and `fields`).
pub fn apply_labels(
    resources: &mut [Resource],
    field: &Node,
    specs: &FieldSpecs,
) -> Result<(), Problem> {
    let items = match &field.value {
        Value::Seq(items) => items.as_slice(),
        Value::Null => &[],
        _ => return Err(Problem::error("labels must be a list", field.span)),
    };
    for item in items {
        let entry = LabelEntry::read(item)?;
        let merged = entry
            .field_specs(specs)
            .map_err(|e| Problem::error(format!("failed to merge labels: {e}"), item.span))?;
        apply_pairs(resources, &entry.pairs, &merged)?;
    }
    Ok(())
}

struct LabelEntry {
    pairs: Vec<Pair>,
    include_selectors: bool,
    include_templates: bool,
    fields: FsSlice,
}

impl LabelEntry {
    fn read(item: &Node) -> Result<Self, Problem> {
        let Value::Map(entries) = &item.value else {
            return Err(Problem::error(
                "a labels entry must be a mapping",
                item.span,
            ));
        };
        let mut out = LabelEntry {
            pairs: Vec::new(),
            include_selectors: false,
            include_templates: false,
            fields: Vec::new(),
        };
        let flag = |n: &Node| match n.value {
            Value::Bool(b) => Ok(b),
            Value::Null => Ok(false),
            _ => Err(Problem::error("expected true or false", n.span)),
        };
        for e in entries {
            match e.key.as_str() {
                "pairs" => out.pairs = pairs(&e.value)?,
                "includeSelectors" => out.include_selectors = flag(&e.value)?,
                "includeTemplates" => out.include_templates = flag(&e.value)?,
                "fields" => {
                    let items = match &e.value.value {
                        Value::Seq(items) => items.as_slice(),
                        Value::Null => &[],
                        _ => return Err(Problem::error("fields must be a list", e.value.span)),
                    };
                    for spec in items {
                        out.fields.push(FieldSpec::read(spec)?);
                    }
                }
                other => {
                    return Err(Problem::error(
                        format!("unknown field \"{other}\" in a labels entry"),
                        e.key_span,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Kustomize's spec list for one `labels:` entry.
    fn field_specs(&self, specs: &FieldSpecs) -> Result<FsSlice, String> {
        let mut fss = merge_all(&self.fields, &specs.labels)?;
        if self.include_selectors {
            fss = merge_all(&fss, &specs.common_labels)?;
        } else {
            if self.include_templates {
                fss = merge_all(&fss, &specs.template_labels)?;
            }
            merge_one(&mut fss, FieldSpec::any("metadata/labels", true))?;
        }
        Ok(fss)
    }
}

#[cfg(test)]
mod tests;
