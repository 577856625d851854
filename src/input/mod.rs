//! Input layer: which files a run reads and where their bytes come from —
//! discovery on disk (the one file-selection predicate) and git snapshots.

pub mod discover;
pub(crate) mod git;
pub(crate) mod gitfiles;
