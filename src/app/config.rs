//! `.tollgate.yaml`: the options a repository checks in, resolved into settings.
//!
//! [`Options`] is the file's shape (serde, unknown keys rejected, JSON Schema
//! derived and checked in as `schemas/config.schema.json`); [`Settings`] (in `settings.rs`) is
//! what the run uses, after defaults and command-line flags are applied. The config is
//! read with tollgate's own loader, so a bad key is reported at its line and column.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::Deserialize;

use std::sync::Arc;

use crate::load::{self, Limits, Syntax, node};
use crate::model::finding::RuleLevel;
use crate::model::source::{self, SourceFile};
use crate::settings::{
    ConfigError, DEFAULT_POLICY_TIMEOUT_MS, FailOn, LoadRestrictor, MissingSchema, PolicyEngine,
    PolicySettings, RenderSettings, RepositorySettings, SchemaSettings, Settings,
};
use crate::stages::waiver::Waivers;

/// The file name looked up in the current directory, then the repository root.
pub(crate) const FILE_NAME: &str = ".tollgate.yaml";

/// The contents of `.tollgate.yaml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "tollgate configuration (.tollgate.yaml)")]
pub(crate) struct Options {
    /// Globs (relative to the config file's directory) of files a directory walk
    /// checks. When empty, `*.yaml`, `*.yml` and `*.json` are checked.
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs (relative to the config file's directory) of files and directories a
    /// directory walk skips. Files named on the command line are always checked.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Resource limits for hostile or broken input.
    #[serde(default)]
    pub limits: LimitOptions,
    /// The lowest severity that makes the run fail (exit 1): `error` (default) or `warning`.
    #[serde(default)]
    pub fail_on: Option<FailOn>,
    /// Schema validation: Kubernetes version, strictness, your own schemas.
    #[serde(default)]
    pub schemas: SchemaOptions,
    /// Rego policies: where they are, which packages count, data, time limit.
    #[serde(default)]
    pub policy: PolicyConfig,
    /// Kustomize rendering: on by default; what a kustomization may read.
    #[serde(default)]
    pub render: RenderOptions,
    /// This repository: which Argo CD `repoURL`s and Flux `GitRepository`
    /// URLs name it, so that their applications render as named targets.
    #[serde(default)]
    pub repository: RepositoryOptions,
    /// Pod Security Standards as the admission controller decides them: the
    /// level (`baseline`, `restricted`) and policy version (`v1.30`, default
    /// `latest`). Every violation of the level is an error and nothing of a
    /// higher level is reported; a namespace's `pod-security.kubernetes.io/enforce`
    /// label found in the repository wins for its workloads. `--pod-security`
    /// overrides it.
    #[serde(default)]
    pub pod_security: Option<PodSecurityOptions>,
    /// More kinds that embed a pod spec, for the built-in pack's pod rules:
    /// `{apiVersion, kind, path}` with `path` the JSON pointer of the pod spec.
    #[serde(default)]
    pub pod_templates: Vec<PodTemplateOptions>,
    /// Per-rule overrides by rule id (`image-tag-latest: off`,
    /// `host-port: warning`, `main.deny: info`). Applies to every finding with
    /// that id, built-in checks and policies alike; `off` rules are not evaluated.
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, RuleLevel>,
    /// Findings accepted on purpose, each with a reason, an owner and an optional
    /// expiry date. `--no-waivers` ignores them (the auditor's view).
    #[serde(default)]
    pub waivers: Vec<crate::stages::waiver::WaiverOptions>,
    /// Where each waiver is written (filled in by the parser, not read from the file).
    #[serde(skip)]
    #[schemars(skip)]
    pub waiver_positions: Vec<crate::model::source::Position>,
    /// Where each glob is written, by JSON pointer (`/exclude/0`), so a bad
    /// glob is reported at its line (filled in by the parser).
    #[serde(skip)]
    #[schemars(skip)]
    pub glob_positions: std::collections::BTreeMap<String, crate::model::source::Position>,
}

/// The `policy:` section. Command-line flags override each key.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyConfig {
    /// Policy directories or `.rego` files, relative to the config file
    /// (default: `policy/` and `policies/` at the repository root, when present).
    /// `--policy` replaces them.
    #[serde(default)]
    pub paths: Vec<String>,
    /// JSON/YAML files or directories merged under `data.` (`--data` adds to them).
    #[serde(default)]
    pub data: Vec<String>,
    /// Package globs whose `deny`/`violation`/`warn` rules count (default `main`).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Count the rules of every package (`--all-namespaces`).
    pub all_namespaces: Option<bool>,
    /// Load the built-in policy pack (default true; `--no-builtin` turns it off).
    pub builtin: Option<bool>,
    /// Time allowed for all policies on one document, in milliseconds (default 2000).
    pub timeout_ms: Option<u64>,
    /// How policies are evaluated (default `auto`: the built-in pack and users'
    /// policies on regorus' compiled VM, a document the VM cannot finish on the
    /// interpreter; `interpreter`: all on the interpreter).
    pub engine: Option<PolicyEngine>,
}

