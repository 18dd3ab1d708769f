//! `digest(pool, data, algorithm, token)` and the test-only kernels.

use std::time::{Duration, Instant};

use napi::sys;

use super::{call, pool_arg, submit, Thrown};
use crate::pool::Output;
use crate::tasks::digest::{digest as digest_kernel, Algorithm};

/// `digest(pool, data, algorithm, token)` → Promise<Buffer>.
pub unsafe extern "C" fn digest(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let algo = Algorithm::from_name(&a.string(2, "algorithm")?)
                .map_err(|e| Thrown::Other("ERR_INVALID_ARG_VALUE", e.message))?;
            let token = a.u32(3, "token")?;
            submit(env, pool, &[a.get(1)], token, move |inputs, cp| {
                digest_kernel(inputs.get(0), algo, cp).map(Output::Bytes)
            })
        })
    }
}

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
