//! Schema validation: which schema applies to a document, and its findings.
//!
//! The [`Catalog`] answers "which schema?" in this order: a schema the user
//! associated with the file (config glob, `# yaml-language-server: $schema=`
//! modeline, top-level `$schema` key), Helm's `values.schema.json` for a chart's
//! `values.yaml`, the embedded Kubernetes definitions of the target version
//! ([`kubernetes`]), CRDs found among the checked files and in
//! `schemas.directories` ([`crd`]), kubeconform-named files in those
//! directories ([`user`]), and the built-in CRD catalog of well-known operators
//! ([`ecosystem`], unless `schemas.catalog: false`). A Kubernetes-looking object with none of these gets
//! `schema-missing`; one whose apiVersion was removed gets `api-removed`.
//!
//! Validators are compiled on first use, once per schema, and shared by every
//! rayon worker; errors become findings in [`message`].

pub(crate) mod crd;
pub(crate) mod ecosystem;
pub(crate) mod kubernetes;
mod message;
pub(crate) mod user;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, ValidationError, Validator};
use serde_json::Value;

use crate::load::{Node, Span};
use crate::model::finding::{Finding, RuleId, Severity};
use crate::model::resource::Object;
use crate::model::rules;
use crate::model::source::SourceFile;
use crate::settings::{MissingSchema, SchemaSettings};
use kubernetes::{Availability, Kubernetes};
use user::{Directories, Pointer};

/// A compiled schema, keyed by where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SchemaKey {
    /// An embedded Kubernetes definition, by name.
    Kubernetes(String),
    /// A CRD-derived schema, by `apiVersion/kind`.
    Custom(String),
    /// A schema of the built-in CRD catalog, by `apiVersion/kind`.
    Catalog(String),
    /// A schema file on disk.
    File(PathBuf),
}

/// A validator with the schema documents it came from (for "did you mean").
struct Compiled {
    validator: Validator,
    /// The root schema.
    root: Root,
}

/// A compiled schema's root, read only to suggest field names after an error.
enum Root {
    /// Kept as compiled.
    Kept(Arc<Value>),
    /// A CRD's schema: converted again on the first error and kept then. A
    /// repository's CRDs can be large and many; the validator alone is kept
    /// for the kinds that never fail.
    Custom {
        schema: crd::CustomSchema,
        converted: OnceLock<Value>,
    },
}

impl Root {
    fn custom(schema: crd::CustomSchema) -> Self {
        Self::Custom {
            schema,
            converted: OnceLock::new(),
        }
    }

    fn get(&self) -> &Value {
        match self {
            Self::Kept(root) => root,
            Self::Custom { schema, converted } => converted.get_or_init(|| schema.json_schema()),
        }
    }
}

type Slot = Arc<OnceLock<Result<Compiled, String>>>;

/// Every schema a run can use, compiled lazily and shared across threads.
pub struct Catalog {
    kubernetes: Kubernetes,
    strict: bool,
    missing: MissingSchema,
    base_dir: PathBuf,
    associations: Vec<(globset::GlobMatcher, PathBuf)>,
    directories: Directories,
    /// `apiVersion/kind` → CRD schema (first definition wins, in file order).
    custom: HashMap<String, crd::CustomSchema>,
    /// Files that a `kustomization.yaml` uses as patches (canonical paths).
    patches: HashSet<PathBuf>,
    /// The built-in CRD catalog (`None`: `schemas.catalog: false`).
    ecosystem: Option<ecosystem::Ecosystem>,
    compiled: Mutex<HashMap<SchemaKey, Slot>>,
    /// CRD digest → its schemas, while files and targets are learned: a CRD
    /// that many render targets include is converted once, and every target
    /// shares its schemas (dropped by [`Catalog::add`]).
    learned: Mutex<HashMap<[u8; 32], Vec<crd::CustomSchema>>>,
}

/// What one file contributes to the catalog (see [`Catalog::learn`]).
#[derive(Debug, Default)]
pub struct Learned {
    custom: Vec<crd::CustomSchema>,
    patches: Vec<PathBuf>,
}

/// A file being checked, as the catalog needs to see it.
pub struct FileContext<'a> {
    /// The decoded source.
    pub source: &'a SourceFile,
    /// The file on disk (`None` for standard input).
    pub path: Option<&'a Path>,
}

