//! Settings layer: the plain, resolved values one run uses.
//!
//! Everything here is data: the app layer reads `.tollgate.yaml` and the
//! command line into a [`Settings`], and the layers below read it. Nothing here
//! is compiled or stateful (the compiled policies and the waivers of a run live
//! in `pipeline::Run`), so every layer may depend on this one.

use std::path::{Path, PathBuf};

use globset::GlobSet;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::load::Limits;
use crate::model::finding::RuleLevel;

/// Which files a kustomization may read (kustomize's `--load-restrictor`);
/// nothing outside the repository is ever read either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LoadRestrictor {
    /// Only files at or below the kustomization's directory (kustomize's default).
    #[default]
    RootOnly,
    /// Any file in the repository (Flux's setting).
    None,
}

/// Resolved `render:` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderSettings {
    /// Render Kustomize targets and check what they render (default on).
    pub enabled: bool,
    /// The load restrictor.
    pub load_restrictor: LoadRestrictor,
}

impl Default for RenderSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            load_restrictor: LoadRestrictor::RootOnly,
        }
    }
}

/// The default policy evaluation budget per document, in milliseconds
/// (`policy.timeout_ms`, `--policy-timeout`).
pub const DEFAULT_POLICY_TIMEOUT_MS: u64 = 2000;

/// How policies are evaluated (`policy.engine`, `--policy-engine`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PolicyEngine {
    /// The built-in pack and users' policies on the compiled VM (falling back
    /// to the interpreter on a document the VM cannot finish).
    #[default]
    Auto,
    /// Everything on the interpreter.
    Interpreter,
}

/// Resolved `policy:` settings (paths absolute).
#[derive(Clone, Debug, Default)]
pub struct PolicySettings {
    /// Policy paths from the config (empty: the default directories).
    pub paths: Vec<PathBuf>,
    /// Data paths from the config.
    pub data: Vec<PathBuf>,
    /// Package globs.
    pub namespaces: Vec<String>,
    /// Count every package.
    pub all_namespaces: bool,
    /// Load the built-in pack.
    pub builtin: bool,
    /// Milliseconds per document.
    pub timeout_ms: u64,
    /// How policies are evaluated.
    pub engine: PolicyEngine,
    /// The Pod Security Standards level and version the pack checks (`None`:
    /// the pack's Pod Security rules report as they always have).
    pub pod_security: Option<PodSecurity>,
    /// Rows added to the pack's pod-template table (`pod_templates:`).
    pub pod_templates: Vec<PodTemplate>,
}

/// The newest Pod Security policy version the pack knows (PSA's `latest`), as
/// the minor number of `v1.<minor>`.
pub const POD_SECURITY_LATEST: u32 = 37;

/// A Pod Security Standards level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    /// Nothing is checked.
    Privileged,
    /// The baseline checks.
    Baseline,
    /// The baseline and restricted checks.
    Restricted,
}

impl PodSecurityLevel {
    /// `baseline`, as the standard and the namespace labels spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Privileged => "privileged",
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }

    /// The level a label value names.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "privileged" => Some(Self::Privileged),
            "baseline" => Some(Self::Baseline),
            "restricted" => Some(Self::Restricted),
            _ => None,
        }
    }
}

/// A level at a policy version, as the PodSecurity admission controller takes
/// them (`enforce` and `enforce-version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodSecurity {
    /// The level.
    pub level: PodSecurityLevel,
    /// The minor number of `v1.<minor>`; `None` is `latest`. Versions newer than
    /// [`POD_SECURITY_LATEST`] are `latest`, as in the admission controller.
    pub version: Option<u32>,
}

impl PodSecurity {
    /// Parses a policy version: `latest`, `v1.30` or `1.30`.
    pub fn parse_version(text: &str) -> Result<Option<u32>, String> {
        let text = text.trim();
        if text == "latest" {
            return Ok(None);
        }
        let minor = text
            .strip_prefix('v')
            .unwrap_or(text)
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or_else(|| {
                format!("`{text}` is not a Pod Security version: use `latest` or `v1.<minor>`, e.g. `v1.30`")
            })?;
        Ok((minor < POD_SECURITY_LATEST).then_some(minor))
    }

