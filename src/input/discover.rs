//! Discovery: the command-line paths to the list of files to check.
//!
//! A directory walk (walkdir, sorted, symlinks not followed) picks `*.yaml`,
//! `*.yml` and `*.json`, and skips `.git/`, hidden entries, what the repository's
//! `.gitignore` files ignore (matched with the `ignore` crate's gitignore engine),
//! Helm chart templates (`templates/` beside a `Chart.yaml`: not YAML until
//! rendered), config `exclude` globs, non-regular files and symlinks that leave the
//! walked root. Every skipped entry is counted by reason. Files named on the
//! command line are always checked.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use walkdir::WalkDir;

use crate::settings::Settings;

/// Where a file's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A file on disk.
    Path(PathBuf),
    /// Standard input.
    Stdin,
    /// Bytes already in memory (a git blob), and where the file would be on disk.
    Blob {
        /// The content.
        bytes: Arc<[u8]>,
        /// The file's path in the working tree, for settings that look beside it.
        path: Option<PathBuf>,
    },
}

/// One file to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// Display name: relative to the current directory, `/` separators.
    pub name: Arc<str>,
    /// Where to read it.
    pub origin: Origin,
}

pub use crate::model::report::SkipReason;

/// The outcome of discovery.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to check, sorted by name, without duplicates.
    pub inputs: Vec<Input>,
    /// Skipped entries per reason (a skipped directory counts once).
    pub skipped: BTreeMap<SkipReason, usize>,
    /// The directories walked whole (canonical): every kustomization below
    /// them that the walk keeps is among `inputs`.
    pub walked: Vec<PathBuf>,
}

impl Discovery {
    /// Total number of skipped entries.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    fn skip(&mut self, reason: SkipReason) {
        *self.skipped.entry(reason).or_default() += 1;
    }
}

/// Finds the files to check under `paths` (`-` is standard input).
pub fn discover(
    paths: &[PathBuf],
    stdin_name: Option<&str>,
    settings: &Settings,
    cwd: &Path,
) -> anyhow::Result<Discovery> {
    let mut out = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let name = stdin_name
                .map_or_else(|| "<stdin>".to_owned(), |n| display_path(Path::new(n), cwd));
            out.inputs.push(Input {
                name: name.into(),
                origin: Origin::Stdin,
            });
            continue;
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow::anyhow!("path does not exist: {}", path.display())
            } else {
                anyhow::anyhow!("cannot read {}: {e}", path.display())
            }
        })?;
        if meta.is_dir() {
            walk(path, settings, cwd, &mut out)?;
        } else {
            out.inputs.push(Input {
                name: display_path(path, cwd).into(),
                origin: Origin::Path(path.clone()),
            });
        }
    }
    out.inputs.sort_by(|a, b| a.name.cmp(&b.name));
    out.inputs.dedup_by(|a, b| a.name == b.name);
    Ok(out)
}

/// Whether a file name is one tollgate reads when walking: a name one of its
/// parsers is chosen for, as conftest chooses (`.yaml`, `.yml`, `.json`, `.tf`,
/// `.tfvars`, `.hcl`, ...; see `load::Syntax::detect`).
pub fn is_manifest_name(name: &str) -> bool {
    crate::load::Syntax::detect(name).is_some() && name != "-"
}

/// The directory holding `.git` at or above `dir`, if any.
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A path for display: relative to `cwd` when below it, `/` separators, no `./`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let mut parts: Vec<String> = Vec::new();
    for c in rel.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => parts.push(String::new()),
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::ParentDir => parts.push("..".into()),
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        ".".into()
    } else if rel.is_absolute() && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The gitignore files that apply above the walked root, outermost first.
