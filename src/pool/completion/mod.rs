//! Completion: from pool threads back to the JS thread of one environment.
//!
//! Each JS environment (the main thread, each worker_thread) that submits
//! work gets, lazily, one [`EnvLocal`] (JS-thread state, kept as the
//! environment's instance data) and one [`EnvShared`] (shared with jobs).
//!
//! ## Protocol
//! - A finished job pushes `(slot, result)` onto `EnvShared::queue`. Only when
//!   the queue goes from empty to non-empty does it call the environment's ONE
//!   threadsafe function (raw N-API, no JS function, nonblocking). No
//!   threadsafe function, async work or uv handle is created per task.
//! - The threadsafe function's callback (JS thread) settles up to
//!   [`DRAIN_BATCH`] completions at once (the latency path), then marks the
//!   event-loop turn by scheduling one drain with `setImmediate` (a JS
//!   function given to `init`). Node dispatches up to 1000 threadsafe calls
//!   per libuv callback, so without that mark a saturated pipeline
//!   (completions arriving while promises settle and their handlers submit
//!   more) would settle batch after batch and starve timers and I/O for
//!   hundreds of milliseconds. While the mark is pending, wake-ups settle
//!   nothing; the immediate settles the next batch in the check phase and
//!   schedules another if more remain. So at most two batches are settled per
//!   event-loop iteration. Each promise is resolved with the converted output,
//!   or rejected with a `CorepoolError` carrying the stable code.
//! - The threadsafe function is ref'd while any task of this environment is
//!   pending (so top-level `await` keeps the process alive) and unref'd when
//!   none is (so an idle process exits).
//!
//! ## Teardown (worker.terminate(), natural exit)
//! Jobs read JS memory in place, and a terminated worker frees that memory.
//! Every job therefore runs inside the environment's *gate*: it enters
//! (`active += 1`) only while `closing` is false, and leaves after it has
//! pushed its completion. The environment cleanup hook, registered after the
//! threadsafe function so that it runs before Node closes it (hooks run
//! LIFO), sets `closing` (which kernels also poll at their checkpoints) and
//! waits on a condvar until `active == 0`. After that no job touches the
//! environment's memory or its threadsafe function. Jobs still queued in the
//! pool skip their kernel when they start.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use napi::{sys, Env, JsValue, Unknown};

use super::input::{Input, Inputs};
use super::output::Output;
use super::Pool;

mod calls;
use crate::tasks::TaskError;
pub use calls::*;

/// Most completions settled per wake-up before yielding to the event loop.
pub const DRAIN_BATCH: usize = 1024;

/// A finished task on its way back to JS.
pub struct Completion {
    /// The task's slot in [`EnvLocal`]'s pending table.
    pub slot: u32,
    /// What the kernel returned.
    pub result: Result<Output, TaskError>,
}

struct Gate {
    closing: bool,
    active: usize,
}

/// The raw threadsafe function handle. N-API documents
/// `napi_call_threadsafe_function` as callable from any thread.
struct Tsfn(sys::napi_threadsafe_function);
// SAFETY: the handle is an opaque pointer that N-API allows to be used from
// any thread for napi_call_threadsafe_function; all other uses (ref/unref)
// happen on the environment's JS thread.
unsafe impl Send for Tsfn {}
// SAFETY: as above; the handle itself is never mutated after creation.
unsafe impl Sync for Tsfn {}

/// Environment state shared between the JS thread and pool threads.
pub struct EnvShared {
    gate: Mutex<Gate>,
    gate_cv: Condvar,
    closing: AtomicBool,
    queue: Mutex<Vec<Completion>>,
    tsfn: Tsfn,
}

/// Proof that a job is inside the gate; leaving happens on drop.
pub struct Entered<'a>(&'a EnvShared);

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// [`Entered`] that owns its reference to the environment (for jobs that
/// hold several environments' gates at once).
pub struct EnteredOwned(Arc<EnvShared>);

impl EnteredOwned {
    /// The environment whose gate this holds.
    pub fn env(&self) -> &EnvShared {
        &self.0
    }
}

