//! The JS worker lane's native half: shared admission and run-slot leases
//! (see pool/lease.rs for the protocol).

use std::ptr;

use napi::sys;

use super::{call, pool_arg, undefined, Thrown};
use crate::pool::completion::{EnvLocal, NapiFailure};
use crate::pool::AdmitError;

/// `admitJs(pool, n)` → 0 (admitted), 1 (queue full) or 2 (closed).
pub unsafe extern "C" fn admit_js(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let n = a.u32(1, "n")? as usize;
            let code = match pool.admit_js(n) {
                Ok(()) => 0,
                Err(AdmitError::QueueFull) => 1,
                Err(AdmitError::Closed) => 2,
            };
            let mut v = ptr::null_mut();
            sys::napi_create_uint32(env, code, &mut v);
            Ok(v)
        })
    }
}

/// `releaseJs(pool, n)`: gives back the admission of `n` settled JS tasks.
pub unsafe extern "C" fn release_js(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            pool_arg(a, 0)?.release_js(a.u32(1, "n")? as usize);
            Ok(undefined(env))
        })
    }
}

/// `lease(pool, id, waitedMs)` → Promise<true>, settled when a pool thread is
/// held for the JS lane under `id` (until `unlease(pool, id)`). `waitedMs`:
/// how long the oldest JS task it will serve has been waiting.
pub unsafe extern "C" fn lease(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let pool = pool_arg(a, 0)?;
            let id = a.u32(1, "id")?;
            let waited = a.f64(2, "waitedMs").unwrap_or(0.0).clamp(0.0, 86_400_000.0);
            let waited = std::time::Duration::from_secs_f64(waited / 1000.0);
            let local = EnvLocal::get(env)?;
            let mut deferred = ptr::null_mut();
            let mut promise = ptr::null_mut();
            if sys::napi_create_promise(env, &mut deferred, &mut promise) != sys::Status::napi_ok {
                return Err::<sys::napi_value, Thrown>(NapiFailure("napi_create_promise").into());
            }
            let slot = local.insert_lease(env, deferred, pool.clone());
            pool.spawn_lease(local.shared().clone(), slot, id, waited);
            Ok(promise)
        })
    }
}

/// `unlease(pool, id)`: gives the pool thread held under `id` back.
pub unsafe extern "C" fn unlease(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            pool_arg(a, 0)?.unlease(a.u32(1, "id")?);
            Ok(undefined(env))
        })
    }
}

/// `leasesParked(pool)`: pool threads currently lent to the JS lane.
pub unsafe extern "C" fn leases_parked(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let n = pool_arg(a, 0)?.leases_parked();
            let mut v = ptr::null_mut();
            sys::napi_create_uint32(env, n as u32, &mut v);
            Ok(v)
        })
    }
}

/// `nativeQueued(pool)`: native tasks waiting for a pool thread.
pub unsafe extern "C" fn native_queued(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let n = pool_arg(a, 0)?.native_queued();
            let mut v = ptr::null_mut();
            sys::napi_create_uint32(env, n as u32, &mut v);
            Ok(v)
        })
    }
}