fn ancestor_ignores(abs_root: &Path) -> Vec<Gitignore> {
    let Some(repo) = abs_root.ancestors().find(|a| a.join(".git").exists()) else {
        return Vec::new();
    };
    let mut matchers = Vec::new();
    let mut exclude = GitignoreBuilder::new(repo);
    if exclude.add(repo.join(".git/info/exclude")).is_none()
        && let Ok(gi) = exclude.build()
    {
        matchers.push(gi);
    }
    let mut dirs: Vec<&Path> = abs_root
        .ancestors()
        .skip(1)
        .take_while(|a| a.starts_with(repo))
        .collect();
    dirs.reverse();
    for dir in dirs {
        if let Some(gi) = dir_ignore(dir) {
            matchers.push(gi);
        }
    }
    matchers
}

fn dir_ignore(dir: &Path) -> Option<Gitignore> {
    let file = dir.join(".gitignore");
    if !file.is_file() {
        return None;
    }
    let mut b = GitignoreBuilder::new(dir);
    // A malformed line is skipped, as git skips it.
    let _ = b.add(file);
    b.build().ok().filter(|gi| !gi.is_empty())
}

fn is_ignored(
    stack: &[(usize, Option<Gitignore>, bool)],
    base: &[Gitignore],
    path: &Path,
    is_dir: bool,
) -> bool {
    let layers = stack
        .iter()
        .rev()
        .filter_map(|(_, gi, _)| gi.as_ref())
        .chain(base.iter().rev());
    for gi in layers {
        match gi.matched(path, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
    }
    false
}

fn walk(root: &Path, settings: &Settings, cwd: &Path, out: &mut Discovery) -> anyhow::Result<()> {
    let abs_root = std::path::absolute(root)?;
    let canonical_root = std::fs::canonicalize(root)?;
    out.walked.push(canonical_root.clone());
    let in_repo = abs_root.ancestors().any(|a| a.join(".git").exists());
    let base = if in_repo {
        ancestor_ignores(&abs_root)
    } else {
        Vec::new()
    };
    // (depth of directory, its .gitignore, whether it holds a Chart.yaml)
    let mut stack: Vec<(usize, Option<Gitignore>, bool)> = Vec::new();
    let mut it = WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(_) => {
                out.skip(SkipReason::Unreadable);
                continue;
            }
        };
        let depth = entry.depth();
        while stack.last().is_some_and(|(d, _, _)| *d >= depth) {
            stack.pop();
        }
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path);
        let abs = abs_root.join(rel);
        let file_type = entry.file_type();
        let is_dir = file_type.is_dir();
        let name = entry.file_name().to_string_lossy();
        if depth > 0 {
            if is_dir && name == ".git" {
                it.skip_current_dir();
                continue;
            }
            let skip = if name.starts_with('.') {
                Some(SkipReason::Hidden)
            } else if in_repo && is_ignored(&stack, &base, &abs, is_dir) {
                Some(SkipReason::Gitignored)
            } else if abs
                .strip_prefix(&settings.base_dir)
                .is_ok_and(|r| settings.exclude.is_match(r))
            {
                Some(SkipReason::Excluded)
            } else if is_dir
                && name == "templates"
                && stack.last().is_some_and(|(_, _, chart)| *chart)
            {
                Some(SkipReason::HelmTemplates)
            } else {
                None
            };
            if let Some(reason) = skip {
                if is_dir {
                    it.skip_current_dir();
                    out.skip(reason);
                } else if picks(&abs, &name, settings) {
                    out.skip(reason);
                }
                continue;
            }
        }
        if is_dir {
            let gi = if in_repo { dir_ignore(path) } else { None };
            let chart = path.join("Chart.yaml").is_file();
            stack.push((depth, gi, chart));
            continue;
        }
        // Symlinked directories are never followed (no loops, no escapes), but counted.
        if file_type.is_symlink() && path.is_dir() {
            out.skip(SkipReason::Symlink);
            continue;
        }
        if !picks(&abs, &name, settings) {
            continue;
        }
        if file_type.is_symlink() {
            match std::fs::canonicalize(path) {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                _ => {
                    out.skip(SkipReason::Symlink);
                    continue;
                }
            }
        } else if !file_type.is_file() {
            out.skip(SkipReason::NotRegular);
            continue;
        }
        out.inputs.push(Input {
            name: display_path(path, cwd).into(),
            origin: Origin::Path(path.to_path_buf()),
        });
    }
    Ok(())
}

