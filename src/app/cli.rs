//! Command-line interface: clap derive only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;
use crate::settings::FailOn;

/// tollgate: a pre-merge gate for GitOps repositories.
///
/// Checks Kubernetes manifests and any YAML/JSON for syntax, Kubernetes-faithful
/// parsing and (in later releases) schemas and policies, with every finding on its line.
#[derive(Debug, Parser)]
#[command(name = "tollgate", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// Maximum number of threads (default: one per CPU). Results do not depend on it.
    #[arg(
        long,
        short = 'j',
        global = true,
        value_name = "N",
        env = "TOLLGATE_JOBS"
    )]
    pub jobs: Option<usize>,

    /// Use this config file instead of looking for `.tollgate.yaml`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// When to use colours in human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files and directories (default: the current directory).
    Check(CheckArgs),
    /// Write a starter `.tollgate.yaml`, an example policy with its test and a
    /// `.pre-commit-config.yaml` here (never overwriting a file).
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
    /// Write the approval report for base..head (or verify one with --verify).
    Report(ReportArgs),
    /// Print documents as the JSON Kubernetes reads from them (YAML 1.1 resolved).
    Inspect(InspectArgs),
    /// Run Rego unit tests (`test_*` rules), as `opa test` and `conftest verify` do.
    Test(TestArgs),
    /// Describe a policy rule: its metadata, where it is defined, an example.
    Explain(ExplainArgs),
    /// Render Kustomize targets natively and print the stream, as `kustomize build` does.
    Render(RenderArgs),
}

/// How `render` prints objects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RenderFormat {
    /// YAML documents separated by `---`, as `kustomize build` prints them.
    #[default]
    Yaml,
    /// One JSON array per target.
    Json,
}

/// kustomize's load restrictor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LoadRestrictorArg {
    /// A kustomization reads files only below its own directory (kustomize's default).
    #[default]
    RootOnly,
    /// A kustomization reads any file in the repository (Flux's setting).
    None,
}

/// Arguments of `tollgate render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Directories holding a kustomization (default: the current directory),
    /// or reconciler targets as `check` names them: `flux:<namespace>/<name>`
    /// for a Flux Kustomization, `argocd:<name>` for an Argo CD Application
    /// of the repository.
    #[arg(value_name = "DIR|TARGET", default_value = ".")]
    pub dirs: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = RenderFormat::Yaml)]
    pub format: RenderFormat,

    /// Which files a kustomization may read; never anything outside the repository.
    #[arg(long, value_enum, default_value_t = LoadRestrictorArg::RootOnly)]
    pub load_restrictor: LoadRestrictorArg,

    /// Show where each field came from: every value's JSON pointer and the
    /// `file:line:column` of the source that wrote it (base, patch,
    /// kustomization field, generator entry), instead of the stream.
    #[arg(long)]
    pub origins: bool,
}

/// Arguments of `tollgate inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files or directories to read; `-` reads standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The file name to report for standard input (also picks YAML or JSON by extension).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
}

/// Arguments of `tollgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads standard input.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Also write a report in FORMAT to PATH (repeatable): `--report sarif=out.sarif`.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_report_spec)]
    pub report: Vec<ReportSpec>,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The file name to report for standard input (also picks YAML or JSON by extension).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Print on stderr where the time went: per stage (discover, load, schema,
    /// policy, diff, report), files, documents, MB and throughput.
    #[arg(long)]
    pub stats: bool,

    /// How the files are checked.
    #[command(flatten)]
    pub settings: SettingsArgs,

    /// What changed since the base (change review).
    #[command(flatten)]
    pub review: ReviewArgs,
}

