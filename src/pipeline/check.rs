//! The parallel pass: read, decode, load and check every file.
//!
//! Two parallel phases. Phase 1 reads, decodes and loads each file (once) and
//! checks it; a file whose verdict cannot depend on other files (built-in kinds
//! only, no possible kustomize patch) is finished there and its trees dropped.
//! Between the phases the CRDs and kustomizations of all files are registered in
//! the schema [`Catalog`], so a custom resource is validated against a CRD found
//! in any other file. Phase 2 finishes the remaining files on the trees phase 1
//! kept, without reparsing. A panic in either phase is
//! caught per file and becomes an `internal-error` finding for that file; the
//! other files are unaffected. Results keep input order and are sorted
//! afterwards, so the report is the same for any thread count.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;

use crate::input::discover::{Input, Origin};
use crate::load::{self, Syntax};
use crate::model::finding::{Finding, Severity};
use crate::model::resource;
use crate::model::rules;
use crate::model::source::{self, SourceFile};
use crate::model::stats::{self, Stage};
use crate::pipeline::context::Run;
use crate::settings::Settings;
use crate::stages::schema::{Catalog, FileContext, FileSchemaOutcome, Learned};

/// What checking one file produced.
#[derive(Debug)]
pub struct FileOutcome {
    /// The file's display name.
    pub name: Arc<str>,
    /// Non-empty documents loaded.
    pub documents: usize,
    /// Kubernetes objects among them (list items counted one by one).
    pub resources: usize,
    /// Findings, unsorted.
    pub findings: Vec<Finding>,
    /// The decoded source, kept when there are findings to show it.
    pub source: Option<Arc<SourceFile>>,
    /// Kubernetes-looking objects that had no schema.
    pub schema_missing: usize,
    /// A well-known non-Kubernetes file: not judged, counted as skipped.
    pub not_kubernetes: Option<crate::model::format::Known>,
    /// `--combine`: the source and objects, for the combined evaluation.
    pub combined: Option<(Arc<SourceFile>, Vec<resource::Object>)>,
}

/// A file after phase 1: its outcome so far, its source and its objects.
struct Loaded {
    outcome: FileOutcome,
    source: Option<Arc<SourceFile>>,
    objects: Vec<resource::Object>,
    /// CRD schemas and kustomize patch files, for the catalog.
    learned: Learned,
}

/// What the pass checks: a file as written, or the objects a render target
/// renders (already built by the render stage, every node spanned in the file
/// that wrote it).
#[derive(Debug)]
pub enum Unit {
    /// A file, read and loaded here.
    File(Input),
    /// A render target's objects.
    Rendered(RenderedUnit),
}

/// The rendered objects of one target.
#[derive(Debug)]
pub struct RenderedUnit {
    /// The target's display name (its directory).
    pub name: Arc<str>,
    /// The target's file table (`SourceFile::rendered`).
    pub source: Arc<SourceFile>,
    /// The rendered objects, in kustomize's output order; the pass takes
    /// them (no copy is kept while they are checked).
    objects: std::sync::Mutex<Vec<resource::Object>>,
}

impl RenderedUnit {
    /// A unit for a target's rendered objects.
    pub fn new(name: Arc<str>, source: Arc<SourceFile>, objects: Vec<resource::Object>) -> Self {
        Self {
            name,
            source,
            objects: std::sync::Mutex::new(objects),
        }
    }

