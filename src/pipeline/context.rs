//! The context of a run: built once at the top (by the app layer) and handed
//! down to every part of the pipeline.

use std::sync::Arc;

use crate::settings::Settings;
use crate::stages::policy::PolicySet;
use crate::stages::waiver::Waivers;

/// Everything a run needs, built once by the app layer and handed down.
#[derive(Debug)]
pub struct Run {
    /// Plain resolved values.
    pub settings: Settings,
    /// The compiled policies, when there are any.
    pub policies: Option<Arc<PolicySet>>,
    /// The config's waivers.
    pub waivers: Waivers,
    /// `--no-waivers`: report every finding as not waived (the auditor's view).
    pub ignore_waivers: bool,
    /// The directory names in reports are relative to.
    pub cwd: std::path::PathBuf,
}

impl Run {
    /// A run with `settings`, no policies and no waivers.
    pub fn new(settings: Settings) -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| settings.base_dir.clone());
        Self {
            settings,
            policies: None,
            cwd,
            waivers: Waivers::default(),
            ignore_waivers: false,
        }
    }
}
