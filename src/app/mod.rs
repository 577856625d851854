//! App layer: the command line, `.tollgate.yaml`, and one function per
//! command. This is the top of the house: it reads flags and the config,
//! builds the [`Run`] context once (compiling policies here, so lower layers
//! only see plain values) and calls the pipeline.

pub mod cli;
pub(crate) mod config;
pub(crate) mod init;
pub(crate) mod inspect;
mod merge;
mod render_cmd;
mod report_cmd;

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use crate::app::config::Config;
use crate::input::discover;
use crate::model::report::Report;
use crate::model::stats;
use crate::output::{self as report, Format};
use crate::pipeline::review;
use crate::pipeline::run::{self, Exit, Run};
use crate::stages::{policy, schema};
use cli::{
    CheckArgs, Cli, ColorChoice, Command, ExplainArgs, InspectArgs, PolicyArgs, SettingsArgs,
    TestArgs,
};

/// Runs a parsed command line. Errors are tool failures (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir()?;
    match cli.command {
        Command::Check(ref args) => run_check(&cli, args, &cwd),
        Command::Inspect(ref args) => run_inspect(&cli, args, &cwd),
        Command::Report(ref args) => report_cmd::run_report(&cli, args, &cwd),
        Command::Init(ref args) => init::run_init(args, &cwd),
        Command::Completions(ref args) => init::run_completions(args),
        Command::Man => init::run_man(),
        Command::Test(ref args) => run_test(&cli, args, &cwd),
        Command::Explain(ref args) => run_explain(&cli, args, &cwd),
        Command::Render(ref args) => render_cmd::run_render(&cli, args, &cwd),
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
    let settings = Config::discover(cli.config.as_deref(), cwd)?.settings;
    let discovery =
        discover::discover(&args.paths, args.stdin_filename.as_deref(), &settings, cwd)?;
    let stdin = read_stdin_if_needed(&discovery.inputs)?;
    let mut stdout = std::io::stdout().lock();
    let findings = inspect::run(
        &discovery.inputs,
        &discovery.walked,
        stdin.as_deref(),
        &settings,
        cwd,
        &mut stdout,
    )?;
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

/// The context of a check: config, flags, and the compiled policies. Fails
/// (exit 2) before any file is read when a policy does not compile or a schema
/// setting is bad.
pub fn prepare(cli: &Cli, args: &SettingsArgs, cwd: &Path) -> anyhow::Result<Run> {
    let Config {
        mut settings,
        waivers,
    } = Config::discover(cli.config.as_deref(), cwd)?;
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
    if let Some(pod_security) = args.pod_security {
        settings.policy.pod_security = Some(pod_security);
    }
    if args.no_render {
        settings.render.enabled = false;
    }
    if args.parser.is_some() {
        settings.parser = args.parser;
    }
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
        combine: args.combine,
        ..options
    };
    if args.combine && args.shard.is_some() {
        anyhow::bail!(
            "--combine gives the policies every file at once: it cannot be split with --shard"
        );
    }
    let policies = if options.builtin || !options.paths.is_empty() {
        Some(std::sync::Arc::new(policy::PolicySet::load(&options, cwd)?))
    } else {
        None
    };
    // A bad version or schema directory is exit 2 now, not after reading files.
    schema::Catalog::new(&settings.schemas, &settings.base_dir)?;
    Ok(Run {
        settings,
        policies,
        waivers,
        ignore_waivers: args.no_waivers,
        cwd: cwd.to_path_buf(),
        shard: args.shard,
    })
}

