//! Stages: each turns loaded documents into findings or facts — schema
//! validation, policies, waivers, and the resource diff of a change review.
//! A stage knows nothing of the command line or of how its findings are printed.

pub mod diff;
pub mod policy;
pub(crate) mod reconciler;
pub(crate) mod render;
pub mod schema;
pub(crate) mod waiver;
