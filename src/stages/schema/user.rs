//! Schemas the user brings: `schemas.directories` (kubeconform naming, and CRDs
//! in YAML files), `schemas.associations` (config globs), a top-level `$schema`
//! key and the `# yaml-language-server: $schema=` modeline.
//!
//! Schema files are read from disk only. A `$ref` to another local file resolves
//! relative to the schema (kubeconform's non-standalone layout with
//! `_definitions.json` works); a remote URL is never fetched, and the finding says
//! so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::crd::{self, CustomSchema};
use crate::load::{self, Limits, Syntax};
use crate::model::resource;

/// Where a document's schema comes from, when the user said so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pointer {
    /// A schema file on disk (absolute path).
    Local(PathBuf),
    /// A URL that tollgate will not fetch.
    Remote(String),
    /// One of the JSON Schema meta-schemas: the document is itself a schema.
    Meta(String),
}

/// The meta-schema URLs jsonschema knows without the network.
const META_SCHEMAS: [&str; 10] = [
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft-04/schema",
    "https://json-schema.org/draft-06/schema",
    "https://json-schema.org/draft-07/schema",
    "http://json-schema.org/draft/2019-09/schema",
    "http://json-schema.org/draft/2020-12/schema",
];

/// Interprets a `$schema` value or modeline target written in a file in `dir`.
pub(crate) fn pointer(target: &str, dir: &Path) -> Pointer {
    let trimmed = target.trim();
    let bare = trimmed.trim_end_matches('#');
    if let Some(meta) = META_SCHEMAS.iter().find(|m| **m == bare) {
        return Pointer::Meta((*meta).to_owned());
    }
    if let Some(path) = trimmed.strip_prefix("file://") {
        return Pointer::Local(PathBuf::from(path));
    }
    if trimmed.contains("://") {
        return Pointer::Remote(trimmed.to_owned());
    }
    Pointer::Local(dir.join(trimmed))
}

/// The `# yaml-language-server: $schema=...` modeline of a YAML file, if any.
pub(crate) fn modeline(text: &str) -> Option<&str> {
    if !text.contains("yaml-language-server") {
        return None;
    }
    text.lines().find_map(|line| {
        let comment = line.trim_start().strip_prefix('#')?.trim_start();
        let rest = comment.strip_prefix("yaml-language-server:")?.trim_start();
        let value = rest.strip_prefix("$schema=")?;
        value.split_whitespace().next()
    })
}

/// `schemas.directories`: JSON Schema files by kubeconform name, and CRDs.
#[derive(Debug, Default)]
pub(crate) struct Directories {
    /// Lower-case path relative to its directory (`/` separators) → file.
    files: HashMap<String, PathBuf>,
    /// Custom resource schemas from CRDs found in YAML files of the directories.
    pub(crate) crds: Vec<CustomSchema>,
}

impl Directories {
    /// Indexes the directories (file names only; CRD YAML files are parsed).
    pub(crate) fn scan(dirs: &[PathBuf], strict: bool) -> anyhow::Result<Self> {
        let mut out = Self::default();
        for dir in dirs {
            if !dir.is_dir() {
                anyhow::bail!(
                    "schema directory {} does not exist (schemas.directories)",
                    dir.display()
                );
            }
            let mut entries: Vec<PathBuf> = walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(walkdir::DirEntry::into_path)
                .collect();
            entries.sort();
            for path in entries {
                let Ok(rel) = path.strip_prefix(dir) else {
                    continue;
                };
                let rel = rel.to_string_lossy().replace('\\', "/").to_lowercase();
                if rel.ends_with(".json") {
                    out.files.entry(rel).or_insert(path);
                } else if rel.ends_with(".yaml") || rel.ends_with(".yml") {
                    out.crds.extend(crds_in(&path, strict));
                }
            }
        }
        Ok(out)
    }

