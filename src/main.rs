//! The `tollgate` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

// The pipeline allocates many small trees and strings; mimalloc is faster at
// that than the system allocator (docs/performance.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = tollgate::app::cli::Cli::parse();
    if let Some(jobs) = cli.jobs {
        // Only fails if a pool was already built, which nothing does before this.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global();
    }
    match tollgate::run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            // `tollgate check | head`: the reader left; exit quietly.
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::from(tollgate::Exit::Clean.code());
            }
            eprintln!("tollgate: error: {err:#}");
            ExitCode::from(tollgate::Exit::Trouble.code())
        }
    }
}
