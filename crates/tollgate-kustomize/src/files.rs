//! The renderer's only way to read: a view of the repository that cannot
//! reach outside it.
//!
//! Paths are relative to the repository root and `/`-separated. Every
//! implementation refuses absolute paths, `..` above the root and symlinks
//! that leave it, whatever a kustomization asks: rendered generator content
//! ends up in reports, so one such read would leak a machine's secrets.
//! [`LoadRestrictor`] adds kustomize's own rule on top (a kustomization reads
//! only below its own directory).

use crate::{Options, Problem, SourceText};
use std::sync::Arc;
use tollgate_load::{FileId, Limits, Node, Span, Syntax, Value};

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
    /// The file is not UTF-8 text (kustomize would put it in `binaryData`).
    Binary,
    /// Anything else, in words.
    Other(String),
}

/// A read-only view of a repository.
pub trait Files: Sync {
    /// Reads a file's text. The path is already normalised (no `.`/`..`).
    fn read(&self, path: &str) -> Result<std::sync::Arc<str>, ReadError>;
    /// Reads a file's bytes, whatever they are (a generator's `files` entry
    /// may name a binary file). The same bounds as [`Files::read`] apply.
    /// The default reads text only: an implementation that can hold binary
    /// files overrides it.
    fn read_bytes(&self, path: &str) -> Result<std::sync::Arc<[u8]>, ReadError> {
        self.read(path).map(|t| std::sync::Arc::from(t.as_bytes()))
    }
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
    /// Path → bytes of the files that are not UTF-8 text.
    pub binary: std::collections::BTreeMap<String, std::sync::Arc<[u8]>>,
}

/// What a generator read: text, or bytes that are not UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// UTF-8 text (spans index it).
    Text(Arc<str>),
    /// Any other bytes (kustomize base64-encodes them into `binaryData`).
    Binary(Arc<[u8]>),
}

/// Joins `dir` and `rel` and normalises the result (`.` and `..` resolved,
/// `/`-separated, no leading or trailing `/`). Refuses absolute paths and
/// `..` above the repository root, with the reason in words.
pub fn join_normalised(dir: &str, rel: &str) -> Result<String, String> {
    if rel.starts_with('/') || rel.starts_with('\\') || rel.get(1..3) == Some(":\\") {
        return Err(format!(
            "absolute path '{rel}' is outside the repository; kustomize paths are relative to the kustomization"
        ));
    }
    normalise(&format!("{dir}/{rel}"))
        .ok_or_else(|| format!("path '{rel}' (from '{dir}') leaves the repository root"))
}

/// Normalises a `/`-separated path relative to the root; `None` when `..`
/// climbs above the root.
pub fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether `path` is `dir` or below it (both normalised, "" is the root).
pub fn is_within(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Every read of a render goes through one `Reader`: it applies the
/// repository bounds and the [`LoadRestrictor`], and keeps the table of files
/// read (which becomes [`crate::Rendered::files`], indexed by [`FileId`]).
pub struct Reader<'a> {
    /// The repository view.
    pub files: &'a dyn Files,
    /// kustomize's load restrictor.
    pub restrictor: LoadRestrictor,
    /// Loader limits for every parse.
    pub limits: Limits,
    /// Files read so far, indexed by [`FileId`]. A binary file is in the
    /// table with empty text (it has no lines a span could point at).
    pub table: Vec<SourceText>,
    /// The bytes of the binary files in `table`.
    binary: Vec<(FileId, Arc<[u8]>)>,
}

impl<'a> Reader<'a> {
    /// A reader with an empty file table.
    pub fn new(files: &'a dyn Files, options: &Options) -> Self {
        Self {
            files,
            restrictor: options.load_restrictor,
            limits: options.limits.clone(),
            table: Vec::new(),
            binary: Vec::new(),
        }
    }

