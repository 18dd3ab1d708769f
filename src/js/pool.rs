//! Pool management functions: create, stats, metrics, close, cancel, and the
//! environment's error class.

use std::ffi::c_void;
use std::ptr;
use std::sync::Arc;

use napi::sys;

use super::{call, pool_arg, undefined, Args, Thrown};
use crate::pool::completion::{js_string, output_to_js, EnvLocal, NapiFailure};
use crate::pool::output::Value;
use crate::pool::stats::HistogramSnapshot;
use crate::pool::{default_max_queue, default_threads, Output, Pool};
use crate::tasks::hash::BcryptJob;

/// `init(CorepoolError, scheduleDrain)`: the class used to reject tasks in
/// this environment, and `() => setImmediate(drain)`.
pub unsafe extern "C" fn init(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            if a.type_of(0) != sys::ValueType::napi_function
                || a.type_of(1) != sys::ValueType::napi_function
            {
                return Err(Thrown::Type(
                    "init expects the CorepoolError class and a scheduler".into(),
                ));
            }
            EnvLocal::get(env)?.set_callbacks(env, a.get(0), a.get(1))?;
            Ok(undefined(env))
        })
    }
}

/// `drain()`: settles the next batch of completions (called by the
/// scheduler's `setImmediate`).
pub unsafe extern "C" fn drain(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |_| {
            EnvLocal::get(env)?.run_scheduled_drain(env);
            Ok(undefined(env))
        })
    }
}

/// `defaultThreads()`: the default pool's thread count (COREPOOL_THREADS or
/// the available parallelism).
pub unsafe extern "C" fn default_threads_fn(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe { call(env, info, |_| number(env, default_threads() as f64)) }
}

unsafe extern "C" fn drop_pool(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the Box<Arc<Pool>> leaked by `create_pool`; called once.
    drop(unsafe { Box::from_raw(data as *mut Arc<Pool>) });
}

/// `createPool(threads, maxQueue, name, maxMemory?, wipeMemory?)`: a handle
/// to a new isolated pool. `threads`/`maxQueue` of 0 mean the defaults;
/// `maxMemory`/`wipeMemory` left undefined keep theirs.
pub unsafe extern "C" fn create_pool(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let threads = match a.u32(0, "threads")? as usize {
                0 => default_threads(),
                n => n,
            };
            let max_queue = match a.type_of(1) {
                sys::ValueType::napi_number => {
                    a.f64(1, "maxQueue")?.clamp(0.0, (usize::MAX / 2) as f64) as usize
                }
                _ => default_max_queue(threads),
            };
            let name = a.string(2, "name")?;
            let pool = Pool::new(&name, threads, max_queue)
                .map_err(|m| Thrown::Other("ERR_INTERNAL", m))?;
            if a.type_of(3) == sys::ValueType::napi_number {
                pool.set_max_memory(a.f64(3, "maxMemory")?.max(0.0) as u64);
            }
            if a.type_of(4) == sys::ValueType::napi_boolean {
                pool.set_wipe_memory(a.bool(4));
            }
            let data = Box::into_raw(Box::new(pool));
            let mut v = ptr::null_mut();
            let s = sys::napi_create_external(
                env,
                data.cast(),
                Some(drop_pool),
                ptr::null_mut(),
                &mut v,
            );
            if s != sys::Status::napi_ok {
                drop(Box::from_raw(data));
                return Err(NapiFailure("napi_create_external").into());
            }
            Ok(v)
        })
    }
}

/// A JS number.
///
/// # Safety
/// On the JS thread of `env`.
unsafe fn number(env: sys::napi_env, n: f64) -> Result<sys::napi_value, Thrown> {
    let mut v = ptr::null_mut();
    // SAFETY: JS thread.
    unsafe { sys::napi_create_double(env, n, &mut v) };
    Ok(v)
}

fn latency(h: &HistogramSnapshot) -> Value {
    let ms = |ns: u64| Value::Number(ns as f64 / 1e6);
    Value::Object(vec![
        ("count", Value::Number(h.count as f64)),
        ("p50", ms(h.p50_ns)),
        ("p90", ms(h.p90_ns)),
        ("p99", ms(h.p99_ns)),
        ("max", ms(h.max_ns)),
    ])
}

/// `stats(pool)`: counters and latency percentiles (milliseconds).
pub unsafe extern "C" fn stats(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let s = pool_arg(a, 0)?.snapshot();
            let n = |x: f64| Value::Number(x);
            let obj = Output::Object(vec![
                ("name", Value::Text(s.name.clone())),
                ("threads", n(s.threads as f64)),
                ("maxQueue", n(s.max_queue as f64)),
                ("inFlight", n(s.in_flight as f64)),
                ("queued", n(s.queued as f64)),
                ("running", n(s.running as f64)),
                ("completed", n(s.completed as f64)),
                ("failed", n(s.failed as f64)),
                ("panicked", n(s.panicked as f64)),
                ("cancelled", n(s.cancelled as f64)),
                ("rejected", n(s.rejected as f64)),
                ("maxMemory", n(s.max_memory as f64)),
                ("memoryReserved", n(s.memory_reserved as f64)),
                ("waitTime", latency(&s.wait)),
                ("runTime", latency(&s.run)),
            ]);
            Ok(output_to_js(env, obj)?)
        })
    }
}

/// `metrics(pool)`: Prometheus text exposition.
pub unsafe extern "C" fn metrics(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            Ok(js_string(env, &pool_arg(a, 0)?.snapshot().to_prometheus())?)
        })
    }
}

/// `close(pool)`: stops admission; the promise resolves once nothing of the
/// pool is in flight, after which its threads exit. Idempotent.
pub unsafe extern "C" fn close(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a: &Args| {
            if a.type_of(0) != sys::ValueType::napi_external {
                return Err(Thrown::Type("close expects a pool handle".into()));
            }
            let pool = pool_arg(a, 0)?;
            pool.close();
            let mut deferred = ptr::null_mut();
            let mut promise = ptr::null_mut();
            if sys::napi_create_promise(env, &mut deferred, &mut promise) != sys::Status::napi_ok {
                return Err(NapiFailure("napi_create_promise").into());
            }
            EnvLocal::get(env)?.wait_idle(env, pool, deferred);
            Ok(promise)
        })
    }
}

/// `cancel(token, reason)`: rejects the pending task registered under
/// `token` with `reason` and flags its kernel to stop. Returns whether a
/// pending task was found.
pub unsafe extern "C" fn cancel(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let token = a.u32(0, "token")?;
            let found = EnvLocal::get(env)?.cancel(env, token, a.get(1));
            Ok(output_to_js(env, Output::Bool(found))?)
        })
    }
}

/// `progress(token)`: the fraction (0..1) of its rounds that the pending
/// task registered under `token` has done, or `undefined` (no such pending
/// task, or one that reports no progress). Reads a counter the kernel
/// updates at its checkpoints; nothing calls into JS from the pool.
pub unsafe extern "C" fn progress(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: N-API callback on the JS thread.
    unsafe {
        call(env, info, |a| {
            let token = a.u32(0, "token")?;
            match EnvLocal::get(env)?.progress(token) {
                Some(n) => number(env, f64::from(n) / f64::from(BcryptJob::PROGRESS_ONE)),
                None => Ok(undefined(env)),
            }
        })
    }
}
