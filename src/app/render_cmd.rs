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
    // Each argument is a directory or a reconciler target's name; the
    // output follows the arguments' order.
    let mut targets = Vec::new();
    let mut names = Vec::new();
    let mut order = Vec::new();
    for dir in &args.dirs {
        let arg = dir.to_string_lossy();
        if arg.starts_with("flux:") || arg.starts_with("argocd:") {
            order.push(Which::Named(names.len()));
            names.push(arg.into_owned());
            continue;
        }
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
        order.push(Which::Dir(targets.len()));
        targets.push(rel);
    }
    let restrictor = match args.load_restrictor {
        LoadRestrictorArg::RootOnly => tollgate_kustomize::LoadRestrictor::RootOnly,
        LoadRestrictorArg::None => tollgate_kustomize::LoadRestrictor::None,
    };
    let named = if names.is_empty() {
        Vec::new()
    } else {
        render::render_named(&root, &names, restrictor, &settings, cwd)?
    };
    let rendered = render::render_targets(&root, &targets, restrictor, &settings.limits)?;
    let display = |path: &str| discover::display_path(&root.join(path), cwd);
    let mut out = std::io::stdout().lock();
    let mut failed = false;
    let mut wrote = false;
    for which in order {
        let (r, label) = match which {
            Which::Dir(i) => (&rendered[i], display(&rendered[i].target)),
            Which::Named(i) => (&named[i], names[i].clone()),
        };
        for f in render::problem_findings(r, &label, &display) {
            failed |= f.severity == Severity::Error;
            eprintln!("{}", super::inspect::one_line(&f));
        }
        if r.problems
            .iter()
            .any(|p| p.rule == tollgate_kustomize::RENDER_ERROR)
        {
            continue;
        }
        if args.origins {
            write_origins(&mut out, r, &label, &display)?;
            continue;
        }
        match args.format {
            RenderFormat::Json => {
                out.write_all(tollgate_kustomize::emit::json(&r.resources).as_bytes())?;
            }
            RenderFormat::Yaml => {
                // One stream: targets after the first are separated as
                // their objects are.
                if wrote && !r.resources.is_empty() {
                    out.write_all(b"---\n")?;
                }
                wrote |= !r.resources.is_empty();
                out.write_all(tollgate_kustomize::emit::yaml(&r.resources).as_bytes())?;
            }
        }
    }
    out.flush()?;
    Ok(if failed { Exit::Failures } else { Exit::Clean })
}

/// An argument of `render`: the index of a directory among the targets, or
/// of a reconciler target's name.
enum Which {
    Dir(usize),
    Named(usize),
}

/// `--origins`: for each object, every scalar (and empty collection) with its
/// JSON pointer and the place that wrote it.
fn write_origins(
    out: &mut dyn Write,
    rendered: &tollgate_kustomize::Rendered,
    label: &str,
    display: &dyn Fn(&str) -> String,
) -> std::io::Result<()> {
    use crate::load::{Node, Value, node::push_token};
    use crate::model::source::SourceFile;
    let sources: Vec<SourceFile> = rendered
        .files
        .iter()
        .map(|f| SourceFile::new(display(&f.path).into(), f.text.clone()))
        .collect();
    let place = |node: &Node| match sources.get(node.span.file.0 as usize) {
        Some(src) => {
            let p = src.position(node.span.start);
            format!("{}:{}:{}", src.name, p.line, p.column)
        }
        None => "?".to_owned(),
    };
    for res in &rendered.resources {
        let id = res.id();
        let ns = if id.namespace.is_empty() {
            String::new()
        } else {
            format!("{}/", id.namespace)
        };
        writeln!(
            out,
            "# {}: {} {} {ns}{} (from {})",
            label,
            id.api_version(),
            id.kind,
            id.name,
            place(&Node::new(Value::Null, res.origin))
        )?;
        // Depth-first, in document order.
        let mut stack: Vec<(String, &Node)> = vec![(String::new(), &res.node)];
        while let Some((pointer, node)) = stack.pop() {
            match &node.value {
                Value::Map(entries) if !entries.is_empty() => {
                    for e in entries.iter().rev() {
                        let mut p = pointer.clone();
                        push_token(&mut p, &e.key);
                        stack.push((p, &e.value));
                    }
                }
                Value::Seq(items) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate().rev() {
                        stack.push((format!("{pointer}/{i}"), item));
                    }
                }
                _ => writeln!(out, "{pointer}\t{}", place(node))?,
            }
        }
    }
    Ok(())
}
