//! The runtime: a rayon thread pool with bounded admission, per-task
//! cancellation, panic isolation and statistics.
//!
//! Protocol of one task (see also `completion/`):
//! 1. JS thread: [`Pool::admit`] reserves a slot (`in_flight < threads + max_queue`)
//!    or refuses at once, allocating nothing.
//! 2. JS thread: the glue records the pending promise in the environment and
//!    calls [`Pool::spawn`] with the kernel closure.
//! 3. Pool thread: the job enters the environment's gate (skipped if the
//!    environment is closing or the task was cancelled), runs the kernel under
//!    `catch_unwind`, pushes the result onto the environment's completion queue
//!    and leaves the gate.
//! 4. JS thread: the completion drain settles the promise, releases the input
//!    references and calls [`Pool::release`].
//!
//! `in_flight` therefore counts tasks from admission to settlement; `queued`
//! and `running` are the finer gauges.

pub mod completion;
pub mod input;
mod lanes;
pub mod lease;
pub mod memory;
pub mod output;
mod slots;
pub mod stats;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use crate::tasks::{Checkpoint, ErrorCode, TaskError};
use completion::{Completion, EnvShared};
use input::Inputs;
pub use output::Output;
use stats::{Counters, StatsSnapshot};

/// Why admission refused a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmitError {
    /// `in_flight` reached `threads + max_queue`.
    QueueFull,
    /// `close()` was called.
    Closed,
}

impl AdmitError {
    /// The rejection a refused task gets.
    pub fn to_task_error(self) -> TaskError {
        match self {
            AdmitError::QueueFull => TaskError::new(
                ErrorCode::QueueFull,
                "the pool's queue is full (threads + maxQueue tasks in flight); retry later or raise maxQueue",
            ),
            AdmitError::Closed => TaskError::new(ErrorCode::PoolClosed, "the pool is closed"),
        }
    }
}

/// A rayon pool plus its admission bound and statistics.
pub struct Pool {
    name: String,
    threads: usize,
    max_queue: usize,
    rayon: RwLock<Option<rayon::ThreadPool>>,
    /// The CPU budget: a run slot per thread, held by every running job and
    /// by each lease granted at once (slots.rs).
    slots: Arc<slots::RunSlots>,
    in_flight: AtomicUsize,
    closed: AtomicBool,
    counters: Counters,
    /// bcrypt tasks waiting to be batched (lanes.rs).
    bcrypt: lanes::BcryptQueue,
    /// Run slots lent to the JS worker lane (lease.rs).
    leases: lease::Leases,
    /// Admission by memory (memory.rs).
    memory: memory::MemoryBudget,
    /// Wipe secrets a task left in a thread's reusable memory after posting
    /// its result (`tasks::after_task`). Default: true.
    wipe_memory: AtomicBool,
}