/// The one file-selection predicate for a path of a repository snapshot
/// (`/`-separated, relative to `workdir`): what a directory walk would check
/// there — not hidden, not excluded, and picked by `include` or the extension.
/// (A walk also skips gitignored files and Helm templates, which it learns
/// from the tree as it goes; [`is_helm_template`] is that test for a path.)
pub(crate) fn selects(path: &str, workdir: &Path, settings: &Settings) -> bool {
    let hidden = path.split('/').any(|c| c.starts_with('.'));
    let abs = workdir.join(path);
    let name = path.rsplit('/').next().unwrap_or(path);
    let excluded = abs
        .strip_prefix(&settings.base_dir)
        .is_ok_and(|r| settings.exclude.is_match(r));
    !hidden && !excluded && picks(&abs, name, settings)
}

/// Whether a `/`-separated path lies in a Helm chart's `templates/` (a
/// `templates` directory beside a `Chart.yaml`); `exists` answers whether a
/// path of the same tree is a file.
pub(crate) fn is_helm_template(path: &str, exists: impl Fn(&str) -> bool) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.iter().enumerate().any(|(i, part)| {
        *part == "templates"
            && i + 1 < parts.len()
            && exists(&[&parts[..i], &["Chart.yaml"]].concat().join("/"))
    })
}

/// Whether a walked file is one to check: `include` globs, else the extension.
fn picks(abs: &Path, name: &str, settings: &Settings) -> bool {
    match &settings.include {
        Some(include) => abs
            .strip_prefix(&settings.base_dir)
            .is_ok_and(|r| include.is_match(r)),
        None => is_manifest_name(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_predicate_for_snapshot_paths() {
        let mut settings = Settings::defaults(Path::new("/repo"));
        let mut b = globset::GlobSetBuilder::new();
        b.add(globset::Glob::new("vendor/**").expect("glob"));
        settings.exclude = b.build().expect("globset");
        let workdir = Path::new("/repo");
        assert!(selects("apps/web.yaml", workdir, &settings));
        assert!(!selects("apps/.hidden/web.yaml", workdir, &settings));
        assert!(!selects("vendor/x.yaml", workdir, &settings));
        assert!(!selects("README.md", workdir, &settings));
    }

    #[test]
    fn helm_templates_need_a_chart_beside_them() {
        let files = [
            "chart/Chart.yaml",
            "chart/templates/d.yaml",
            "other/templates/d.yaml",
        ];
        let exists = |p: &str| files.contains(&p);
        assert!(is_helm_template("chart/templates/d.yaml", exists));
        assert!(!is_helm_template("other/templates/d.yaml", exists));
        assert!(!is_helm_template("chart/values.yaml", exists));
    }

    #[test]
    fn manifest_names() {
        assert!(
            is_manifest_name("a.YAML") && is_manifest_name("b.yml") && is_manifest_name("c.Json")
        );
        assert!(!is_manifest_name("d.yaml.bak") && !is_manifest_name("Chart.lock"));
    }

    #[test]
    fn display_paths_are_relative_with_slashes() {
        let cwd = Path::new("/repo");
        assert_eq!(
            display_path(Path::new("/repo/apps/a.yaml"), cwd),
            "apps/a.yaml"
        );
        assert_eq!(display_path(Path::new("./apps/a.yaml"), cwd), "apps/a.yaml");
        assert_eq!(
            display_path(Path::new("/elsewhere/a.yaml"), cwd),
            "/elsewhere/a.yaml"
        );
        assert_eq!(display_path(Path::new("../x/a.yaml"), cwd), "../x/a.yaml");
    }
}
