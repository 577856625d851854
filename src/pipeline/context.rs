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
    /// `--shard I/N`: check only this shard's files and targets.
    pub shard: Option<Shard>,
}

/// One part of a run split over `count` machines (`--shard index/count`):
/// a file or render target belongs to the shard its name hashes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    /// How many shards in all (at least 1).
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with `1 <= I <= N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("expected I/N with 1 <= I <= N, found `{text}`");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }

    /// The shard (1-based) a name belongs to: FNV-1a (64 bits) of its bytes
    /// modulo the count, the same on every machine and release.
    pub fn of(name: &str, count: u32) -> u32 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.as_bytes() {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        u32::try_from(hash % u64::from(count.max(1))).unwrap_or(0) + 1
    }

    /// Whether this shard checks the file or target `name`.
    pub fn owns(&self, name: &str) -> bool {
        Self::of(name, self.count) == self.index
    }

    /// The first shard: it alone reports what belongs to no file or target
    /// (discovery's skip counts, the change review's diff and approvals).
    pub fn is_first(&self) -> bool {
        self.index == 1
    }
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
            shard: None,
        }
    }
}