impl Drop for EnteredOwned {
    fn drop(&mut self) {
        self.0.leave();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl EnvShared {
    /// Enters the gate, unless the environment is closing.
    pub fn enter(&self) -> Option<Entered<'_>> {
        let mut g = lock(&self.gate);
        if g.closing {
            return None;
        }
        g.active += 1;
        Some(Entered(self))
    }

    /// [`EnvShared::enter`] with an owned guard.
    pub fn enter_owned(this: &Arc<Self>) -> Option<EnteredOwned> {
        std::mem::forget(this.enter()?);
        Some(EnteredOwned(Arc::clone(this)))
    }

    fn leave(&self) {
        let mut g = lock(&self.gate);
        g.active -= 1;
        if g.closing && g.active == 0 {
            self.gate_cv.notify_all();
        }
    }

    /// Set once the environment starts tearing down.
    pub fn closing_flag(&self) -> &AtomicBool {
        &self.closing
    }

    /// Queues a completion and wakes the JS thread if the queue was empty.
    /// Must be called inside the gate (the threadsafe function is alive then).
    pub fn complete(&self, c: Completion) {
        let was_empty = {
            let mut q = lock(&self.queue);
            let was_empty = q.is_empty();
            q.push(c);
            was_empty
        };
        if was_empty {
            // False only in teardown: the completion then dies with the
            // environment (`finalize_local` gives its admission back).
            self.wake();
        }
    }

    /// Wakes the JS thread; false when the environment is tearing down.
    fn wake(&self) -> bool {
        // The threadsafe function lives until the environment's teardown,
        // and callers are inside the gate (or on the JS thread), which the
        // cleanup hook waits for before teardown proceeds. Nonblocking with an
        // unbounded queue never blocks; napi_closing only comes in teardown.
        // SAFETY: per the above, the handle is valid for this call.
        let status = unsafe {
            sys::napi_call_threadsafe_function(
                self.tsfn.0,
                ptr::null_mut(),
                sys::ThreadsafeFunctionCallMode::nonblocking,
            )
        };
        teardown_only(status);
        status == sys::Status::napi_ok
    }
}

/// A task waiting to be settled.
struct Pending {
    /// None once the promise was rejected by abort/timeout (the job may still
    /// be reading its inputs, so refs are kept until it completes).
    deferred: Option<sys::napi_deferred>,
    refs: Vec<sys::napi_ref>,
    pool: Arc<Pool>,
    token: u32,
    cancel: Option<Arc<AtomicBool>>,
    /// A lease grant (lease.rs): not admitted, not counted as a task.
    lease: bool,
    /// The kernel's progress counter, for tasks that report progress.
    progress: Option<Arc<AtomicU32>>,
}

/// JS-thread state of one environment. Only ever touched on that thread.
pub struct EnvLocal {
    shared: Arc<EnvShared>,
    slots: RefCell<Vec<Option<Pending>>>,
    free: RefCell<Vec<u32>>,
    live: Cell<usize>,
    tokens: RefCell<HashMap<u32, u32>>,
    refed: Cell<bool>,
    error_ctor: Cell<sys::napi_ref>,
    /// `() => setImmediate(native.drain)`, given to `init`.
    schedule: Cell<sys::napi_ref>,
    /// A drain is scheduled and has not run yet.
    drain_scheduled: Cell<bool>,
    close_waiters: RefCell<Vec<(Arc<Pool>, sys::napi_deferred)>>,
    /// Leases granted at once (pool/lease.rs) that this environment holds,
    /// by pool and lease id: given back at its teardown if the lane could not.
    leases_now: RefCell<Vec<(Arc<Pool>, u32)>>,
}

/// A N-API call failed; the message says which.
#[derive(Debug)]
pub struct NapiFailure(pub &'static str);

fn check(status: sys::napi_status, what: &'static str) -> Result<(), NapiFailure> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(NapiFailure(what))
    }
}

/// Checks the status of a call whose result nothing can act on (settling,
/// unreferencing, waking): N-API fails those only while the environment
/// tears down (the isolate refuses JS, the threadsafe function is closing),
/// when the promises and references go with it. Any other failure is a bug:
/// debug builds (the tests) assert on it.
fn teardown_only(status: sys::napi_status) {
    debug_assert!(
        matches!(
            status,
            sys::Status::napi_ok
                | sys::Status::napi_closing
                | sys::Status::napi_pending_exception
                | sys::Status::napi_cannot_run_js
        ),
        "N-API call failed with status {status}"
    );
}

impl EnvLocal {
    /// This environment's state, created on first use.
    ///
    /// # Safety
    /// `env` must be the current environment, called on its JS thread.
    pub unsafe fn get(env: sys::napi_env) -> Result<&'static EnvLocal, NapiFailure> {
        let mut data: *mut c_void = ptr::null_mut();
        // SAFETY: plain N-API call on the JS thread.
        check(
            unsafe { sys::napi_get_instance_data(env, &mut data) },
            "napi_get_instance_data",
        )?;
        if !data.is_null() {
            // SAFETY: the only instance data this addon sets is a leaked
            // Box<EnvLocal>, freed by `finalize_local` at env teardown, after
            // which no call into this env happens.
            return Ok(unsafe { &*(data as *const EnvLocal) });
        }
        // SAFETY: same preconditions as this function.
        unsafe { Self::create(env) }
    }

