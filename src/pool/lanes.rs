//! Interleaved bcrypt: jobs that one thread computes several at a time.
//!
//! A Blowfish round is a chain of dependent table loads, so one bcrypt hash
//! leaves most of a core idle; [`BcryptJob::run_lanes`] interleaves up to
//! four of the same cost on one thread for ≈ 2.8× the throughput. To give it
//! company, bcrypt tasks do not become rayon jobs directly: each is pushed
//! onto the pool's bcrypt queue, and one rayon job per task is spawned that,
//! when it runs, takes a *batch* from the front of that queue (the oldest
//! task plus later ones of the same cost). A job that finds the queue empty
//! (its task was taken by an earlier batch) returns at once.
//!
//! Invariant: every queued task has an unstarted rayon job, and every rayon
//! job that finds the queue non-empty takes at least one task — so no task
//! is ever stranded, and `close()`/teardown see the same per-task protocol
//! as [`Pool::spawn`] (gate, cancellation, panics, counters, completion).
//!
//! Batch size: `ceil(queued / threads)` capped at 4, so a lightly loaded
//! pool spreads tasks over idle threads (lowest latency) and a saturated one
//! interleaves (highest throughput).

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::completion::{Completion, EnvShared};
use super::{panic_message, Output, Pool};
use crate::tasks::hash::{BcryptJob, BcryptOutcome};
use crate::tasks::{Checkpoint, ErrorCode, TaskError};

/// How far past the front of the queue a batch looks for same-cost tasks.
const SCAN: usize = 64;

/// A bcrypt task waiting in [`Pool`]'s queue.
pub(super) struct QueuedBcrypt {
    env: Arc<EnvShared>,
    slot: u32,
    cancel: Option<Arc<AtomicBool>>,
    admitted_at: Instant,
    job: BcryptJob,
}

/// The pool's bcrypt queue.
#[derive(Default)]
pub(super) struct BcryptQueue(Mutex<VecDeque<QueuedBcrypt>>);

impl BcryptQueue {
    /// When the oldest queued task was admitted.
    pub(super) fn front_admitted(&self) -> Option<Instant> {
        let q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.front().map(|t| t.admitted_at)
    }

    /// Takes the oldest task plus up to `max - 1` later ones of its cost.
    fn take_batch(&self, threads: usize) -> Vec<QueuedBcrypt> {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(first) = q.pop_front() else {
            return Vec::new();
        };
        let want = (q.len() + 1)
            .div_ceil(threads.max(1))
            .clamp(1, BcryptJob::MAX_LANES);
        let cost = first.job.cost();
        let mut batch = vec![first];
        let mut i = 0;
        while batch.len() < want && i < q.len().min(SCAN) {
            if q[i].job.cost() == cost {
                batch.push(q.remove(i).expect("index in range"));
            } else {
                i += 1;
            }
        }
        batch
    }
}

impl Pool {
    /// [`Pool::spawn`] for a bcrypt task: queues `job` and spawns one batch
    /// runner (see the module docs). The result is a string (hash) or a
    /// boolean (verify).
    pub fn spawn_bcrypt(
        self: &Arc<Self>,
        env: Arc<EnvShared>,
        slot: u32,
        cancel: Option<Arc<AtomicBool>>,
        job: BcryptJob,
    ) {
        self.bcrypt
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(QueuedBcrypt {
                env,
                slot,
                cancel,
                admitted_at: Instant::now(),
                job,
            });
        let pool = Arc::clone(self);
        // Leases and bcrypt tasks are served oldest first (lease.rs).
        let runner = move || pool.run_next_queued();
        // As in `spawn`: cannot happen for an admitted task.
        if let Err(runner) = self.spawn_job(runner) {
            runner();
        }
    }

    /// Runs a batch of queued bcrypt tasks. Returns false when the queue
    /// was empty.
    pub(super) fn run_bcrypt_batch(&self) -> bool {
        let batch = self.bcrypt.take_batch(self.threads);
        if batch.is_empty() {
            return false;
        }
        let c = &self.counters;
        let started = Instant::now();
        let mut entered = Vec::with_capacity(batch.len());
        let mut jobs = Vec::with_capacity(batch.len());
        let mut tasks = Vec::with_capacity(batch.len());
        let mut skipped = Vec::new();
        for q in batch {
            c.queued.fetch_sub(1, Ordering::Relaxed);
            c.wait
                .record(started.duration_since(q.admitted_at).as_nanos() as u64);
            // The gate keeps the environment (and its completion queue)
            // alive until this task's completion is pushed.
            let Some(guard) = EnvShared::enter_owned(&q.env) else {
                continue; // environment torn down: nobody to tell
            };
            if q.cancel
                .as_deref()
                .is_some_and(|f| f.load(Ordering::Relaxed))
            {
                skipped.push((guard, q.slot));
                continue;
            }
            entered.push(guard);
            jobs.push(q.job);
            tasks.push((q.slot, q.cancel));
        }
        for (guard, slot) in skipped {
            guard.env().complete(Completion {
                slot,
                result: Err(TaskError::cancelled()),
            });
        }
        if jobs.is_empty() {
            return true;
        }
        let never = AtomicBool::new(false);
        let cps: Vec<Checkpoint> = tasks
            .iter()
            .zip(&entered)
            .map(|((_, cancel), g)| {
                Checkpoint::new(cancel.as_deref().unwrap_or(&never), g.env().closing_flag())
            })
            .collect();
        let n = jobs.len();
        c.running.fetch_add(n, Ordering::Relaxed);
        let results = catch_unwind(AssertUnwindSafe(|| BcryptJob::run_lanes(jobs, &cps)));
        c.running.fetch_sub(n, Ordering::Relaxed);
        let elapsed = started.elapsed().as_nanos() as u64;
        let results: Vec<Result<Output, TaskError>> = match results {
            Ok(rs) => rs
                .into_iter()
                .map(|r| {
                    r.map(|o| match o {
                        BcryptOutcome::Hash(s) => Output::new(s),
                        BcryptOutcome::Verified(b) => Output::new(b),
                    })
                })
                .collect(),
            Err(payload) => {
                let msg = format!("the task panicked: {}", panic_message(&*payload));
                c.panicked.fetch_add(n as u64, Ordering::Relaxed);
                (0..n)
                    .map(|_| Err(TaskError::new(ErrorCode::TaskPanicked, msg.clone())))
                    .collect()
            }
        };
        drop(cps);
        for ((result, (slot, _)), guard) in results.into_iter().zip(tasks).zip(entered) {
            c.run.record(elapsed);
            guard.env().complete(Completion { slot, result });
        }
        true
    }
}
