//! Pipeline layer: the run itself. [`check`] is the per-file pass, [`run`]
//! the whole run in one function, [`review`] the base-versus-head review.

pub mod check;
pub mod context;
pub mod progress;
pub mod review;
pub mod run;
