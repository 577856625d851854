//! A generator entry read from the kustomization (kustomize's
//! `ConfigMapArgs`/`SecretArgs` and `GeneratorOptions`), every field with its
//! spans.

use std::collections::BTreeMap;

use crate::resource::Behavior;
use crate::{Node, Problem, Span, Value};

/// Which generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `configMapGenerator`.
    ConfigMap,
    /// `secretGenerator`.
    Secret,
}

impl Kind {
    /// The kind of the objects made.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
        }
    }
}

/// A string field and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned {
    /// The value.
    pub(crate) value: String,
    /// The key's span.
    pub(crate) key_span: Span,
    /// The value's span.
    pub(crate) span: Span,
}

/// `options` / `generatorOptions`, after kustomize's merge of the global ones
/// into the entry's.
#[derive(Clone, Debug, Default)]
pub(crate) struct Opts {
    pub(crate) labels: BTreeMap<String, Spanned>,
    pub(crate) labels_span: Option<Span>,
    pub(crate) annotations: BTreeMap<String, Spanned>,
    pub(crate) annotations_span: Option<Span>,
    pub(crate) disable_hash: bool,
    /// `immutable: true`: (key span, value span).
    pub(crate) immutable: Option<(Span, Span)>,
}

impl Opts {
    /// Reads an options mapping.
    pub(crate) fn parse(node: &Node) -> Result<Self, Problem> {
        let mut o = Opts::default();
        let Value::Map(entries) = &node.value else {
            return Err(Problem::error(
                "generator options must be a mapping",
                node.span,
            ));
        };
        for e in entries {
            match canonical(
                &e.key,
                &[
                    "labels",
                    "annotations",
                    "disableNameSuffixHash",
                    "immutable",
                ],
            ) {
                "labels" => {
                    o.labels = string_map(&e.value)?;
                    o.labels_span = Some(e.key_span);
                }
                "annotations" => {
                    o.annotations = string_map(&e.value)?;
                    o.annotations_span = Some(e.key_span);
                }
                "disableNameSuffixHash" => o.disable_hash = boolean(&e.value)?,
                "immutable" => {
                    if boolean(&e.value)? {
                        o.immutable = Some((e.key_span, e.value.span));
                    }
                }
                _ => {
                    return Err(Problem::error(
                        format!("invalid Kustomization: json: unknown field \"{}\"", e.key),
                        e.key_span,
                    ));
                }
            }
        }
        Ok(o)
    }