/// The `pod_security:` section.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PodSecurityOptions {
    /// `privileged`, `baseline` or `restricted`.
    pub level: crate::settings::PodSecurityLevel,
    /// The policy version: `latest` (default) or `v1.<minor>` such as `v1.30`
    /// (a string: quote it).
    #[serde(default)]
    pub version: Option<PodSecurityVersion>,
}

/// A policy version, checked as it is read.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(try_from = "String")]
#[schemars(with = "String")]
pub(crate) struct PodSecurityVersion(Option<u32>);

impl TryFrom<String> for PodSecurityVersion {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        crate::settings::PodSecurity::parse_version(&text).map(Self)
    }
}

/// One `pod_templates` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct PodTemplateOptions {
    /// `argoproj.io/v1alpha1`, or a group alone (`argoproj.io`) for every version.
    pub api_version: String,
    /// The kind (`Rollout`).
    pub kind: String,
    /// JSON pointer of the pod spec in the object (`/spec/template/spec`).
    pub path: String,
}

/// The `render:` section.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenderOptions {
    /// Render Kustomize targets and check the objects they render (default
    /// true). `--no-render` turns it off for one run.
    pub enabled: Option<bool>,
    /// `root-only` (kustomize's default) or `none` (Flux's setting: any file in
    /// the repository). Nothing outside the repository is read either way.
    pub load_restrictor: Option<LoadRestrictor>,
}

/// The `repository:` section.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RepositoryOptions {
    /// URLs that name this repository (`https://github.com/org/repo.git`,
    /// `git@github.com:org/repo.git`; compared without a trailing `/` or
    /// `.git` and case-insensitively). An Argo CD `Application` source or a
    /// Flux `GitRepository` with one of them renders as a named target.
    /// Empty (the default): any URL whose path exists in this repository counts.
    #[serde(default)]
    pub urls: Vec<String>,
}

/// The `schemas:` section.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchemaOptions {
    /// Kubernetes version to validate against, `1.30` or `1.30.2` (default: the
    /// newest embedded). `--kubernetes-version` overrides it.
    pub kubernetes_version: Option<String>,
    /// Accept fields the schemas do not declare (default false: unknown fields are
    /// errors, as `kubectl apply` rejects them). `--permissive` sets it.
    pub permissive: Option<bool>,
    /// What a Kubernetes-looking object without a schema gives: `warning`
    /// (default), `error` or `off`.
    pub missing: Option<MissingSchema>,
    /// Directories (relative to the config file) of JSON Schemas named as
    /// kubeconform names them (`{kind}_{version}.json`,
    /// `{group}/{kind}_{version}.json`, `{kind}-{group prefix}-{version}.json`) and
    /// of YAML files holding CRDs.
    #[serde(default)]
    pub directories: Vec<String>,
    /// Schemas for files that are not Kubernetes resources, by glob.
    #[serde(default)]
    pub associations: Vec<SchemaAssociation>,
    /// Validate the custom resources of well-known operators (Flux, Argo CD,
    /// cert-manager, prometheus-operator, Istio, Gateway API, ...) with their
    /// built-in CRDs (default true). A CRD in the repository or in
    /// `schemas.directories` takes precedence.
    pub catalog: Option<bool>,
}

