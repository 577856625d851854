//! All of tollgate's git access, through gix (no `git` subprocess).
//!
//! A side of a comparison is a [`Snapshot`]: the blob id of every file in a
//! commit's tree, in the index, or in the working tree (index paths hashed from
//! disk). Comparing two snapshots gives the changed files; exact renames pair
//! a deleted and an added path holding the same blob. This needs only gix's
//! `revision` (merge-base) and `index` features: no blob diff, no status walk.
//!
//! The repository is opened with git's environment overrides (`GIT_DIR`,
//! `GIT_WORK_TREE`, `GIT_INDEX_FILE`), as pre-commit sets them for hooks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use gix::ObjectId;

/// An open repository.
pub(crate) struct Git {
    repo: gix::Repository,
}

/// What the head side of a comparison is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HeadSide {
    /// The working tree (tracked files as they are on disk).
    WorkTree,
    /// The index: what the next commit will contain.
    Index,
    /// A commit.
    Commit(ObjectId),
}

/// Path (repository-relative, `/` separators) → blob id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// Files and their blob ids.
    pub files: BTreeMap<String, ObjectId>,
}

/// How a file changed between base and head.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FileChange {
    /// New at head.
    Added {
        /// Repository-relative path.
        path: String,
    },
    /// Changed content.
    Modified {
        /// Repository-relative path.
        path: String,
    },
    /// Moved with identical content.
    Renamed {
        /// Path at base.
        from: String,
        /// Path at head.
        to: String,
    },
    /// Gone at head.
    Deleted {
        /// Repository-relative path.
        path: String,
    },
}

impl FileChange {
    /// The head-side path, if the file exists at head.
    pub(crate) fn head_path(&self) -> Option<&str> {
        match self {
            Self::Added { path } | Self::Modified { path } | Self::Renamed { to: path, .. } => {
                Some(path)
            }
            Self::Deleted { .. } => None,
        }
    }

    /// The base-side path, if the file existed at base.
    pub(crate) fn base_path(&self) -> Option<&str> {
        match self {
            Self::Modified { path } | Self::Deleted { path } | Self::Renamed { from: path, .. } => {
                Some(path)
            }
            Self::Added { .. } => None,
        }
    }
}

/// Candidate upstreams for the default base, in order.
const UPSTREAMS: &[&str] = &[
    "refs/remotes/origin/HEAD",
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
    "refs/heads/main",
    "refs/heads/master",
];

impl Git {
    /// Opens the repository holding `dir`, honouring git's environment overrides.
    pub(crate) fn open(dir: &Path) -> anyhow::Result<Self> {
        let repo = gix::discover_with_environment_overrides(dir)
            .map_err(|e| anyhow!("{} is not inside a git repository ({e})", dir.display()))?;
        Ok(Self { repo })
    }

    /// The working tree's root.
    pub(crate) fn workdir(&self) -> anyhow::Result<PathBuf> {
        self.repo
            .workdir()
            .map(Path::to_path_buf)
            .ok_or_else(|| anyhow!("the repository has no working tree (bare?)"))
    }

    /// The commit a revision names (`main`, `origin/main`, a commit id, `HEAD~2`).
    pub(crate) fn commit(&self, rev: &str) -> anyhow::Result<ObjectId> {
        let id = self
            .repo
            .rev_parse_single(rev)
            .map_err(|e| self.missing_object(rev, &e.to_string()))?;
        let commit = self
            .repo
            .find_object(id)
            .map_err(|e| self.missing_object(rev, &e.to_string()))?
            .peel_to_commit()
            .map_err(|e| anyhow!("`{rev}` does not name a commit: {e}"))?;
        Ok(commit.id)
    }

    /// `HEAD`'s commit.
    pub(crate) fn head(&self) -> anyhow::Result<ObjectId> {
        Ok(self
            .repo
            .head_id()
            .context("HEAD does not point at a commit (an empty repository?)")?
            .detach())
    }

    fn missing_object(&self, rev: &str, error: &str) -> anyhow::Error {
        if self.repo.is_shallow().unwrap_or(false) {
            anyhow!(
                "`{rev}` is not in this shallow clone ({error}); fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
            )
        } else {
            anyhow!("cannot resolve `{rev}`: {error}")
        }
    }

    /// The default base: the merge-base of HEAD with the default branch's upstream
    /// (`origin/HEAD`, `origin/main`, `origin/master`, then local `main`/`master`).
    pub(crate) fn default_base(&self) -> anyhow::Result<ObjectId> {
        let head = self.head()?;
        for name in UPSTREAMS {
            let Ok(Some(mut reference)) = self.repo.try_find_reference(*name) else {
                continue;
            };
            let Ok(target) = reference.peel_to_id() else {
                continue;
            };
            let target = target.detach();
            return match self.repo.merge_base(head, target) {
                Ok(Some(base)) => Ok(base.detach()),
                Ok(None) if self.repo.is_shallow().unwrap_or(false) => bail!(
                    "HEAD and {name} have no common ancestor in this shallow clone; fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or pass --base REF"
                ),
                Ok(None) => bail!("HEAD and {name} have no common ancestor; pass --base REF"),
                Err(e) if self.repo.is_shallow().unwrap_or(false) => bail!(
                    "cannot find the merge-base of HEAD and {name} in this shallow clone ({e}); fetch more history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or pass --base REF"
                ),
                Err(e) => bail!("cannot compute the merge-base of HEAD and {name}: {e}"),
            };
        }
        bail!(
            "no default branch found (origin/HEAD, origin/main, origin/master, main, master); pass --base REF"
        )
    }