fn run_check(cli: &Cli, args: &CheckArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let mut clock = stats::Clock::start(args.stats);
    let mut ctx = prepare(cli, &args.settings, cwd)?;
    clock.lap(stats::Stage::Startup);
    let report = if args.review.changed {
        review::check_changed(&review_request(&args.review), &ctx, cwd)?.report
    } else {
        let discovery = discover::discover(
            &args.paths,
            args.stdin_filename.as_deref(),
            &ctx.settings,
            cwd,
        )?;
        let stdin = read_stdin_if_needed(&discovery.inputs)?;
        clock.lap(stats::Stage::Discover);
        apply_namespace_levels(&mut ctx, &discovery.inputs)?;
        let mut report =
            run::check_files(&ctx, &discovery.inputs, &discovery.walked, stdin.as_deref())?;
        // Added to the files the run itself skipped (well-known non-Kubernetes
        // files); by the first shard only, so that merged counts add up.
        if ctx.shard.is_none_or(|s| s.is_first()) {
            report.summary.skipped += discovery.skipped_total();
            for (reason, n) in &discovery.skipped {
                *report.summary.skipped_by_reason.entry(*reason).or_default() += n;
            }
        }
        report
    };
    clock.lap(stats::Stage::Check);
    if let Some(shard) = ctx.shard {
        let mode = if args.review.changed {
            merge::Mode::Changed
        } else {
            merge::Mode::Check
        };
        write_shard_report(
            cli,
            args,
            &report,
            &merge::ShardInfo::new(shard, mode, &report),
        )?;
    } else {
        write_report(cli, args, &report)?;
    }
    clock.lap(stats::Stage::Report);
    clock.print(report.summary.files, report.summary.documents);
    Ok(run::exit_for(
        &report.findings,
        ctx.settings.fail_on,
        args.review.new_only,
    ))
}

/// The Pod Security `enforce` labels of the Namespaces among the files apply
/// to the objects of those namespaces, as the admission controller applies
/// them: the policies learn them before any file is checked.
fn apply_namespace_levels(ctx: &mut Run, inputs: &[discover::Input]) -> anyhow::Result<()> {
    let Some(policies) = &ctx.policies else {
        return Ok(());
    };
    // Every file is read for its Namespaces' labels: in parallel, then
    // gathered in the inputs' order (a later file's label wins, as before).
    let found: Vec<Vec<(String, crate::settings::PodSecurity)>> = {
        use rayon::prelude::*;
        inputs
            .par_iter()
            .map(|input| {
                let discover::Origin::Path(path) = &input.origin else {
                    return Vec::new();
                };
                let Ok(text) = std::fs::read_to_string(ctx.cwd.join(path)) else {
                    return Vec::new();
                };
                policy::pack::namespace_levels(&text, &input.name, &ctx.settings.limits)
            })
            .collect()
    };
    let levels: std::collections::BTreeMap<_, _> = found.into_iter().flatten().collect();
    if !levels.is_empty() {
        ctx.policies = Some(std::sync::Arc::new(
            policies.with_namespace_levels(&levels)?,
        ));
    }
    Ok(())
}

/// The review flags as the pipeline takes them.
pub(crate) fn review_request(args: &cli::ReviewArgs) -> review::Request {
    review::Request {
        base: args.base.clone(),
        head: args.head.clone(),
        staged: args.staged,
        new_only: args.new_only,
    }
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

/// A shard's report: the JSON report with a `shard` object that
/// `tollgate report merge` reads (any other format would not merge).
fn write_shard_report(
    cli: &Cli,
    args: &CheckArgs,
    report: &Report,
    info: &merge::ShardInfo,
) -> anyhow::Result<()> {
    if args.format != Format::Json || !args.report.is_empty() {
        anyhow::bail!(
            "--shard writes a partial JSON report: use --format json, merge the shards with \
             `tollgate report merge`, and render other formats from the merged report with \
             `tollgate report render`"
        );
    }
    let _ = cli;
    let text = merge::shard_json(report, info)?;
    match &args.output {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write the report to {}: {e}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(())
}

/// Policy options from the config and the `--policy`/`--data`/`--no-builtin` flags.
fn policy_options(
    settings: &crate::settings::Settings,
    args: &PolicyArgs,
    cwd: &Path,
) -> policy::PolicyOptions {
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
        pod_security: settings.policy.pod_security,
        pod_templates: settings.policy.pod_templates.clone(),
        combine: false,
    }
}

fn run_test(cli: &Cli, args: &TestArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = Config::discover(cli.config.as_deref(), cwd)?.settings;
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
    let settings = Config::discover(cli.config.as_deref(), cwd)?.settings;
    let options = policy::PolicyOptions {
        all_namespaces: true,
        ..policy_options(&settings, &args.policy, cwd)
    };
    let set = policy::PolicySet::load(&options, cwd)?;
    if set.find(&args.rule).is_none()
        && let Some(rule) = crate::model::rules::lookup(&args.rule)
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(
            stdout,
            "{}: {}\n\n{}\n\ndefault severity: {}\nbuilt-in rule; see {}",
            rule.id,
            rule.title,
            rule.description,
            rule.severity.as_str(),
            rule.doc_anchor()
        )?;
        stdout.flush()?;
        return Ok(Exit::Clean);
    }
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
