//! Ctrl-C while migrations run. The first one lets the running migration
//! finish and stops before the next (golang-migrate's graceful stop). A
//! second one cancels the running statement on the server (PostgreSQL's
//! cancel request, as psql's Ctrl-C), so it does not go on holding its
//! locks; the run then reports the failure and the state the database is in
//! (a transactional file rolled back, a non-transactional one dirty) and
//! exits. A third Ctrl-C ends the process at once.
//!
//! Only the process entry point ([`crate::run`]) enables this; the library
//! entry ([`crate::run_with`]) leaves signals alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static ARMED: AtomicBool = AtomicBool::new(false);
static STOP: AtomicBool = AtomicBool::new(false);
static SECOND: AtomicBool = AtomicBool::new(false);

type Canceller = Box<dyn Fn() + Send>;
static CANCEL: Mutex<Option<Canceller>> = Mutex::new(None);

/// Lets [`arm`] install the handler (called by `run`).
pub(crate) fn enable() {
    ENABLED.store(true, Ordering::SeqCst);
}

/// Installs the handler and the thread that sends the cancel request, if
/// enabled; called right before migrations start (after any confirmation
/// prompt, which Ctrl-C should still end).
pub(crate) fn arm() {
    if ENABLED.load(Ordering::SeqCst) && !ARMED.swap(true, Ordering::SeqCst) {
        imp::install();
        let _ = std::thread::Builder::new()
            .name("migralint-cancel".into())
            .spawn(|| loop {
                std::thread::sleep(Duration::from_millis(20));
                if SECOND.load(Ordering::SeqCst) {
                    if let Ok(guard) = CANCEL.lock() {
                        if let Some(cancel) = guard.as_ref() {
                            cancel();
                        }
                    }
                    return;
                }
            });
    }
}

/// While alive, a second Ctrl-C cancels the statement of this connection.
pub(crate) struct CancelOnSecond;

impl CancelOnSecond {
    pub(crate) fn new(cancel: Canceller) -> CancelOnSecond {
        if let Ok(mut guard) = CANCEL.lock() {
            *guard = Some(cancel);
        }
        CancelOnSecond
    }
}

impl Drop for CancelOnSecond {
    fn drop(&mut self) {
        if let Ok(mut guard) = CANCEL.lock() {
            *guard = None;
        }
    }
}

/// A stop was asked for (one Ctrl-C or more).
pub(crate) fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// A second Ctrl-C came: the running statement was cancelled.
pub(crate) fn interrupted() -> bool {
    SECOND.load(Ordering::SeqCst)
}

/// Sleeps, waking early when a stop is asked for.
pub(crate) fn sleep(d: Duration) {
    let end = Instant::now() + d;
    while !stop_requested() {
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

#[cfg(unix)]
mod imp {
    use super::{SECOND, STOP};
    use std::sync::atomic::Ordering;

    const SIGINT: i32 = 2;
    const SIG_DFL: usize = 0;

    extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    }

    extern "C" fn on_sigint(_: i32) {
        // Only async-signal-safe calls here.
        if STOP.swap(true, Ordering::SeqCst) {
            SECOND.store(true, Ordering::SeqCst);
            let msg = b"\ninterrupting: cancelling the running statement on the server (Ctrl-C again to quit at once)\n";
            unsafe {
                signal(SIGINT, SIG_DFL);
                write(2, msg.as_ptr(), msg.len());
            }
        } else {
            let msg = b"\nstopping after the running migration (Ctrl-C again to interrupt it)\n";
            unsafe {
                write(2, msg.as_ptr(), msg.len());
            }
        }
    }

    pub(super) fn install() {
        let handler: extern "C" fn(i32) = on_sigint;
        unsafe {
            signal(SIGINT, handler as usize);
        }
    }
}

#[cfg(not(unix))]
mod imp {
    pub(super) fn install() {}
}