/// Threads for the default pool: `COREPOOL_THREADS` if set to a positive
/// integer, else `std::thread::available_parallelism()` (which honours cgroup
/// CPU quotas and affinity masks).
pub fn default_threads() -> usize {
    threads_from(std::env::var("COREPOOL_THREADS").ok().as_deref(), || {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// `COREPOOL_THREADS`'s value when it is a positive integer, else `fallback()`.
fn threads_from(var: Option<&str>, fallback: impl FnOnce() -> usize) -> usize {
    var.and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(fallback)
}

/// Default `max_queue` for a pool of `threads` threads.
pub fn default_max_queue(threads: usize) -> usize {
    1024 * threads
}

static DEFAULT_POOL: OnceLock<Arc<Pool>> = OnceLock::new();

/// The process-wide pool used by the module-level functions, created on first
/// use and shared by every JS environment (main thread and workers).
/// `COREPOOL_MAX_MEMORY` (bytes) and `COREPOOL_WIPE_MEMORY=0` configure it.
pub fn default_pool() -> Result<&'static Arc<Pool>, String> {
    if let Some(p) = DEFAULT_POOL.get() {
        return Ok(p);
    }
    let threads = default_threads();
    let pool = Pool::new("default", threads, default_max_queue(threads))?;
    if let Some(bytes) = std::env::var("COREPOOL_MAX_MEMORY")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        pool.set_max_memory(bytes);
    }
    if std::env::var("COREPOOL_WIPE_MEMORY").is_ok_and(|v| v.trim() == "0") {
        pool.set_wipe_memory(false);
    }
    Ok(DEFAULT_POOL.get_or_init(|| pool))
}

impl Pool {
    /// Builds a pool with `threads` rayon threads named `corepool-N`.
    pub fn new(name: &str, threads: usize, max_queue: usize) -> Result<Arc<Pool>, String> {
        let rayon = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("corepool-{i}"))
            // Jobs catch their own panics; this only guards against a panic
            // escaping rayon's bookkeeping, which must not abort the process.
            .panic_handler(|_| {})
            .build()
            .map_err(|e| format!("cannot start the thread pool: {e}"))?;
        Ok(Arc::new(Pool {
            name: name.to_owned(),
            threads,
            max_queue,
            rayon: RwLock::new(Some(rayon)),
            slots: Arc::new(slots::RunSlots::new(threads)),
            in_flight: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            counters: Counters::default(),
            bcrypt: lanes::BcryptQueue::default(),
            leases: lease::Leases::default(),
            memory: memory::MemoryBudget::new(memory::default_max_memory()),
            wipe_memory: AtomicBool::new(true),
        }))
    }

    /// Sets the memory budget of admission by memory (memory.rs).
    pub fn set_max_memory(&self, bytes: u64) {
        self.memory.set_limit(bytes);
    }

    /// `false`: leave finished tasks' secrets in reusable memory (faster,
    /// see `tasks::after_task`).
    pub fn set_wipe_memory(&self, wipe: bool) {
        self.wipe_memory.store(wipe, Ordering::Relaxed);
    }

    /// Reserves room for one task, or says why not.
    pub fn admit(&self) -> Result<(), AdmitError> {
        if self.closed.load(Ordering::Acquire) {
            self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(AdmitError::Closed);
        }
        let limit = self.threads + self.max_queue;
        let res = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            });
        match res {
            Ok(_) => {
                self.counters.queued.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(_) => {
                self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                Err(AdmitError::QueueFull)
            }
        }
    }

    /// Gives back the slot of a settled (or abandoned) task. Returns the number
    /// of tasks still in flight.
    pub fn release(&self) -> usize {
        self.in_flight.fetch_sub(1, Ordering::AcqRel) - 1
    }

    /// Undoes a successful [`Pool::admit`] for a task that was never spawned.
    pub fn unadmit(&self) {
        self.counters.queued.fetch_sub(1, Ordering::Relaxed);
        self.release();
    }

    /// Counts a task rejected by abort/timeout.
    pub fn count_cancelled(&self) {
        self.counters.cancelled.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a settled task.
    pub fn count_settled(&self, ok: bool) {
        let c = if ok {
            &self.counters.completed
        } else {
            &self.counters.failed
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Stops admission. Returns true the first time.
    pub fn close(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }

    /// True once `close()` was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Tasks admitted and not yet settled.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Lets the threads exit (after `close()`, once nothing is in flight).
    pub fn shutdown_threads(&self) {
        if let Ok(mut g) = self.rayon.write() {
            g.take();
        }
    }

    /// Spawns `job` on the pool's threads; it holds a run slot while it runs
    /// (slots.rs). Hands `job` back when the threads are shut down.
    fn spawn_job<F: FnOnce() + Send + 'static>(&self, job: F) -> Result<(), F> {
        let guard = self.rayon.read().unwrap_or_else(|e| e.into_inner());
        let Some(rayon) = guard.as_ref() else {
            return Err(job);
        };
        rayon.spawn(self.slots.job(job));
        Ok(())
    }

    /// Runs `kernel` on a pool thread for an admitted task and delivers the
    /// result to `env`'s completion queue under `slot`.
    pub fn spawn<F>(
        self: &Arc<Self>,
        env: Arc<EnvShared>,
        slot: u32,
        inputs: Inputs,
        cancel: Option<Arc<AtomicBool>>,
        kernel: F,
    ) where
        F: FnOnce(&Inputs, &Checkpoint) -> Result<Output, TaskError> + Send + 'static,
    {
        let pool = Arc::clone(self);
        let admitted_at = Instant::now();
        let job = move || pool.run(env, slot, inputs, cancel, admitted_at, kernel);
        // Threads already shut down (closed and idle): cannot happen for an
        // admitted task, because admission refuses once closed; run inline
        // rather than lose the promise.
        if let Err(job) = self.spawn_job(job) {
            job();
        }
    }

    fn run<F>(
        &self,
        env: Arc<EnvShared>,
        slot: u32,
        inputs: Inputs,
        cancel: Option<Arc<AtomicBool>>,
        admitted_at: Instant,
        kernel: F,
    ) where
        F: FnOnce(&Inputs, &Checkpoint) -> Result<Output, TaskError>,
    {
        let c = &self.counters;
        c.queued.fetch_sub(1, Ordering::Relaxed);
        let started = Instant::now();
        c.wait
            .record(started.duration_since(admitted_at).as_nanos() as u64);

        // The gate guarantees the environment (and so the memory `inputs`
        // points into) outlives everything below; see completion/mod.rs.
        let Some(_entered) = env.enter() else {
            // Environment torn down: nothing to read, nobody to tell.
            drop(inputs);
            return;
        };
        let never = AtomicBool::new(false);
        let task_flag = cancel.as_deref().unwrap_or(&never);
        let result = if task_flag.load(Ordering::Relaxed) {
            Err(TaskError::cancelled())
        } else {
            c.running.fetch_add(1, Ordering::Relaxed);
            let cp = Checkpoint::new(task_flag, env.closing_flag());
            let r = catch_unwind(AssertUnwindSafe(|| kernel(&inputs, &cp)));
            c.running.fetch_sub(1, Ordering::Relaxed);
            c.run.record(started.elapsed().as_nanos() as u64);
            r.unwrap_or_else(|payload| {
                c.panicked.fetch_add(1, Ordering::Relaxed);
                Err(TaskError::new(
                    ErrorCode::TaskPanicked,
                    format!("the task panicked: {}", panic_message(&*payload)),
                ))
            })
        };
        drop(inputs);
        env.complete(Completion { slot, result });
        if self.wipe_memory.load(Ordering::Relaxed) {
            crate::tasks::after_task();
        }
    }

    /// A copy of the counters.
    pub fn snapshot(&self) -> StatsSnapshot {
        let c = &self.counters;
        StatsSnapshot {
            name: self.name.clone(),
            threads: self.threads,
            max_queue: self.max_queue,
            in_flight: self.in_flight(),
            queued: c.queued.load(Ordering::Relaxed),
            running: c.running.load(Ordering::Relaxed),
            completed: c.completed.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            panicked: c.panicked.load(Ordering::Relaxed),
            cancelled: c.cancelled.load(Ordering::Relaxed),
            rejected: c.rejected.load(Ordering::Relaxed),
            max_memory: self.memory.limit(),
            memory_reserved: self.memory.reserved(),
            wait: c.wait.snapshot(),
            run: c.run.snapshot(),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admission_is_bounded_and_released() {
        let p = Pool::new("t", 1, 2).unwrap();
        assert!(p.admit().is_ok());
        assert!(p.admit().is_ok());
        assert!(p.admit().is_ok());
        assert_eq!(p.admit(), Err(AdmitError::QueueFull));
        assert_eq!(p.release(), 2);
        assert!(p.admit().is_ok());
        p.close();
        assert_eq!(p.admit(), Err(AdmitError::Closed));
        let s = p.snapshot();
        assert_eq!((s.in_flight, s.rejected, s.queued), (3, 2, 4));
    }

    #[test]
    fn default_threads_honours_env_override() {
        // The variable's parsing (the variable itself is process-global, so
        // the value is passed in rather than set).
        assert_eq!(threads_from(Some("3"), || 8), 3);
        assert_eq!(threads_from(Some(" 12 "), || 8), 12);
        for bad in ["0", "-1", "two", "", "1.5"] {
            assert_eq!(threads_from(Some(bad), || 8), 8, "{bad:?}");
        }
        assert_eq!(threads_from(None, || 8), 8);
        assert!(default_threads() >= 1);
        assert_eq!(default_max_queue(2), 2048);
    }

    #[test]
    fn panic_message_extracts_strings() {
        let r = catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(&*r), "boom 1");
    }
}
