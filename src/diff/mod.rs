//! Change review: what changed between the base and the head, file by file
//! ([`git`]) and resource by resource ([`resources`]).

pub mod git;
pub mod report;
pub mod resources;
