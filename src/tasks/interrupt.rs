//! Stopping a third-party stage from inside its own callbacks.
//!
//! Some stages run as one call with no cancellation hook but call back into
//! our code: usvg's parse and text layout call the font resolver for every
//! text span and every fallback character and the image resolver for every
//! `<image>`; libjpeg calls the error manager's `emit_message` for every
//! marker and scan header, also inside `jpeg_start_decompress`, which reads
//! every scan of a progressive file in one call. [`interruptible`] makes the
//! task's [`Checkpoint`] visible to those callbacks for the duration of one
//! call on this thread; [`poll`], called at the top of each callback, unwinds
//! out of the stage with a private payload when the task was cancelled, and
//! [`interruptible`] turns that unwind into `ABORT_ERR`. usvg is safe Rust
//! holding no locks of ours across the callbacks, and libjpeg is built to
//! unwind through (`C-unwind`, its errors take the same path), so unwinding
//! only drops their partial state. `resume_unwind` is used rather than
//! `panic!`, so the process's panic hook (which prints) does not run.

use std::cell::Cell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::AtomicBool;

use crate::tasks::{Checkpoint, TaskError};

/// The unwind payload of an interrupted call.
struct Interrupted;

/// The flags of the checkpoint in force on this thread, if any.
type Flags = [Option<*const AtomicBool>; 2];

thread_local! {
    static CURRENT: Cell<Option<Flags>> = const { Cell::new(None) };
}

/// Restores the previous checkpoint when an [`interruptible`] call ends,
/// normally or by unwinding.
struct Restore(Option<Flags>);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// Runs `f` so that [`poll`] inside it stops it when `cp` fires.
/// Calls nest (an SVG `<image>` parsed inside a parse).
pub(crate) fn interruptible<R>(cp: &Checkpoint, f: impl FnOnce() -> R) -> Result<R, TaskError> {
    let flags = cp.raw_flags();
    let _restore = Restore(CURRENT.with(|c| c.replace(Some(flags))));
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Ok(r),
        Err(payload) if payload.is::<Interrupted>() => Err(TaskError::cancelled()),
        Err(payload) => resume_unwind(payload),
    }
}

/// Unwinds to the enclosing [`interruptible`] call if its checkpoint fired.
/// Does nothing outside one. Code that catches unwinds between the two must
/// pass on payloads it does not own ([`is_interrupt`]).
pub(crate) fn poll() {
    let Some(flags) = CURRENT.with(Cell::get) else {
        return;
    };
    let fired = flags.iter().flatten().any(|&f| {
        // SAFETY: set by `interruptible` on this thread from a borrow that
        // outlives its call, and removed by `Restore` when the call ends.
        let flag = unsafe { &*f };
        flag.load(std::sync::atomic::Ordering::Relaxed)
    });
    if fired {
        resume_unwind(Box::new(Interrupted));
    }
}

/// True when `payload` is the unwind of a [`poll`] (to be passed on with
/// `resume_unwind`, not handled).
pub(crate) fn is_interrupt(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<Interrupted>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::ErrorCode;
    use std::sync::atomic::Ordering;

    #[test]
    fn poll_stops_only_a_fired_call() {
        let (task, env) = (AtomicBool::new(false), AtomicBool::new(false));
        let cp = Checkpoint::new(&task, &env);
        assert_eq!(
            interruptible(&cp, || {
                poll();
                7
            }),
            Ok(7)
        );
        let mut reached = false;
        let r = interruptible(&cp, || {
            env.store(true, Ordering::Relaxed);
            poll();
            reached = true;
        });
        assert_eq!(r.unwrap_err().code, ErrorCode::Cancelled);
        assert!(!reached);
        // Outside a call, poll is a no-op even with a fired flag around.
        poll();
    }

    #[test]
    fn nested_calls_restore_the_outer_checkpoint() {
        let outer_flag = AtomicBool::new(false);
        let inner_flag = AtomicBool::new(true);
        let none = AtomicBool::new(false);
        let outer = Checkpoint::new(&outer_flag, &none);
        let inner = Checkpoint::new(&inner_flag, &none);
        let r = interruptible(&outer, || {
            let i = interruptible(&inner, poll);
            assert_eq!(i.unwrap_err().code, ErrorCode::Cancelled);
            poll(); // the outer checkpoint has not fired
            1
        });
        assert_eq!(r, Ok(1));
    }

    #[test]
    fn other_panics_pass_through() {
        let cp = Checkpoint::none();
        let r = catch_unwind(|| interruptible(&cp, || panic!("boom")));
        assert!(r.is_err());
    }
}
