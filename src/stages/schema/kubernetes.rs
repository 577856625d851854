//! The embedded Kubernetes schemas: one gzipped `_definitions.json` per minor
//! version (1.25 and later) and `index.json`, the served apiVersion/kind lists of
//! every minor back to 1.7.
//!
//! Nothing is decompressed or parsed at start-up: the target version's definitions
//! are inflated the first time a built-in resource needs them, and the history index
//! the first time a resource's apiVersion/kind must be looked up. A pre-commit run
//! over three ConfigMaps pays for one 27 kB inflate and nothing else.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// Minor versions with full definitions, oldest first, and their gzipped bytes.
const EMBEDDED: [(u32, &[u8]); 13] = [
    (
        25,
        include_bytes!("../../../schemas/kubernetes/v1.25.json.gz"),
    ),
    (
        26,
        include_bytes!("../../../schemas/kubernetes/v1.26.json.gz"),
    ),
    (
        27,
        include_bytes!("../../../schemas/kubernetes/v1.27.json.gz"),
    ),
    (
        28,
        include_bytes!("../../../schemas/kubernetes/v1.28.json.gz"),
    ),
    (
        29,
        include_bytes!("../../../schemas/kubernetes/v1.29.json.gz"),
    ),
    (
        30,
        include_bytes!("../../../schemas/kubernetes/v1.30.json.gz"),
    ),
    (
        31,
        include_bytes!("../../../schemas/kubernetes/v1.31.json.gz"),
    ),
    (
        32,
        include_bytes!("../../../schemas/kubernetes/v1.32.json.gz"),
    ),
    (
        33,
        include_bytes!("../../../schemas/kubernetes/v1.33.json.gz"),
    ),
    (
        34,
        include_bytes!("../../../schemas/kubernetes/v1.34.json.gz"),
    ),
    (
        35,
        include_bytes!("../../../schemas/kubernetes/v1.35.json.gz"),
    ),
    (
        36,
        include_bytes!("../../../schemas/kubernetes/v1.36.json.gz"),
    ),
    (
        37,
        include_bytes!("../../../schemas/kubernetes/v1.37.json.gz"),
    ),
];

/// Served apiVersion/kind lists per minor (1.7 onwards) and deprecation notes.
const INDEX: &str = include_str!("../../../schemas/kubernetes/index.json");

