//! Rendering: Kustomize targets built natively (`crates/tollgate-kustomize`),
//! and the renderer's problems as findings on the line that caused them.
//!
//! Every read goes through the renderer's `DiskFiles`, rooted at the
//! repository: no absolute path, no `..` above the root and no symlink out of
//! it is ever followed, whatever a kustomization asks.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use tollgate_kustomize::cache::CachedFiles;
use tollgate_kustomize::{DiskFiles, Files, Options, Rendered};

use crate::input::discover::{Input, Origin, display_path};
use crate::model::finding::{Finding, Severity};
use crate::model::resource::{Object, ResourceId};
use crate::model::rules;
use crate::model::source::SourceFile;
use crate::model::stats::{self, Stage};
use crate::settings::{LoadRestrictor, Settings};
use crate::stages::reconciler;

/// Renders each target directory (relative to `root`, `/`-separated).
pub(crate) fn render_targets(
    root: &Path,
    targets: &[String],
    restrictor: tollgate_kustomize::LoadRestrictor,
    limits: &crate::load::Limits,
) -> anyhow::Result<Vec<Rendered>> {
    let disk =
        DiskFiles::new(root).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", root.display()))?;
    let files = CachedFiles::new(&disk);
    let options = Options {
        load_restrictor: restrictor,
        limits: limits.clone(),
    };
    // In parallel; the order of the result follows `targets`.
    Ok(targets
        .par_iter()
        .map(|dir| tollgate_kustomize::render(&files, dir, &options))
        .collect())
}

/// Renders the reconciler targets `names` (`flux:<namespace>/<name>`,
/// `flux:<name>`, `argocd:<name>`, as `check` names them) of the repository
/// at `root`: its files as discovery selects them are scanned for Flux
/// Kustomizations and Argo CD Applications, as a check of the whole
/// repository scans them. The result follows `names`; a name no object of
/// the repository has is an error listing the names there are.
pub(crate) fn render_named(
    root: &Path,
    names: &[String],
    restrictor: tollgate_kustomize::LoadRestrictor,
    settings: &Settings,
    cwd: &Path,
) -> anyhow::Result<Vec<Rendered>> {
    let disk =
        DiskFiles::new(root).map_err(|e| anyhow::anyhow!("cannot open {}: {e}", root.display()))?;
    let files = CachedFiles::new(&disk);
    let found = crate::input::discover::discover(&[root.to_path_buf()], None, settings, cwd)?;
    let paths: Vec<String> = found
        .inputs
        .iter()
        .filter_map(|input| match &input.origin {
            Origin::Path(p) => p.strip_prefix(root).ok().map(relative),
            Origin::Stdin | Origin::Blob { .. } => None,
        })
        .collect();
    let options = Options {
        load_restrictor: restrictor,
        limits: settings.limits.clone(),
    };
    let named: BTreeMap<String, Rendered> = reconciler::targets(
        &files,
        &paths,
        &settings.repository.urls,
        &options,
        restrictor,
    )
    .into_iter()
    .map(|n| (n.name, n.rendered))
    .collect();
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !named.contains_key(*n))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        let known = if named.is_empty() {
            "the repository has no Flux Kustomization or Argo CD Application".to_owned()
        } else {
            let list: Vec<&str> = named.keys().map(String::as_str).collect();
            format!("the repository has {}", list.join(", "))
        };
        anyhow::bail!("no reconciler target named {}: {known}", missing.join(", "));
    }
    Ok(names.iter().filter_map(|n| named.get(n).cloned()).collect())
}

/// The render's problems as findings, each in the file and on the line that
/// caused it, its message naming the target `target` (its directory as
/// reports show it, or a reconciler target's name); `display` turns a
/// repository path into the name reports use.
pub(crate) fn problem_findings(
    rendered: &Rendered,
    target: &str,
    display: &dyn Fn(&str) -> String,
) -> Vec<Finding> {
    problems(rendered, display)
        .into_iter()
        .map(|mut f| {
            f.message = format!("{} (in {target})", f.message);
            f
        })
        .collect()
}

