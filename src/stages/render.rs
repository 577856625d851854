//! Rendering: Kustomize targets built natively (`crates/tollgate-kustomize`),
//! and the renderer's problems as findings on the line that caused them.
//!
//! Every read goes through the renderer's `DiskFiles`, rooted at the
//! repository: no absolute path, no `..` above the root and no symlink out of
//! it is ever followed, whatever a kustomization asks.

use std::path::Path;
use std::sync::Arc;

use tollgate_kustomize::{DiskFiles, LoadRestrictor, Options, Rendered};

use crate::model::finding::{Finding, Severity};
use crate::model::rules;
use crate::model::source::SourceFile;

/// Renders each target directory (relative to `root`, `/`-separated).
pub fn render_targets(
    root: &Path,
    targets: &[String],
    restrictor: LoadRestrictor,
    limits: &crate::load::Limits,
) -> anyhow::Result<Vec<Rendered>> {
    let files = DiskFiles::new(root)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", root.display()))?;
    let options = Options {
        load_restrictor: restrictor,
        limits: limits.clone(),
    };
    Ok(targets
        .iter()
        .map(|dir| tollgate_kustomize::render(&files, dir, &options))
        .collect())
}

/// The render's problems as findings, each in the file and on the line that
/// caused it; `display` turns a repository path into the name reports use.
pub fn problem_findings(rendered: &Rendered, display: &dyn Fn(&str) -> String) -> Vec<Finding> {
    rendered
        .problems
        .iter()
        .map(|p| {
            let (rule, severity) = if p.rule == tollgate_kustomize::RENDER_ERROR {
                (rules::RENDER_ERROR, Severity::Error)
            } else {
                (rules::RENDER_UNSUPPORTED, Severity::Warning)
            };
            let message = format!("{} (in {})", p.message, display_target(&rendered.target));
            match rendered.files.get(p.span.file.0 as usize) {
                Some(file) => {
                    let src = SourceFile::new(Arc::from(display(&file.path)), file.text.clone());
                    Finding::at(&src, p.span, rule, severity, message)
                }
                None => {
                    let mut f = Finding::whole_file(
                        Arc::from(display(&rendered.target)),
                        rule,
                        message,
                    );
                    f.severity = severity;
                    f
                }
            }
        })
        .collect()
}

/// A target's name in messages: its directory, `.` for the root.
pub fn display_target(target: &str) -> &str {
    if target.is_empty() { "." } else { target }
}