/// One `schemas.associations` entry: files matching a glob use a schema.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchemaAssociation {
    /// Glob of files (relative to the config file), e.g. `ci/*.yaml`.
    pub files: String,
    /// Path of the JSON Schema (relative to the config file); never a URL.
    pub schema: String,
}

/// Bounds on what one file may cost. Each has a documented default.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitOptions {
    /// Largest file read, in bytes (default 10485760, 10 MiB).
    pub max_file_size: Option<u64>,
    /// Most documents read from one file (default 10000).
    pub max_documents: Option<usize>,
    /// Deepest nesting of mappings and sequences (default 256).
    pub max_depth: Option<usize>,
    /// Most nodes in one document, counting nodes copied by aliases (default 1000000).
    pub max_nodes: Option<usize>,
    /// Most alias references in one document (default 10000).
    pub max_aliases: Option<usize>,
    /// Longest string scalar or key, in bytes (default 2097152, 2 MiB).
    pub max_string_length: Option<usize>,
}

/// A config as read: the resolved settings and the waivers it lists.
#[derive(Debug)]
pub(crate) struct Config {
    /// Plain resolved values.
    pub settings: Settings,
    /// The `waivers:` entries.
    pub waivers: Waivers,
}

impl Config {
    /// Settings with no config file, relative to `cwd`.
    pub(crate) fn defaults(cwd: &Path) -> Self {
        Self {
            settings: Settings::defaults(cwd),
            waivers: Waivers::default(),
        }
    }

