//! Progress on a terminal for long runs.
//!
//! When standard error is a terminal, a run that takes more than a second shows
//! `checked N/M files` on stderr, rewritten in place and erased at the end.
//! Nothing is printed when stderr is redirected, so logs and CI output stay
//! clean, and nothing ever goes to stdout.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Files checked so far in this process (ticked by the check pass).
static DONE: AtomicUsize = AtomicUsize::new(0);

/// Counts one checked file.
pub(crate) fn tick() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

/// A running progress display; dropping it stops and erases it.
pub(crate) struct Progress {
    stop: Arc<(Mutex<bool>, Condvar)>,
    shown: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts the display for `total` files, if stderr is a terminal.
    pub(crate) fn start(total: usize) -> Option<Self> {
        if total == 0 || !std::io::stderr().is_terminal() {
            return None;
        }
        DONE.store(0, Ordering::Relaxed);
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let shown = Arc::new(AtomicBool::new(false));
        let (stop2, shown2) = (stop.clone(), shown.clone());
        let handle = std::thread::spawn(move || {
            let (lock, cvar) = &*stop2;
            let mut wait = Duration::from_secs(1);
            loop {
                let Ok(guard) = lock.lock() else { return };
                let Ok((guard, _)) = cvar.wait_timeout(guard, wait) else {
                    return;
                };
                if *guard {
                    return;
                }
                drop(guard);
                let done = DONE.load(Ordering::Relaxed).min(total);
                let _ = write!(std::io::stderr(), "\r  checked {done}/{total} files");
                shown2.store(true, Ordering::Relaxed);
                wait = Duration::from_millis(200);
            }
        });
        Some(Self {
            stop,
            shown,
            handle: Some(handle),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.stop;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
            cvar.notify_all();
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
        if self.shown.load(Ordering::Relaxed) {
            // Erase the line.
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}