    /// The schema file for a resource, by kubeconform's and the CRDs-catalog's names:
    /// `{group}/{kind}_{version}.json`, `{kind}_{version}.json`,
    /// `{kind}-{group prefix}-{version}.json`, `{kind}-{version}.json`.
    pub(crate) fn find(&self, api_version: &str, kind: &str) -> Option<&PathBuf> {
        if self.files.is_empty() {
            return None;
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = kind.to_lowercase();
        let version = version.to_lowercase();
        let group = group.to_lowercase();
        let mut names = Vec::with_capacity(4);
        if !group.is_empty() {
            names.push(format!("{group}/{kind}_{version}.json"));
        }
        names.push(format!("{kind}_{version}.json"));
        match group.split('.').next() {
            Some(prefix) if !prefix.is_empty() => {
                names.push(format!("{kind}-{prefix}-{version}.json"));
            }
            _ => names.push(format!("{kind}-{version}.json")),
        }
        names.iter().find_map(|n| self.files.get(n))
    }
}

fn crds_in(path: &Path, strict: bool) -> Vec<CustomSchema> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let Ok(text) = crate::model::source::decode(bytes) else {
        return Vec::new();
    };
    if !text.contains("CustomResourceDefinition") {
        return Vec::new();
    }
    let loaded = load::load(&text, Syntax::Yaml, &Limits::default());
    resource::objects(loaded.documents)
        .iter()
        .filter(|o| {
            o.id.as_ref()
                .is_some_and(|id| crd::is_crd(&id.api_version, &id.kind))
        })
        .flat_map(|o| crd::schemas(o.node.to_json(), strict))
        .collect()
}

/// Reads a schema file (JSON, or YAML by extension) into JSON.
pub(crate) fn read_schema(path: &Path) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path.to_string_lossy();
    if Syntax::for_path(&name) == Syntax::Json {
        return serde_json::from_slice(&bytes)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()));
    }
    let text = crate::model::source::decode(bytes).map_err(|e| e.message)?;
    let loaded = load::load(&text, Syntax::Yaml, &Limits::default());
    if let Some(p) = loaded.problems.first() {
        return Err(format!("{} does not parse: {}", path.display(), p.message));
    }
    loaded
        .documents
        .first()
        .map(|d| d.root.to_json())
        .ok_or_else(|| format!("{} is empty", path.display()))
}

/// Resolves `$ref`s to local files; refuses every other scheme.
pub(crate) struct LocalFiles;

impl jsonschema::Retrieve for LocalFiles {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.scheme().as_str() == "file" {
            let path = PathBuf::from(uri.path().as_str());
            return read_schema(&path).map_err(Into::into);
        }
        Err(format!(
            "{uri} is remote and tollgate never fetches schemas over the network; save a copy beside the schema and refer to it by a relative path"
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modelines_and_pointers() {
        let text = "# yaml-language-server: $schema=../schemas/ci.json\nkey: 1\n";
        assert_eq!(modeline(text), Some("../schemas/ci.json"));
        assert_eq!(modeline("key: 1\n"), None);
        assert_eq!(
            pointer("ci.json", Path::new("/r/a")),
            Pointer::Local(PathBuf::from("/r/a/ci.json"))
        );
        assert!(matches!(
            pointer("https://example.com/s.json", Path::new("/")),
            Pointer::Remote(_)
        ));
        assert!(matches!(
            pointer("http://json-schema.org/draft-07/schema#", Path::new("/")),
            Pointer::Meta(_)
        ));
    }

    #[test]
    fn kubeconform_names_are_found() {
        let mut d = Directories::default();
        for name in [
            "projectcontour.io/httpproxy_v1.json",
            "trainingjob-sagemaker-v1.json",
            "widget_v1alpha1.json",
        ] {
            d.files.insert(name.into(), PathBuf::from(name));
        }
        assert!(d.find("projectcontour.io/v1", "HTTPProxy").is_some());
        assert!(
            d.find("sagemaker.aws.amazon.com/v1", "TrainingJob")
                .is_some()
        );
        assert!(d.find("example.com/v1alpha1", "Widget").is_some());
        assert!(d.find("example.com/v1", "Widget").is_none());
    }
}