    /// Finds and reads the config: `explicit`, else `.tollgate.yaml` in `cwd`, else
    /// at the root of the repository holding `cwd`.
    pub(crate) fn discover(explicit: Option<&Path>, cwd: &Path) -> anyhow::Result<Self> {
        let path = match explicit {
            Some(p) => {
                if !p.is_file() {
                    anyhow::bail!("config file {} does not exist", p.display());
                }
                Some(p.to_path_buf())
            }
            None => {
                let here = cwd.join(FILE_NAME);
                if here.is_file() {
                    Some(here)
                } else {
                    crate::input::discover::repository_root(cwd)
                        .map(|r| r.join(FILE_NAME))
                        .filter(|p| p.is_file())
                }
            }
        };
        let Some(path) = path else {
            return Ok(Self::defaults(cwd));
        };
        let path = std::path::absolute(&path)?;
        let display = crate::input::discover::display_path(&path, cwd);
        let bytes = std::fs::read(&path)
            .map_err(|e| anyhow::anyhow!("cannot read config {display}: {e}"))?;
        let options = parse(&display, bytes)?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.to_path_buf());
        let mut config = Self::from_options(options, base, Some(display))?;
        config.settings.config_path = Some(path);
        Ok(config)
    }

    /// Applies options on top of the defaults.
    pub(crate) fn from_options(
        options: Options,
        base_dir: PathBuf,
        config_file: Option<String>,
    ) -> Result<Self, ConfigError> {
        let file = config_file.clone().unwrap_or_default();
        let config_file_name = file.clone();
        let positions = &options.glob_positions;
        let at = |pointer: String| {
            positions
                .get(&pointer)
                .map_or((1, 1), |p| (p.line, p.column))
        };
        let globs = |patterns: &[String], key: &str| -> Result<GlobSet, ConfigError> {
            let mut b = GlobSetBuilder::new();
            for (i, p) in patterns.iter().enumerate() {
                let glob = Glob::new(p).map_err(|e| {
                    let (line, column) = at(format!("/{key}/{i}"));
                    ConfigError {
                        file: file.clone(),
                        line,
                        column,
                        message: format!("invalid glob in `{key}`: {e}"),
                    }
                })?;
                b.add(glob);
            }
            b.build().map_err(|e| ConfigError {
                file: file.clone(),
                line: 1,
                column: 1,
                message: e.to_string(),
            })
        };
        let include = if options.include.is_empty() {
            None
        } else {
            Some(globs(&options.include, "include")?)
        };
        let exclude = globs(&options.exclude, "exclude")?;
        let d = Limits::default();
        let l = options.limits;
        let limits = Limits {
            max_file_size: l.max_file_size.unwrap_or(d.max_file_size),
            max_documents: l.max_documents.unwrap_or(d.max_documents),
            max_depth: l.max_depth.unwrap_or(d.max_depth),
            max_nodes: l.max_nodes.unwrap_or(d.max_nodes),
            max_aliases: l.max_aliases.unwrap_or(d.max_aliases),
            max_string_length: l.max_string_length.unwrap_or(d.max_string_length),
        };
        let s = options.schemas;
        let mut associations = Vec::new();
        for (i, a) in s.associations.iter().enumerate() {
            let glob = Glob::new(&a.files).map_err(|e| {
                let (line, column) = at(format!("/schemas/associations/{i}/files"));
                ConfigError {
                    file: file.clone(),
                    line,
                    column,
                    message: format!("invalid glob in `schemas.associations`: {e}"),
                }
            })?;
            associations.push((glob.compile_matcher(), base_dir.join(&a.schema)));
        }
        let schemas = SchemaSettings {
            kubernetes_version: s.kubernetes_version,
            permissive: s.permissive.unwrap_or(false),
            missing: s.missing.unwrap_or_default(),
            directories: s.directories.iter().map(|d| base_dir.join(d)).collect(),
            associations,
            no_catalog: !s.catalog.unwrap_or(true),
        };
        let policy = PolicySettings {
            paths: options
                .policy
                .paths
                .iter()
                .map(|p| base_dir.join(p))
                .collect(),
            data: options
                .policy
                .data
                .iter()
                .map(|p| base_dir.join(p))
                .collect(),
            namespaces: options.policy.namespaces,
            all_namespaces: options.policy.all_namespaces.unwrap_or(false),
            builtin: options.policy.builtin.unwrap_or(true),
            timeout_ms: options
                .policy
                .timeout_ms
                .unwrap_or(DEFAULT_POLICY_TIMEOUT_MS),
            engine: options.policy.engine.unwrap_or_default(),
            pod_security: options.pod_security.map(|p| crate::settings::PodSecurity {
                level: p.level,
                version: p.version.and_then(|v| v.0),
            }),
            pod_templates: options
                .pod_templates
                .into_iter()
                .map(|t| crate::settings::PodTemplate {
                    api_version: t.api_version,
                    kind: t.kind,
                    path: t.path,
                })
                .collect(),
        };
        let waivers = Waivers::new(options.waivers, options.waiver_positions, config_file_name)?;
        let settings = Settings {
            config_file,
            config_path: None,
            base_dir,
            include,
            exclude,
            limits,
            fail_on: options.fail_on.unwrap_or_default(),
            schemas,
            rules: options.rules,
            policy,
            render: RenderSettings {
                enabled: options.render.enabled.unwrap_or(true),
                load_restrictor: options.render.load_restrictor.unwrap_or_default(),
            },
            repository: RepositorySettings {
                urls: options.repository.urls,
            },
            parser: None,
        };
        Ok(Self { settings, waivers })
    }
}