/// What checking one file's objects produced.
#[derive(Debug, Default)]
pub struct FileSchemaOutcome {
    /// Findings.
    pub findings: Vec<Finding>,
    /// Kubernetes-looking objects without a schema.
    pub schema_missing: usize,
    /// Whether the outcome may change once every file's CRDs and kustomizations
    /// are known (custom or unknown kinds, possible kustomize patches). When
    /// false, the first check is final and the file's trees can be dropped.
    pub depends_on_others: bool,
}

/// How a Kubernetes object's schema was found.
enum Resolution {
    /// By the object alone (built-in kind, removed API, identity problem).
    Local,
    /// Through CRDs or schema directories, which other files can change.
    Global,
    /// Not at all.
    Missing,
}

impl Catalog {
    /// A catalog for these settings. Fails (exit 2) on an unknown Kubernetes
    /// version or a missing schema directory; nothing is inflated yet.
    pub fn new(settings: &SchemaSettings, base_dir: &Path) -> anyhow::Result<Self> {
        let minor = kubernetes::resolve_version(settings.kubernetes_version.as_deref())?;
        let strict = !settings.permissive;
        let directories = Directories::scan(&settings.directories, strict)?;
        let mut catalog = Self {
            kubernetes: Kubernetes::new(minor, settings.permissive),
            strict,
            missing: settings.missing,
            base_dir: base_dir.to_path_buf(),
            associations: settings.associations.clone(),
            directories: Directories::default(),
            custom: HashMap::new(),
            patches: HashSet::new(),
            ecosystem: (!settings.no_catalog).then(|| ecosystem::Ecosystem::new(strict)),
            compiled: Mutex::new(HashMap::new()),
            learned: Mutex::new(HashMap::new()),
        };
        for schema in directories.crds.clone() {
            catalog.add_custom(schema);
        }
        catalog.directories = directories;
        Ok(catalog)
    }

    /// The target Kubernetes version, `1.NN`.
    pub fn kubernetes_version(&self) -> String {
        self.kubernetes.version()
    }

    /// What phase 1 learns from one file for the catalog: the schemas of the CRDs
    /// among its objects, and the patch files it names if it is a kustomization.
    /// Pure, so it runs in the parallel pass.
    pub fn learn(&self, path: Option<&Path>, objects: &[Object]) -> Learned {
        let mut learned = Learned::default();
        for o in objects {
            let Some(id) = &o.id else { continue };
            if crd::is_crd(&id.api_version, &id.kind) {
                learned.custom.extend(self.crd_schemas(&o.node));
            }
        }
        if let Some(path) = path {
            learned.patches = kustomization_patches(path, objects);
        }
        learned
    }

    /// The schemas of one CRD, converted once per distinct CRD.
    fn crd_schemas(&self, node: &Node) -> Vec<crd::CustomSchema> {
        let lock = || self.learned.lock().unwrap_or_else(|e| e.into_inner());
        let digest = crd::digest(node);
        if let Some(known) = lock().get(&digest) {
            return known.clone();
        }
        // Converted outside the lock: other workers go on learning.
        let schemas = crd::schemas(node.to_json(), self.strict);
        lock().entry(digest).or_insert(schemas).clone()
    }

    /// Adds what [`Catalog::learn`] found (call for every file, in file order,
    /// before checking any file: the first definition of a kind wins).
    pub fn add(&mut self, learned: Learned) {
        // Learning is over: the schemas the catalog keeps are shared with it.
        let interned = self.learned.get_mut().unwrap_or_else(|e| e.into_inner());
        if !interned.is_empty() {
            *interned = HashMap::new();
        }
        for schema in learned.custom {
            self.add_custom(schema);
        }
        self.patches.extend(learned.patches);
    }

    fn add_custom(&mut self, schema: crd::CustomSchema) {
        let key = format!("{}/{}", schema.api_version, schema.kind);
        self.custom.entry(key).or_insert(schema);
    }