/// The versions `--kubernetes-version` accepts, for messages: `1.25, 1.26, ...`.
pub(crate) fn available_versions() -> String {
    EMBEDDED
        .iter()
        .map(|(m, _)| format!("1.{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `1.30`, `1.30.2` or `v1.30.2` into an embedded minor version, or explains
/// which versions exist.
pub(crate) fn resolve_version(requested: Option<&str>) -> anyhow::Result<u32> {
    let newest = EMBEDDED.last().map_or(0, |(m, _)| *m);
    let Some(text) = requested else {
        return Ok(newest);
    };
    let trimmed = text.trim();
    let bare = trimmed.strip_prefix('v').unwrap_or(trimmed);
    let mut parts = bare.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    let patch_ok = match parts.next() {
        None => true,
        Some(p) => p.parse::<u32>().is_ok() && parts.next().is_none(),
    };
    match (major, minor, patch_ok) {
        (Some(1), Some(minor), true) if EMBEDDED.iter().any(|(m, _)| *m == minor) => Ok(minor),
        (Some(1), Some(_), true) => anyhow::bail!(
            "Kubernetes version {text} has no embedded schemas; available versions: {}",
            available_versions()
        ),
        _ => anyhow::bail!(
            "invalid Kubernetes version `{text}`: expected MAJOR.MINOR or MAJOR.MINOR.PATCH (e.g. 1.30 or 1.30.2); available versions: {}",
            available_versions()
        ),
    }
}

/// The inflated definitions of the target version.
///
/// Definitions stay raw JSON text until a kind needs them: a validator for a kind
/// is compiled from a document holding only the definitions it reaches, so a run
/// over a few ConfigMaps never parses the 860 definitions it does not use.
pub(crate) struct Definitions {
    /// Definition name → its JSON text.
    raw: HashMap<String, Box<RawValue>>,
    /// `(version, kind)` (the last two dotted parts of a name) → definition names.
    by_suffix: HashMap<(String, String), Vec<String>>,
    permissive: bool,
    /// `apps/v1/Deployment` → definition name, resolved on demand.
    by_gvk: Mutex<HashMap<String, Option<String>>>,
}

#[derive(Deserialize)]
struct RawDefinitions {
    #[serde(rename = "$defs")]
    defs: HashMap<String, Box<RawValue>>,
}

impl Definitions {
    /// The definition of `apiVersion`/`kind` (one whose
    /// `x-kubernetes-group-version-kind` names it and that has `apiVersion` and
    /// `kind` properties).
    pub(crate) fn name_of(&self, api_version: &str, kind: &str) -> Option<String> {
        let key = format!("{api_version}/{kind}");
        if let Ok(cache) = self.by_gvk.lock()
            && let Some(hit) = cache.get(&key)
        {
            return hit.clone();
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let found = self
            .by_suffix
            .get(&(version.to_owned(), kind.to_owned()))
            .into_iter()
            .flatten()
            .find(|name| {
                let Some(def) = self
                    .raw
                    .get(*name)
                    .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
                else {
                    return false;
                };
                let props = def.get("properties");
                let resource = props.and_then(|p| p.get("apiVersion")).is_some()
                    && props.and_then(|p| p.get("kind")).is_some();
                resource
                    && def
                        .get("x-kubernetes-group-version-kind")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|gvk| {
                            gvk["group"].as_str().unwrap_or_default() == group
                                && gvk["version"] == version
                                && gvk["kind"] == kind
                        })
            })
            .cloned();
        if let Ok(mut cache) = self.by_gvk.lock() {
            cache.insert(key, found.clone());
        }
        found
    }

    /// A self-contained schema for one definition: `{"$defs": {every definition
    /// it reaches}, "$ref": "#/$defs/<name>"}` (after the permissive rewrite).
    pub(crate) fn schema_for(&self, name: &str) -> Result<Value, String> {
        let mut defs = serde_json::Map::new();
        let mut pending = vec![name.to_owned()];
        while let Some(next) = pending.pop() {
            if defs.contains_key(&next) {
                continue;
            }
            let raw = self
                .raw
                .get(&next)
                .ok_or_else(|| format!("definition {next} is missing"))?;
            let mut def: Value =
                serde_json::from_str(raw.get()).map_err(|e| format!("definition {next}: {e}"))?;
            if self.permissive {
                allow_unknown_fields(&mut def);
            }
            collect_refs(&def, &mut pending);
            defs.insert(next, def);
        }
        Ok(serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": defs,
            "$ref": format!("#/$defs/{name}"),
        }))
    }
}

/// Adds the targets of local `$ref`s (`#/$defs/<name>`) to `out`.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(target) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            {
                out.push(target.replace("~1", "/").replace("~0", "~"));
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// What the history says about an apiVersion/kind in the target version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Availability {
    /// Served; with the index's deprecation note when there is one.
    Served { deprecated: Option<String> },
    /// Served in older minors, not in the target: `removed_in` is the first minor
    /// without it after the last one that had it.
    Removed {
        removed_in: u32,
        replacement: Option<String>,
    },
    /// Only served in newer minors than the target.
    NotYet { first: u32 },
    /// Never a built-in API in the embedded range.
    Unknown,
}

#[derive(Deserialize)]
struct IndexFile {
    versions: BTreeMap<String, IndexVersion>,
}

#[derive(Deserialize)]
struct IndexVersion {
    gvks: Vec<String>,
    #[serde(default)]
    deprecated: BTreeMap<String, String>,
}

