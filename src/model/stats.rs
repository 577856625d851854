//! `check --stats`: where the time went, printed on stderr.
//!
//! Two kinds of stage. Serial stages (startup, discover, report) run on the main
//! thread and are wall time, measured by a [`Clock`] lapping between them. The
//! per-file stages (load, schema, policy, diff) run on the rayon pool and are
//! summed over threads into global nanosecond counters, so they read as CPU time;
//! the wall time of the whole parallel pass is printed beside them.
//!
//! Off by default: every recording function starts with one relaxed atomic load
//! and returns when stats are off, so a run without `--stats` pays nothing
//! measurable (no clock is read).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A stage of `tollgate check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Settings, schema catalog and policy compilation (wall).
    Startup,
    /// Walking the paths (wall).
    Discover,
    /// Rendering Kustomize targets (wall).
    Render,
    /// Reading, decoding and parsing files into documents (summed over threads).
    Load,
    /// Schema validation, CRD learning included (summed over threads).
    Schema,
    /// Rego policy evaluation (summed over threads).
    Policy,
    /// Change review against the base commit (summed over threads).
    Diff,
    /// The whole parallel pass: load, schema and policy (wall).
    Check,
    /// Sorting findings and writing the reports (wall).
    Report,
}

const STAGES: [Stage; 9] = [
    Stage::Startup,
    Stage::Discover,
    Stage::Render,
    Stage::Load,
    Stage::Schema,
    Stage::Policy,
    Stage::Diff,
    Stage::Check,
    Stage::Report,
];

impl Stage {
    fn index(self) -> usize {
        self as usize
    }

    /// The name printed.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Startup => "startup",
            Self::Discover => "discover",
            Self::Render => "render",
            Self::Load => "load",
            Self::Schema => "schema",
            Self::Policy => "policy",
            Self::Diff => "diff",
            Self::Check => "check",
            Self::Report => "report",
        }
    }

    /// Whether the stage is summed over threads (CPU-time-like) rather than wall.
    pub(crate) fn per_thread(self) -> bool {
        matches!(self, Self::Load | Self::Schema | Self::Policy | Self::Diff)
    }
}

static ENABLED: AtomicBool = AtomicBool::new(false);
static NANOS: [AtomicU64; 9] = [const { AtomicU64::new(0) }; 9];
static RUNS: [AtomicU64; 9] = [const { AtomicU64::new(0) }; 9];
static BYTES: AtomicU64 = AtomicU64::new(0);

/// Turns recording on and clears the counters.
pub(crate) fn enable() {
    for i in 0..STAGES.len() {
        NANOS[i].store(0, Ordering::Relaxed);
        RUNS[i].store(0, Ordering::Relaxed);
    }
    BYTES.store(0, Ordering::Relaxed);
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether stats are being recorded.
#[inline]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Adds `elapsed` to a stage.
pub(crate) fn add(stage: Stage, elapsed: Duration) {
    if !enabled() {
        return;
    }
    let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    NANOS[stage.index()].fetch_add(nanos, Ordering::Relaxed);
    RUNS[stage.index()].fetch_add(1, Ordering::Relaxed);
}

/// Counts bytes read.
#[inline]
pub(crate) fn add_bytes(bytes: usize) {
    if enabled() {
        BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// Runs `f`, adding its duration to `stage` when stats are on.
#[inline]
pub(crate) fn timed<T>(stage: Stage, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let started = Instant::now();
    let result = f();
    add(stage, started.elapsed());
    result
}

/// Wall-clock laps on the main thread; does nothing when stats are off.
#[derive(Debug)]
pub(crate) struct Clock {
    started: Option<Instant>,
    last: Option<Instant>,
}

impl Clock {
    /// Starts the clock, enabling stats, when `on`.
    pub(crate) fn start(on: bool) -> Self {
        if !on {
            return Self {
                started: None,
                last: None,
            };
        }
        enable();
        let now = Instant::now();
        Self {
            started: Some(now),
            last: Some(now),
        }
    }

    /// Adds the time since the previous lap to `stage`.
    pub(crate) fn lap(&mut self, stage: Stage) {
        if let Some(last) = self.last {
            let now = Instant::now();
            add(stage, now - last);
            self.last = Some(now);
        }
    }

    /// Prints the stats on stderr (nothing when off).
    pub(crate) fn print(&self, files: usize, documents: usize) {
        if let Some(started) = self.started {
            let text = render(&snapshot(), started.elapsed(), files, documents);
            eprint!("{text}");
        }
    }
}

/// The counters at one moment.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    /// Nanoseconds per stage, in [`Stage`] order.
    pub nanos: [u64; 9],
    /// How many times each stage was recorded.
    pub runs: [u64; 9],
    /// Bytes read.
    pub bytes: u64,
}

/// Reads the counters.
pub(crate) fn snapshot() -> Snapshot {
    let mut s = Snapshot {
        bytes: BYTES.load(Ordering::Relaxed),
        ..Snapshot::default()
    };
    for i in 0..STAGES.len() {
        s.nanos[i] = NANOS[i].load(Ordering::Relaxed);
        s.runs[i] = RUNS[i].load(Ordering::Relaxed);
    }
    s
}

/// The stats block: one line per stage, then totals and throughput.
pub(crate) fn render(s: &Snapshot, wall: Duration, files: usize, documents: usize) -> String {
    let wall_s = wall.as_secs_f64();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "stats: {:<9} {:>9.3} s  wall, {} threads",
        "total",
        wall_s,
        rayon::current_num_threads()
    );
    for stage in STAGES {
        let i = stage.index();
        let what = if stage.per_thread() {
            "summed over threads"
        } else {
            "wall"
        };
        if s.runs[i] == 0 {
            let _ = writeln!(out, "stats: {:<9} {:>9}    not run", stage.name(), "-");
        } else {
            let secs = s.nanos[i] as f64 / 1e9;
            let _ = writeln!(out, "stats: {:<9} {secs:>9.3} s  {what}", stage.name());
        }
    }
    let mb = s.bytes as f64 / 1e6;
    let rate = |n: f64| if wall_s > 0.0 { n / wall_s } else { 0.0 };
    let _ = writeln!(
        out,
        "stats: {files} files, {documents} documents, {mb:.2} MB; {:.0} files/s, {:.2} MB/s",
        rate(files as f64),
        rate(mb)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_has_every_stage_and_marks_the_unrun() {
        let mut s = Snapshot {
            bytes: 2_000_000,
            ..Snapshot::default()
        };
        s.nanos[Stage::Load.index()] = 1_500_000_000;
        s.runs[Stage::Load.index()] = 3;
        let text = render(&s, Duration::from_secs(2), 10, 12);
        for stage in STAGES {
            assert!(
                text.lines()
                    .any(|l| l.starts_with(&format!("stats: {:<9} ", stage.name()))),
                "{text}"
            );
        }
        assert!(text.contains("stats: load          1.500 s  summed over threads"));
        assert!(text.contains("stats: diff              -    not run"));
        assert!(text.contains("10 files, 12 documents, 2.00 MB; 5 files/s, 1.00 MB/s"));
    }
}
