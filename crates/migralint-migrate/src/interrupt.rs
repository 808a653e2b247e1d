//! Ctrl-C while migrations run, as golang-migrate does it: the first one
//! lets the running migration finish and stops before the next; a second one
//! interrupts at once (a transactional migration is then rolled back by the
//! server when the connection drops; a non-transactional one stays dirty).
//!
//! Only the process entry point ([`crate::run`]) enables this; the library
//! entry ([`crate::run_with`]) leaves signals alone.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
static ARMED: AtomicBool = AtomicBool::new(false);
static STOP: AtomicBool = AtomicBool::new(false);

/// Lets [`arm`] install the handler (called by `run`).
pub(crate) fn enable() {
    ENABLED.store(true, Ordering::SeqCst);
}

/// Installs the handler if enabled; called right before migrations start
/// (after any confirmation prompt, which Ctrl-C should still end).
pub(crate) fn arm() {
    if ENABLED.load(Ordering::SeqCst) && !ARMED.swap(true, Ordering::SeqCst) {
        imp::install();
    }
}

/// A stop was asked for.
pub(crate) fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

#[cfg(unix)]
mod imp {
    use super::STOP;
    use std::sync::atomic::Ordering;

    const SIGINT: i32 = 2;
    const SIG_DFL: usize = 0;

    extern "C" {
        fn signal(signum: i32, handler: usize) -> usize;
        fn raise(signum: i32) -> i32;
        fn write(fd: i32, buf: *const u8, count: usize) -> isize;
    }

    extern "C" fn on_sigint(_: i32) {
        // Only async-signal-safe calls here.
        if STOP.swap(true, Ordering::SeqCst) {
            unsafe {
                signal(SIGINT, SIG_DFL);
                raise(SIGINT);
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