/// The history index, with minors as numbers.
struct History {
    /// minor → served `apiVersion/kind` keys.
    served: BTreeMap<u32, BTreeSet<String>>,
    /// minor → deprecation notes.
    deprecated: BTreeMap<u32, BTreeMap<String, String>>,
}

/// The embedded schemas for one target version.
pub(crate) struct Kubernetes {
    minor: u32,
    permissive: bool,
    definitions: OnceLock<Result<Definitions, String>>,
    history: OnceLock<Result<History, String>>,
}

impl Kubernetes {
    /// Schemas for minor version `1.{minor}` (already checked by [`resolve_version`]).
    pub(crate) fn new(minor: u32, permissive: bool) -> Self {
        Self {
            minor,
            permissive,
            definitions: OnceLock::new(),
            history: OnceLock::new(),
        }
    }

    /// The target version, `1.NN`.
    pub(crate) fn version(&self) -> String {
        format!("1.{}", self.minor)
    }

    /// The target version's definitions, inflated on first use.
    pub(crate) fn definitions(&self) -> Result<&Definitions, &str> {
        self.definitions
            .get_or_init(|| inflate(self.minor, self.permissive))
            .as_ref()
            .map_err(String::as_str)
    }

    fn history(&self) -> Result<&History, &str> {
        self.history
            .get_or_init(parse_history)
            .as_ref()
            .map_err(String::as_str)
    }

    /// The kinds the target version serves for `apiVersion` (empty for a group
    /// version that is not built in).
    pub(crate) fn kinds_of(&self, api_version: &str) -> Vec<String> {
        let Ok(history) = self.history() else {
            return Vec::new();
        };
        history
            .served
            .get(&self.minor)
            .into_iter()
            .flatten()
            .filter_map(|key| {
                let (av, kind) = key.rsplit_once('/')?;
                (av == api_version).then(|| kind.to_owned())
            })
            .collect()
    }

    /// The apiVersions of the same group that the target version serves `kind`
    /// in, best first (GA before beta before alpha), for an apiVersion that
    /// does not serve it: `apps/v2` `Deployment` → `["apps/v1"]`.
    pub(crate) fn served_in_group(&self, api_version: &str, kind: &str) -> Vec<String> {
        let Ok(history) = self.history() else {
            return Vec::new();
        };
        let group = |av: &str| av.rsplit_once('/').map_or("", |(g, _)| g).to_owned();
        let own = group(api_version);
        let mut found: Vec<String> = history
            .served
            .get(&self.minor)
            .into_iter()
            .flatten()
            .filter_map(|key| {
                let (av, k) = key.rsplit_once('/')?;
                (k == kind && av != api_version && group(av) == own).then(|| av.to_owned())
            })
            .collect();
        found.sort_by_key(|av| {
            let version = av.rsplit('/').next().unwrap_or(av);
            std::cmp::Reverse(version_priority(version))
        });
        found.dedup();
        found
    }

    /// Whether and how `apiVersion`/`kind` is served by the target version.
    pub(crate) fn availability(&self, api_version: &str, kind: &str) -> Availability {
        let Ok(history) = self.history() else {
            return Availability::Unknown;
        };
        let key = format!("{api_version}/{kind}");
        let has = |m: &u32| history.served.get(m).is_some_and(|s| s.contains(&key));
        if has(&self.minor) {
            let deprecated = history
                .deprecated
                .get(&self.minor)
                .and_then(|d| d.get(&key))
                .cloned();
            return Availability::Served { deprecated };
        }
        let older = history
            .served
            .range(..self.minor)
            .rev()
            .find(|(_, s)| s.contains(&key))
            .map(|(m, _)| *m);
        if let Some(last) = older {
            let listed = history
                .served
                .range(last + 1..)
                .map(|(m, _)| *m)
                .next()
                .unwrap_or(last + 1);
            let removed_in = stopped_serving(api_version, kind).map_or(listed, |m| m.min(listed));
            let replacement = history
                .served
                .get(&self.minor)
                .and_then(|s| replacement(s, api_version, kind));
            return Availability::Removed {
                removed_in,
                replacement,
            };
        }
        match history.served.iter().find(|(_, s)| s.contains(&key)) {
            Some((first, _)) => Availability::NotYet { first: *first },
            None => Availability::Unknown,
        }
    }
}