    /// Registers `path` with `text` (or finds it already registered) and
    /// returns its id.
    pub fn register(&mut self, path: &str, text: Arc<str>) -> FileId {
        if let Some(i) = self.table.iter().position(|f| f.path == path) {
            return file_id(i);
        }
        self.table.push(SourceText {
            path: path.to_owned(),
            text,
        });
        file_id(self.table.len() - 1)
    }

    /// The path of `dir/rel`, normalised and checked against the repository
    /// bounds and (with [`LoadRestrictor::RootOnly`]) against `kustomization_dir`.
    pub fn resolve(&self, kustomization_dir: &str, rel: &str, at: Span) -> Result<String, Problem> {
        let path = join_normalised(kustomization_dir, rel).map_err(|m| Problem::error(m, at))?;
        if self.restrictor == LoadRestrictor::RootOnly && !is_within(&path, kustomization_dir) {
            return Err(Problem::error(
                format!(
                    "security; file '{path}' is not in or below '{}' (kustomize's load restrictor \
                     LoadRestrictionsRootOnly; Flux renders with LoadRestrictionsNone)",
                    display_dir(kustomization_dir)
                ),
                at,
            ));
        }
        Ok(path)
    }

    /// Reads `kustomization_dir/rel` as text, registers it and returns its id
    /// and text. Errors (outside the repository, outside the kustomization
    /// with RootOnly, missing, unreadable) land at `at`.
    pub fn read_text(
        &mut self,
        kustomization_dir: &str,
        rel: &str,
        at: Span,
    ) -> Result<(FileId, Arc<str>), Problem> {
        let path = self.resolve(kustomization_dir, rel, at)?;
        self.read_path(&path, at)
    }

    /// Reads an already resolved repository path, registers it and returns
    /// its id and text.
    pub fn read_path(&mut self, path: &str, at: Span) -> Result<(FileId, Arc<str>), Problem> {
        match self.read_content_path(path, at)? {
            (id, Content::Text(text)) => Ok((id, text)),
            (_, Content::Binary(_)) => Err(read_problem(path, ReadError::Binary, at)),
        }
    }

    /// Reads `kustomization_dir/rel` as text or, when it is not UTF-8, as
    /// bytes (a generator's `files` entry), registers it and returns its id
    /// and content. Errors as [`Reader::read_text`].
    pub fn read_content(
        &mut self,
        kustomization_dir: &str,
        rel: &str,
        at: Span,
    ) -> Result<(FileId, Content), Problem> {
        let path = self.resolve(kustomization_dir, rel, at)?;
        self.read_content_path(&path, at)
    }

    fn read_content_path(&mut self, path: &str, at: Span) -> Result<(FileId, Content), Problem> {
        if let Some(found) = self.registered(path) {
            return Ok(found);
        }
        let content = match self.files.read(path) {
            Ok(text) => Content::Text(text),
            Err(ReadError::Binary) => Content::Binary(
                self.files
                    .read_bytes(path)
                    .map_err(|e| read_problem(path, e, at))?,
            ),
            Err(e) => return Err(read_problem(path, e, at)),
        };
        self.admit(path, content, at)
    }

    /// The id and content of `path` if it is registered already.
    fn registered(&self, path: &str) -> Option<(FileId, Content)> {
        let i = self.table.iter().position(|f| f.path == path)?;
        let id = file_id(i);
        if let Some((_, bytes)) = self.binary.iter().find(|(b, _)| *b == id) {
            return Some((id, Content::Binary(bytes.clone())));
        }
        Some((id, Content::Text(self.table[i].text.clone())))
    }

    /// Registers `content`, just read from `path`, after checking the size
    /// limit.
    fn admit(
        &mut self,
        path: &str,
        content: Content,
        at: Span,
    ) -> Result<(FileId, Content), Problem> {
        let len = match &content {
            Content::Text(t) => t.len(),
            Content::Binary(b) => b.len(),
        };
        if len as u64 > self.limits.max_file_size {
            return Err(Problem::error(
                format!(
                    "file '{path}' is larger than the limit of {} bytes",
                    self.limits.max_file_size
                ),
                at,
            ));
        }
        match content {
            Content::Text(text) => {
                let id = self.register(path, text.clone());
                Ok((id, Content::Text(text)))
            }
            Content::Binary(bytes) => {
                let id = self.register(path, Arc::from(""));
                self.binary.push((id, bytes.clone()));
                Ok((id, Content::Binary(bytes)))
            }
        }
    }

