//! Integration tests: run the `tollgate` binary and assert on what it prints.
//!
//! One test binary (one link step) with a module per area. Each case runs the
//! real binary in a known directory and snapshots exit code, stdout and stderr.

// Test code may stop at the first broken expectation.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::type_complexity)]

mod bad_input;
mod catalog;
mod check;
mod conftest_flags;
mod corpus;
mod coverage_gaps;
mod discovery;
mod formats;
mod formats_conftest;
mod infra_review;
mod init;
mod layers;
mod origins;
mod pod_security;
mod policy;
mod precommit;
mod properties;
mod quiet;
mod readonly;
mod reconciler;
mod render;
mod render_named;
mod render_security;
mod review;
mod review_reconciler;
mod rules;
mod schema;
mod shards;
mod stats;
mod waivers;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run printed.
pub struct Run {
    /// Process exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The repository root (where `examples/` and `tests/fixtures/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs tollgate with `args` in `cwd`, feeding `stdin` when given.
pub fn tollgate_in(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    tollgate_env(cwd, args, stdin, &[])
}

/// Like [`tollgate_in`], with extra environment variables (git's, a fixed
/// `SOURCE_DATE_EPOCH`, ...). Git's own variables are cleared unless given.
pub fn tollgate_env(
    cwd: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &std::ffi::OsStr)],
) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tollgate"));
    cmd.env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("TOLLGATE_JOBS")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the tollgate binary runs");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(bytes)
            .expect("stdin is written");
    }
    let out = child.wait_with_output().expect("tollgate finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs tollgate in the repository root.
pub fn tollgate(args: &[&str]) -> Run {
    tollgate_in(&root(), args, None)
}

/// Parses a run's stdout as JSON.
pub fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}):\n{}", run.stdout))
}