/// Removals the served lists get wrong: the OpenAPI documents of 1.16 and 1.17
/// still describe these, but 1.16 stopped serving them (release notes of 1.16,
/// "The following APIs are no longer served by default": every resource of
/// `apps/v1beta1` and `apps/v1beta2`; DaemonSet, Deployment, ReplicaSet,
/// NetworkPolicy and PodSecurityPolicy of `extensions/v1beta1`).
fn stopped_serving(api_version: &str, kind: &str) -> Option<u32> {
    match (api_version, kind) {
        ("apps/v1beta1" | "apps/v1beta2", _) => Some(16),
        (
            "extensions/v1beta1",
            "DaemonSet" | "Deployment" | "ReplicaSet" | "NetworkPolicy" | "PodSecurityPolicy",
        ) => Some(16),
        _ => None,
    }
}

/// The best still-served apiVersion for `kind`: same group first, then by
/// Kubernetes version priority (GA before beta before alpha, higher first).
fn replacement(served: &BTreeSet<String>, api_version: &str, kind: &str) -> Option<String> {
    let group = |av: &str| av.rsplit_once('/').map_or("", |(g, _)| g).to_owned();
    let own_group = group(api_version);
    served
        .iter()
        .filter_map(|key| {
            let (av, k) = key.rsplit_once('/')?;
            (k == kind && av != api_version).then_some(av)
        })
        .max_by(|a, b| {
            let rank = |av: &str| {
                let version = av.rsplit('/').next().unwrap_or(av);
                (group(av) == own_group, version_priority(version))
            };
            rank(a).cmp(&rank(b)).then_with(|| b.cmp(a))
        })
        .map(str::to_owned)
}

/// Kubernetes' version priority: `v2` > `v1` > `v1beta2` > `v1beta1` > `v1alpha1`.
fn version_priority(version: &str) -> (u8, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stability, number) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, number)
}

fn parse_history() -> Result<History, String> {
    let file: IndexFile = serde_json::from_str(INDEX)
        .map_err(|e| format!("embedded schemas/kubernetes/index.json is corrupt: {e}"))?;
    let mut served = BTreeMap::new();
    let mut deprecated = BTreeMap::new();
    for (name, version) in file.versions {
        let Some(minor) = name.strip_prefix("1.").and_then(|m| m.parse::<u32>().ok()) else {
            continue;
        };
        served.insert(minor, version.gvks.into_iter().collect());
        deprecated.insert(minor, version.deprecated);
    }
    Ok(History { served, deprecated })
}

fn inflate(minor: u32, permissive: bool) -> Result<Definitions, String> {
    let corrupt = |e: &dyn std::fmt::Display| format!("embedded schemas for 1.{minor}: {e}");
    let gz = EMBEDDED
        .iter()
        .find(|(m, _)| *m == minor)
        .map(|(_, b)| *b)
        .ok_or_else(|| corrupt(&"not embedded"))?;
    let mut text = Vec::with_capacity(gz.len() * 16);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut text)
        .map_err(|e| corrupt(&e))?;
    let parsed: RawDefinitions = serde_json::from_slice(&text).map_err(|e| corrupt(&e))?;
    let mut by_suffix: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut names: Vec<&String> = parsed.defs.keys().collect();
    names.sort();
    for name in names {
        let mut parts = name.rsplit('.');
        if let (Some(kind), Some(version)) = (parts.next(), parts.next()) {
            by_suffix
                .entry((version.to_owned(), kind.to_owned()))
                .or_default()
                .push(name.clone());
        }
    }
    Ok(Definitions {
        raw: parsed.defs,
        by_suffix,
        permissive,
        by_gvk: Mutex::new(HashMap::new()),
    })
}

