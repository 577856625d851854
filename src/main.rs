//! The `tollgate` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

// The pipeline allocates many small trees and strings; mimalloc is faster at
// that than the system allocator (docs/performance.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed pages resident for a second before it returns them
/// (its `purge_delay`, 1,000 ms in mimalloc 3). A run's phases (render, then
/// check) free most of what the one before held, so with that delay their
/// peaks add up in RSS; 10 ms (mimalloc 2's default) returns them between
/// phases (docs/decisions.md). `MIMALLOC_PURGE_DELAY` still decides when set.
#[cfg(feature = "mimalloc")]
#[allow(unsafe_code)] // the one call into mimalloc's C API
fn tune_allocator() {
    // `mi_option_purge_delay` in mimalloc 2 and 3's `mi_option_t`.
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: a plain setter of the linked mimalloc (libmimalloc-sys
        // builds it into this binary), taking an option index and a value.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

#[cfg(feature = "mimalloc")]
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    tune_allocator();
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
