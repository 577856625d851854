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
pub mod diff;
pub mod discover;
pub mod finding;
pub mod init;
pub mod inspect;
pub mod policy;
pub mod progress;
pub mod report;
pub mod resource;
pub mod review;
pub mod schema;
pub mod source;
pub mod stats;
pub mod waiver;

/// Loading lives in its own crate (`crates/tollgate-load`); this keeps its old path.
pub use tollgate_load as load;

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, ExplainArgs, InspectArgs, PolicyArgs, SettingsArgs,
    TestArgs,
};
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
    /// 2: tollgate could not do its job (bad flag, bad config, missing path, a crash
    /// while checking a file).
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
        Command::Report(ref args) => review::run_report(&cli, args, &cwd),
        Command::Init(ref args) => init::run_init(args, &cwd),
        Command::Completions(ref args) => init::run_completions(args),
        Command::Man => init::run_man(),
        Command::Test(ref args) => run_test(&cli, args, &cwd),
        Command::Explain(ref args) => run_explain(&cli, args, &cwd),
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

/// Settings for a check: config, flags, and the compiled policies. Fails (exit 2)
/// before any file is read when a policy does not compile or a schema setting is bad.
pub fn prepare(cli: &Cli, args: &SettingsArgs, cwd: &Path) -> anyhow::Result<Settings> {
    let mut settings = Settings::discover(cli.config.as_deref(), cwd)?;
    if let Some(max) = args.max_file_size {
        settings.limits.max_file_size = max;
    }
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = fail_on;
    }
    if let Some(version) = &args.kubernetes_version {
        settings.schemas.kubernetes_version = Some(version.clone());
    }
    if args.permissive {
        settings.schemas.permissive = true;
    }
    settings.ignore_waivers = args.no_waivers;
    let options = policy_options(&settings, &args.policy, cwd);
    let options = policy::PolicyOptions {
        namespaces: if !args.namespace.is_empty() {
            args.namespace.clone()
        } else {
            options.namespaces
        },
        all_namespaces: args.all_namespaces || options.all_namespaces,
        timeout: args
            .policy_timeout
            .map_or(options.timeout, std::time::Duration::from_millis),
        engine: args.policy_engine.unwrap_or(options.engine),
        ..options
    };
    if options.builtin || !options.paths.is_empty() {
        settings.policies = Some(std::sync::Arc::new(policy::PolicySet::load(&options, cwd)?));
    }
    // A bad version or schema directory is exit 2 now, not after reading files.
    schema::Catalog::new(&settings.schemas, &settings.base_dir)?;
    Ok(settings)
}

/// Runs the check pass over `inputs` and gathers a sorted report (without the
/// discovery counts, which the caller knows).
pub fn check_inputs(
    inputs: &[discover::Input],
    stdin: Option<&[u8]>,
    settings: &Settings,
) -> anyhow::Result<Report> {
    let mut catalog = schema::Catalog::new(&settings.schemas, &settings.base_dir)?;
    let progress = progress::Progress::start(inputs.len());
    let outcomes = check::check_all(inputs, stdin, settings, &mut catalog);
    drop(progress);
    let mut report = Report::default();
    report.summary.files = outcomes.len();
    for outcome in outcomes {
        report.summary.documents += outcome.documents;
        report.summary.resources += outcome.resources;
        report.summary.schema_missing += outcome.schema_missing;
        if let Some(src) = outcome.source {
            report.sources.insert(outcome.name.clone(), src);
        }
        report.findings.extend(outcome.findings);
    }
    finding::apply_levels(&mut report.findings, &settings.rules);
    if settings.ignore_waivers {
        // The auditor's view: nothing is waived, policy exceptions included.
        for f in &mut report.findings {
            f.waived = None;
        }
    } else {
        settings
            .waivers
            .apply(&mut report.findings, &settings.base_dir, &waiver::today());
    }
    finding::sort(&mut report.findings);
    if let Some(policies) = &settings.policies {
        report.rules = policies.rule_meta();
    }
    report.count_severities();
    Ok(report)
}

