//! Pure Rust kernels. Nothing in this module (or below it) may import `napi`:
//! each kernel is `input + options -> Result<output, TaskError>`, runs on a
//! pool thread, and is unit-tested with `cargo test` alone.
//!
//! Kernels call [`Checkpoint::check`] between stages (after decode, after
//! resize, every N blocks of a digest …) so that a cancelled task, or one whose
//! JS environment is being torn down, stops early.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(test)]
pub(crate) mod alloc_count;
pub mod digest;
#[cfg(test)]
mod fuzz_regressions;
pub mod hash;
pub(crate) mod interrupt;
#[cfg(test)]
mod malformed_inputs;
pub mod render;
pub mod resize;

/// Clears secrets a finished task left in this thread's reusable memory
/// (Argon2 blocks). The pool calls it after posting a task's result, so the
/// work is off that task's latency; see `hash::wipe_idle_memory`.
pub fn after_task() {
    hash::wipe_idle_memory();
}

/// Every error code corepool throws or rejects with, kernels, runtime, glue
/// and JS alike: `as_str()` is what JS sees as `err.code`; never change a
/// published string. JS reads the list with the native `errorCodes()`, and
/// __test__/types.test.js checks that index.d.ts and lib/ use no other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// An option value is out of range or malformed (caller's fault).
    InvalidArgValue,
    /// The input bytes could not be decoded/parsed (caller's data).
    Decode,
    /// Encoding the output failed.
    Encode,
    /// A size, pixel or depth limit was exceeded (checked before allocating).
    Limit,
    /// The input format is recognised as unsupported, or not recognised.
    UnsupportedFormat,
    /// A password hash string is malformed.
    InvalidHash,
    /// A bcrypt password is longer than 72 bytes and truncation was not asked for.
    PasswordTooLong,
    /// A bcrypt password contains a NUL byte.
    InvalidPassword,
    /// The task was cancelled (abort signal, timeout, or environment teardown).
    Cancelled,
    /// The kernel panicked; the pool survives.
    TaskPanicked,
    /// The pool cannot take the task now (queue or memory budget full).
    QueueFull,
    /// The pool was closed before the task was submitted.
    PoolClosed,
    /// An argument has the wrong type (a `TypeError` in JS).
    InvalidArgType,
    /// The task did not finish within its `timeout`.
    Timeout,
    /// The call is not allowed in this state (e.g. closing the default pool).
    InvalidState,
    /// A failure inside corepool or N-API itself (out of memory in V8, an
    /// environment tearing down): not the caller's fault.
    Internal,
    /// `run()`: the worker running the task exited.
    WorkerExited,
    /// `run()`: the worker module could not be loaded, or no worker started.
    WorkerInit,
    /// `run()`: the worker's result cannot be cloned back.
    WorkerResult,
    /// `require('corepool')`: the native addon could not be loaded (thrown by
    /// lib/native.js, which cannot ask the addon).
    Native,
}

impl ErrorCode {
    /// The stable string exposed to JS as `err.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgValue => "ERR_INVALID_ARG_VALUE",
            ErrorCode::Decode => "ERR_DECODE",
            ErrorCode::Encode => "ERR_ENCODE",
            ErrorCode::Limit => "ERR_LIMIT",
            ErrorCode::UnsupportedFormat => "ERR_UNSUPPORTED_FORMAT",
            ErrorCode::InvalidHash => "ERR_INVALID_HASH",
            ErrorCode::PasswordTooLong => "ERR_PASSWORD_TOO_LONG",
            ErrorCode::InvalidPassword => "ERR_INVALID_PASSWORD",
            ErrorCode::Cancelled => "ABORT_ERR",
            ErrorCode::TaskPanicked => "ERR_TASK_PANICKED",
            ErrorCode::QueueFull => "ERR_QUEUE_FULL",
            ErrorCode::PoolClosed => "ERR_POOL_CLOSED",
            ErrorCode::InvalidArgType => "ERR_INVALID_ARG_TYPE",
            ErrorCode::Timeout => "ERR_TIMEOUT",
            ErrorCode::InvalidState => "ERR_INVALID_STATE",
            ErrorCode::Internal => "ERR_INTERNAL",
            ErrorCode::WorkerExited => "ERR_WORKER_EXITED",
            ErrorCode::WorkerInit => "ERR_WORKER_INIT",
            ErrorCode::WorkerResult => "ERR_WORKER_RESULT",
            ErrorCode::Native => "ERR_COREPOOL_NATIVE",
        }
    }

    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 20] = [
        ErrorCode::InvalidArgValue,
        ErrorCode::Decode,
        ErrorCode::Encode,
        ErrorCode::Limit,
        ErrorCode::UnsupportedFormat,
        ErrorCode::InvalidHash,
        ErrorCode::PasswordTooLong,
        ErrorCode::InvalidPassword,
        ErrorCode::Cancelled,
        ErrorCode::TaskPanicked,
        ErrorCode::QueueFull,
        ErrorCode::PoolClosed,
        ErrorCode::InvalidArgType,
        ErrorCode::Timeout,
        ErrorCode::InvalidState,
        ErrorCode::Internal,
        ErrorCode::WorkerExited,
        ErrorCode::WorkerInit,
        ErrorCode::WorkerResult,
        ErrorCode::Native,
    ];
}