    /// Takes the objects out (each unit is loaded once per run).
    fn take_objects(&self) -> Vec<resource::Object> {
        std::mem::take(&mut *self.objects.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Unit {
    /// The unit's display name: the file's, or the target's.
    pub(crate) fn name(&self) -> &Arc<str> {
        match self {
            Self::File(input) => &input.name,
            Self::Rendered(r) => &r.name,
        }
    }

    fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::File(input) => match &input.origin {
                Origin::Path(p) => Some(p.as_path()),
                Origin::Stdin => None,
                Origin::Blob { path, .. } => path.as_deref(),
            },
            Self::Rendered(_) => None,
        }
    }
}

/// Phase 1 of a rendered target: its objects are built already.
fn load_rendered(unit: &RenderedUnit) -> Loaded {
    let objects = unit.take_objects();
    Loaded {
        outcome: FileOutcome {
            name: unit.name.clone(),
            documents: objects.len(),
            resources: objects.iter().filter(|o| o.id.is_some()).count(),
            findings: Vec::new(),
            source: None,
            schema_missing: 0,
            not_kubernetes: None,
            combined: None,
        },
        source: Some(unit.source.clone()),
        objects,
        learned: Learned::default(),
    }
}

/// Checks every unit in parallel; the order of outcomes follows `units`.
pub fn check_all(
    run: &Run,
    units: &[Unit],
    stdin: Option<&[u8]>,
    catalog: &mut Catalog,
) -> Vec<FileOutcome> {
    check_some(run, units, stdin, catalog, &|_| true)
        .into_iter()
        .flatten()
        .collect()
}

/// [`check_all`] for a shard: the units `mine` rejects are only read for
/// what other files need from them (CRDs, kustomize patch files), learned
/// in unit order as the whole run learns them, and never checked (`None`).
pub fn check_some(
    run: &Run,
    units: &[Unit],
    stdin: Option<&[u8]>,
    catalog: &mut Catalog,
    mine: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<Option<FileOutcome>> {
    let settings = &run.settings;
    let learner = &*catalog;
    let loaded: Vec<Loaded> = units
        .par_iter()
        .enumerate()
        .map(|(i, unit)| {
            if !mine(i) {
                let learned = catch_unwind(AssertUnwindSafe(|| {
                    learn_only(unit, stdin, settings, learner)
                }));
                return Loaded {
                    outcome: FileOutcome {
                        name: unit.name().clone(),
                        documents: 0,
                        resources: 0,
                        findings: Vec::new(),
                        source: None,
                        schema_missing: 0,
                        not_kubernetes: None,
                        combined: None,
                    },
                    source: None,
                    objects: Vec::new(),
                    learned: learned.unwrap_or_default(),
                };
            }
            let result = catch_unwind(AssertUnwindSafe(|| {
                let mut file = stats::timed(Stage::Load, || match unit {
                    Unit::File(input) => load_input(input, stdin, settings),
                    Unit::Rendered(r) => load_rendered(r),
                });
                crate::pipeline::progress::tick();
                let path = unit.path();
                file.learned = stats::timed(Stage::Schema, || learner.learn(path, &file.objects));
                // Most files need nothing from other files: finish them now and
                // drop their trees, keeping memory flat.
                if let Some(src) = file.source.clone() {
                    let context = FileContext { source: &src, path };
                    let early = stats::timed(Stage::Schema, || {
                        learner.check_file(&context, &file.objects)
                    });
                    if !early.depends_on_others {
                        let objects = std::mem::take(&mut file.objects);
                        finish(&mut file.outcome, early, src, &objects, run);
                        file.source = None;
                    }
                }
                file
            }));
            result.unwrap_or_else(|panic| Loaded {
                outcome: internal_error(unit.name(), &panic),
                source: None,
                objects: Vec::new(),
                learned: Learned::default(),
            })
        })
        .collect();
    let mut loaded = loaded;
    stats::timed(Stage::Schema, || {
        for file in &mut loaded {
            catalog.add(std::mem::take(&mut file.learned));
        }
    });
    let catalog = &*catalog;
    loaded
        .into_par_iter()
        .zip(units.par_iter().enumerate())
        .map(|(file, (i, unit))| {
            if !mine(i) {
                return None;
            }
            let result = catch_unwind(AssertUnwindSafe(|| validate(file, unit, catalog, run)));
            Some(result.unwrap_or_else(|panic| internal_error(unit.name(), &panic)))
        })
        .collect()
}

/// What another shard's unit teaches the catalog. A file that can hold no
/// CRD (its text never names the kind, nor escapes a character) and is no
/// kustomization is not parsed at all.
fn learn_only(
    unit: &Unit,
    stdin: Option<&[u8]>,
    settings: &Settings,
    learner: &Catalog,
) -> Learned {
    let input = match unit {
        Unit::Rendered(r) => return learner.learn(None, &r.take_objects()),
        Unit::File(input) => input,
    };
    let Ok(bytes) = read(input, stdin, settings.limits.max_file_size) else {
        return Learned::default();
    };
    let Ok(text) = source::decode(bytes) else {
        return Learned::default();
    };
    let base = input.name.rsplit(['/', '\\']).next().unwrap_or(&input.name);
    if !text.contains("CustomResourceDefinition")
        && !text.contains('\\')
        && !base.to_ascii_lowercase().contains("kustomization")
    {
        return Learned::default();
    }
    let file = read_and_load(input, stdin, settings);
    let known = file
        .source
        .as_ref()
        .and_then(|src| crate::model::format::recognise(&input.name, &src.text, &file.objects));
    if known.is_some() {
        return Learned::default();
    }
    learner.learn(unit.path(), &file.objects)
}

/// Phase 2: schema and policy findings for one loaded file.
fn validate(file: Loaded, unit: &Unit, catalog: &Catalog, run: &Run) -> FileOutcome {
    let Loaded {
        mut outcome,
        source,
        objects,
        ..
    } = file;
    let Some(src) = source else {
        return outcome;
    };
    let path = unit.path();
    let context = FileContext { source: &src, path };
    let checked = stats::timed(Stage::Schema, || catalog.check_file(&context, &objects));
    finish(&mut outcome, checked, src, &objects, run);
    outcome
}

/// Adds a file's schema findings, runs the policies on its objects, and keeps its
/// source when a finding needs it.
fn finish(
    outcome: &mut FileOutcome,
    checked: FileSchemaOutcome,
    src: Arc<SourceFile>,
    objects: &[resource::Object],
    run: &Run,
) {
    outcome.findings.extend(checked.findings);
    outcome.schema_missing = checked.schema_missing;
    // Policies see every object (input = the object, as conftest does).
    if let Some(policies) = &run.policies {
        stats::timed(Stage::Policy, || {
            policies.check(&src, objects, &mut outcome.findings);
        });
        if policies.combine {
            outcome.combined = Some((src.clone(), objects.to_vec()));
        }
    }
    if !run.ignore_waivers {
        crate::stages::waiver::apply_annotations(objects, &mut outcome.findings);
    }
    // A path naming a field to add: keep where it exists for reporters.
    for f in &mut outcome.findings {
        let (Some(path), Some(id)) = (&f.path, &f.resource) else {
            continue;
        };
        if let Some(object) = objects.iter().find(|o| o.id.as_ref() == Some(id)) {
            f.present_path = object.present_prefix(path);
        }
    }
    if outcome
        .findings
        .iter()
        .any(|f| f.severity >= Severity::Info)
    {
        outcome.source = Some(src);
    }
}

fn internal_error(name: &Arc<str>, panic: &Box<dyn std::any::Any + Send>) -> FileOutcome {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    let finding = Finding::whole_file(
        name.clone(),
        rules::INTERNAL_ERROR,
        format!(
            "tollgate crashed while checking this file ({what}); please report it with the file attached"
        ),
    );
    FileOutcome {
        name: name.clone(),
        documents: 0,
        resources: 0,
        findings: vec![finding],
        source: None,
        schema_missing: 0,
        not_kubernetes: None,
        combined: None,
    }
}

/// Reads an input's bytes, within `max` bytes; failures are whole-file findings.
pub fn read(input: &Input, stdin: Option<&[u8]>, max: u64) -> Result<Vec<u8>, Box<Finding>> {
    let fail =
        |rule, message: String| Box::new(Finding::whole_file(input.name.clone(), rule, message));
    match &input.origin {
        Origin::Blob { bytes, .. } => {
            if bytes.len() as u64 > max {
                return Err(fail(
                    rules::FILE_TOO_LARGE,
                    too_large(bytes.len() as u64, max),
                ));
            }
            Ok(bytes.to_vec())
        }
        Origin::Stdin => {
            let bytes = stdin.unwrap_or_default();
            if bytes.len() as u64 > max {
                return Err(fail(
                    rules::FILE_TOO_LARGE,
                    too_large(bytes.len() as u64, max),
                ));
            }
            Ok(bytes.to_vec())
        }
        Origin::Path(path) => {
            let file = std::fs::File::open(path)
                .map_err(|e| fail(rules::UNREADABLE, format!("cannot read the file: {e}")))?;
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            if len > max {
                return Err(fail(rules::FILE_TOO_LARGE, too_large(len, max)));
            }
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            // Read at most one byte past the limit: the file may grow while we read.
            file.take(max + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| fail(rules::UNREADABLE, format!("cannot read the file: {e}")))?;
            if bytes.len() as u64 > max {
                return Err(fail(
                    rules::FILE_TOO_LARGE,
                    too_large(bytes.len() as u64, max),
                ));
            }
            Ok(bytes)
        }
    }
}

fn too_large(len: u64, max: u64) -> String {
    format!(
        "file is {len} bytes, above the limit of {max} bytes (limits.max_file_size); it is not checked"
    )
}

/// A file read, decoded and loaded: its findings so far (read, encoding and
/// load problems, each with its resource and path where known), its source
/// and its objects. The one read → decode → load path: `check` and
/// `inspect` both go through it.
#[derive(Debug, Default)]
pub struct LoadedFile {
    /// Findings of reading and loading.
    pub findings: Vec<Finding>,
    /// The decoded source (`None` when the file could not be read or decoded).
    pub source: Option<Arc<SourceFile>>,
    /// Non-empty documents loaded.
    pub documents: usize,
    /// The objects (`List` items one by one).
    pub objects: Vec<resource::Object>,
}

/// Reads, decodes and loads one input.
pub fn read_and_load(input: &Input, stdin: Option<&[u8]>, settings: &Settings) -> LoadedFile {
    let mut file = LoadedFile::default();
    let bytes = match read(input, stdin, settings.limits.max_file_size) {
        Ok(b) => {
            stats::add_bytes(b.len());
            b
        }
        Err(f) => {
            file.findings.push(*f);
            return file;
        }
    };
    let text = match source::decode(bytes) {
        Ok(t) => t,
        Err(e) => {
            let mut f = Finding::whole_file(input.name.clone(), rules::ENCODING, e.message);
            f.start = crate::model::source::Position {
                line: e.line,
                column: e.column,
            };
            f.end = f.start;
            file.findings.push(f);
            return file;
        }
    };
    let src = Arc::new(SourceFile::new(input.name.clone(), text));
    let loaded = load::load(
        &src.text,
        settings
            .parser
            .unwrap_or_else(|| Syntax::for_path(&input.name)),
        &settings.limits,
    );
    for p in &loaded.problems {
        let mut f = Finding::at(
            &src,
            p.span,
            std::borrow::Cow::Borrowed(p.rule),
            Severity::Error,
            p.message.clone(),
        );
        f.path = p.path.clone();
        file.findings.push(f);
    }
    file.documents = loaded.documents.len();
    let objects = resource::objects(loaded.documents);
    // Loader problems are located inside documents; attach the resource they fall in.
    for f in &mut file.findings {
        let inside = |o: &&resource::Object| {
            o.node.span.start <= f.span.start && f.span.start < o.node.span.end
        };
        if let Some(obj) = objects.iter().find(inside) {
            f.resource = obj.resource_at(f.span.start);
            if f.path.is_none() && f.rule == rules::DUPLICATE_KEY {
                f.path = Some(obj.node.pointer_at(f.span.start));
            }
        }
    }
    file.source = Some(src);
    file.objects = objects;
    file
}

/// Phase 1: reads and loads one input.
fn load_input(input: &Input, stdin: Option<&[u8]>, settings: &Settings) -> Loaded {
    // Debug builds only: lets the integration tests prove that a crash in one file
    // becomes an `internal-error` finding and costs no other finding.
    if cfg!(debug_assertions)
        && std::env::var("TOLLGATE_DEBUG_PANIC_ON")
            .is_ok_and(|name| !name.is_empty() && input.name.ends_with(&name))
    {
        panic!("TOLLGATE_DEBUG_PANIC_ON matched {}", input.name);
    }
    let file = read_and_load(input, stdin, settings);
    // A Helm repository index, a kind config, a CI pipeline...: not judged.
    let known = file
        .source
        .as_ref()
        .and_then(|src| crate::model::format::recognise(&input.name, &src.text, &file.objects));
    if let Some(known) = known {
        return Loaded {
            outcome: FileOutcome {
                name: input.name.clone(),
                documents: 0,
                resources: 0,
                findings: Vec::new(),
                source: None,
                schema_missing: 0,
                not_kubernetes: Some(known),
                combined: None,
            },
            source: None,
            objects: Vec::new(),
            learned: Learned::default(),
        };
    }
    let resources = file.objects.iter().filter(|o| o.id.is_some()).count();
    Loaded {
        outcome: FileOutcome {
            name: input.name.clone(),
            documents: file.documents,
            resources,
            findings: file.findings,
            source: None,
            schema_missing: 0,
            not_kubernetes: None,
            combined: None,
        },
        source: file.source,
        objects: file.objects,
        learned: Learned::default(),
    }
}
