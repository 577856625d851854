//! tollgate: a pre-merge gate for GitOps repositories.
//!
//! The code is in layers whose dependencies point one way (a test,
//! `tests/cli/layers.rs`, keeps it so); each layer may use the ones listed
//! before it:
//!
//! - [`load`] (the `tollgate-load` crate): spanned trees, YAML 1.1 as
//!   Kubernetes reads it, JSON, limits;
//! - [`model`]: positions, severities, the rule registry, `Finding`, resource identity;
//! - [`settings`]: the plain resolved values of a run;
//! - [`input`]: which files a run reads (discovery, git snapshots);
//! - [`stages`]: schema, policy, waivers, the resource diff;
//! - [`pipeline`]: the per-file pass, the whole run in one function
//!   ([`pipeline::run`]), the base-versus-head review;
//! - [`output`]: finding formats and the approval report;
//! - [`app`]: the command line, `.tollgate.yaml`, the commands.
//!
//! See `docs/architecture.md` for the shape and the reasons behind it.

pub mod app;
pub mod input;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod settings;
pub mod stages;

/// Loading lives in its own crate (`crates/tollgate-load`), below every layer here.
pub use tollgate_load as load;

pub use app::run;
pub use pipeline::run::Exit;
