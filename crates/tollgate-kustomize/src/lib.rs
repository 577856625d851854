//! tollgate-kustomize: Kustomize rendered natively, with provenance.
//!
//! [`render`] builds one render target (a directory with a kustomization) the way
//! `kustomize build` (v5.5) does, from files read through a [`Files`] view of the
//! repository that never reaches outside it. The result is a list of
//! [`Resource`]s whose every node, and every mapping key, keeps the [`Span`] of
//! the source that wrote it last: the base document, the patch that replaced
//! it, the kustomization field (`images[0].newTag`, `namespace`) or the
//! generator entry. A span's [`FileId`] indexes [`Rendered::files`]. Because
//! the rendered objects are ordinary spanned trees, the pointer-to-span
//! function that schema and policy findings already go through lands every
//! finding on the line that caused it.
//!
//! What the renderer cannot do (remote bases, Helm charts, plugins) becomes a
//! `render-unsupported` [`Problem`] at the field's line; a broken kustomization
//! becomes `render-error` with kustomize's meaning. Nothing here panics on input
//! and nothing here prints.

pub mod build;
pub mod cache;
pub mod emit;
pub mod fieldspec;
pub mod files;
pub mod generate;
pub mod kustomization;
pub mod openapi;
pub mod order;
pub mod patch;
pub mod replacement;
pub mod resource;
pub mod targets;
pub mod transform;
pub mod vars;

pub use files::{Content, DiskFiles, Files, LoadRestrictor, MemoryFiles};
pub use resource::{ResId, Resource};
pub use tollgate_load::{Entry, FileId, Node, Span, Value};

use std::sync::Arc;

/// Rule id of a kustomization that kustomize would refuse (a missing file, a
/// cycle, a patch that matches nothing, an invalid patch).
pub const RENDER_ERROR: &str = "render-error";
/// Rule id of a kustomization feature tollgate does not render (remote
/// resources, `helmCharts`, plugins, KRM functions, unknown fields).
pub const RENDER_UNSUPPORTED: &str = "render-unsupported";

/// Something that stopped or limited a render, with the place that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// [`RENDER_ERROR`] or [`RENDER_UNSUPPORTED`].
    pub rule: &'static str,
    /// What is wrong, in kustomize's terms, and what to do when there is a fix.
    pub message: String,
    /// Where: its `file` indexes [`Rendered::files`].
    pub span: Span,
}

impl Problem {
    /// A `render-error` at `span`.
    pub fn error(message: impl Into<String>, span: Span) -> Self {
        Self {
            rule: RENDER_ERROR,
            message: message.into(),
            span,
        }
    }

    /// A `render-unsupported` at `span`.
    pub fn unsupported(message: impl Into<String>, span: Span) -> Self {
        Self {
            rule: RENDER_UNSUPPORTED,
            message: message.into(),
            span,
        }
    }
}

/// A file that took part in a render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// The decoded text (spans are byte offsets into it).
    pub text: Arc<str>,
}

/// Options of a render.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Which files a kustomization may read (kustomize's `--load-restrictor`).
    pub load_restrictor: LoadRestrictor,
    /// Loader limits applied to every file read.
    pub limits: tollgate_load::Limits,
}

/// The outcome of rendering one target.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// The target directory, relative to the repository root.
    pub target: String,
    /// Every file read, indexed by [`FileId`]: `files[id.0]`. Sorted
    /// deterministically by first use.
    pub files: Vec<SourceText>,
    /// The rendered objects in kustomize's output order.
    pub resources: Vec<Resource>,
    /// Problems; when one is an error the render failed and `resources` is empty.
    pub problems: Vec<Problem>,
}

impl Rendered {
    /// Whether the render failed or skipped part of the target.
    pub fn is_complete(&self) -> bool {
        self.problems.is_empty()
    }

    /// The rendered objects as `kustomize build` prints them.
    pub fn to_yaml(&self) -> String {
        emit::yaml(&self.resources)
    }

    /// The path of the file a span is in (`None` for an id outside the table).
    pub fn path_of(&self, span: Span) -> Option<&str> {
        self.files
            .get(span.file.0 as usize)
            .map(|f| f.path.as_str())
    }
}

/// Renders the kustomization in `dir` (relative to the repository root).
pub fn render(files: &dyn Files, dir: &str, options: &Options) -> Rendered {
    build::render(files, dir, options)
}