/// Removes every `additionalProperties: false` (the `-strict` part of the data), so
/// fields the schema does not declare are accepted (`--permissive`).
pub(crate) fn allow_unknown_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.remove("additionalProperties");
            }
            for v in map.values_mut() {
                allow_unknown_fields(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(allow_unknown_fields),
        _ => {}
    }
}

/// The compressed schema data of an embedded minor version, for report digests.
pub(crate) fn embedded_bytes(minor: u32) -> Option<&'static [u8]> {
    EMBEDDED
        .iter()
        .find(|(m, _)| *m == minor)
        .map(|(_, bytes)| *bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_unknown_ones_list_the_choices() {
        assert_eq!(resolve_version(None).ok(), Some(37));
        assert_eq!(resolve_version(Some("1.30")).ok(), Some(30));
        assert_eq!(resolve_version(Some("v1.30.2")).ok(), Some(30));
        let err = resolve_version(Some("1.12")).map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("1.25, 1.26") && e.contains("1.37")));
        assert!(resolve_version(Some("1.30.x")).is_err());
        assert!(resolve_version(Some("2.30")).is_err());
    }

    #[test]
    fn every_embedded_version_inflates() {
        for (minor, _) in EMBEDDED {
            let defs = inflate(minor, false);
            let name = defs
                .as_ref()
                .ok()
                .and_then(|d| d.name_of("apps/v1", "Deployment"));
            assert_eq!(
                name.as_deref(),
                Some("io.k8s.api.apps.v1.Deployment"),
                "1.{minor}"
            );
            let schema = defs.and_then(|d| d.schema_for("io.k8s.api.apps.v1.Deployment"));
            assert!(schema.is_ok_and(|s| {
                s["$defs"]
                    .as_object()
                    .is_some_and(|d| d.contains_key("io.k8s.api.core.v1.PodSpec"))
            }));
        }
    }

    #[test]
    fn removed_apis_name_version_and_replacement() {
        let k = Kubernetes::new(26, false);
        assert_eq!(
            k.availability("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
            Availability::Removed {
                removed_in: 26,
                replacement: Some("autoscaling/v2".into())
            }
        );
        assert_eq!(
            k.availability("extensions/v1beta1", "Ingress"),
            Availability::Removed {
                removed_in: 22,
                replacement: Some("networking.k8s.io/v1".into())
            }
        );
        assert_eq!(
            Kubernetes::new(25, false)
                .availability("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
            Availability::Served { deprecated: None }
        );
        // Listed until 1.17, unserved from 1.16 (the release notes win).
        for (api_version, kind) in [
            ("apps/v1beta1", "Deployment"),
            ("apps/v1beta2", "StatefulSet"),
            ("extensions/v1beta1", "DaemonSet"),
        ] {
            assert!(
                matches!(
                    k.availability(api_version, kind),
                    Availability::Removed { removed_in: 16, .. }
                ),
                "{api_version} {kind}"
            );
        }
        assert!(matches!(
            k.availability("example.com/v1", "Widget"),
            Availability::Unknown
        ));
        assert_eq!(
            k.availability("resource.k8s.io/v1", "DeviceClass"),
            Availability::NotYet { first: 34 }
        );
        assert!(k.kinds_of("apps/v1").contains(&"Deployment".to_owned()));
        assert!(k.kinds_of("example.com/v1").is_empty());
        assert!(matches!(
            Kubernetes::new(37, false).availability("v1", "Endpoints"),
            Availability::Served {
                deprecated: Some(_)
            }
        ));
    }

    #[test]
    fn version_priority_orders_like_kubernetes() {
        let mut v = ["v1beta1", "v2", "v1alpha1", "v1", "v1beta2"];
        v.sort_by_key(|s| std::cmp::Reverse(version_priority(s)));
        assert_eq!(v, ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1"]);
    }
}
