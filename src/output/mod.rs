//! Output layer: the finding formats, each rendering a finished [`Report`] in
//! one format, and the approval report of a change review ([`approval`]).
//!
//! Reporters are leaves: they read the report and write bytes, nothing else.
//! Everything they print is derived from sorted findings and counts, so the same
//! inputs give byte-identical output whatever the thread count.

pub(crate) mod approval;
pub(crate) mod fingerprint;
pub(crate) mod github;
pub(crate) mod human;
pub(crate) mod json;
pub(crate) mod junit;
pub(crate) mod sarif;

pub use crate::model::report::{Report, Summary};

/// The output formats of `tollgate check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Code frames grouped by file, then a summary line.
    Human,
    /// The versioned JSON report (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// GitHub Actions workflow commands (annotations), worst first.
    Github,
}

impl Format {
    /// Renders a finished report in this format (colour only matters for `human`).
    pub fn write(
        self,
        report: &Report,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            Self::Human => human::write(report, human::Style { color, width: 100 }, out),
            Self::Json => json::write(report, out),
            Self::Sarif => sarif::write(report, out),
            Self::Junit => junit::write(report, out),
            Self::Github => github::write(report, out),
        }
    }
}
