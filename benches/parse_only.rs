//! The parse-only baseline: discover, read and parse every file with the same
//! parser and the same rayon pool as `tollgate check`, and nothing else.
//!
//! `bench/run.sh` runs it beside the release binary so the full check can be
//! stated as a ratio of this. Usage (threads from `TOLLGATE_JOBS`, default all):
//!
//! ```sh
//! cargo bench --bench parse_only -- DIR [REPEAT]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use tollgate::load::{self, Syntax};
use tollgate::settings::Settings;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: parse_only DIR [REPEAT]  (no directory given: nothing to measure)");
        return;
    };
    let repeat: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    if let Some(jobs) = std::env::var("TOLLGATE_JOBS")
        .ok()
        .and_then(|j| j.parse::<usize>().ok())
    {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let settings = Settings::defaults(&cwd);
    let mut best = f64::MAX;
    let mut documents = 0;
    let mut bytes = 0;
    for _ in 0..repeat {
        let started = Instant::now();
        let discovery =
            match tollgate::input::discover::discover(&[PathBuf::from(dir)], None, &settings, &cwd)
            {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("parse_only: {e}");
                    return;
                }
            };
        let (docs, size) = discovery
            .inputs
            .par_iter()
            .map(|input| {
                let Ok(raw) =
                    tollgate::pipeline::check::read(input, None, settings.limits.max_file_size)
                else {
                    return (0, 0);
                };
                let len = raw.len();
                let Ok(text) = tollgate::model::source::decode(raw) else {
                    return (0, len);
                };
                let loaded = load::load(&text, Syntax::for_path(&input.name), &settings.limits);
                (loaded.documents.len(), len)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        documents = docs;
        bytes = size;
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "parse_only dir={dir} threads={} documents={documents} bytes={bytes} best_seconds={best:.4}",
        rayon::current_num_threads()
    );
}