    /// Reads `kustomization_dir/rel`, parses it (JSON for `.json`, YAML
    /// otherwise) and returns its non-empty documents, every span placed in
    /// the file's id. A load problem becomes a render-error at its span.
    pub fn load_yaml(
        &mut self,
        kustomization_dir: &str,
        rel: &str,
        at: Span,
    ) -> Result<Vec<Node>, Problem> {
        let path = self.resolve(kustomization_dir, rel, at)?;
        self.load_path(&path, at)
    }

    /// [`Reader::load_yaml`] of an already resolved repository path.
    pub fn load_path(&mut self, path: &str, at: Span) -> Result<Vec<Node>, Problem> {
        let (id, text) = self.read_path(path, at)?;
        self.parse_file(id, path, &text)
    }

    /// [`Reader::load_path`] of `text`, already read from `path` with
    /// [`Files::read`] (by a caller that had to read it to learn whether it
    /// exists): registered (unless it is already) and parsed without a
    /// second read.
    pub fn load_read(
        &mut self,
        path: &str,
        text: Arc<str>,
        at: Span,
    ) -> Result<Vec<Node>, Problem> {
        let (id, content) = match self.registered(path) {
            Some(found) => found,
            None => self.admit(path, Content::Text(text), at)?,
        };
        match content {
            Content::Text(text) => self.parse_file(id, path, &text),
            Content::Binary(_) => Err(read_problem(path, ReadError::Binary, at)),
        }
    }

    /// Parses `text`, the registered file `id` at `path`.
    fn parse_file(&self, id: FileId, path: &str, text: &str) -> Result<Vec<Node>, Problem> {
        let loaded = tollgate_load::load(text, Syntax::for_path(path), &self.limits);
        if let Some(p) = loaded.problems.first() {
            return Err(Problem::error(
                format!("{path}: {} ({})", p.message, p.rule),
                p.span.in_file(id),
            ));
        }
        Ok(loaded
            .documents
            .into_iter()
            .map(|d| {
                let mut root = d.root;
                root.set_file(id);
                root
            })
            .filter(|n| !matches!(n.value, Value::Null))
            .collect())
    }

    /// Parses `text`, the value of a string node at `at` in a registered
    /// file (an inline patch), so that every parsed node points at the bytes
    /// of that file it came from: each line of `text` is found, in order, in
    /// the source bytes of `at` (a block scalar's lines are its source lines
    /// without indentation). Lines not found (escapes in a quoted scalar)
    /// land on `at` as a whole. Problems land at their mapped span.
    pub fn parse_inline(&self, text: &str, at: Span) -> Result<Vec<Node>, Problem> {
        let source = self
            .text(at.file)
            .and_then(|t| t.get(at.start..at.end.min(t.len())))
            .unwrap_or("");
        let map = LineMap::new(text, source, at);
        let loaded = tollgate_load::load(text, Syntax::Yaml, &self.limits);
        if let Some(p) = loaded.problems.first() {
            return Err(Problem::error(
                format!("{} ({})", p.message, p.rule),
                map.span(p.span),
            ));
        }
        Ok(loaded
            .documents
            .into_iter()
            .map(|d| {
                let mut root = d.root;
                remap(&mut root, &map);
                root
            })
            .filter(|n| !matches!(n.value, Value::Null))
            .collect())
    }

    /// Whether `path` (normalised) is a directory.
    pub fn is_dir(&self, path: &str) -> bool {
        self.files.is_dir(path)
    }

    /// The sorted entry names of a directory.
    pub fn list(&self, dir: &str) -> Result<Vec<String>, ReadError> {
        self.files.list(dir)
    }

