//! `digest(pool, data, algorithm, token)` and the test-only kernels.

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
