//! tollgate: a pre-merge gate for GitOps repositories.
//!
//! The pipeline is one straight road: [`discover`] finds the files, [`check`]
//! reads and [`load`]s each one in parallel into spanned documents (YAML read as
//! Kubernetes reads it), [`resource`] gives them identities, every problem becomes
//! a [`finding::Finding`], and a [`report`] renders the sorted findings. See
//! `docs/architecture.md` for the shape and the reasons behind it.

pub mod check;
pub mod cli;
pub mod config;
pub mod discover;
pub mod finding;
pub mod inspect;
pub mod load;
pub mod report;
pub mod resource;
pub mod source;

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use crate::cli::{CheckArgs, Cli, ColorChoice, Command, InspectArgs};
use crate::config::{FailOn, Settings};
use crate::finding::Severity;
use crate::report::{Format, Report};

/// How a run ended; `main` maps it to the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: no finding at or above the failing severity.
    Clean,
    /// 1: at least one failing finding.
    Failures,
    /// 2: tollgate could not do its job (bad flag, bad config, missing path).
    Trouble,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Self::Clean => 0,
            Self::Failures => 1,
            Self::Trouble => 2,
        }
    }
}

/// Runs a parsed command line. Errors are tool failures (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir()?;
    match cli.command {
        Command::Check(ref args) => run_check(&cli, args, &cwd),
        Command::Inspect(ref args) => run_inspect(&cli, args, &cwd),
    }
}

fn read_stdin_if_needed(inputs: &[discover::Input]) -> anyhow::Result<Option<Vec<u8>>> {
    if !inputs.iter().any(|i| i.origin == discover::Origin::Stdin) {
        return Ok(None);
    }
    let mut buf = Vec::new();
    std::io::stdin().lock().read_to_end(&mut buf)?;
    Ok(Some(buf))
}

fn run_inspect(cli: &Cli, args: &InspectArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = Settings::discover(cli.config.as_deref(), cwd)?;
    let discovery =
        discover::discover(&args.paths, args.stdin_filename.as_deref(), &settings, cwd)?;
    let stdin = read_stdin_if_needed(&discovery.inputs)?;
    let mut stdout = std::io::stdout().lock();
    let findings = inspect::run(&discovery.inputs, stdin.as_deref(), &settings, &mut stdout)?;
    stdout.flush()?;
    for f in &findings {
        eprintln!("{}", inspect::one_line(f));
    }
    Ok(if inspect::has_errors(&findings) {
        Exit::Failures
    } else {
        Exit::Clean
    })
}

fn run_check(cli: &Cli, args: &CheckArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let mut settings = Settings::discover(cli.config.as_deref(), cwd)?;
    if let Some(max) = args.max_file_size {
        settings.limits.max_file_size = max;
    }
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = fail_on;
    }
    let discovery =
        discover::discover(&args.paths, args.stdin_filename.as_deref(), &settings, cwd)?;
    let stdin = read_stdin_if_needed(&discovery.inputs)?;
    let outcomes = check::check_all(&discovery.inputs, stdin.as_deref(), &settings);

    let mut report = Report::default();
    report.summary.files = outcomes.len();
    report.summary.skipped = discovery.skipped_total();
    report.summary.skipped_by_reason = discovery.skipped.clone();
    for outcome in outcomes {
        report.summary.documents += outcome.documents;
        report.summary.resources += outcome.resources;
        if let Some(src) = outcome.source {
            report.sources.insert(outcome.name.clone(), src);
        }
        report.findings.extend(outcome.findings);
    }
    finding::sort(&mut report.findings);
    report.count_severities();

    write_report(cli, args, &report)?;
    let failing = match settings.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    Ok(if report.findings.iter().any(|f| f.severity >= failing) {
        Exit::Failures
    } else {
        Exit::Clean
    })
}

fn write_report(cli: &Cli, args: &CheckArgs, report: &Report) -> anyhow::Result<()> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let mut buffer = Vec::new();
    match args.format {
        Format::Human => report::human::write(
            report,
            report::human::Style { color, width: 100 },
            &mut buffer,
        )?,
        Format::Json => report::json::write(report, &mut buffer)?,
    }
    match &args.output {
        Some(path) => std::fs::write(path, &buffer)
            .map_err(|e| anyhow::anyhow!("cannot write the report to {}: {e}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&buffer)?;
            stdout.flush()?;
        }
    }
    Ok(())
}
