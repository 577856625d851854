//! The renderer's only way to read: a view of the repository that cannot
//! reach outside it.
//!
//! Paths are relative to the repository root and `/`-separated. Every
//! implementation refuses absolute paths, `..` above the root and symlinks
//! that leave it, whatever a kustomization asks: rendered generator content
//! ends up in reports, so one such read would leak a machine's secrets.
//! [`LoadRestrictor`] adds kustomize's own rule on top (a kustomization reads
//! only below its own directory).

/// kustomize's `--load-restrictor`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// `LoadRestrictionsRootOnly` (kustomize's default): a kustomization's
    /// files (patches, generator inputs) must be at or below its directory.
    /// Resources that are directories with kustomizations may be anywhere in
    /// the repository.
    #[default]
    RootOnly,
    /// `LoadRestrictionsNone` (Flux's setting): any file in the repository.
    None,
}

/// What a [`Files`] read can fail with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// No such file.
    NotFound,
    /// The path leaves the repository (absolute, `..` above the root, or a
    /// symlink out of it).
    OutsideRoot,
    /// Anything else, in words.
    Other(String),
}

/// A read-only view of a repository.
pub trait Files: Sync {
    /// Reads a file's text. The path is already normalised (no `.`/`..`).
    fn read(&self, path: &str) -> Result<std::sync::Arc<str>, ReadError>;
    /// Whether `path` is a directory ("" is the root).
    fn is_dir(&self, path: &str) -> bool;
    /// The entries of a directory (names, not paths), sorted.
    fn list(&self, dir: &str) -> Result<Vec<String>, ReadError>;
}

/// Files on disk below a root directory.
#[derive(Clone, Debug)]
pub struct DiskFiles {
    /// The repository root (canonical).
    pub root: std::path::PathBuf,
}

/// Files held in memory (git snapshots, tests).
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    /// Path → text.
    pub files: std::collections::BTreeMap<String, std::sync::Arc<str>>,
}