    /// The files of a commit's tree.
    pub(crate) fn commit_snapshot(&self, commit: ObjectId) -> anyhow::Result<Snapshot> {
        let tree = self
            .repo
            .find_commit(commit)
            .map_err(|e| self.missing_object(&commit.to_string(), &e.to_string()))?
            .tree()
            .with_context(|| format!("cannot read the tree of {commit}"))?;
        let mut files = BTreeMap::new();
        for entry in tree
            .traverse()
            .breadthfirst
            .files()
            .with_context(|| format!("cannot walk the tree of {commit}"))?
        {
            if entry.mode.is_blob() {
                files.insert(entry.filepath.to_string(), entry.oid);
            }
        }
        Ok(Snapshot { files })
    }

    /// The files of the index (merge conflicts: "ours", stage 2).
    pub(crate) fn index_snapshot(&self) -> anyhow::Result<Snapshot> {
        let index = self
            .repo
            .index_or_empty()
            .context("cannot read the index")?;
        let mut files = BTreeMap::new();
        for entry in index.entries() {
            let stage = entry.stage_raw();
            if !(stage == 0 || stage == 2)
                || !entry.mode.to_tree_entry_mode().is_some_and(|m| m.is_blob())
            {
                continue;
            }
            files.insert(entry.path(&index).to_string(), entry.id);
        }
        Ok(Snapshot { files })
    }

    /// The tracked files as they are on disk; `keep` selects the paths to hash.
    pub(crate) fn worktree_snapshot(
        &self,
        keep: &dyn Fn(&str) -> bool,
    ) -> anyhow::Result<Snapshot> {
        let workdir = self.workdir()?;
        let index = self.index_snapshot()?;
        let mut files = BTreeMap::new();
        for path in index.files.keys().filter(|p| keep(p)) {
            let Ok(bytes) = std::fs::read(workdir.join(path)) else {
                continue;
            };
            let id =
                gix::objs::compute_hash(self.repo.object_hash(), gix::object::Kind::Blob, &bytes)
                    .map_err(|e| anyhow!("cannot hash {path}: {e}"))?;
            files.insert(path.clone(), id);
        }
        Ok(Snapshot { files })
    }

    /// The snapshot of a head side.
    pub(crate) fn snapshot(
        &self,
        side: &HeadSide,
        keep: &dyn Fn(&str) -> bool,
    ) -> anyhow::Result<Snapshot> {
        let mut snapshot = match side {
            HeadSide::WorkTree => return self.worktree_snapshot(keep),
            HeadSide::Index => self.index_snapshot()?,
            HeadSide::Commit(id) => self.commit_snapshot(*id)?,
        };
        snapshot.files.retain(|p, _| keep(p));
        Ok(snapshot)
    }

    /// A blob's bytes.
    pub(crate) fn blob(&self, id: ObjectId) -> anyhow::Result<Vec<u8>> {
        let blob = self
            .repo
            .find_blob(id)
            .map_err(|e| anyhow!("cannot read blob {id}: {e}"))?;
        Ok(blob.data.clone())
    }
}

/// The files that differ between two snapshots, sorted, with exact renames paired.
pub(crate) fn changes(base: &Snapshot, head: &Snapshot) -> Vec<FileChange> {
    let mut added: Vec<&String> = Vec::new();
    let mut deleted: Vec<&String> = Vec::new();
    let mut out = Vec::new();
    for (path, id) in &head.files {
        match base.files.get(path) {
            None => added.push(path),
            Some(old) if old != id => out.push(FileChange::Modified { path: path.clone() }),
            Some(_) => {}
        }
    }
    for path in base.files.keys() {
        if !head.files.contains_key(path) {
            deleted.push(path);
        }
    }
    // Exact renames: a deleted path and an added path with the same blob.
    let mut unpaired_deleted: Vec<&String> = Vec::new();
    for from in deleted {
        let id = base.files.get(from);
        match added.iter().position(|to| head.files.get(*to) == id) {
            Some(i) => {
                let to = added.remove(i);
                out.push(FileChange::Renamed {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            None => unpaired_deleted.push(from),
        }
    }
    out.extend(
        added
            .into_iter()
            .map(|p| FileChange::Added { path: p.clone() }),
    );
    out.extend(
        unpaired_deleted
            .into_iter()
            .map(|p| FileChange::Deleted { path: p.clone() }),
    );
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(files: &[(&str, u8)]) -> Snapshot {
        Snapshot {
            files: files
                .iter()
                .map(|(p, b)| ((*p).to_owned(), ObjectId::from_bytes_or_panic(&[*b; 20])))
                .collect(),
        }
    }

    #[test]
    fn changes_pair_exact_renames() {
        let base = snap(&[("a.yaml", 1), ("b.yaml", 2), ("c.yaml", 3), ("d.yaml", 4)]);
        let head = snap(&[
            ("a.yaml", 1),
            ("b.yaml", 9),
            ("moved/c.yaml", 3),
            ("e.yaml", 5),
        ]);
        assert_eq!(
            changes(&base, &head),
            vec![
                FileChange::Added {
                    path: "e.yaml".into()
                },
                FileChange::Modified {
                    path: "b.yaml".into()
                },
                FileChange::Renamed {
                    from: "c.yaml".into(),
                    to: "moved/c.yaml".into()
                },
                FileChange::Deleted {
                    path: "d.yaml".into()
                },
            ]
        );
    }
}