    /// The text of a registered file.
    pub fn text(&self, id: FileId) -> Option<&Arc<str>> {
        self.table.get(id.0 as usize).map(|f| &f.text)
    }

    /// The path of a registered file.
    pub fn path(&self, id: FileId) -> Option<&str> {
        self.table.get(id.0 as usize).map(|f| f.path.as_str())
    }
}

/// The problem of a failed read of `path`, at `at`.
fn read_problem(path: &str, e: ReadError, at: Span) -> Problem {
    match e {
        ReadError::NotFound => Problem::error(format!("file '{path}' does not exist"), at),
        ReadError::OutsideRoot => Problem::error(
            format!("file '{path}' leaves the repository (a symlink out of it)"),
            at,
        ),
        ReadError::Binary => Problem::error(
            format!(
                "file '{path}' is not UTF-8 text; only a generator's `files` entry may be binary"
            ),
            at,
        ),
        ReadError::Other(m) => Problem::error(format!("reading '{path}': {m}"), at),
    }
}

fn display_dir(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

fn file_id(index: usize) -> FileId {
    FileId(u32::try_from(index).unwrap_or(u32::MAX))
}

/// Maps byte offsets of an inline text to offsets of the file it was written in.
struct LineMap {
    /// (start of the line in the text, its length, start in the file), or
    /// `None` for the file offset when the line was not found.
    lines: Vec<(usize, usize, Option<usize>)>,
    at: Span,
}

impl LineMap {
    fn new(text: &str, source: &str, at: Span) -> Self {
        let mut lines = Vec::new();
        let mut text_pos = 0;
        let mut source_pos = 0;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let found = if content.is_empty() {
                None
            } else {
                source
                    .get(source_pos..)
                    .and_then(|rest| rest.find(content))
                    .map(|i| source_pos + i)
            };
            if let Some(f) = found {
                source_pos = f + content.len();
            }
            lines.push((text_pos, content.len(), found.map(|f| at.start + f)));
            text_pos += line.len();
        }
        Self { lines, at }
    }

    fn offset(&self, offset: usize) -> Option<usize> {
        let i = self
            .lines
            .partition_point(|l| l.0 <= offset)
            .checked_sub(1)?;
        let (start, len, file) = self.lines[i];
        file.map(|f| f + (offset - start).min(len))
    }

    fn span(&self, span: Span) -> Span {
        match (self.offset(span.start), self.offset(span.end)) {
            (Some(s), Some(e)) if s <= e => Span {
                start: s,
                end: e,
                file: self.at.file,
            },
            _ => self.at,
        }
    }
}

fn remap(node: &mut Node, map: &LineMap) {
    node.span = map.span(node.span);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, map)),
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                e.key_span = map.span(e.key_span);
                remap(&mut e.value, map);
            }
        }
        _ => {}
    }
}

/// Whether `path` is a plain relative repository path (no `.`, `..`,
/// absolute prefix or empty segment).
fn is_plain(path: &str) -> bool {
    path.is_empty()
        || (!path.starts_with('/')
            && !path.contains('\\')
            && path
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != ".."))
}

impl DiskFiles {
    /// Files below `root` (canonicalised, so symlinks in the root itself are fine).
    pub fn new(root: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        Ok(Self {
            root: std::fs::canonicalize(root)?,
        })
    }

    /// The canonical on-disk path of `path`, refused when it leaves the root.
    fn locate(&self, path: &str) -> Result<std::path::PathBuf, ReadError> {
        if !is_plain(path) {
            return Err(ReadError::OutsideRoot);
        }
        let joined = if path.is_empty() {
            self.root.clone()
        } else {
            self.root.join(path)
        };
        let canonical = std::fs::canonicalize(&joined).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadError::NotFound,
            _ => ReadError::Other(e.to_string()),
        })?;
        if canonical.starts_with(&self.root) {
            Ok(canonical)
        } else {
            Err(ReadError::OutsideRoot)
        }
    }
}

