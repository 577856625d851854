//! The parallel pass: read, decode, load and check every file.
//!
//! Each file is handled by one rayon task from bytes to findings, so a file is
//! read and parsed exactly once. A panic while checking one file is caught and
//! becomes an `internal-error` finding for that file; the other files are
//! unaffected. Results are collected and sorted afterwards, so the report is the
//! same for any thread count.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Settings;
use crate::discover::{Input, Origin};
use crate::finding::{Finding, Severity, rules};
use crate::load::{self, Syntax};
use crate::resource;
use crate::source::{self, SourceFile};

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
}

/// Checks every input in parallel; the order of outcomes follows `inputs`.
pub fn check_all(inputs: &[Input], stdin: Option<&[u8]>, settings: &Settings) -> Vec<FileOutcome> {
    inputs
        .par_iter()
        .map(|input| {
            let result = catch_unwind(AssertUnwindSafe(|| check_input(input, stdin, settings)));
            result.unwrap_or_else(|panic| internal_error(input, &panic))
        })
        .collect()
}

fn internal_error(input: &Input, panic: &Box<dyn std::any::Any + Send>) -> FileOutcome {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    let finding = Finding::whole_file(
        input.name.clone(),
        rules::INTERNAL_ERROR,
        format!(
            "tollgate crashed while checking this file ({what}); please report it with the file attached"
        ),
    );
    FileOutcome {
        name: input.name.clone(),
        documents: 0,
        resources: 0,
        findings: vec![finding],
        source: None,
    }
}

pub(crate) fn read(input: &Input, stdin: Option<&[u8]>, max: u64) -> Result<Vec<u8>, Box<Finding>> {
    let fail =
        |rule, message: String| Box::new(Finding::whole_file(input.name.clone(), rule, message));
    match &input.origin {
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

/// Checks one input.
fn check_input(input: &Input, stdin: Option<&[u8]>, settings: &Settings) -> FileOutcome {
    let mut outcome = FileOutcome {
        name: input.name.clone(),
        documents: 0,
        resources: 0,
        findings: Vec::new(),
        source: None,
    };
    let bytes = match read(input, stdin, settings.limits.max_file_size) {
        Ok(b) => b,
        Err(f) => {
            outcome.findings.push(*f);
            return outcome;
        }
    };
    let text = match source::decode(bytes) {
        Ok(t) => t,
        Err(e) => {
            let mut f = Finding::whole_file(input.name.clone(), rules::ENCODING, e.message);
            f.start = crate::source::Position {
                line: e.line,
                column: e.column,
            };
            f.end = f.start;
            outcome.findings.push(f);
            return outcome;
        }
    };
    let src = Arc::new(SourceFile::new(input.name.clone(), text));
    let loaded = load::load(&src.text, Syntax::for_path(&input.name), &settings.limits);
    for p in &loaded.problems {
        let mut f = Finding::at(&src, p.span, p.rule.clone(), p.severity, p.message.clone());
        f.path = p.path.clone();
        outcome.findings.push(f);
    }
    outcome.documents = loaded.documents.len();
    let objects = resource::objects(loaded.documents);
    outcome.resources = objects.iter().filter(|o| o.id.is_some()).count();
    // Loader problems are located inside documents; attach the resource they fall in.
    for f in &mut outcome.findings {
        let inside = |o: &&resource::Object| {
            o.node.span.start <= f.span.start && f.span.start < o.node.span.end
        };
        if let Some(obj) = objects.iter().find(inside) {
            f.resource = obj.id.clone();
            if f.path.is_none() && f.rule == rules::DUPLICATE_KEY {
                f.path = Some(obj.node.pointer_at(f.span.start));
            }
        }
    }
    if outcome
        .findings
        .iter()
        .any(|f| f.severity >= Severity::Info)
    {
        outcome.source = Some(src);
    }
    outcome
}