/// The one error type every kernel returns: a stable code plus a message for
/// humans (tests assert the code, not the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human-readable explanation, naming the option or the input problem.
    pub message: String,
}

impl TaskError {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        TaskError {
            code,
            message: message.into(),
        }
    }

    /// `ERR_INVALID_ARG_VALUE` in Node's message style, the one every
    /// argument error uses (as lib/validate.js does in JS):
    /// `The "options.width" argument must be an integer from 1 to 65535.
    /// Received type number (0)`. `received` is e.g. [`received_number`].
    pub fn arg_value(name: &str, expected: impl fmt::Display, received: impl fmt::Display) -> Self {
        TaskError::new(
            ErrorCode::InvalidArgValue,
            format!("The \"{name}\" argument must be {expected}. Received {received}"),
        )
    }

    /// [`TaskError::arg_value`] for an integer outside `min..=max`.
    pub fn int_range(
        name: &str,
        min: impl fmt::Display,
        max: impl fmt::Display,
        got: impl fmt::Display,
    ) -> Self {
        TaskError::arg_value(
            name,
            format_args!("an integer from {min} to {max}"),
            received_number(got),
        )
    }

    /// The task was cancelled before or while it ran.
    pub fn cancelled() -> Self {
        TaskError::new(ErrorCode::Cancelled, "The operation was aborted")
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for TaskError {}

/// Node's description of a received number: `type number (3)`.
pub fn received_number(n: impl fmt::Display) -> String {
    format!("type number ({n})")
}

/// Node's description of a received string: `type string ('x')`.
pub fn received_string(s: &str) -> String {
    format!("type string ('{s}')")
}

/// Cooperative cancellation seen by a kernel: any set flag means "stop".
///
/// The runtime passes the task's own cancel flag and its environment's
/// `closing` flag; kernels only ever call [`Checkpoint::check`].
#[derive(Clone, Copy, Default)]
pub struct Checkpoint<'a> {
    flags: [Option<&'a AtomicBool>; 2],
}

impl<'a> Checkpoint<'a> {
    /// A checkpoint that never fires (for tests and sync calls).
    pub fn none() -> Self {
        Checkpoint {
            flags: [None, None],
        }
    }

    /// A checkpoint that fires when either flag is set.
    pub fn new(task: &'a AtomicBool, env: &'a AtomicBool) -> Self {
        Checkpoint {
            flags: [Some(task), Some(env)],
        }
    }

    /// The flags as raw pointers, for code that must see this checkpoint
    /// through a callback it cannot pass it to (`render::interrupt`).
    pub(crate) fn raw_flags(&self) -> [Option<*const AtomicBool>; 2] {
        self.flags.map(|f| f.map(|f| f as *const AtomicBool))
    }

    /// True when the task should stop.
    pub fn is_cancelled(&self) -> bool {
        self.flags
            .iter()
            .flatten()
            .any(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(TaskError::cancelled())` when the task should stop.
    pub fn check(&self) -> Result<(), TaskError> {
        if self.is_cancelled() {
            Err(TaskError::cancelled())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_fires_on_either_flag() {
        let a = AtomicBool::new(false);
        let b = AtomicBool::new(false);
        let cp = Checkpoint::new(&a, &b);
        assert!(cp.check().is_ok());
        b.store(true, Ordering::Relaxed);
        assert_eq!(cp.check().unwrap_err().code, ErrorCode::Cancelled);
        assert!(Checkpoint::none().check().is_ok());
    }

    #[test]
    fn codes_are_stable() {
        assert_eq!(ErrorCode::Limit.as_str(), "ERR_LIMIT");
        assert_eq!(ErrorCode::TaskPanicked.as_str(), "ERR_TASK_PANICKED");
        assert_eq!(ErrorCode::Cancelled.as_str(), "ABORT_ERR");
        assert_eq!(ErrorCode::Internal.as_str(), "ERR_INTERNAL");
        let mut all: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), ErrorCode::ALL.len(), "codes are distinct");
    }
}