impl Files for DiskFiles {
    fn read(&self, path: &str) -> Result<Arc<str>, ReadError> {
        let real = self.locate(path)?;
        if real.is_dir() {
            return Err(ReadError::Other("is a directory".to_owned()));
        }
        let bytes = std::fs::read(&real).map_err(|e| ReadError::Other(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| ReadError::Binary)?;
        Ok(Arc::from(text))
    }

    fn read_bytes(&self, path: &str) -> Result<Arc<[u8]>, ReadError> {
        let real = self.locate(path)?;
        if real.is_dir() {
            return Err(ReadError::Other("is a directory".to_owned()));
        }
        let bytes = std::fs::read(&real).map_err(|e| ReadError::Other(e.to_string()))?;
        Ok(Arc::from(bytes))
    }

    fn is_dir(&self, path: &str) -> bool {
        self.locate(path).is_ok_and(|p| p.is_dir())
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, ReadError> {
        let real = self.locate(dir)?;
        let entries = std::fs::read_dir(&real).map_err(|e| ReadError::Other(e.to_string()))?;
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names)
    }
}

impl MemoryFiles {
    /// Files from `(path, text)` pairs (paths relative to the root).
    pub fn from_pairs<'s>(pairs: impl IntoIterator<Item = (&'s str, &'s str)>) -> Self {
        Self {
            files: pairs
                .into_iter()
                .map(|(p, t)| (p.to_owned(), Arc::from(t)))
                .collect(),
            binary: std::collections::BTreeMap::new(),
        }
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: &str, text: &str) {
        self.binary.remove(path);
        self.files.insert(path.to_owned(), Arc::from(text));
    }

