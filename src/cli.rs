//! Command-line interface: clap derive only, no logic.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::FailOn;
use crate::report::Format;

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
    /// Print documents as the JSON Kubernetes reads from them (YAML 1.1 resolved).
    Inspect(InspectArgs),
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

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The file name to report for standard input (also picks YAML or JSON by extension).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// The lowest severity that fails the run (exit 1). Overrides `fail_on` in the config.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,

    /// Largest file to read, in bytes. Overrides `limits.max_file_size`.
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
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