    /// # Safety
    /// As [`EnvLocal::get`], and no instance data is set yet.
    unsafe fn create(env: sys::napi_env) -> Result<&'static EnvLocal, NapiFailure> {
        // Threads that outlive this environment must not see the library
        // unloaded under them.
        napi::bindgen_prelude::retain_current_module_for_unload_safety();

        let mut tsfn = ptr::null_mut();
        let local_ptr: *mut EnvLocal = Box::into_raw(Box::new(EnvLocal {
            shared: Arc::new(EnvShared {
                gate: Mutex::new(Gate {
                    closing: false,
                    active: 0,
                }),
                gate_cv: Condvar::new(),
                closing: AtomicBool::new(false),
                queue: Mutex::new(Vec::new()),
                tsfn: Tsfn(ptr::null_mut()),
            }),
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            live: Cell::new(0),
            tokens: RefCell::new(HashMap::new()),
            refed: Cell::new(false),
            error_ctor: Cell::new(ptr::null_mut()),
            schedule: Cell::new(ptr::null_mut()),
            drain_scheduled: Cell::new(false),
            close_waiters: RefCell::new(Vec::new()),
            leases_now: RefCell::new(Vec::new()),
        }));
        // SAFETY: N-API calls on the JS thread; `local_ptr` is a valid leaked
        // box used as the TSFN context (read only on this thread) and as the
        // instance data (freed by `finalize_local` at teardown).
        unsafe {
            let name = js_string(env, "corepool")?;
            check(
                sys::napi_create_threadsafe_function(
                    env,
                    ptr::null_mut(),
                    ptr::null_mut(),
                    name,
                    0,
                    1,
                    ptr::null_mut(),
                    None,
                    local_ptr.cast(),
                    Some(drain_cb),
                    &mut tsfn,
                ),
                "napi_create_threadsafe_function",
            )?;
            check(
                sys::napi_unref_threadsafe_function(env, tsfn),
                "napi_unref_threadsafe_function",
            )?;
            // The Arc was just created and not yet shared: set the handle.
            let shared = Arc::get_mut(&mut (*local_ptr).shared).expect("fresh Arc");
            shared.tsfn = Tsfn(tsfn);
            let hook_arg = Arc::into_raw(Arc::clone(&(*local_ptr).shared));
            // Registered after the TSFN so it runs before Node closes it.
            check(
                sys::napi_add_env_cleanup_hook(env, Some(cleanup_hook), hook_arg as *mut c_void),
                "napi_add_env_cleanup_hook",
            )?;
            check(
                sys::napi_set_instance_data(
                    env,
                    local_ptr.cast(),
                    Some(finalize_local),
                    ptr::null_mut(),
                ),
                "napi_set_instance_data",
            )?;
            Ok(&*local_ptr)
        }
    }

    /// The state shared with this environment's jobs.
    pub fn shared(&self) -> &Arc<EnvShared> {
        &self.shared
    }

    /// Remembers the class used for rejections (`CorepoolError`) and the
    /// function that schedules a drain (`() => setImmediate(drain)`).
    ///
    /// # Safety
    /// On the JS thread of `env`; both values of that env.
    pub unsafe fn set_callbacks(
        &self,
        env: sys::napi_env,
        error_ctor: sys::napi_value,
        schedule: sys::napi_value,
    ) -> Result<(), NapiFailure> {
        // SAFETY: per the function's contract.
        unsafe {
            replace_ref(env, &self.error_ctor, error_ctor)?;
            replace_ref(env, &self.schedule, schedule)
        }
    }

    /// Asks for a drain on the next check phase (once). Returns false when
    /// there is no working scheduler (init not called, or the call failed
    /// during teardown).
    ///
    /// # Safety
    /// On the JS thread of `env`.
    unsafe fn schedule_drain(&self, env: sys::napi_env) -> bool {
        if self.drain_scheduled.get() {
            return true;
        }
        let r = self.schedule.get();
        // SAFETY: JS thread; `r` is a live reference to a function.
        unsafe {
            if !r.is_null() {
                let mut f = ptr::null_mut();
                let mut global = ptr::null_mut();
                let mut result = ptr::null_mut();
                if check(sys::napi_get_reference_value(env, r, &mut f), "").is_ok()
                    && !f.is_null()
                    && check(sys::napi_get_global(env, &mut global), "").is_ok()
                    && sys::napi_call_function(env, global, f, 0, ptr::null(), &mut result)
                        == sys::Status::napi_ok
                {
                    self.drain_scheduled.set(true);
                    return true;
                }
            }
        }
        false
    }

    /// The threadsafe function's callback: settles one batch now, unless a
    /// batch was already settled in this event-loop turn, and marks the turn.
    ///
    /// # Safety
    /// On the JS thread of `env`.
    unsafe fn on_wake(&self, env: sys::napi_env) {
        if self.drain_scheduled.get() {
            // The scheduled drain (check phase) takes what is queued.
            return;
        }
        // SAFETY: per the function's contract.
        unsafe {
            self.drain(env);
            // Mark the turn (without a scheduler there is no mark, and each
            // wake-up settles a batch).
            self.schedule_drain(env);
        }
    }

    /// Runs a scheduled drain (the `setImmediate` callback).
    ///
    /// # Safety
    /// On the JS thread of `env`.
    pub unsafe fn run_scheduled_drain(&self, env: sys::napi_env) {
        self.drain_scheduled.set(false);
        // SAFETY: per the function's contract.
        unsafe { self.drain(env) };
    }

    /// Records a pending task and returns its slot. Refs the TSFN when this
    /// is the first pending task.
    ///
    /// # Safety
    /// On the JS thread of `env`.
    pub unsafe fn insert(
        &self,
        env: sys::napi_env,
        deferred: sys::napi_deferred,
        refs: Vec<sys::napi_ref>,
        pool: Arc<Pool>,
        token: u32,
        cancel: Option<Arc<AtomicBool>>,
    ) -> u32 {
        let p = Pending {
            deferred: Some(deferred),
            refs,
            pool,
            token,
            cancel,
            lease: false,
            progress: None,
        };
        // SAFETY: per the function's contract.
        unsafe { self.insert_pending(env, p) }
    }

    /// Grants the lease `id` of `pool` at once if a run slot is free
    /// (pool/lease.rs), and remembers it until [`EnvLocal::unlease`].
    pub fn lease_now(&self, pool: &Arc<Pool>, id: u32) -> bool {
        if !pool.lease_now() {
            return false;
        }
        self.leases_now.borrow_mut().push((Arc::clone(pool), id));
        true
    }

    /// Gives back the lease `id` of `pool`: its run slot if it was granted
    /// at once, else the pool thread parked for it.
    pub fn unlease(&self, pool: &Arc<Pool>, id: u32) {
        let mut now = self.leases_now.borrow_mut();
        match now
            .iter()
            .position(|(p, x)| *x == id && Arc::ptr_eq(p, pool))
        {
            Some(i) => {
                now.swap_remove(i);
                drop(now);
                pool.end_lease_now();
            }
            None => {
                drop(now);
                pool.unlease(id);
            }
        }
    }

    /// Records a pending lease grant (lease.rs) and returns its slot.
    ///
    /// # Safety
    /// On the JS thread of `env`.
    pub unsafe fn insert_lease(
        &self,
        env: sys::napi_env,
        deferred: sys::napi_deferred,
        pool: Arc<Pool>,
    ) -> u32 {
        let p = Pending {
            deferred: Some(deferred),
            refs: Vec::new(),
            pool,
            token: 0,
            cancel: None,
            lease: true,
            progress: None,
        };
        // SAFETY: per the function's contract.
        unsafe { self.insert_pending(env, p) }
    }

    /// # Safety
    /// On the JS thread of `env`.
    unsafe fn insert_pending(&self, env: sys::napi_env, p: Pending) -> u32 {
        let token = p.token;
        let mut slots = self.slots.borrow_mut();
        let slot = match self.free.borrow_mut().pop() {
            Some(i) => {
                slots[i as usize] = Some(p);
                i
            }
            None => {
                slots.push(Some(p));
                (slots.len() - 1) as u32
            }
        };
        if token != 0 {
            self.tokens.borrow_mut().insert(token, slot);
        }
        self.live.set(self.live.get() + 1);
        // SAFETY: JS thread, live TSFN. Should it fail, the next task retries.
        if !self.refed.get()
            && unsafe { sys::napi_ref_threadsafe_function(env, self.shared.tsfn.0) }
                == sys::Status::napi_ok
        {
            self.refed.set(true);
        }
        slot
    }

    /// Attaches the kernel's progress counter to the pending task in `slot`
    /// (before it is spawned).
    pub fn set_progress(&self, slot: u32, counter: Arc<AtomicU32>) {
        if let Some(Some(p)) = self.slots.borrow_mut().get_mut(slot as usize) {
            p.progress = Some(counter);
        }
    }

    /// The progress counter's value of the pending task registered under
    /// `token`, or None if there is no such task or it reports no progress.
    pub fn progress(&self, token: u32) -> Option<u32> {
        let slot = *self.tokens.borrow().get(&token)?;
        let slots = self.slots.borrow();
        let p = slots.get(slot as usize)?.as_ref()?;
        p.progress.as_ref().map(|c| c.load(Ordering::Relaxed))
    }

    /// Rejects the task registered under `token` with `reason` and asks its
    /// kernel to stop. Returns false if no such task is pending.
    ///
    /// # Safety
    /// On the JS thread of `env`; `reason` a value of that env.
    pub unsafe fn cancel(&self, env: sys::napi_env, token: u32, reason: sys::napi_value) -> bool {
        let Some(slot) = self.tokens.borrow_mut().remove(&token) else {
            return false;
        };
        let mut slots = self.slots.borrow_mut();
        let Some(p) = slots.get_mut(slot as usize).and_then(Option::as_mut) else {
            return false;
        };
        if let Some(flag) = &p.cancel {
            flag.store(true, Ordering::Relaxed);
        }
        match p.deferred.take() {
            Some(d) => {
                // SAFETY: per the function's contract; `d` not yet settled.
                let status = unsafe { sys::napi_reject_deferred(env, d, reason) };
                teardown_only(status);
                p.pool.count_cancelled();
                status == sys::Status::napi_ok
            }
            None => false,
        }
    }

    /// Registers a `close()` promise for `pool`, settled when nothing of that
    /// pool is in flight.
    ///
    /// # Safety
    /// On the JS thread of `env`.
    pub unsafe fn wait_idle(
        &self,
        env: sys::napi_env,
        pool: Arc<Pool>,
        deferred: sys::napi_deferred,
    ) {
        self.close_waiters.borrow_mut().push((pool, deferred));
        // SAFETY: per the function's contract.
        unsafe { self.settle_close_waiters(env) };
    }

    /// # Safety
    /// On the JS thread of `env`.
    unsafe fn settle_close_waiters(&self, env: sys::napi_env) {
        let ready: Vec<_> = {
            let mut w = self.close_waiters.borrow_mut();
            if w.is_empty() {
                return;
            }
            let (ready, waiting) = w.drain(..).partition(|(p, _)| p.in_flight() == 0);
            *w = waiting;
            ready
        };
        for (pool, d) in ready {
            pool.shutdown_threads();
            let mut undef = ptr::null_mut();
            // SAFETY: JS thread; `d` is an unsettled deferred of this env.
            unsafe {
                teardown_only(sys::napi_get_undefined(env, &mut undef));
                teardown_only(sys::napi_resolve_deferred(env, d, undef));
            }
        }
    }

    /// Settles up to [`DRAIN_BATCH`] completions.
    ///
    /// # Safety
    /// On the JS thread of `env` (its threadsafe function's callback).
    unsafe fn drain(&self, env: sys::napi_env) {
        let (batch, more) = {
            let mut q = lock(&self.shared.queue);
            if q.len() <= DRAIN_BATCH {
                (std::mem::take(&mut *q), false)
            } else {
                (q.drain(..DRAIN_BATCH).collect::<Vec<_>>(), true)
            }
        };
        for c in batch {
            // SAFETY: JS thread of `env` (we are in its TSFN callback).
            unsafe { self.settle(env, c) };
        }
        // SAFETY: JS thread, live TSFN. Should it fail, the next drain retries.
        if self.live.get() == 0
            && self.refed.get()
            && unsafe { sys::napi_unref_threadsafe_function(env, self.shared.tsfn.0) }
                == sys::Status::napi_ok
        {
            self.refed.set(false);
        }
        // SAFETY: JS thread.
        unsafe {
            self.settle_close_waiters(env);
            if more && !self.schedule_drain(env) {
                // No scheduler: the rest comes with the next wake-up.
                self.shared.wake();
            }
        }
    }

    /// Settles one task and releases what it held.
    ///
    /// # Safety
    /// On the JS thread of `env`.
    unsafe fn settle(&self, env: sys::napi_env, c: Completion) {
        let Some(p) = self
            .slots
            .borrow_mut()
            .get_mut(c.slot as usize)
            .and_then(Option::take)
        else {
            return;
        };
        self.free.borrow_mut().push(c.slot);
        self.live.set(self.live.get() - 1);
        if p.token != 0 {
            let mut t = self.tokens.borrow_mut();
            if t.get(&p.token) == Some(&c.slot) {
                t.remove(&p.token);
            }
        }
        for r in &p.refs {
            // SAFETY: refs created by this env for this task; the job is done.
            teardown_only(unsafe { sys::napi_delete_reference(env, *r) });
        }
        if !p.lease {
            p.pool.release();
        }
        let Some(d) = p.deferred else { return };
        // SAFETY: JS thread; `d` is unsettled.
        unsafe {
            let ok = c.result.is_ok();
            let settled = match c.result {
                Ok(out) => out
                    .into_js(&Env::from_raw(env))
                    .ok()
                    .map(|v| sys::napi_resolve_deferred(env, d, v)),
                Err(e) => self
                    .error_to_js(env, e.code.as_str(), &e.message)
                    .ok()
                    .map(|v| sys::napi_reject_deferred(env, d, v)),
            } == Some(sys::Status::napi_ok);
            if !p.lease {
                p.pool.count_settled(ok && settled);
            }
            if !settled {
                // Conversion failed (out of memory in V8, or a pending
                // exception): reject with whatever can still be made.
                let mut err = ptr::null_mut();
                let text = "corepool: could not convert the task's result to a JS value";
                let made = js_string(env, text).and_then(|msg| {
                    let s = sys::napi_create_error(env, ptr::null_mut(), msg, &mut err);
                    check(s, "napi_create_error")
                });
                if made.is_ok() {
                    teardown_only(sys::napi_reject_deferred(env, d, err));
                }
            }
        }
    }

    /// A `CorepoolError` (or a plain Error if the class was never set) with
    /// `message` and `code`.
    ///
    /// # Safety
    /// On the JS thread of `env`.
    pub unsafe fn error_to_js(
        &self,
        env: sys::napi_env,
        code: &str,
        message: &str,
    ) -> Result<sys::napi_value, NapiFailure> {
        // SAFETY: JS thread per the contract.
        unsafe {
            let msg = js_string(env, message)?;
            let code_v = js_string(env, code)?;
            let ctor_ref = self.error_ctor.get();
            let mut err = ptr::null_mut();
            if !ctor_ref.is_null() {
                let mut ctor = ptr::null_mut();
                check(
                    sys::napi_get_reference_value(env, ctor_ref, &mut ctor),
                    "napi_get_reference_value",
                )?;
                let args = [msg, code_v];
                check(
                    sys::napi_new_instance(env, ctor, 2, args.as_ptr(), &mut err),
                    "napi_new_instance",
                )?;
            } else {
                check(
                    sys::napi_create_error(env, code_v, msg, &mut err),
                    "napi_create_error",
                )?;
            }
            Ok(err)
        }
    }
}