/// Flags that shape a check, shared by `check` and `report`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Check files as written: do not render Kustomize targets (`render.enabled: false`).
    #[arg(long)]
    pub no_render: bool,

    /// Check only part I of N of the files and render targets (by a hash of
    /// their names), for a CI job matrix; combine the JSON reports with
    /// `tollgate report merge`. Every shard still reads what cross-file facts
    /// need (CRDs, kustomizations).
    #[arg(long, value_name = "I/N", value_parser = crate::pipeline::run::Shard::parse)]
    pub shard: Option<crate::pipeline::run::Shard>,

    /// Ignore every waiver (config, annotations, policy exceptions): the auditor's view.
    #[arg(long)]
    pub no_waivers: bool,

    /// The lowest severity that fails the run (exit 1). Overrides `fail_on` in the config.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Largest file to read, in bytes. Overrides `limits.max_file_size`.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Kubernetes version to validate against, `1.30` or `1.30.2` (default: the
    /// newest embedded). Overrides `schemas.kubernetes_version`.
    #[arg(long, value_name = "VERSION", env = "TOLLGATE_KUBERNETES_VERSION")]
    pub kubernetes_version: Option<String>,

    /// Check Pod Security Standards as the admission controller decides them, at
    /// `LEVEL[@VERSION]`: `baseline`, `restricted@v1.30`, `baseline@latest`.
    /// Overrides `pod_security` in the config.
    #[arg(long, value_name = "LEVEL[@VERSION]", value_parser = crate::settings::PodSecurity::parse)]
    pub pod_security: Option<crate::settings::PodSecurity>,

    /// Accept fields that the schemas do not declare (default: they are errors,
    /// as `kubectl apply` rejects them). Sets `schemas.permissive`.
    #[arg(long)]
    pub permissive: bool,

    /// Policies to evaluate.
    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Package glob whose `deny`/`violation`/`warn` rules count (repeatable;
    /// default `main`). Overrides `policy.namespaces`.
    #[arg(long, value_name = "GLOB")]
    pub namespace: Vec<String>,

    /// Count the rules of every package.
    #[arg(long)]
    pub all_namespaces: bool,

    /// Give your policies every document of the run as ONE input, the array
    /// of `{path, contents}` (conftest's `--combine`), for rules across files;
    /// the built-in pack still checks each object.
    #[arg(long)]
    pub combine: bool,

    /// Read every input with this parser (conftest's names: yaml, json, hcl2,
    /// ...), standard input included, instead of choosing by file name.
    #[arg(long, value_name = "NAME", value_parser = parse_parser)]
    pub parser: Option<crate::load::Syntax>,

    /// Time allowed for all policies on one document, in milliseconds
    /// (default 2000). Overrides `policy.timeout_ms`.
    #[arg(long, value_name = "MS")]
    pub policy_timeout: Option<u64>,

    /// How policies are evaluated: `auto` runs the built-in pack and your
    /// policies on regorus' compiled VM (a document the VM cannot finish goes
    /// to the interpreter); `interpreter` runs all on the interpreter.
    /// Overrides `policy.engine`.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub policy_engine: Option<crate::settings::PolicyEngine>,
}

/// Change review: compare against the last merged commit.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Check only the files changed between the base and the head (added,
    /// modified, renamed); each finding is tagged `new` or `existing`.
    #[arg(long)]
    pub changed: bool,

    /// Compare the index (what the commit will contain) with HEAD: the base is HEAD.
    #[arg(long, conflicts_with = "head")]
    pub staged: bool,

    /// The base commit (default: the merge-base of HEAD with origin/HEAD,
    /// origin/main, origin/master, main or master).
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,

    /// The head commit (default: the working tree).
    #[arg(long, value_name = "REF")]
    pub head: Option<String>,

    /// Fail only on new findings: the base commit is the baseline.
    #[arg(long, requires = "changed")]
    pub new_only: bool,
}

/// Where Rego policies and data come from (`check` and `explain`).
#[derive(Clone, Debug, Default, Args)]
pub struct PolicyArgs {
    /// A directory or `.rego` file of policies (repeatable). Default: `policy/`
    /// and `policies/` at the repository root when they exist, or `policy.paths`.
    #[arg(long = "policy", short = 'p', value_name = "PATH")]
    pub policy: Vec<PathBuf>,