    /// Adds or replaces a file given as bytes (text when they are UTF-8).
    pub fn insert_bytes(&mut self, path: &str, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.insert(path, text),
            Err(_) => {
                self.files.remove(path);
                self.binary.insert(path.to_owned(), Arc::from(bytes));
            }
        }
    }

    /// Every path held, text or binary, sorted.
    fn paths(&self) -> impl Iterator<Item = &String> {
        let mut all: Vec<&String> = self.files.keys().chain(self.binary.keys()).collect();
        all.sort();
        all.into_iter()
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &str) -> Result<Arc<str>, ReadError> {
        if !is_plain(path) {
            return Err(ReadError::OutsideRoot);
        }
        if self.binary.contains_key(path) {
            return Err(ReadError::Binary);
        }
        self.files.get(path).cloned().ok_or(ReadError::NotFound)
    }

    fn read_bytes(&self, path: &str) -> Result<Arc<[u8]>, ReadError> {
        if let Some(bytes) = self.binary.get(path) {
            return Ok(bytes.clone());
        }
        self.read(path).map(|t| Arc::from(t.as_bytes()))
    }

    fn is_dir(&self, path: &str) -> bool {
        if !is_plain(path) {
            return false;
        }
        if path.is_empty() {
            return true;
        }
        let prefix = format!("{path}/");
        let under = |k: Option<&String>| k.is_some_and(|k| k.starts_with(&prefix));
        under(self.files.range(prefix.clone()..).next().map(|(k, _)| k))
            || under(self.binary.range(prefix.clone()..).next().map(|(k, _)| k))
    }

    fn list(&self, dir: &str) -> Result<Vec<String>, ReadError> {
        if !self.is_dir(dir) {
            return Err(ReadError::NotFound);
        }
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut names: Vec<String> = Vec::new();
        for key in self.paths().filter(|k| k.starts_with(&prefix)) {
            let rest = &key[prefix.len()..];
            let name = rest.split('/').next().unwrap_or(rest).to_owned();
            names.push(name);
        }
        names.sort();
        names.dedup();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> MemoryFiles {
        MemoryFiles::from_pairs([
            ("app/kustomization.yaml", "resources:\n- a.yaml\n"),
            ("app/a.yaml", "kind: A\n---\n---\nkind: B\n"),
            ("app/sub/b.json", "{\"kind\": \"C\"}"),
            ("other/x.yaml", "kind: X\n"),
            ("a-c.yaml", "kind: Y\n"),
        ])
    }

    #[test]
    fn normalise_and_join() {
        assert_eq!(
            join_normalised("app", "./sub/../a.yaml").as_deref(),
            Ok("app/a.yaml")
        );
        assert_eq!(
            join_normalised("app", "../other/x.yaml").as_deref(),
            Ok("other/x.yaml")
        );
        assert!(join_normalised("app", "../../etc/passwd").is_err());
        assert!(join_normalised("app", "/etc/passwd").is_err());
        assert!(is_within("app/sub/b", "app"));
        assert!(!is_within("apple/b", "app"));
        assert!(is_within("x", ""));
    }

    #[test]
    fn reader_loads_and_registers() {
        let files = mem();
        let mut r = Reader::new(&files, &Options::default());
        let at = Span::new(1, 2);
        let docs = r.load_yaml("app", "a.yaml", at).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].span.file, FileId(0));
        let json = r.load_yaml("app", "sub/b.json", at).unwrap();
        assert_eq!(json[0].get("kind").unwrap().span.file, FileId(1));
        assert_eq!(json[0].get("kind").unwrap().as_str(), Some("C"));
        // Reading again reuses the id.
        let (id, _) = r.read_text("app", "./a.yaml", at).unwrap();
        assert_eq!(id, FileId(0));
        assert_eq!(r.table.len(), 2);
    }

    #[test]
    fn reader_refuses_escapes() {
        let files = mem();
        let mut r = Reader::new(&files, &Options::default());
        let at = Span::new(5, 9);
        let e = r.read_text("app", "../other/x.yaml", at).unwrap_err();
        assert_eq!(e.rule, crate::RENDER_ERROR);
        assert_eq!(e.span, at);
        assert!(
            e.message.contains("is not in or below 'app'"),
            "{}",
            e.message
        );
        assert!(r.read_text("app", "/etc/passwd", at).is_err());
        assert!(r.read_text("app", "../../x", at).is_err());
        let missing = r.read_text("app", "nope.yaml", at).unwrap_err();
        assert!(missing.message.contains("does not exist"));
        let opts = Options {
            load_restrictor: LoadRestrictor::None,
            ..Options::default()
        };
        let mut free = Reader::new(&files, &opts);
        assert!(free.read_text("app", "../other/x.yaml", at).is_ok());
        assert!(free.read_text("app", "../../x", at).is_err());
    }

    #[test]
    fn load_problem_lands_in_file() {
        let files = MemoryFiles::from_pairs([("k/bad.yaml", "a: [\n")]);
        let mut r = Reader::new(&files, &Options::default());
        let e = r.load_yaml("k", "bad.yaml", Span::new(0, 1)).unwrap_err();
        assert_eq!(e.span.file, FileId(0));
        assert!(e.message.starts_with("k/bad.yaml:"));
    }

    #[test]
    fn inline_text_maps_to_source_lines() {
        let src = "patch: |-\n  kind: A\n  metadata:\n    name: x\n";
        let files = MemoryFiles::from_pairs([("k/kustomization.yaml", src)]);
        let mut r = Reader::new(&files, &Options::default());
        let (id, _) = r
            .read_text("k", "kustomization.yaml", Span::new(0, 0))
            .unwrap();
        let at = Span::new(7, src.len()).in_file(id);
        let docs = r.parse_inline("kind: A\nmetadata:\n  name: x", at).unwrap();
        let name = docs[0].get("metadata").unwrap().get("name").unwrap();
        assert_eq!(&src[name.span.start..name.span.end], "x");
        assert_eq!(name.span.file, id);
    }

    #[test]
    fn binary_files_are_read_as_bytes_only_on_request() {
        let mut files = mem();
        files.insert_bytes("app/bin/x.gz", &[0x1f, 0x8b, 0xff]);
        files.insert_bytes("app/t.txt", b"text");
        assert_eq!(files.read("app/bin/x.gz"), Err(ReadError::Binary));
        assert_eq!(
            &*files.read_bytes("app/bin/x.gz").unwrap(),
            &[0x1f, 0x8b, 0xff]
        );
        assert_eq!(&*files.read("app/t.txt").unwrap(), "text");
        assert!(files.is_dir("app/bin"));
        assert!(files.list("app").unwrap().contains(&"bin".to_owned()));
        let mut r = Reader::new(&files, &Options::default());
        let at = Span::new(1, 2);
        let (id, content) = r.read_content("app", "bin/x.gz", at).unwrap();
        assert_eq!(content, Content::Binary(Arc::from(&[0x1f, 0x8b, 0xff][..])));
        assert_eq!(r.path(id), Some("app/bin/x.gz"));
        assert_eq!(r.text(id).map(|t| &**t), Some(""));
        // Again from the table, still bytes; as text it is kustomize's error.
        assert_eq!(r.read_content("app", "bin/x.gz", at).unwrap().1, content);
        let e = r.read_text("app", "bin/x.gz", at).unwrap_err();
        assert_eq!(e.rule, crate::RENDER_ERROR);
        assert_eq!(e.span, at);
        let (_, t) = r.read_content("app", "t.txt", at).unwrap();
        assert_eq!(t, Content::Text(Arc::from("text")));
        // The bounds hold for bytes too.
        assert!(r.read_content("app", "../other/x.yaml", at).is_err());
        assert_eq!(files.read_bytes("../x"), Err(ReadError::OutsideRoot));
    }

    #[test]
    fn memory_files_listing() {
        let files = mem();
        assert!(files.is_dir("app"));
        assert!(files.is_dir("app/sub"));
        assert!(!files.is_dir("app/a.yaml"));
        assert!(!files.is_dir("ap"));
        assert_eq!(files.list("").unwrap(), vec!["a-c.yaml", "app", "other"]);
        assert_eq!(files.read("../x"), Err(ReadError::OutsideRoot));
    }

    #[test]
    fn disk_files_refuse_symlinks_out() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let repo = tempfile::tempdir().unwrap();
        std::fs::create_dir(repo.path().join("d")).unwrap();
        std::fs::write(repo.path().join("d/in.yaml"), "kind: A\n").unwrap();
        std::fs::write(repo.path().join("top.yaml"), "kind: T\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret"), repo.path().join("d/out"))
                .unwrap();
            std::os::unix::fs::symlink(repo.path().join("top.yaml"), repo.path().join("d/ok"))
                .unwrap();
        }
        let files = DiskFiles::new(repo.path()).unwrap();
        assert_eq!(&*files.read("d/in.yaml").unwrap(), "kind: A\n");
        std::fs::write(repo.path().join("d/b.bin"), [0xffu8, 0]).unwrap();
        assert_eq!(files.read("d/b.bin"), Err(ReadError::Binary));
        assert_eq!(&*files.read_bytes("d/b.bin").unwrap(), &[0xff, 0]);
        assert_eq!(files.read("/etc/passwd"), Err(ReadError::OutsideRoot));
        assert_eq!(files.read("d/../../x"), Err(ReadError::OutsideRoot));
        assert_eq!(files.read("nope"), Err(ReadError::NotFound));
        #[cfg(unix)]
        {
            assert_eq!(files.read("d/out"), Err(ReadError::OutsideRoot));
            assert_eq!(files.read_bytes("d/out"), Err(ReadError::OutsideRoot));
            assert_eq!(&*files.read("d/ok").unwrap(), "kind: T\n");
        }
        assert!(files.is_dir("d"));
        assert!(files.is_dir(""));
        let listed = files.list("d").unwrap();
        assert!(listed.windows(2).all(|w| w[0] <= w[1]));
        assert!(listed.contains(&"in.yaml".to_owned()));
    }
}
