//! Pipeline layer: the run itself. [`check`] is the per-file pass, [`run`]
//! the whole run in one function, [`review`] the base-versus-head review.

pub mod check;
pub(crate) mod context;
pub(crate) mod progress;
pub(crate) mod review;
pub mod run;