    /// A JSON/YAML file or directory merged under `data.` (repeatable).
    #[arg(long, short = 'd', value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Do not load the built-in policy pack.
    #[arg(long)]
    pub no_builtin: bool,
}

/// Arguments of `tollgate test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Directories or `.rego` files holding policies and their `*_test.rego`
    /// tests (default: `policy/` and `policies/` at the repository root).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// A JSON/YAML file or directory merged under `data.` (repeatable).
    #[arg(long, short = 'd', value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// Print line coverage per policy file.
    #[arg(long)]
    pub coverage: bool,

    /// Also run the built-in pack's tests.
    #[arg(long)]
    pub builtin: bool,
}

/// Arguments of `tollgate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id (`image-tag-latest`, `main.deny`) or `data.` path.
    #[arg(value_name = "RULE")]
    pub rule: String,

    /// Policies to look in (the built-in pack is always included unless
    /// `--no-builtin`).
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Colour choice for human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// An extra report: a format and the file it goes to.
#[derive(Clone, Debug)]
pub struct ReportSpec {
    /// The format.
    pub format: Format,
    /// Where to write it.
    pub path: PathBuf,
}

fn parse_report_spec(spec: &str) -> Result<ReportSpec, String> {
    let (format, path) = spec
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=PATH, found `{spec}`"))?;
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        format!(
            "unknown format `{format}`; expected one of {}",
            names.join(", ")
        )
    })?;
    if path.is_empty() {
        return Err("the report path is empty".into());
    }
    Ok(ReportSpec {
        format,
        path: PathBuf::from(path),
    })
}

/// Arguments of `tollgate report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReviewFormat::Markdown)]
    pub format: ReviewFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Record this time in the report (RFC 3339); `SOURCE_DATE_EPOCH` also sets one.
    /// Without either, the report holds no time, so it is byte-identical on rerun.
    #[arg(long, value_name = "TIME")]
    pub timestamp: Option<String>,

    /// Re-run the check at the commits a JSON report records and compare: exit 0
    /// when the verdict and every digest still hold, 1 otherwise.
    #[arg(long, value_name = "REPORT.json")]
    pub verify: Option<PathBuf>,

    /// How the files are checked.
    #[command(flatten)]
    pub settings: SettingsArgs,

    /// The commits to compare.
    #[command(flatten)]
    pub review: ReviewArgs,

    /// Merge shards' reports, or render a JSON report in another format.
    #[command(subcommand)]
    pub action: Option<ReportAction>,
}

/// `tollgate report merge` and `tollgate report render`.
#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Combine the JSON reports of `--shard 1/N` … `--shard N/N` (of `check`,
    /// `check --changed` or `report --format json`) into the report one
    /// unsharded run writes.
    Merge(MergeArgs),
    /// Write a JSON check report (merged, or any `--format json`) in another
    /// format: SARIF, JUnit, GitHub annotations, human.
    Render(RenderReportArgs),
}

/// Arguments of `tollgate report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' JSON reports, in any order.
    #[arg(value_name = "REPORT.json", required = true)]
    pub reports: Vec<PathBuf>,

    /// Write the merged report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `tollgate report render`.
#[derive(Debug, Args)]
pub struct RenderReportArgs {
    /// The JSON check report.
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the output to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Policies whose rule descriptions SARIF lists (as for `check`).
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Formats of the approval report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    /// A pull-request comment.
    Markdown,
    /// Machine-readable, versioned.
    Json,
    /// An unsigned in-toto Statement v1 (SLSA verification summary predicate).
    Intoto,
}

/// Arguments of `tollgate init` (none yet: it never overwrites a file).
#[derive(Debug, Args)]
pub struct InitArgs {}

/// Arguments of `tollgate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `--parser NAME`: one of the parsers tollgate has, by conftest's name.
fn parse_parser(name: &str) -> Result<crate::load::Syntax, String> {
    crate::load::Syntax::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = crate::load::Syntax::ALL.iter().map(|(n, _)| *n).collect();
        format!("unknown parser `{name}` (one of: {})", names.join(", "))
    })
}
