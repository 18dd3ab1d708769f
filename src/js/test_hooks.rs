//! Test hooks, compiled only with the `test-hooks` cargo feature (a build in
//! a clone of the repository; never the published binaries): tasks that
//! panic or sleep, for the runtime's tests of panics, cancellation and
//! shutdown.

use std::time::{Duration, Instant};

use napi::sys;

use super::{call, pool_arg, submit};
use crate::pool::Output;

/// Test-only: a task whose kernel panics with `message`.
pub unsafe extern "C" fn test_panic(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let message = a.string(1, "message")?;
            submit(env, pool, &[], 0, move |_, _| -> Result<Output, _> {
                panic!("{message}")
            })
        })
    }
}

/// Test-only: a task that sleeps `ms` milliseconds in 1 ms steps, checking
/// for cancellation at each step, then resolves with the slept milliseconds.
pub unsafe extern "C" fn test_sleep(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let ms = a.u32(1, "ms")?;
            let token = a.u32(2, "token")?;
            submit(env, pool, &[], token, move |_, cp| {
                let start = Instant::now();
                while start.elapsed() < Duration::from_millis(ms as u64) {
                    cp.check()?;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(Output::Text(ms.to_string()))
            })
        })
    }
}