/// Parses config bytes, locating every error at its line and column.
pub(crate) fn parse(display: &str, bytes: Vec<u8>) -> Result<Options, ConfigError> {
    let err = |line, column, message: String| ConfigError {
        file: display.to_owned(),
        line,
        column,
        message,
    };
    let text = source::decode(bytes).map_err(|e| err(e.line, e.column, e.message))?;
    let src = SourceFile::new(Arc::from(display), text);
    let loaded = load::load(&src.text, Syntax::Yaml, &Limits::default());
    if let Some(p) = loaded.problems.first() {
        let pos = src.position(p.span.start);
        return Err(err(
            pos.line,
            pos.column,
            format!("{} ({})", p.message, p.rule),
        ));
    }
    let mut docs = loaded.documents;
    if docs.len() > 1 {
        let pos = src.position(docs[1].root.span.start);
        return Err(err(
            pos.line,
            pos.column,
            "the config must be a single YAML document".into(),
        ));
    }
    let Some(doc) = docs.pop() else {
        return Ok(Options::default());
    };
    let json = doc.root.to_json();
    let waiver_positions = |n: usize| -> Vec<crate::model::source::Position> {
        (0..n)
            .map(|i| src.position(doc.root.pointer_span(&format!("/waivers/{i}")).span.start))
            .collect()
    };
    let parsed = serde_path_to_error::deserialize::<_, Options>(json).map(|mut o| {
        o.waiver_positions = waiver_positions(o.waivers.len());
        let mut pointers: Vec<String> = Vec::new();
        pointers.extend((0..o.include.len()).map(|i| format!("/include/{i}")));
        pointers.extend((0..o.exclude.len()).map(|i| format!("/exclude/{i}")));
        pointers.extend(
            (0..o.schemas.associations.len()).map(|i| format!("/schemas/associations/{i}/files")),
        );
        for pointer in pointers {
            let at = doc.root.pointer_span(&pointer).span.start;
            o.glob_positions.insert(pointer, src.position(at));
        }
        o
    });
    parsed.map_err(|e| {
        let mut pointer = String::new();
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer.push_str(&format!("/{index}"))
                }
                serde_path_to_error::Segment::Map { key } => node::push_token(&mut pointer, key),
                _ => {}
            }
        }
        let inner = e.into_inner().to_string();
        let unknown = inner
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split('`').next());
        let span = match unknown {
            Some(field) => {
                if !pointer.ends_with(&format!("/{field}")) {
                    node::push_token(&mut pointer, field);
                }
                doc.root.pointer_key_span(&pointer).span
            }
            None => doc.root.pointer_span(&pointer).span,
        };
        let pos = src.position(span.start);
        let at = if pointer.is_empty() {
            String::new()
        } else {
            format!(" at {pointer}")
        };
        err(pos.line, pos.column, format!("{inner}{at}"))
    })
}

/// The JSON Schema of `.tollgate.yaml`, as checked in at `schemas/config.schema.json`
/// (a test regenerates and compares it).
#[cfg(test)]
pub(crate) fn json_schema() -> String {
    let schema = schemars::schema_for!(Options);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `schemas/config.schema.json` must match the code; rerun with
    /// `TOLLGATE_BLESS=1 cargo test --lib config` to regenerate it.
    #[test]
    fn checked_in_config_schema_is_current() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/config.schema.json");
        let current = json_schema();
        if std::env::var_os("TOLLGATE_BLESS").is_some() {
            std::fs::write(&path, &current).expect("schema written");
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == current,
            "schemas/config.schema.json is stale: run `TOLLGATE_BLESS=1 cargo test --lib config` and commit it"
        );
    }

    #[test]
    fn unknown_key_is_located() {
        let e = parse(
            ".tollgate.yaml",
            b"exclude: [a]\nlimits:\n  max_depth: 3\n  colour: red\n".to_vec(),
        )
        .err();
        let e = e.map(|e| {
            (
                e.line,
                e.column,
                e.message.starts_with("unknown field `colour`"),
            )
        });
        assert_eq!(e, Some((4, 3, true)));
    }

    #[test]
    fn wrong_type_is_located() {
        let e = parse("c.yaml", b"limits:\n  max_depth: deep\n".to_vec()).err();
        assert_eq!(e.map(|e| (e.line, e.column)), Some((2, 14)));
    }

    #[test]
    fn empty_config_is_default() {
        assert!(parse("c.yaml", b"# nothing\n".to_vec()).is_ok_and(|o| o.include.is_empty()));
    }

    #[test]
    fn options_resolve_to_settings() {
        let o = parse(
            "c.yaml",
            b"limits: {max_file_size: 12}\nfail_on: warning\nexclude: ['vendor/**']\n".to_vec(),
        );
        let s = o.map_err(|e| e.to_string()).and_then(|o| {
            Config::from_options(o, PathBuf::from("/r"), None)
                .map(|c| c.settings)
                .map_err(|e| e.to_string())
        });
        let s = s.map(|s| {
            (
                s.limits.max_file_size,
                s.fail_on,
                s.exclude.is_match("vendor/x.yaml"),
            )
        });
        assert_eq!(s, Ok((12, FailOn::Warning, true)));
    }
}