    /// Parses `LEVEL[@VERSION]` (`baseline`, `restricted@v1.30`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (level, version) = match text.split_once('@') {
            Some((l, v)) => (l, Some(v)),
            None => (text, None),
        };
        let level = PodSecurityLevel::parse(level.trim()).ok_or_else(|| {
            format!("`{level}` is not a Pod Security level: use privileged, baseline or restricted")
        })?;
        let version = match version {
            Some(v) => Self::parse_version(v)?,
            None => None,
        };
        Ok(Self { level, version })
    }

    /// The version's minor number, `latest` resolved.
    pub fn minor(&self) -> u32 {
        self.version.unwrap_or(POD_SECURITY_LATEST)
    }

    /// `baseline v1.30`, `restricted latest`: how findings name it.
    pub fn label(&self) -> String {
        match self.version {
            Some(minor) => format!("{} v1.{minor}", self.level.as_str()),
            None => format!("{} latest", self.level.as_str()),
        }
    }
}

/// One row of the pod-template table: objects of this apiVersion (or group)
/// and kind hold a pod spec at this JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodTemplate {
    /// `argoproj.io/v1alpha1`, or a group (`argoproj.io`) for every version.
    pub api_version: String,
    /// `Rollout`.
    pub kind: String,
    /// JSON pointer of the pod spec (`/spec/template/spec`).
    pub path: String,
}

/// Severity of `schema-missing`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MissingSchema {
    /// Report as an error.
    Error,
    /// Report as a warning (default).
    #[default]
    Warning,
    /// Do not report (still counted in the summary).
    Off,
}

/// Resolved schema settings.
#[derive(Clone, Debug, Default)]
pub struct SchemaSettings {
    /// Requested Kubernetes version (`None`: newest embedded).
    pub kubernetes_version: Option<String>,
    /// Accept undeclared fields.
    pub permissive: bool,
    /// Severity of `schema-missing`.
    pub missing: MissingSchema,
    /// Schema directories (absolute).
    pub directories: Vec<PathBuf>,
    /// File globs (relative to the config directory) and their schema (absolute).
    pub associations: Vec<(globset::GlobMatcher, PathBuf)>,
    /// Leave out the built-in CRD catalog (`schemas.catalog: false`).
    pub no_catalog: bool,
}

/// The severity at which a run fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Fail on error findings only.
    #[default]
    Error,
    /// Fail on warnings too.
    Warning,
}

/// Resolved settings for one run.
#[derive(Debug)]
pub struct Settings {
    /// The config file used, if any (display form).
    pub config_file: Option<String>,
    /// The config file used, if any, as a path (what the report's digest hashes).
    pub config_path: Option<PathBuf>,
    /// Directory that `include`/`exclude` globs are relative to (absolute).
    pub base_dir: PathBuf,
    /// Compiled `include` globs (`None`: pick by extension).
    pub include: Option<GlobSet>,
    /// Compiled `exclude` globs.
    pub exclude: GlobSet,
    /// Loader limits.
    pub limits: Limits,
    /// Failing severity.
    pub fail_on: FailOn,
    /// Schema validation.
    pub schemas: SchemaSettings,
    /// Per-rule levels (`rules:`).
    pub rules: std::collections::BTreeMap<String, RuleLevel>,
    /// Policy settings (`policy:`).
    pub policy: PolicySettings,
    /// Rendering (`render:`).
    pub render: RenderSettings,
    /// This repository (`repository:`).
    pub repository: RepositorySettings,
    /// The parser for every input (`--parser`), overriding the choice by file name.
    pub parser: Option<crate::load::Syntax>,
}

/// Resolved `repository:` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepositorySettings {
    /// The repository URLs that name this repository (an Argo CD
    /// `Application`'s `repoURL`, a Flux `GitRepository`'s `url`), as written.
    /// Empty: any URL whose path exists in this repository counts.
    pub urls: Vec<String>,
}

/// A config problem: exit 2, with the file, line and column.
#[derive(Debug)]
pub struct ConfigError {
    /// The config file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

impl Settings {
    /// Settings with no config file, relative to `cwd`.
    pub fn defaults(cwd: &Path) -> Self {
        Self {
            config_file: None,
            config_path: None,
            base_dir: cwd.to_path_buf(),
            include: None,
            exclude: GlobSet::empty(),
            limits: Limits::default(),
            fail_on: FailOn::Error,
            schemas: SchemaSettings::default(),
            rules: std::collections::BTreeMap::new(),
            policy: PolicySettings {
                builtin: true,
                timeout_ms: DEFAULT_POLICY_TIMEOUT_MS,
                engine: PolicyEngine::Auto,
                ..PolicySettings::default()
            },
            render: RenderSettings::default(),
            repository: RepositorySettings::default(),
            parser: None,
        }
    }
}
