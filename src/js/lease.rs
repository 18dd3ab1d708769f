//! The JS worker lane's native half: shared admission and run-slot leases
//! (see pool/lease.rs for the protocol).

use napi::bindgen_prelude::PromiseRaw;
use napi::{Env, Result};
use napi_derive::napi;

use super::{internal, PoolArg};
use crate::pool::completion;
use crate::pool::AdmitError;

/// `admitJs(pool, n)` → 0 (admitted), 1 (queue full) or 2 (closed).
#[napi]
pub fn admit_js(pool: PoolArg, n: u32) -> u32 {
    match pool.0.admit_js(n as usize) {
        Ok(()) => 0,
        Err(AdmitError::QueueFull) => 1,
        Err(AdmitError::Closed) => 2,
    }
}

/// `releaseJs(pool, n)`: gives back the admission of `n` settled JS tasks.
#[napi]
pub fn release_js(pool: PoolArg, n: u32) {
    pool.0.release_js(n as usize);
}

/// `lease(pool, id, waitedMs)` → Promise<true>, settled when a pool thread is
/// held for the JS lane under `id` (until `unlease(pool, id)`). `waitedMs`:
/// how long the oldest JS task it will serve has been waiting.
#[napi]
pub fn lease<'env>(
    env: &'env Env,
    pool: PoolArg,
    id: u32,
    waited_ms: Option<f64>,
) -> Result<PromiseRaw<'env, bool>> {
    let waited = waited_ms.unwrap_or(0.0).clamp(0.0, 86_400_000.0);
    let waited = std::time::Duration::from_secs_f64(waited / 1000.0);
    let pool = pool.0;
    let promise = completion::lease_promise(env, &pool, |shared, slot| {
        pool.spawn_lease(shared, slot, id, waited)
    })
    .map_err(|e| internal(env, e))?;
    Ok(PromiseRaw::new(env.raw(), promise))
}

/// `leaseNow(pool, id)` → true when a run slot was free and is now held for
/// the JS lane under `id` (until `unlease(pool, id)`); false, and nothing
/// happened, when none is (then `lease`).
#[napi]
pub fn lease_now(env: &Env, pool: PoolArg, id: u32) -> Result<bool> {
    completion::lease_now(env, &pool.0, id).map_err(|e| internal(env, e))
}

/// `unlease(pool, id)`: gives back what the lease `id` holds (a run slot,
/// or a pool thread).
#[napi]
pub fn unlease(env: &Env, pool: PoolArg, id: u32) -> Result<()> {
    completion::unlease(env, &pool.0, id).map_err(|e| internal(env, e))
}

/// `leasesParked(pool)`: pool threads currently lent to the JS lane.
#[napi]
pub fn leases_parked(pool: PoolArg) -> u32 {
    pool.0.leases_parked() as u32
}

/// `nativeQueued(pool)`: native tasks waiting for a pool thread.
#[napi]
pub fn native_queued(pool: PoolArg) -> u32 {
    pool.0.native_queued() as u32
}

/// `nativeRunning(pool)`: native tasks running on pool threads now.
#[napi]
pub fn native_running(pool: PoolArg) -> u32 {
    pool.0.native_running() as u32
}
