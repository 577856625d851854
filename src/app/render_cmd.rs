//! `tollgate render`: Kustomize targets rendered natively, printed as
//! `kustomize build` prints them; render problems go to stderr with their
//! file, line and column.

use std::io::Write;
use std::path::Path;

use crate::app::cli::{Cli, LoadRestrictorArg, RenderArgs, RenderFormat};
use crate::app::config::Config;
use crate::input::discover;
use crate::model::finding::Severity;
use crate::pipeline::run::Exit;
use crate::stages::render;

/// Renders each directory and prints the objects; exit 1 on a render error.
pub(super) fn run_render(cli: &Cli, args: &RenderArgs, cwd: &Path) -> anyhow::Result<Exit> {
    let settings = Config::discover(cli.config.as_deref(), cwd)?.settings;
    let root = discover::repository_root(cwd).unwrap_or_else(|| cwd.to_path_buf());
    let root = std::fs::canonicalize(&root)?;
    let mut targets = Vec::new();
    for dir in &args.dirs {
        let abs = std::fs::canonicalize(cwd.join(dir))
            .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
        let rel = abs.strip_prefix(&root).map_err(|_| {
            anyhow::anyhow!(
                "{} is outside the repository ({}); tollgate reads nothing outside it",
                dir.display(),
                root.display()
            )
        })?;
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        targets.push(rel);
    }
    let restrictor = match args.load_restrictor {
        LoadRestrictorArg::RootOnly => tollgate_kustomize::LoadRestrictor::RootOnly,
        LoadRestrictorArg::None => tollgate_kustomize::LoadRestrictor::None,
    };
    let rendered = render::render_targets(&root, &targets, restrictor, &settings.limits)?;
    let display = |path: &str| discover::display_path(&root.join(path), cwd);
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    for r in &rendered {
        for f in render::problem_findings(r, &display) {
            failed |= f.severity == Severity::Error;
            eprintln!("{}", super::inspect::one_line(&f));
        }
        if r.problems
            .iter()
            .any(|p| p.rule == tollgate_kustomize::RENDER_ERROR)
        {
            continue;
        }
        match args.format {
            RenderFormat::Json => {
                out.write_all(tollgate_kustomize::emit::json(&r.resources).as_bytes())?;
            }
            RenderFormat::Yaml => {
                out.write_all(tollgate_kustomize::emit::yaml(&r.resources).as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(if failed { Exit::Failures } else { Exit::Clean })
}