/// Points `cell` at a new strong reference to `value`, deleting the old one.
///
/// # Safety
/// On the JS thread of `env`; `value` a value of that env, and any reference
/// already in `cell` created by that env.
unsafe fn replace_ref(
    env: sys::napi_env,
    cell: &Cell<sys::napi_ref>,
    value: sys::napi_value,
) -> Result<(), NapiFailure> {
    let mut r = ptr::null_mut();
    // SAFETY: per the function's contract.
    check(
        unsafe { sys::napi_create_reference(env, value, 1, &mut r) },
        "napi_create_reference",
    )?;
    let old = cell.replace(r);
    if !old.is_null() {
        // SAFETY: `old` is a reference this env created.
        teardown_only(unsafe { sys::napi_delete_reference(env, old) });
    }
    Ok(())
}

/// A JS string.
///
/// # Safety
/// On the JS thread of `env`.
pub unsafe fn js_string(env: sys::napi_env, s: &str) -> Result<sys::napi_value, NapiFailure> {
    let mut v = ptr::null_mut();
    // SAFETY: valid UTF-8 pointer/length pair.
    check(
        unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v) },
        "napi_create_string_utf8",
    )?;
    Ok(v)
}

unsafe extern "C" fn drain_cb(
    env: sys::napi_env,
    _js_cb: sys::napi_value,
    context: *mut c_void,
    _data: *mut c_void,
) {
    if env.is_null() || context.is_null() {
        // The threadsafe function is being torn down with the environment.
        return;
    }
    // SAFETY: `context` is the environment's leaked EnvLocal, alive until the
    // instance-data finalizer, which runs after Node stops calling this.
    let local = unsafe { &*(context as *const EnvLocal) };
    // SAFETY: we are on the environment's JS thread.
    unsafe { local.on_wake(env) };
}

