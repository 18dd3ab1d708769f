//! The `#[napi]` glue: typed native functions. Each task kind's file here
//! declares its functions, option structs (`#[napi(object)]`) and string
//! enums, maps them to the kernel's types and hands a kernel closure to
//! [`submit`]. No raw N-API and no `unsafe` here: `pool/completion/` owns
//! every raw call (the completion path, promises, input references, errors
//! as JS values, the pool handle argument, cleanup hooks) and `pool/output.rs`
//! the conversion of results ([`Bytes`], every napi-rs value type).
//!
//! The public API is `index.js`, which validates arguments with Node-style
//! errors first; the checks here are a second line of defence with the same
//! codes and message style.

// napi-rs registers `#[napi]` items only outside `cfg(test)`: in the unit
// test build nothing here is reachable.
#![cfg_attr(test, allow(dead_code))]

/// A string option: a `#[napi(string_enum)]` (exported to JS, where index.js
/// reads its values) and its mapping onto the kernel's enum, in one place.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident => $kernel:ty { $($value:literal $variant:ident => $target:expr,)+ }) => {
        $(#[$doc])*
        #[napi_derive::napi(string_enum)]
        #[derive(Clone, Copy)]
        pub enum $name {
            $(#[napi(value = $value)] $variant,)+
        }
        impl From<$name> for $kernel {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => $target,)+
                }
            }
        }
    };
}

pub mod digest;
pub mod hash;
pub mod lease;
pub mod pool;
pub mod render;
pub mod resize;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;

use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result, Unknown};

pub use crate::pool::completion::{error, PoolArg};
pub use crate::pool::output::Bytes;

use crate::pool::completion::{self, NapiFailure};
use crate::pool::input::Inputs;
use crate::pool::output::Settled;
use crate::pool::{Output, Pool};
use crate::tasks::hash::BcryptJob;
use crate::tasks::{Checkpoint, ErrorCode, TaskError};

/// A kernel error thrown synchronously, as a `CorepoolError`.
pub fn task_error(env: &Env, e: TaskError) -> napi::Error {
    error(env, e.code, e.message)
}

/// `errorCodes()`: every code corepool throws or rejects with, by the name of
/// its `ErrorCode` variant (`{ QueueFull: 'ERR_QUEUE_FULL', … }`).
#[napi_derive::napi]
pub fn error_codes() -> std::collections::HashMap<String, &'static str> {
    ErrorCode::ALL
        .iter()
        .map(|c| (format!("{c:?}"), c.as_str()))
        .collect()
}

/// `ERR_INTERNAL` for a failed N-API call.
fn internal(env: &Env, e: NapiFailure) -> napi::Error {
    error(
        env,
        ErrorCode::Internal,
        format!("corepool: {} failed", e.0),
    )
}

/// `value` as an integer in `min..=max`, or `ERR_INVALID_ARG_VALUE` naming
/// `name` (never rounded or clamped).
pub fn int<T: TryFrom<u64>>(env: &Env, name: &str, value: f64, min: u64, max: u64) -> Result<T> {
    if value.fract() == 0.0 && value >= min as f64 && value <= max as f64 {
        if let Ok(v) = T::try_from(value as u64) {
            return Ok(v);
        }
    }
    Err(task_error(env, TaskError::int_range(name, min, max, value)))
}

/// An optional integer option (see [`int`]).
pub fn opt_int<T: TryFrom<u64>>(
    env: &Env,
    name: &str,
    value: Option<f64>,
    min: u64,
    max: u64,
) -> Result<Option<T>> {
    value.map(|v| int(env, name, v, min, max)).transpose()
}

/// An RGBA colour option (`[r, g, b, a]`, 0–255 each).
pub fn rgba(env: &Env, name: &str, v: &[f64]) -> Result<[u8; 4]> {
    let mut out = [0u8; 4];
    if v.len() != 4 {
        let got = format!("an array of {} items", v.len());
        let e = TaskError::arg_value(name, "an array of 4 integers from 0 to 255", got);
        return Err(task_error(env, e));
    }
    for (o, &c) in out.iter_mut().zip(v) {
        *o = int(env, name, c, 0, 255)?;
    }
    Ok(out)
}

/// Bytes of a string, Buffer or Uint8Array argument, copied, for
/// synchronous use.
pub fn bytes(env: &Env, name: &str, v: &Unknown<'_>) -> Result<Vec<u8>> {
    match completion::input_bytes(env, v) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(error(
            env,
            ErrorCode::InvalidArgType,
            format!("The \"{name}\" argument must be of type string or an instance of Buffer or Uint8Array"),
        )),
        Err(e) => Err(internal(env, e)),
    }
}

/// Admits a task on `pool`, references its `inputs` (strings, Buffers or
/// Uint8Arrays, read in place) and runs `kernel` on the pool. Returns the
/// task's promise; a full or closed pool gives an already rejected one. A
/// `token` other than 0 makes the task cancellable with `cancel(token)`.
pub fn submit<'env, T, F>(
    env: &'env Env,
    pool: &Arc<Pool>,
    inputs: &[Unknown<'_>],
    token: u32,
    kernel: F,
) -> Result<PromiseRaw<'env, T>>
where
    T: Settled,
    F: FnOnce(&Inputs, &Checkpoint) -> std::result::Result<T, TaskError> + Send + 'static,
{
    let promise = completion::submit(env, pool, inputs, token, None, |s| {
        pool.spawn(s.env, s.slot, s.inputs, s.cancel, move |i, cp| {
            kernel(i, cp).map(Output::new)
        })
    })
    .map_err(|e| internal(env, e))?;
    Ok(PromiseRaw::new(env.raw(), promise))
}

/// [`submit`] for a prepared bcrypt job (batched on the pool, see
/// pool/lanes.rs), or an already rejected promise when preparing failed.
/// With `progress` (and a `token`), `progress(token)` reads the rounds done.
pub fn submit_bcrypt<'env, T>(
    env: &'env Env,
    pool: &Arc<Pool>,
    token: u32,
    job: std::result::Result<BcryptJob, TaskError>,
    progress: bool,
) -> Result<PromiseRaw<'env, T>> {
    let promise = match job {
        Err(e) => completion::rejected(env, e.code.as_str(), &e.message),
        Ok(mut job) => {
            let counter = (progress && token != 0).then(|| Arc::new(AtomicU32::new(0)));
            if let Some(c) = &counter {
                job = job.with_progress(Arc::clone(c));
            }
            completion::submit(env, pool, &[], token, counter, |s| {
                pool.spawn_bcrypt(s.env, s.slot, s.cancel, job)
            })
        }
    };
    Ok(PromiseRaw::new(
        env.raw(),
        promise.map_err(|e| internal(env, e))?,
    ))
}

/// An already rejected promise with a kernel error.
pub fn rejected<'env, T>(env: &'env Env, e: TaskError) -> Result<PromiseRaw<'env, T>> {
    let promise =
        completion::rejected(env, e.code.as_str(), &e.message).map_err(|e| internal(env, e))?;
    Ok(PromiseRaw::new(env.raw(), promise))
}
