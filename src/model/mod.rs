//! Model layer: what every other layer speaks in. Source positions, severities,
//! the one rule registry, the [`finding::Finding`], resource identity and run
//! timings. It depends on nothing above it (only on the loader crate).

pub(crate) mod digest;
pub mod finding;
pub mod format;
pub mod report;
pub mod resource;
pub mod rules;
pub mod source;
pub(crate) mod stats;
pub(crate) mod time;
