//! The built-in CRD catalog: the released CRDs of the operators GitOps
//! repositories use most (Flux, Argo CD, cert-manager, ...), vendored by
//! `scripts/vendor-crds` into `schemas/crds/` (see its README for sources and
//! licences).
//!
//! `index.json` maps `group/version/Kind` to one gzip member of `catalog.bin`,
//! a minimal CRD holding only the schema keywords [`crd`](super::crd) reads.
//! Nothing is inflated at start-up: the index is parsed the first time an
//! object of an unknown kind is seen, and a CRD is inflated the first time one
//! of its kinds is checked, then shared by every thread. A CRD found in the
//! repository or a schema directory takes precedence (the catalog is asked
//! last), and `schemas.catalog: false` turns the catalog off.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;
use serde_json::Value;

use super::crd::{self, CustomSchema};

/// `group/version/Kind` → `[offset, length]` in [`CATALOG`], and provenance.
const INDEX: &str = include_str!("../../../schemas/crds/index.json");
/// Concatenated gzip members, one per CRD.
const CATALOG: &[u8] = include_bytes!("../../../schemas/crds/catalog.bin");

#[derive(Deserialize)]
struct IndexFile {
    kinds: HashMap<String, (usize, usize)>,
}

/// The CRDs of one catalog member, converted once.
type Member = Arc<Result<Vec<CustomSchema>, String>>;

/// The catalog, inflated lazily per CRD.
pub(crate) struct Ecosystem {
    strict: bool,
    index: OnceLock<HashMap<String, (usize, usize)>>,
    /// Offset of a member → its schemas.
    members: Mutex<HashMap<usize, Member>>,
}

impl Ecosystem {
    /// The catalog; `strict` closes declared objects as for repository CRDs.
    pub(crate) fn new(strict: bool) -> Self {
        Self {
            strict,
            index: OnceLock::new(),
            members: Mutex::new(HashMap::new()),
        }
    }

    fn index(&self) -> &HashMap<String, (usize, usize)> {
        self.index.get_or_init(|| {
            serde_json::from_str::<IndexFile>(INDEX)
                .map(|f| f.kinds)
                .unwrap_or_default()
        })
    }

    /// The catalog's schema for `apiVersion`/`kind`: `None` when the catalog
    /// does not know it, `Some(Err)` when its member is corrupt.
    pub(crate) fn get(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Option<Result<CustomSchema, String>> {
        let &(offset, length) = self.index().get(&format!("{api_version}/{kind}"))?;
        let member = {
            let mut members = match self.members.lock() {
                Ok(m) => m,
                Err(poisoned) => poisoned.into_inner(),
            };
            members
                .entry(offset)
                .or_insert_with(|| Arc::new(inflate(offset, length, self.strict)))
                .clone()
        };
        Some(match member.as_ref() {
            Ok(schemas) => schemas
                .iter()
                .find(|s| s.api_version == api_version && s.kind == kind)
                .cloned()
                .ok_or_else(|| format!("the CRD catalog has no schema for {api_version} {kind}")),
            Err(e) => Err(e.clone()),
        })
    }
}

fn inflate(offset: usize, length: usize, strict: bool) -> Result<Vec<CustomSchema>, String> {
    let corrupt = |e: &dyn std::fmt::Display| format!("embedded CRD catalog: {e}");
    let bytes = CATALOG
        .get(offset..offset + length)
        .ok_or_else(|| corrupt(&"index out of range"))?;
    let mut text = Vec::with_capacity(length * 16);
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut text)
        .map_err(|e| corrupt(&e))?;
    let crd: Value = serde_json::from_slice(&text).map_err(|e| corrupt(&e))?;
    Ok(crd::schemas(crd, strict))
}

/// The embedded catalog's bytes, for report digests.
pub(crate) fn embedded_bytes() -> &'static [u8] {
    CATALOG
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indexed_kind_inflates_and_compiles() {
        let catalog = Ecosystem::new(true);
        let keys: Vec<String> = catalog.index().keys().cloned().collect();
        for key in keys {
            let Some((api_version, kind)) = key.rsplit_once('/') else {
                panic!("bad key {key}");
            };
            let schema = match catalog.get(api_version, kind) {
                Some(Ok(s)) => s,
                other => panic!("{key}: {:?}", other.map(|r| r.map(|s| s.kind))),
            };
            let json = schema.json_schema();
            assert!(
                jsonschema::options()
                    .should_validate_formats(false)
                    .build(&json)
                    .is_ok(),
                "{key} does not compile"
            );
        }
        assert!(catalog.get("example.com/v1", "Nope").is_none());
    }
}
