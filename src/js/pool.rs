//! Pool management functions: init, drain, create, stats, metrics, close,
//! cancel, progress.

use std::sync::Arc;

use napi::bindgen_prelude::{External, PromiseRaw};
use napi::{Env, Result, Unknown, ValueType};
use napi_derive::napi;

use super::{error, internal, PoolArg};
use crate::pool::completion;
use crate::pool::stats::HistogramSnapshot;
use crate::pool::{default_max_queue, default_threads, Pool};
use crate::tasks::hash::BcryptJob;
use crate::tasks::ErrorCode;

/// `init(CorepoolError, scheduleDrain)`: the class used to reject tasks in
/// this environment, and `() => setImmediate(drain)`.
#[napi(ts_args_type = "errorClass: Function, scheduleDrain: () => void")]
pub fn init(env: Env, error_class: Unknown<'_>, schedule_drain: Unknown<'_>) -> Result<()> {
    if error_class.get_type()? != ValueType::Function
        || schedule_drain.get_type()? != ValueType::Function
    {
        return Err(error(
            &env,
            ErrorCode::InvalidArgType,
            "The \"errorClass\" and \"scheduleDrain\" arguments must be of type function",
        ));
    }
    completion::set_callbacks(&env, error_class, schedule_drain).map_err(|e| internal(&env, e))
}

/// `drain()`: settles the next batch of completions (called by the
/// scheduler's `setImmediate`).
#[napi]
pub fn drain(env: Env) -> Result<()> {
    completion::drain(&env).map_err(|e| internal(&env, e))
}

/// `defaultThreads()`: the default pool's thread count (COREPOOL_THREADS or
/// the available parallelism).
#[napi(js_name = "defaultThreads")]
pub fn default_threads_fn() -> u32 {
    default_threads() as u32
}

/// `createPool` options; undefined ones keep their defaults.
#[napi(object, object_to_js = false)]
pub struct CreatePoolOptions {
    /// 0 or undefined: the default thread count.
    pub threads: Option<u32>,
    pub max_queue: Option<f64>,
    pub name: Option<String>,
    pub max_memory: Option<f64>,
    pub wipe_memory: Option<bool>,
}

/// `createPool({ threads, maxQueue, name, maxMemory, wipeMemory })`: a handle
/// to a new isolated pool.
#[napi]
pub fn create_pool(env: Env, options: CreatePoolOptions) -> Result<External<Arc<Pool>>> {
    let threads = match options.threads.unwrap_or(0) as usize {
        0 => default_threads(),
        n => n,
    };
    let max_queue = match options.max_queue {
        Some(q) => super::int(&env, "options.maxQueue", q, 0, (1 << 31) - 1)?,
        None => default_max_queue(threads),
    };
    let name = options.name.as_deref().unwrap_or("pool");
    let pool =
        Pool::new(name, threads, max_queue).map_err(|m| error(&env, ErrorCode::Internal, m))?;
    if let Some(bytes) = options.max_memory {
        pool.set_max_memory(super::int(
            &env,
            "options.maxMemory",
            bytes,
            1,
            super::resize::MAX_SAFE,
        )?);
    }
    if let Some(wipe) = options.wipe_memory {
        pool.set_wipe_memory(wipe);
    }
    Ok(External::new(pool))
}

/// Latency percentiles in milliseconds.
#[napi(object, object_from_js = false)]
pub struct Latency {
    pub count: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl From<&HistogramSnapshot> for Latency {
    fn from(h: &HistogramSnapshot) -> Self {
        let ms = |ns: u64| ns as f64 / 1e6;
        Latency {
            count: h.count as f64,
            p50: ms(h.p50_ns),
            p90: ms(h.p90_ns),
            p99: ms(h.p99_ns),
            max: ms(h.max_ns),
        }
    }
}

/// A pool's counters (`stats()`).
#[napi(object, object_from_js = false)]
pub struct Stats {
    pub name: String,
    pub threads: f64,
    pub max_queue: f64,
    pub in_flight: f64,
    pub queued: f64,
    pub running: f64,
    pub completed: f64,
    pub failed: f64,
    pub panicked: f64,
    pub cancelled: f64,
    pub rejected: f64,
    pub max_memory: f64,
    pub memory_reserved: f64,
    pub wait_time: Latency,
    pub run_time: Latency,
}

/// `stats(pool)`: counters and latency percentiles (milliseconds).
#[napi]
pub fn stats(pool: PoolArg) -> Stats {
    let s = pool.0.snapshot();
    Stats {
        name: s.name.clone(),
        threads: s.threads as f64,
        max_queue: s.max_queue as f64,
        in_flight: s.in_flight as f64,
        queued: s.queued as f64,
        running: s.running as f64,
        completed: s.completed as f64,
        failed: s.failed as f64,
        panicked: s.panicked as f64,
        cancelled: s.cancelled as f64,
        rejected: s.rejected as f64,
        max_memory: s.max_memory as f64,
        memory_reserved: s.memory_reserved as f64,
        wait_time: (&s.wait).into(),
        run_time: (&s.run).into(),
    }
}

/// `metrics(pool)`: Prometheus text exposition.
#[napi]
pub fn metrics(pool: PoolArg) -> String {
    pool.0.snapshot().to_prometheus()
}

/// `close(pool)`: stops admission; the promise resolves once nothing of the
/// pool is in flight, after which its threads exit. Idempotent.
#[napi]
pub fn close<'env>(env: &'env Env, pool: &External<Arc<Pool>>) -> Result<PromiseRaw<'env, ()>> {
    let pool = Arc::clone(pool);
    pool.close();
    let promise = completion::close_promise(env, pool).map_err(|e| internal(env, e))?;
    Ok(PromiseRaw::new(env.raw(), promise))
}

/// `cancel(token, reason)`: rejects the pending task registered under
/// `token` with `reason` and flags its kernel to stop. Returns whether a
/// pending task was found.
#[napi]
pub fn cancel(env: Env, token: u32, reason: Unknown<'_>) -> Result<bool> {
    completion::cancel(&env, token, reason).map_err(|e| internal(&env, e))
}

/// `progress(token)`: the fraction (0..1) of its rounds that the pending
/// task registered under `token` has done, or `undefined` (no such pending
/// task, or one that reports no progress). Reads a counter the kernel
/// updates at its checkpoints; nothing calls into JS from the pool.
#[napi]
pub fn progress(env: Env, token: u32) -> Result<Option<f64>> {
    let local = completion::env_local(&env).map_err(|e| internal(&env, e))?;
    Ok(local
        .progress(token)
        .map(|n| f64::from(n) / f64::from(BcryptJob::PROGRESS_ONE)))
}