/// The render's problems for a check run: each lists its target in
/// `targets`, so that one problem in a base shared by several targets is one
/// finding naming all of them (the run merges them and names them in the
/// message, as it does for policy and schema findings).
fn target_problems(
    rendered: &Rendered,
    target: &Arc<str>,
    display: &dyn Fn(&str) -> String,
) -> Vec<Finding> {
    problems(rendered, display)
        .into_iter()
        .map(|mut f| {
            f.targets = vec![Arc::clone(target)];
            f
        })
        .collect()
}

/// The render's problems as findings, messages as the renderer words them.
fn problems(rendered: &Rendered, display: &dyn Fn(&str) -> String) -> Vec<Finding> {
    rendered
        .problems
        .iter()
        .map(|p| {
            let (rule, severity) = if p.rule == tollgate_kustomize::RENDER_ERROR {
                (rules::RENDER_ERROR, Severity::Error)
            } else {
                (rules::RENDER_UNSUPPORTED, Severity::Warning)
            };
            let message = p.message.clone();
            match rendered.files.get(p.span.file.0 as usize) {
                Some(file) => {
                    let src = SourceFile::new(Arc::from(display(&file.path)), file.text.clone());
                    Finding::at(&src, p.span, rule, severity, message)
                }
                None => {
                    let mut f = Finding::whole_file(
                        Arc::from(display(&rendered.target).as_str()),
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

/// What rendering contributes to a run: the targets' objects to check, the
/// files they cover, and the render problems.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// One unit per complete render: (target display name, file table, objects).
    pub units: Vec<RenderedTarget>,
    /// Canonical paths of every file a complete render read: these are checked
    /// as rendered, not as written.
    pub covered: HashSet<PathBuf>,
    /// `render-error` and `render-unsupported` findings.
    pub findings: Vec<Finding>,
    /// Targets rendered (complete or not).
    pub targets: usize,
    /// Each file the units read (by path), shared by every target that
    /// reads the same text: one table of line starts per file, not per target.
    parts: HashMap<PathBuf, Arc<SourceFile>>,
}

impl Plan {
    /// The plan of a run over `inputs` (their paths as discovered): empty when
    /// rendering is off.
    /// `walked`: the directories discovery walked whole; a repository at or
    /// below one of them has all its kustomizations among `inputs`.
    pub(crate) fn of_inputs(
        inputs: &[Input],
        walked: &[PathBuf],
        settings: &Settings,
        cwd: &Path,
    ) -> Self {
        if !settings.render.enabled {
            return Self::default();
        }
        let paths: Vec<&Path> = inputs
            .iter()
            .filter_map(|i| match &i.origin {
                Origin::Path(p) => Some(p.as_path()),
                _ => None,
            })
            .collect();
        plan(&paths, walked, settings, cwd)
    }

    /// Whether a complete render read `input`: it is checked as rendered, not
    /// as written.
    pub(crate) fn covers(&self, input: &Input, cwd: &Path) -> bool {
        match &input.origin {
            Origin::Path(p) if !self.covered.is_empty() => {
                std::fs::canonicalize(cwd.join(p)).is_ok_and(|c| self.covered.contains(&c))
            }
            _ => false,
        }
    }
}

/// A complete render, ready for the check pass.
#[derive(Debug)]
pub(crate) struct RenderedTarget {
    /// The target's display name (its directory, relative to the current directory).
    pub name: Arc<str>,
    /// A source whose spans resolve into the target's files.
    pub source: Arc<SourceFile>,
    /// The rendered objects, in kustomize's order.
    pub objects: Vec<Object>,
}

/// Finds the render targets among the kustomizations of `files` (paths as
/// discovered), renders each once (in parallel) and sorts out what is covered.
/// A target whose render is incomplete covers nothing: its files are checked
/// as written, beside the render finding.
fn plan(files: &[&Path], walked: &[PathBuf], settings: &Settings, cwd: &Path) -> Plan {
    let mut plan = Plan::default();
    let base =
        std::fs::canonicalize(&settings.base_dir).unwrap_or_else(|_| settings.base_dir.clone());
    let mut located_files: BTreeMap<PathBuf, HashSet<String>> = BTreeMap::new();
    // Per directory, once: its canonical path and its repository's root.
    let mut dirs = Dirs::new(base);
    let mut located = |path: &Path| -> Option<(PathBuf, PathBuf)> {
        let joined = cwd.join(path);
        let parent = joined.parent()?;
        let name = joined.file_name()?.to_owned();
        let is_link = std::fs::symlink_metadata(&joined)
            .ok()?
            .file_type()
            .is_symlink();
        if is_link {
            // A symlinked file: where it points decides.
            let abs = std::fs::canonicalize(&joined).ok()?;
            let root = dirs.root_of(abs.parent()?);
            return Some((abs, root));
        }
        let dir = dirs.canonical(parent)?;
        let root = dirs.root_of(&dir);
        Some((dir.join(name), root))
    };
    // Kustomization directories, grouped by the repository that holds them.
    let mut by_root: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    // Other files by repository, for finding the targets that reach them.
    let mut named: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    // Every file by repository, for the reconciler objects among them.
    let mut all: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for path in files {
        let is_kustomization = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| tollgate_kustomize::kustomization::FILE_NAMES.contains(&n));
        let Some((abs, root)) = located(path) else {
            continue;
        };
        let Some(dir) = abs.parent() else {
            continue;
        };
        if let Ok(rel) = abs.strip_prefix(&root) {
            all.entry(root.clone()).or_default().push(relative(rel));
            located_files
                .entry(root.clone())
                .or_default()
                .insert(relative(rel));
        }
        if is_kustomization {
            let Ok(rel) = dir.strip_prefix(&root) else {
                continue; // outside the repository: checked as written
            };
            by_root.entry(root).or_default().insert(relative(rel));
        } else if let Ok(rel) = abs.strip_prefix(&root) {
            named.entry(root).or_default().push(relative(rel));
        }
    }
    let options = Options {
        load_restrictor: match settings.render.load_restrictor {
            LoadRestrictor::RootOnly => tollgate_kustomize::LoadRestrictor::RootOnly,
            LoadRestrictor::None => tollgate_kustomize::LoadRestrictor::None,
        },
        limits: settings.limits.clone(),
    };
    if by_root.is_empty() {
        // Files named one by one (a pre-commit hook passes the staged files):
        // render only the targets of their repository that reach them. A
        // repository walked whole has no kustomization, so no target.
        for (root, paths) in named {
            if walked.iter().any(|w| root.starts_with(w)) {
                continue;
            }
            let Ok(disk) = DiskFiles::new(&root) else {
                continue;
            };
            let disk = CachedFiles::new(&disk);
            let dirs = kustomization_dirs(&root);
            let graph = tollgate_kustomize::targets::Graph::build(&disk, &dirs, &options);
            let targets: Vec<String> = graph
                .targets()
                .into_iter()
                .filter(|t| {
                    let closure = graph.closure(t);
                    paths.iter().any(|p| {
                        closure
                            .iter()
                            .any(|d| d.is_empty() || p.starts_with(&format!("{d}/")))
                    })
                })
                .collect();
            // The directory test is a candidate list: a target counts only
            // when its render read one of the named files.
            let wanted: BTreeSet<String> = paths.into_iter().collect();
            render_into(
                &mut plan,
                &root,
                &disk,
                &targets,
                &options,
                cwd,
                Some(&wanted),
            );
        }
    }
    for (root, dirs) in by_root {
        let Ok(disk) = DiskFiles::new(&root) else {
            continue;
        };
        // One read per file per run: targets sharing bases share their texts.
        let disk = CachedFiles::new(&disk);
        let dirs: Vec<String> = dirs.into_iter().collect();
        let graph = tollgate_kustomize::targets::Graph::build(&disk, &dirs, &options);
        render_into(
            &mut plan,
            &root,
            &disk,
            &graph.targets(),
            &options,
            cwd,
            None,
        );
    }
    // Flux Kustomizations and Argo CD Applications among the files: targets
    // named after their object.
    for (root, paths) in all {
        let Ok(disk) = DiskFiles::new(&root) else {
            continue;
        };
        let disk = Located {
            disk: &disk,
            root: &root,
            paths: located_files.remove(&root).unwrap_or_default(),
        };
        let named = stats::timed(Stage::Render, || {
            reconciler::targets(
                &disk,
                &paths,
                &settings.repository.urls,
                &options,
                options.load_restrictor,
            )
        });
        plan.targets += named.len();
        let display = |p: &str| display_path(&root.join(p), cwd);
        for n in named {
            add_rendered(
                &mut plan,
                &root,
                &display,
                n.rendered,
                Some(&n.name),
                Some(&n.own),
            );
        }
    }
    plan
}

/// Renders `targets` (in parallel) and adds their units, coverage and
/// problems to `plan`; with `wanted`, only the targets whose render read one
/// of those files (repository paths).
fn render_into(
    plan: &mut Plan,
    root: &Path,
    disk: &dyn Files,
    targets: &[String],
    options: &Options,
    cwd: &Path,
    wanted: Option<&BTreeSet<String>>,
) {
    let rendered: Vec<Rendered> = stats::timed(Stage::Render, || {
        targets
            .par_iter()
            .map(|t| tollgate_kustomize::render(disk, t, options))
            .filter(|r| wanted.is_none_or(|w| r.files.iter().any(|f| w.contains(&f.path))))
            .collect()
    });
    plan.targets += rendered.len();
    let display = |p: &str| display_path(&root.join(p), cwd);
    for r in rendered {
        add_rendered(plan, root, &display, r, None, None);
    }
}

/// Adds one render to `plan`: its problems, and when it is complete its
/// unit and the files it covers. `name` names the target (its directory
/// otherwise); `own` is a file the render read that it does not cover (a
/// reconciler object's file: checked as written).
fn add_rendered(
    plan: &mut Plan,
    root: &Path,
    display: &dyn Fn(&str) -> String,
    r: Rendered,
    name: Option<&str>,
    own: Option<&str>,
) {
    let name: Arc<str> = Arc::from(name.map_or_else(|| display(&r.target), str::to_owned));
    plan.findings.extend(target_problems(&r, &name, display));
    if !r.problems.is_empty() {
        return;
    }
    for f in &r.files {
        if own == Some(f.path.as_str()) {
            continue;
        }
        if let Ok(c) = std::fs::canonicalize(root.join(&f.path)) {
            plan.covered.insert(c);
        }
    }
    let parts: Vec<Arc<SourceFile>> = r
        .files
        .iter()
        .map(|f| {
            let shared = plan.parts.entry(root.join(&f.path)).or_insert_with(|| {
                Arc::new(SourceFile::new(Arc::from(display(&f.path)), f.text.clone()))
            });
            if !Arc::ptr_eq(&shared.text, &f.text) && *shared.text != *f.text {
                // Another read of the file saw other bytes (reconciler
                // sources): this target keeps its own.
                return Arc::new(SourceFile::new(Arc::from(display(&f.path)), f.text.clone()));
            }
            shared.clone()
        })
        .collect();
    let objects = r
        .resources
        .into_iter()
        .enumerate()
        .map(|(i, res)| Object {
            document: i,
            item: None,
            id: ResourceId::of(&res.node),
            node: res.node,
        })
        .collect();
    plan.units.push(RenderedTarget {
        source: Arc::new(SourceFile::rendered(name.clone(), parts)),
        name,
        objects,
    });
}

/// Every directory of the repository at `root` holding a kustomization, as
/// a walk that honours `.gitignore` sees it (hidden directories skipped).
fn kustomization_dirs(root: &Path) -> Vec<String> {
    let mut dirs = BTreeSet::new();
    for entry in ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .require_git(false)
        .build()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy();
        if !tollgate_kustomize::kustomization::FILE_NAMES.contains(&name.as_ref()) {
            continue;
        }
        if let Some(dir) = entry.path().parent()
            && let Ok(rel) = dir.strip_prefix(root)
        {
            dirs.insert(relative(rel));
        }
    }
    dirs.into_iter().collect()
}

/// Canonical directories and their repositories' roots, each directory
/// asked of the file system once: a directory that is not a symlink is its
/// canonical parent joined with its name, and its repository root is itself
/// (holding `.git`) or its parent's.
struct Dirs {
    /// The root of files in no repository.
    base: PathBuf,
    canonical: HashMap<PathBuf, Option<PathBuf>>,
    roots: HashMap<PathBuf, Option<PathBuf>>,
}

impl Dirs {
    fn new(base: PathBuf) -> Self {
        Self {
            base,
            canonical: HashMap::new(),
            roots: HashMap::new(),
        }
    }

    /// `dir` canonicalised (`None` when it does not exist).
    fn canonical(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.canonical.get(dir) {
            return known.clone();
        }
        let derived = match (dir.parent(), dir.components().next_back()) {
            (Some(parent), Some(std::path::Component::Normal(name)))
                if !parent.as_os_str().is_empty()
                    && std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) =>
            {
                self.canonical(parent).map(|p| p.join(name))
            }
            _ => std::fs::canonicalize(dir).ok(),
        };
        self.canonical.insert(dir.to_path_buf(), derived.clone());
        derived
    }

    /// The repository root of a canonical directory, or `base`.
    fn root_of(&mut self, dir: &Path) -> PathBuf {
        self.repository(dir).unwrap_or_else(|| self.base.clone())
    }

    fn repository(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.roots.get(dir) {
            return known.clone();
        }
        let found = if dir.join(".git").exists() {
            Some(dir.to_path_buf())
        } else {
            dir.parent().and_then(|p| self.repository(p))
        };
        self.roots.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// The repository's files as the plan located them (a canonical directory,
/// not a symlink, inside `root`) are read straight from there, without
/// canonicalising each again; every other path goes through `disk`.
struct Located<'a> {
    disk: &'a DiskFiles,
    root: &'a Path,
    paths: HashSet<String>,
}

impl Files for Located<'_> {
    fn read(&self, path: &str) -> Result<Arc<str>, tollgate_kustomize::files::ReadError> {
        use tollgate_kustomize::files::ReadError;
        if !self.paths.contains(path) {
            return self.disk.read(path);
        }
        let bytes = std::fs::read(self.root.join(path)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Other(e.to_string()),
        })?;
        let text = String::from_utf8(bytes).map_err(|_| ReadError::Binary)?;
        Ok(Arc::from(text))
    }

    fn read_bytes(&self, path: &str) -> Result<Arc<[u8]>, tollgate_kustomize::files::ReadError> {
        self.disk.read_bytes(path)
    }

    fn is_dir(&self, path: &str) -> bool {
        self.disk.is_dir(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, tollgate_kustomize::files::ReadError> {
        self.disk.list(dir)
    }
}

fn relative(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs_derive_the_canonical_path_and_repository_root_as_the_file_system_does() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let top = std::fs::canonicalize(tmp.path()).expect("canonical");
        let repo = top.join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("git");
        std::fs::create_dir_all(repo.join("apps/web")).expect("dirs");
        std::fs::create_dir_all(top.join("elsewhere/deep")).expect("dirs");
        #[cfg(unix)]
        std::os::unix::fs::symlink(top.join("elsewhere"), repo.join("apps/link")).expect("link");
        let mut dirs = Dirs::new(top.join("base"));
        for asked in [
            repo.join("apps/web"),
            repo.join("apps/./web"),
            repo.join("apps/web/../web"),
            repo.join("apps/link/deep"),
            repo.join("apps/link"),
        ] {
            let want = std::fs::canonicalize(&asked).expect("exists");
            assert_eq!(dirs.canonical(&asked), Some(want.clone()), "{asked:?}");
            let root = dirs.root_of(&want);
            let expected = if want.starts_with(&repo) {
                repo.clone()
            } else {
                top.join("base")
            };
            assert_eq!(root, expected, "{asked:?}");
        }
        assert_eq!(dirs.canonical(&repo.join("missing/dir")), None);
    }
}
