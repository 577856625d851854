//! A git snapshot as the renderer's read-only view of a repository.
//!
//! [`SnapshotFiles`] implements `tollgate_kustomize::Files` over a
//! [`Snapshot`] (a commit's tree or the index): paths are looked up in the
//! snapshot and blobs are read lazily through gix, once each. Nothing outside
//! the snapshot is ever read — not the working tree, not the disk — so the base
//! and head of a change render without touching the checkout. Symlinks are not
//! in a snapshot (only blobs are), so none can lead out of it.
//!
//! gix's repository handle is neither `Send` nor `Sync` with tollgate's
//! features, while the renderer's view must be `Sync`: one reader thread owns
//! its own handle and answers blob requests over a channel.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use gix::ObjectId;

use tollgate_kustomize::files::ReadError;

use crate::input::git::{Git, Snapshot};

/// A snapshot's files, read lazily from the repository's object database.
pub(crate) struct SnapshotFiles {
    reader: Mutex<Sender<Request>>,
    snapshot: Snapshot,
    /// Every directory holding a file of the snapshot ("" is the root).
    dirs: BTreeSet<String>,
    cache: Mutex<HashMap<String, Read>>,
}

/// A cached read: the bytes, or why there are none.
type Read = Result<Arc<[u8]>, ReadError>;

/// A blob request to the reader thread: the id and where to answer.
type Request = (ObjectId, Sender<Result<Vec<u8>, String>>);

impl SnapshotFiles {
    /// A view of `snapshot`, reading blobs from the repository that holds `dir`
    /// (opened once more, on the reader thread).
    pub(crate) fn new(dir: &Path, snapshot: Snapshot) -> Self {
        let (reader, requests) = channel::<Request>();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            let git = Git::open(&dir);
            for (id, answer) in requests {
                let bytes = match &git {
                    Ok(git) => git.blob(id).map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                };
                let _ = answer.send(bytes);
            }
        });
        let mut dirs = BTreeSet::new();
        dirs.insert(String::new());
        for path in snapshot.files.keys() {
            let mut rest = path.as_str();
            while let Some((parent, _)) = rest.rsplit_once('/') {
                if !dirs.insert(parent.to_owned()) {
                    break;
                }
                rest = parent;
            }
        }
        Self {
            reader: Mutex::new(reader),
            snapshot,
            dirs,
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl SnapshotFiles {
    /// A file's bytes, read from its blob once.
    fn bytes(&self, path: &str) -> Result<Arc<[u8]>, ReadError> {
        let Some(id) = self.snapshot.files.get(path) else {
            return Err(if self.dirs.contains(path) {
                ReadError::Other("is a directory".to_owned())
            } else {
                ReadError::NotFound
            });
        };
        if let Ok(cache) = self.cache.lock()
            && let Some(hit) = cache.get(path)
        {
            return hit.clone();
        }
        let (answer, answered) = channel();
        self.reader
            .lock()
            .map_err(|_| ReadError::Other("blob reader lock poisoned".to_owned()))?
            .send((*id, answer))
            .map_err(|_| ReadError::Other("the blob reader stopped".to_owned()))?;
        let result = answered
            .recv()
            .map_err(|_| ReadError::Other("the blob reader stopped".to_owned()))?
            .map(Arc::from)
            .map_err(ReadError::Other);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(path.to_owned(), result.clone());
        }
        result
    }
}

impl tollgate_kustomize::Files for SnapshotFiles {
    fn read(&self, path: &str) -> Result<Arc<str>, ReadError> {
        let bytes = self.bytes(path)?;
        std::str::from_utf8(&bytes)
            .map(Arc::from)
            .map_err(|_| ReadError::Binary)
    }

    fn read_bytes(&self, path: &str) -> Result<Arc<[u8]>, ReadError> {
        self.bytes(path)
    }

    fn is_dir(&self, path: &str) -> bool {
        self.dirs.contains(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, ReadError> {
        if !self.dirs.contains(dir) {
            return Err(ReadError::NotFound);
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut names: Vec<String> = self
            .snapshot
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| {
                let rest = &k[prefix.len()..];
                rest.split('/').next().unwrap_or(rest).to_owned()
            })
            .collect();
        names.dedup();
        Ok(names)
    }
}