    /// The built-in catalog's schema for a kind (`None`: not in the catalog, or
    /// the catalog is off).
    fn catalog_schema(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Option<Result<crd::CustomSchema, String>> {
        self.ecosystem.as_ref()?.get(api_version, kind)
    }

    /// Checks every object of one file.
    pub fn check_file(&self, file: &FileContext<'_>, objects: &[Object]) -> FileSchemaOutcome {
        let mut out = FileSchemaOutcome::default();
        let name = match file.path {
            Some(p) => file_name(p),
            None => file_name(Path::new(&*file.source.name)),
        };
        let patch = !self.patches.is_empty()
            && file
                .path
                .and_then(|p| std::fs::canonicalize(p).ok())
                .is_some_and(|p| self.patches.contains(&p));
        let dir = file
            .path
            .and_then(Path::parent)
            .map_or_else(|| self.base_dir.clone(), Path::to_path_buf);
        // Helm chart metadata: `apiVersion: v2` without a kind is right there.
        if matches!(name.as_str(), "Chart.yaml" | "Chart.yml") {
            return out;
        }
        let association = self.association(file, &dir);
        for object in objects {
            let mut found = Vec::new();
            let schema = match &association {
                Some(p) => Some(p.clone()),
                None => top_level_schema(&object.node, &dir),
            };
            if let Some(pointer) = schema {
                self.check_pointer(&pointer, object, file, &mut found);
            } else if let Some(values_schema) = helm_values_schema(&name, file.path) {
                self.validate(
                    SchemaKey::File(values_schema),
                    object,
                    file.source,
                    &mut found,
                );
            } else {
                let kustomize = is_kustomization_name(&name);
                match self.check_resource(object, file.source, kustomize, &mut found) {
                    Resolution::Local => {}
                    Resolution::Global => out.depends_on_others = true,
                    Resolution::Missing => {
                        out.depends_on_others = true;
                        out.schema_missing += 1;
                    }
                }
            }
            // Whether this file is a kustomize patch is known only once every
            // kustomization has been read.
            out.depends_on_others |= found.iter().any(|f| {
                f.rule == rules::SCHEMA
                    && (f.message.starts_with("missing required field")
                        || f.path.as_deref().is_some_and(is_patch_directive))
            });
            if patch {
                // A strategic-merge patch is a partial object.
                found.retain(|f| {
                    !(f.rule == rules::SCHEMA
                        && (f.message.starts_with("missing required field")
                            || f.message.starts_with("unknown field `")
                                && f.path.as_deref().is_some_and(is_patch_directive)))
                });
            }
            for f in &mut found {
                f.resource.clone_from(&object.id);
            }
            out.findings.extend(found);
        }
        out
    }

    /// A config glob or modeline association for the whole file.
    fn association(&self, file: &FileContext<'_>, dir: &Path) -> Option<Pointer> {
        if let Some(target) = user::modeline(&file.source.text) {
            return Some(user::pointer(target, dir));
        }
        if self.associations.is_empty() {
            return None;
        }
        let path = file.path?;
        let abs = std::path::absolute(path).ok()?;
        let rel = abs.strip_prefix(&self.base_dir).ok()?;
        self.associations
            .iter()
            .find(|(glob, _)| glob.is_match(rel))
            .map(|(_, schema)| Pointer::Local(schema.clone()))
    }

    fn check_pointer(
        &self,
        pointer: &Pointer,
        object: &Object,
        file: &FileContext<'_>,
        out: &mut Vec<Finding>,
    ) {
        match pointer {
            Pointer::Local(path) => {
                self.validate(SchemaKey::File(path.clone()), object, file.source, out);
            }
            Pointer::Meta(url) => self.validate_meta(url, object, file.source, out),
            Pointer::Remote(url) => {
                if let Some(severity) = self.missing_severity() {
                    out.push(Finding::at(
                        file.source,
                        first_line(object.node.span),
                        rules::SCHEMA_MISSING,
                        severity,
                        format!(
                            "the schema {url} is remote and tollgate never fetches URLs; save a copy in the repository and point to it (modeline, `$schema` or schemas.associations)"
                        ),
                    ));
                }
            }
        }
    }

    fn missing_severity(&self) -> Option<Severity> {
        match self.missing {
            MissingSchema::Off => None,
            MissingSchema::Warning => Some(Severity::Warning),
            MissingSchema::Error => Some(Severity::Error),
        }
    }

    /// Checks one object as a Kubernetes resource: whether the verdict depends on
    /// other files (CRDs), and whether it had no schema.
    fn check_resource(
        &self,
        object: &Object,
        src: &SourceFile,
        kustomize: bool,
        out: &mut Vec<Finding>,
    ) -> Resolution {
        let node = &object.node;
        let Some(id) = &object.id else {
            identity_problem(node, src, out);
            return Resolution::Local;
        };
        if id.api_version.is_empty() || id.kind.is_empty() {
            identity_problem(node, src, out);
            return Resolution::Local;
        }
        let key = format!("{}/{}", id.api_version, id.kind);
        let at = |field: &str| node.pointer_span(&format!("/{field}")).span;
        match self.kubernetes.availability(&id.api_version, &id.kind) {
            Availability::Served { deprecated } => {
                if let Some(note) = deprecated {
                    out.push(Finding::at(
                        src,
                        at("apiVersion"),
                        rules::API_DEPRECATED,
                        Severity::Warning,
                        format!(
                            "{} {} is deprecated in Kubernetes {}: {note}",
                            id.api_version,
                            id.kind,
                            self.kubernetes.version()
                        ),
                    ));
                }
                let name = self
                    .kubernetes
                    .definitions()
                    .ok()
                    .and_then(|d| d.name_of(&id.api_version, &id.kind));
                if let Some(name) = name {
                    self.validate(SchemaKey::Kubernetes(name), object, src, out);
                    return Resolution::Local;
                }
            }
            Availability::Removed {
                removed_in,
                replacement,
            } => {
                let instead = replacement.map_or_else(
                    || format!("no other apiVersion of {} is served", id.kind),
                    |r| format!("use `apiVersion: {r}`"),
                );
                out.push(Finding::at(
                    src,
                    at("apiVersion"),
                    rules::API_REMOVED,
                    Severity::Error,
                    format!(
                        "{} {} was removed in Kubernetes 1.{removed_in} (target version: {}); {instead}",
                        id.api_version,
                        id.kind,
                        self.kubernetes.version()
                    ),
                ));
                return Resolution::Local;
            }
            Availability::NotYet { first } => {
                out.push(Finding::at(
                    src,
                    at("apiVersion"),
                    rules::API_UNAVAILABLE,
                    Severity::Error,
                    format!(
                        "{} {} is not served yet by Kubernetes {} (the target version); it first appears in 1.{first}",
                        id.api_version,
                        id.kind,
                        self.kubernetes.version()
                    ),
                ));
                return Resolution::Local;
            }
            Availability::Unknown => {}
        }
        if self.custom.contains_key(&key) {
            self.validate(SchemaKey::Custom(key), object, src, out);
            return Resolution::Global;
        }
        if let Some(path) = self.directories.find(&id.api_version, &id.kind) {
            self.validate(SchemaKey::File(path.clone()), object, src, out);
            return Resolution::Global;
        }
        if self.catalog_schema(&id.api_version, &id.kind).is_some() {
            // Global: a CRD in another file would take precedence.
            self.validate(SchemaKey::Catalog(key), object, src, out);
            return Resolution::Global;
        }
        let elsewhere = self.kubernetes.served_in_group(&id.api_version, &id.kind);
        if let Some(best) = elsewhere.first() {
            // A built-in kind under a version its group does not serve: the API
            // server rejects it ("no matches for kind").
            let mut f = Finding::at(
                src,
                at("apiVersion"),
                rules::SCHEMA,
                Severity::Error,
                format!(
                    "{} {} does not exist in Kubernetes {}: {} exists in {}; use `apiVersion: {best}`",
                    id.api_version,
                    id.kind,
                    self.kubernetes.version(),
                    id.kind,
                    elsewhere
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            f.path = Some("/apiVersion".into());
            out.push(f);
            return Resolution::Local;
        }
        let siblings = self.kubernetes.kinds_of(&id.api_version);
        if !siblings.is_empty() {
            // A built-in group version: the kind is misspelt or does not exist.
            let hint = message::closest(&id.kind, &siblings)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            let mut f = Finding::at(
                src,
                at("kind"),
                rules::SCHEMA,
                Severity::Error,
                format!(
                    "kind `{}` does not exist in {} (Kubernetes {}){hint}",
                    id.kind,
                    id.api_version,
                    self.kubernetes.version()
                ),
            );
            f.path = Some("/kind".into());
            out.push(f);
            return Resolution::Local;
        }
        if kustomize || id.group() == "kustomize.config.k8s.io" {
            // A known non-resource file; validated only when a schema is configured.
            return Resolution::Local;
        }
        if let Some(severity) = self.missing_severity() {
            out.push(Finding::at(
                src,
                at("kind"),
                rules::SCHEMA_MISSING,
                severity,
                format!(
                    "no schema for {} {}: it is not a built-in kind of Kubernetes {} and no CRD or schema file defines it (add the CRD or a schema directory to check it)",
                    id.api_version,
                    id.kind,
                    self.kubernetes.version()
                ),
            ));
        }
        Resolution::Missing
    }

    /// Validates an object against a schema, adding `schema` findings.
    fn validate(&self, key: SchemaKey, object: &Object, src: &SourceFile, out: &mut Vec<Finding>) {
        let slot = match self.compiled.lock() {
            Ok(mut map) => map.entry(key.clone()).or_default().clone(),
            Err(poisoned) => poisoned
                .into_inner()
                .entry(key.clone())
                .or_default()
                .clone(),
        };
        let compiled = slot.get_or_init(|| self.compile(&key));
        let compiled = match compiled {
            Ok(c) => c,
            Err(e) => {
                out.push(Finding::at(
                    src,
                    first_line(object.node.span),
                    rules::SCHEMA_INVALID,
                    Severity::Error,
                    e.clone(),
                ));
                return;
            }
        };
        let mut instance = object.node.to_json();
        if let SchemaKey::Custom(gvk) = &key
            && let Some(custom) = self.custom.get(gvk)
        {
            // A custom resource as the API server validates it.
            custom.prune_nulls(&mut instance);
        }
        if let SchemaKey::Catalog(_) = &key
            && let Some(id) = &object.id
            && let Some(Ok(custom)) = self.catalog_schema(&id.api_version, &id.kind)
        {
            custom.prune_nulls(&mut instance);
        }
        let schema_at = |e: &ValidationError<'_>| schema_at(compiled, e);
        report(
            compiled.validator.iter_errors(&instance),
            &schema_at,
            object,
            src,
            out,
        );
    }

    /// Validates a JSON Schema document against the meta-schema it names.
    fn validate_meta(&self, url: &str, object: &Object, src: &SourceFile, out: &mut Vec<Finding>) {
        let validator = match url.rsplit('/').nth(1).unwrap_or_default() {
            "draft-04" => jsonschema::draft4::meta::validator(),
            "draft-06" => jsonschema::draft6::meta::validator(),
            "draft-07" => jsonschema::draft7::meta::validator(),
            "2019-09" => jsonschema::draft201909::meta::validator(),
            _ => jsonschema::draft202012::meta::validator(),
        };
        let instance = object.node.to_json();
        report(
            validator.iter_errors(&instance),
            &|_| None,
            object,
            src,
            out,
        );
    }

    fn compile(&self, key: &SchemaKey) -> Result<Compiled, String> {
        let options = || {
            jsonschema::options()
                .should_validate_formats(false)
                .with_retriever(user::LocalFiles)
        };
        match key {
            SchemaKey::Kubernetes(name) => {
                let root = self.kubernetes.definitions()?.schema_for(name)?;
                let validator = jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .should_validate_formats(false)
                    .build(&root)
                    .map_err(|e| format!("embedded Kubernetes schema {name}: {e}"))?;
                Ok(Compiled {
                    validator,
                    root: Root::Kept(Arc::new(root)),
                })
            }
            SchemaKey::Custom(gvk) => {
                let custom = self
                    .custom
                    .get(gvk)
                    .ok_or_else(|| format!("no CRD schema for {gvk}"))?;
                let validator = options()
                    .build(&custom.json_schema())
                    .map_err(|e| format!("the CRD schema for {gvk} does not compile: {e}"))?;
                Ok(Compiled {
                    validator,
                    root: Root::custom(custom.clone()),
                })
            }
            SchemaKey::Catalog(gvk) => {
                let (api_version, kind) = gvk.rsplit_once('/').unwrap_or_default();
                let custom = match self.catalog_schema(api_version, kind) {
                    Some(Ok(custom)) => custom,
                    Some(Err(e)) => return Err(e),
                    None => return Err(format!("the CRD catalog has no schema for {gvk}")),
                };
                let validator = options().build(&custom.json_schema()).map_err(|e| {
                    format!("the built-in CRD catalog's schema for {gvk} does not compile: {e}")
                })?;
                Ok(Compiled {
                    validator,
                    root: Root::custom(custom),
                })
            }
            SchemaKey::File(path) => {
                let shown = shown_path(path, &self.base_dir);
                let mut schema = user::read_schema(path)
                    .map_err(|e| format!("cannot use the schema {shown}: {e}"))?;
                if !self.strict {
                    kubernetes::allow_unknown_fields(&mut schema);
                }
                let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                let base = format!("file://{}", abs.to_string_lossy().replace('\\', "/"));
                let validator = options()
                    .with_base_uri(base)
                    .build(&schema)
                    .map_err(|e| format!("the schema {shown} does not compile: {e}"))?;
                Ok(Compiled {
                    validator,
                    root: Root::Kept(Arc::new(schema)),
                })
            }
        }
    }
}

/// Turns validation errors into `schema` findings (without duplicates).
fn report<'i>(
    errors: impl Iterator<Item = ValidationError<'i>>,
    schema_at: &dyn Fn(&ValidationError<'_>) -> Option<Value>,
    object: &Object,
    src: &SourceFile,
    out: &mut Vec<Finding>,
) {
    let cx = message::Context {
        root: &object.node,
        source: src,
        schema_at,
    };
    let mut seen = std::collections::HashSet::new();
    for err in errors {
        for v in message::violations(&err, &cx) {
            if !seen.insert((v.span, v.message.clone())) {
                continue;
            }
            let mut f = Finding::at(src, v.span, rules::SCHEMA, Severity::Error, v.message);
            f.path = Some(v.pointer);
            out.push(f);
        }
    }
}

/// The schema object holding the keyword that failed (for field suggestions).
fn schema_at(compiled: &Compiled, err: &ValidationError<'_>) -> Option<Value> {
    let pointer = err.schema_path().as_str();
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    compiled.root.get().pointer(parent).cloned()
}

/// The patch files a kustomization at `path` names (canonical paths): they hold
/// partial objects, so missing required fields and `$patch` directives are not
/// errors there.
fn kustomization_patches(path: &Path, objects: &[Object]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if !is_kustomization_name(&file_name(path)) {
        return out;
    }
    let Some(dir) = path.parent() else {
        return out;
    };
    for o in objects {
        let json = o.node.to_json();
        let mut named: Vec<&str> = Vec::new();
        for key in ["patches", "patchesJson6902"] {
            for p in json[key].as_array().into_iter().flatten() {
                named.extend(p["path"].as_str());
            }
        }
        for p in json["patchesStrategicMerge"]
            .as_array()
            .into_iter()
            .flatten()
        {
            named.extend(p.as_str());
        }
        out.extend(
            named
                .into_iter()
                .filter_map(|name| std::fs::canonicalize(dir.join(name)).ok()),
        );
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_kustomization_name(name: &str) -> bool {
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// `$patch`, `$retainKeys`, `$setElementOrder/...`, `$deleteFromPrimitiveList/...`.
fn is_patch_directive(pointer: &str) -> bool {
    pointer
        .rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with('$'))
}

fn shown_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A top-level `$schema` string names the document's schema.
fn top_level_schema(node: &Node, dir: &Path) -> Option<Pointer> {
    let target = node.get("$schema")?.as_str()?;
    Some(user::pointer(target, dir))
}

/// `values.yaml` of a Helm chart with a `values.schema.json` beside it.
fn helm_values_schema(name: &str, path: Option<&Path>) -> Option<PathBuf> {
    if !matches!(name, "values.yaml" | "values.yml") {
        return None;
    }
    let dir = path?.parent()?;
    let schema = dir.join("values.schema.json");
    (schema.is_file() && dir.join("Chart.yaml").is_file()).then_some(schema)
}

/// The first line of a span (a whole object is underlined by its first line).
fn first_line(span: Span) -> Span {
    Span::new(span.start, span.start)
}

/// `apiVersion` without `kind`, or the reverse: an error on the key that is there.
fn identity_problem(node: &Node, src: &SourceFile, out: &mut Vec<Finding>) {
    if !matches!(node.value, crate::load::Value::Map(_)) {
        return;
    }
    let usable = |field: &str| {
        node.get(field)
            .and_then(Node::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let (api, kind) = (usable("apiVersion"), usable("kind"));
    let present = |field: &str| node.get(field).is_some();
    if !present("apiVersion") && !present("kind") {
        return;
    }
    let (rule, message, at): (RuleId, String, &str) = match (api, kind) {
        (true, true) => return,
        (true, false) => (
            rules::RESOURCE_IDENTITY,
            "this document has an `apiVersion` but no `kind` (a Kubernetes object needs both as non-empty strings)".into(),
            "apiVersion",
        ),
        (false, true) => (
            rules::RESOURCE_IDENTITY,
            "this document has a `kind` but no `apiVersion` (a Kubernetes object needs both as non-empty strings)".into(),
            "kind",
        ),
        (false, false) => (
            rules::RESOURCE_IDENTITY,
            "`apiVersion` and `kind` must be non-empty strings".into(),
            if present("apiVersion") { "apiVersion" } else { "kind" },
        ),
    };
    // An empty or non-string field is the one to fix: point at it when present.
    let missing = if at == "apiVersion" {
        "kind"
    } else {
        "apiVersion"
    };
    let at = if present(missing) && !usable(missing) {
        missing
    } else {
        at
    };
    let span = node.pointer_key_span(&format!("/{at}")).span;
    let mut f = Finding::at(src, span, rule, Severity::Error, message);
    f.path = Some(format!("/{at}"));
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Limits, Syntax, load};

    fn check(text: &str, settings: &SchemaSettings) -> Vec<(String, usize, String)> {
        let src = SourceFile::new(Arc::from("t.yaml"), text);
        let objects =
            crate::model::resource::objects(load(text, Syntax::Yaml, &Limits::default()).documents);
        let mut catalog = match Catalog::new(settings, Path::new("/")) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let learned = catalog.learn(None, &objects);
        catalog.add(learned);
        let out = catalog.check_file(
            &FileContext {
                source: &src,
                path: None,
            },
            &objects,
        );
        out.findings
            .into_iter()
            .map(|f| (f.rule.to_string(), f.start.line, f.message))
            .collect()
    }

    #[test]
    fn built_in_kinds_are_strict_unless_permissive() {
        let text =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\nextra: 1\n";
        let strict = check(text, &SchemaSettings::default());
        assert_eq!(strict.len(), 1);
        assert_eq!((strict[0].0.as_str(), strict[0].1), ("schema", 7));
        let permissive = SchemaSettings {
            permissive: true,
            ..SchemaSettings::default()
        };
        assert!(check(text, &permissive).is_empty());
    }

    #[test]
    fn crds_in_the_same_run_validate_custom_resources() {
        let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ws.example.com\nspec:\n  group: example.com\n  names: {kind: W, plural: ws}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              count: {type: integer}\n---\napiVersion: example.com/v1\nkind: W\nmetadata: {name: w}\nspec:\n  count: many\n";
        let found = check(text, &SchemaSettings::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, 26);
        assert!(
            found[0].2.starts_with("spec.count: expected an integer"),
            "{found:?}"
        );
    }

    #[test]
    fn missing_schema_severity_follows_the_setting() {
        let text = "apiVersion: example.com/v1\nkind: Nope\nmetadata: {name: n}\n";
        assert_eq!(
            check(text, &SchemaSettings::default())[0].0,
            "schema-missing"
        );
        let off = SchemaSettings {
            missing: MissingSchema::Off,
            ..SchemaSettings::default()
        };
        assert!(check(text, &off).is_empty());
    }

    #[test]
    fn identity_needs_both_fields() {
        let found = check(
            "kind: ConfigMap\n---\napiVersion: v1\nkind: ''\n---\na: 1\n",
            &SchemaSettings::default(),
        );
        let rules: Vec<_> = found.iter().map(|f| (f.0.as_str(), f.1)).collect();
        assert_eq!(rules, [("resource-identity", 1), ("resource-identity", 4)]);
    }

    #[test]
    fn patch_directives_are_recognised() {
        assert!(is_patch_directive("/$patch"));
        assert!(is_patch_directive("/spec/$setElementOrder~1containers"));
        assert!(!is_patch_directive("/spec/replicas"));
    }
}
