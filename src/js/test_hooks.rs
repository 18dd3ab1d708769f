//! Test hooks, compiled only with the `test-hooks` cargo feature (a build in
//! a clone of the repository; never the published binaries): tasks that
//! panic or sleep, for the runtime's tests of panics, cancellation and
//! shutdown.

use std::time::{Duration, Instant};

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result};
use napi_derive::napi;

use super::{submit, PoolArg};

/// Test-only: a task whose kernel panics with `message`.
#[napi(js_name = "__testPanic")]
pub fn test_panic<'env>(
    env: &'env Env,
    pool: PoolArg,
    message: String,
) -> Result<PromiseRaw<'env, String>> {
    submit(
        env,
        &pool.0,
        &[],
        0,
        move |_, _| -> std::result::Result<String, _> { panic!("{message}") },
    )
}

/// Test-only: a task that sleeps `ms` milliseconds in 1 ms steps, checking
/// for cancellation at each step, then resolves with the slept milliseconds.
#[napi(js_name = "__testSleep")]
pub fn test_sleep<'env>(
    env: &'env Env,
    pool: PoolArg,
    ms: u32,
    token: u32,
) -> Result<PromiseRaw<'env, String>> {
    submit(env, &pool.0, &[], token, move |_, cp| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(u64::from(ms)) {
            cp.check()?;
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(ms.to_string())
    })
}
