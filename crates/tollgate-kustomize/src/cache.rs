//! A read cache over any [`Files`]: a run renders many targets that share
//! bases, and each render would otherwise read (and keep its own copy of)
//! the same files. With the cache every file is read once per run and every
//! render shares its text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::Files;
use crate::files::ReadError;

/// Remembered reads, by path.
type Reads<T> = Mutex<HashMap<String, Result<T, ReadError>>>;

/// [`Files`] that remembers every read of the view it wraps (texts, bytes and
/// failures alike), so the bounds are checked once per path too.
pub struct CachedFiles<'a> {
    inner: &'a dyn Files,
    texts: Reads<Arc<str>>,
    bytes: Reads<Arc<[u8]>>,
}

impl<'a> CachedFiles<'a> {
    /// A cache in front of `inner`.
    pub fn new(inner: &'a dyn Files) -> Self {
        Self {
            inner,
            texts: Mutex::new(HashMap::new()),
            bytes: Mutex::new(HashMap::new()),
        }
    }
}

impl Files for CachedFiles<'_> {
    fn read(&self, path: &str) -> Result<Arc<str>, ReadError> {
        if let Some(hit) = self
            .texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
        {
            return hit.clone();
        }
        // Read outside the lock: renders run in parallel.
        let read = self.inner.read(path);
        self.texts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(path.to_owned())
            .or_insert(read)
            .clone()
    }

    fn read_bytes(&self, path: &str) -> Result<Arc<[u8]>, ReadError> {
        if let Some(hit) = self
            .bytes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
        {
            return hit.clone();
        }
        let read = self.inner.read_bytes(path);
        self.bytes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(path.to_owned())
            .or_insert(read)
            .clone()
    }

    fn is_dir(&self, path: &str) -> bool {
        self.inner.is_dir(path)
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, ReadError> {
        self.inner.list(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryFiles;

    /// Counts the reads that reach the wrapped view.
    struct Counting {
        inner: MemoryFiles,
        reads: std::sync::atomic::AtomicUsize,
    }

    impl Files for Counting {
        fn read(&self, path: &str) -> Result<Arc<str>, ReadError> {
            self.reads
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.inner.read(path)
        }
        fn is_dir(&self, path: &str) -> bool {
            self.inner.is_dir(path)
        }
        fn list(&self, dir: &str) -> Result<Vec<String>, ReadError> {
            self.inner.list(dir)
        }
    }

    #[test]
    fn each_path_is_read_once_and_shared() {
        let counting = Counting {
            inner: MemoryFiles::from_pairs([("a.yaml", "x: 1\n")]),
            reads: std::sync::atomic::AtomicUsize::new(0),
        };
        let cache = CachedFiles::new(&counting);
        let first = cache.read("a.yaml").expect("read");
        let second = cache.read("a.yaml").expect("read");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(cache.read("missing.yaml"), Err(ReadError::NotFound));
        assert_eq!(cache.read("missing.yaml"), Err(ReadError::NotFound));
        assert_eq!(counting.reads.load(std::sync::atomic::Ordering::Relaxed), 2);
    }

    #[test]
    fn renders_through_the_cache_are_the_same() {
        let files = MemoryFiles::from_pairs([
            ("base/kustomization.yaml", "resources: [cm.yaml]\n"),
            (
                "base/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
            ),
            (
                "a/kustomization.yaml",
                "namePrefix: a-\nresources: [../base]\n",
            ),
            (
                "b/kustomization.yaml",
                "namePrefix: b-\nresources: [../base]\n",
            ),
        ]);
        let cache = CachedFiles::new(&files);
        let options = crate::Options::default();
        for target in ["a", "b"] {
            let direct = crate::render(&files, target, &options);
            let cached = crate::render(&cache, target, &options);
            assert_eq!(
                crate::emit::yaml(&direct.resources),
                crate::emit::yaml(&cached.resources)
            );
            assert!(cached.problems.is_empty(), "{:?}", cached.problems);
        }
    }
}