    /// kustomize's `MergeGlobalOptionsIntoLocal`: the entry's labels and
    /// annotations win, global ones fill in; either flag set sets it.
    fn merge_global(mut self, global: &Opts) -> Self {
        for (k, v) in &global.labels {
            self.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        self.labels_span = self.labels_span.or(global.labels_span);
        for (k, v) in &global.annotations {
            self.annotations
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        self.annotations_span = self.annotations_span.or(global.annotations_span);
        self.disable_hash |= global.disable_hash;
        self.immutable = self.immutable.or(global.immutable);
        self
    }
}

/// One generator entry.
pub(crate) struct GenArgs<'a> {
    pub(crate) entry: &'a Node,
    pub(crate) kind: Kind,
    pub(crate) name: Option<Spanned>,
    pub(crate) namespace: Option<Spanned>,
    pub(crate) behavior: Behavior,
    pub(crate) secret_type: Option<Spanned>,
    /// `literals` entries (string nodes).
    pub(crate) literals: Vec<&'a Node>,
    /// `files` entries.
    pub(crate) files: Vec<&'a Node>,
    /// `envs` entries, then the legacy `env` (kustomize's `FixKustomization`
    /// appends it to `envs`).
    pub(crate) envs: Vec<&'a Node>,
    pub(crate) options: Opts,
}

impl<'a> GenArgs<'a> {
    /// Reads one entry of `configMapGenerator`/`secretGenerator`.
    pub(crate) fn parse(
        entry: &'a Node,
        kind: Kind,
        global: Option<&Opts>,
    ) -> Result<Self, Problem> {
        let Value::Map(entries) = &entry.value else {
            return Err(Problem::error(
                "a generator entry must be a mapping",
                entry.span,
            ));
        };
        let mut args = GenArgs {
            entry,
            kind,
            name: None,
            namespace: None,
            behavior: Behavior::Create,
            secret_type: None,
            literals: Vec::new(),
            files: Vec::new(),
            envs: Vec::new(),
            options: Opts::default(),
        };
        let mut env = None;
        for e in entries {
            let spanned = || -> Result<Spanned, Problem> {
                Ok(Spanned {
                    value: string(&e.value)?,
                    key_span: e.key_span,
                    span: e.value.span,
                })
            };
            let known = [
                "name",
                "namespace",
                "behavior",
                "type",
                "literals",
                "files",
                "envs",
                "env",
                "options",
            ];
            match canonical(&e.key, &known) {
                "name" => args.name = Some(spanned()?).filter(|s| !s.value.is_empty()),
                "namespace" => args.namespace = Some(spanned()?),
                "behavior" => {
                    // kustomize's NewGenerationBehavior: anything else is
                    // "unspecified", which acts as create.
                    args.behavior = match string(&e.value)?.as_str() {
                        "merge" => Behavior::Merge,
                        "replace" => Behavior::Replace,
                        _ => Behavior::Create,
                    };
                }
                "type" if kind == Kind::Secret => args.secret_type = Some(spanned()?),
                "literals" => args.literals = strings(&e.value)?,
                "files" => args.files = strings(&e.value)?,
                "envs" => args.envs = strings(&e.value)?,
                "env" => {
                    string(&e.value)?;
                    env = Some(&e.value);
                }
                "options" => {
                    if !matches!(e.value.value, Value::Null) {
                        args.options = Opts::parse(&e.value)?;
                    }
                }
                _ => {
                    return Err(Problem::error(
                        format!("invalid Kustomization: json: unknown field \"{}\"", e.key),
                        e.key_span,
                    ));
                }
            }
        }
        if let Some(env) = env.filter(|n| n.as_str().is_some_and(|s| !s.is_empty())) {
            args.envs.push(env);
        }
        if let Some(global) = global {
            args.options = std::mem::take(&mut args.options).merge_global(global);
        }
        Ok(args)
    }
}

/// The name of `key` among `known` ignoring case (Go's JSON field
/// matching, which kustomize's decoding uses), or `key` itself.
fn canonical<'k>(key: &'k str, known: &[&'static str]) -> &'k str {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key))
        .copied()
        .unwrap_or(key)
}

/// A scalar as the string Go's YAML-to-JSON-to-string decoding accepts: only
/// strings (an empty value reads as "").
fn string(node: &Node) -> Result<String, Problem> {
    match &node.value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        _ => Err(Problem::error("expected a string here", node.span)),
    }
}

fn strings(node: &Node) -> Result<Vec<&Node>, Problem> {
    match &node.value {
        Value::Seq(items) => {
            for i in items {
                if !matches!(i.value, Value::String(_)) {
                    return Err(Problem::error("expected a list of strings", i.span));
                }
            }
            Ok(items.iter().collect())
        }
        Value::Null => Ok(Vec::new()),
        _ => Err(Problem::error("expected a list of strings", node.span)),
    }
}

fn boolean(node: &Node) -> Result<bool, Problem> {
    match &node.value {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        _ => Err(Problem::error("expected true or false", node.span)),
    }
}

fn string_map(node: &Node) -> Result<BTreeMap<String, Spanned>, Problem> {
    let mut out = BTreeMap::new();
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                out.insert(
                    e.key.clone(),
                    Spanned {
                        value: string(&e.value)?,
                        key_span: e.key_span,
                        span: e.value.span,
                    },
                );
            }
            Ok(out)
        }
        Value::Null => Ok(out),
        _ => Err(Problem::error("expected a mapping of strings", node.span)),
    }
}