unsafe extern "C" fn cleanup_hook(arg: *mut c_void) {
    // SAFETY: `arg` is the Arc<EnvShared> leaked in `EnvLocal::create` for
    // this hook, which Node calls exactly once.
    let shared = unsafe { Arc::from_raw(arg as *const EnvShared) };
    shared.closing.store(true, Ordering::Relaxed);
    let mut g = lock(&shared.gate);
    g.closing = true;
    while g.active > 0 {
        g = shared.gate_cv.wait(g).unwrap_or_else(|e| e.into_inner());
    }
}

unsafe extern "C" fn finalize_local(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    // SAFETY: `data` is the leaked Box<EnvLocal>; Node calls this once at
    // environment teardown.
    let local = unsafe { Box::from_raw(data as *mut EnvLocal) };
    // Tasks of this environment that never settled still hold admission slots
    // of their pools (the default pool is shared with other environments).
    // Their promises, references and deferreds die with the environment.
    for p in local.slots.borrow_mut().drain(..).flatten() {
        p.pool.release();
    }
    // So do the run slots of its leases granted at once.
    for (pool, _) in local.leases_now.borrow_mut().drain(..) {
        pool.end_lease_now();
    }
    // The cleanup hook already ran (it is registered before instance data is
    // finalized); make sure no job can enter even if it did not.
    local.shared.closing.store(true, Ordering::Relaxed);
    lock(&local.shared.gate).closing = true;
}
