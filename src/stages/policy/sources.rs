//! Where policies and data come from: `--policy` directories and files, the
//! default `policy/` and `policies/` directories, the embedded pack, `--data`.
//!
//! Sources are read in a fixed order (directories walked sorted) so that the
//! compiled engine, and every message about it, is the same on every run.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use walkdir::WalkDir;

use super::pack;
use crate::input::discover::display_path;
use crate::load::{self, Limits, Syntax};

/// One policy source: the name it is reported under and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicySource {
    /// Display name (`policy/deny.rego`, `policies/kubernetes/privileged.rego`).
    pub name: String,
    /// The Rego text.
    pub text: String,
    /// Whether it comes from the embedded pack.
    pub builtin: bool,
}

/// Whether a file name is a Rego test file (`*_test.rego`).
pub(crate) fn is_test_file(name: &str) -> bool {
    name.ends_with("_test.rego")
}

/// The default policy directories: `policy/` and `policies/` at the repository
/// root (or `cwd` outside a repository), when they exist.
pub(crate) fn default_dirs(cwd: &Path) -> Vec<PathBuf> {
    let root = crate::input::discover::repository_root(cwd).unwrap_or_else(|| cwd.to_path_buf());
    ["policy", "policies"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .collect()
}

/// Reads the `.rego` files of `paths` (files or directories) and, when `builtin`,
/// the embedded pack. Test files are kept only when `tests` is set. A file whose
/// text is identical to an embedded one is read once (running tollgate in its own
/// repository would otherwise load the pack twice), and never as a user policy:
/// with `builtin` off, a copy of the pack is left out too.
pub(crate) fn collect(
    paths: &[PathBuf],
    cwd: &Path,
    builtin: bool,
    tests: bool,
) -> anyhow::Result<Vec<PolicySource>> {
    let mut out = Vec::new();
    if builtin {
        for (name, text) in pack::PACK {
            if tests || !is_test_file(name) {
                out.push(PolicySource {
                    name: (*name).to_owned(),
                    text: (*text).to_owned(),
                    builtin: true,
                });
            }
        }
    }
    for path in paths {
        let files = files_with_extensions(path, &["rego"], "policy")?;
        for file in files {
            let name = display_path(&file, cwd);
            if !tests && is_test_file(&name) {
                continue;
            }
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read policy {name}"))?;
            // A copy of an embedded pack file (tollgate's own `policies/`) is
            // the pack, not a user policy: loaded once with the pack, and not
            // at all under `--no-builtin`.
            if pack::PACK.iter().any(|(_, t)| *t == text) {
                continue;
            }
            out.push(PolicySource {
                name,
                text,
                builtin: false,
            });
        }
    }
    Ok(out)
}

/// Reads `--data` files (JSON or YAML; directories walked) into one object each.
pub(crate) fn data(paths: &[PathBuf], cwd: &Path) -> anyhow::Result<Vec<(String, regorus::Value)>> {
    let mut out = Vec::new();
    for path in paths {
        let files = files_with_extensions(path, &["json", "yaml", "yml"], "data")?;
        for file in files {
            let name = display_path(&file, cwd);
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read data file {name}"))?;
            let loaded = load::load(&text, Syntax::for_path(&name), &Limits::default());
            if let Some(p) = loaded.problems.first() {
                let line = load::line_of(&text, p.span.start);
                bail!("data file {name}:{line}: {}", p.message);
            }
            for doc in loaded.documents {
                let value = super::convert::node_to_value(&doc.root);
                if !matches!(value, regorus::Value::Object(_)) {
                    bail!(
                        "data file {name}: the document must be a mapping, to merge under `data.`"
                    );
                }
                out.push((name.clone(), value));
            }
        }
    }
    Ok(out)
}

/// A file, or the files under a directory (links followed, sorted) with one of
/// `extensions`; a missing path is an error naming `what` it was meant to be.
fn files_with_extensions(
    path: &Path,
    extensions: &[&str],
    what: &str,
) -> anyhow::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        bail!("{what} path {} does not exist", path.display());
    }
    let mut files: Vec<PathBuf> = WalkDir::new(path)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    files.sort();
    Ok(files)
}