fn run_check(cli: &Cli, args: &CheckArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let mut clock = stats::Clock::start(args.stats);
    let settings = prepare(cli, &args.settings, cwd)?;
    clock.lap(stats::Stage::Startup);
    let report = if args.review.changed {
        review::check_changed(&args.review, &settings, cwd)?.report
    } else {
        let discovery =
            discover::discover(&args.paths, args.stdin_filename.as_deref(), &settings, cwd)?;
        let stdin = read_stdin_if_needed(&discovery.inputs)?;
        clock.lap(stats::Stage::Discover);
        let mut report = check_inputs(&discovery.inputs, stdin.as_deref(), &settings)?;
        report.summary.skipped = discovery.skipped_total();
        report.summary.skipped_by_reason = discovery.skipped.clone();
        report
    };
    clock.lap(stats::Stage::Check);
    write_report(cli, args, &report)?;
    clock.lap(stats::Stage::Report);
    clock.print(report.summary.files, report.summary.documents);
    let failing = match settings.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    // A crash while checking a file means the check is incomplete: exit 2, after
    // every other finding has been reported.
    let counts = |f: &&finding::Finding| {
        !args.review.new_only || f.status != Some(finding::Status::Existing)
    };
    Ok(
        if report
            .findings
            .iter()
            .any(|f| f.rule == finding::rules::INTERNAL_ERROR)
        {
            Exit::Trouble
        } else if report
            .findings
            .iter()
            .filter(counts)
            .any(|f| f.severity >= failing && f.waived.is_none())
        {
            Exit::Failures
        } else {
            Exit::Clean
        },
    )
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
    // Extra reports first (`--report sarif=out.sarif`), then the main one.
    for spec in &args.report {
        let mut buffer = Vec::new();
        spec.format.write(report, false, &mut buffer)?;
        std::fs::write(&spec.path, &buffer).map_err(|e| {
            anyhow::anyhow!("cannot write the report to {}: {e}", spec.path.display())
        })?;
    }
    let uses_github =
        args.format == Format::Github || args.report.iter().any(|r| r.format == Format::Github);
    if uses_github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot write GITHUB_STEP_SUMMARY: {e}"))?;
        file.write_all(report::github::step_summary(report).as_bytes())?;
    }
    let mut buffer = Vec::new();
    args.format.write(report, color, &mut buffer)?;
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

/// Policy options from the config and the `--policy`/`--data`/`--no-builtin` flags.
fn policy_options(settings: &Settings, args: &PolicyArgs, cwd: &Path) -> policy::PolicyOptions {
    let paths = if !args.policy.is_empty() {
        args.policy.clone()
    } else if !settings.policy.paths.is_empty() {
        settings.policy.paths.clone()
    } else {
        policy::sources::default_dirs(cwd)
    };
    let mut data = settings.policy.data.clone();
    data.extend(args.data.iter().cloned());
    policy::PolicyOptions {
        paths,
        data,
        builtin: settings.policy.builtin && !args.no_builtin,
        namespaces: if settings.policy.namespaces.is_empty() {
            vec!["main".to_owned()]
        } else {
            settings.policy.namespaces.clone()
        },
        all_namespaces: settings.policy.all_namespaces,
        timeout: std::time::Duration::from_millis(settings.policy.timeout_ms),
        levels: settings.rules.clone(),
        engine: settings.policy.engine,
    }
}

fn run_test(cli: &Cli, args: &TestArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = Settings::discover(cli.config.as_deref(), cwd)?;
    let dirs = if !args.dirs.is_empty() {
        args.dirs.clone()
    } else if !settings.policy.paths.is_empty() {
        settings.policy.paths.clone()
    } else {
        policy::sources::default_dirs(cwd)
    };
    let sources = policy::sources::collect(&dirs, cwd, args.builtin, true)?;
    let mut data_paths = settings.policy.data.clone();
    data_paths.extend(args.data.iter().cloned());
    let data = policy::sources::data(&data_paths, cwd)?;
    let run = policy::testing::run(&sources, data, args.coverage)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(run.render().as_bytes())?;
    stdout.flush()?;
    Ok(if run.failed() > 0 {
        Exit::Failures
    } else {
        Exit::Clean
    })
}

fn run_explain(cli: &Cli, args: &ExplainArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = Settings::discover(cli.config.as_deref(), cwd)?;
    let options = policy::PolicyOptions {
        all_namespaces: true,
        ..policy_options(&settings, &args.policy, cwd)
    };
    let set = policy::PolicySet::load(&options, cwd)?;
    let Some(rule) = set.find(&args.rule) else {
        anyhow::bail!(
            "no policy rule `{}`; known rules: {}",
            args.rule,
            set.ids().join(", ")
        );
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(policy::explain::render(rule).as_bytes())?;
    stdout.flush()?;
    Ok(Exit::Clean)
}
