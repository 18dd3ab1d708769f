//! Leases: run slots that the JS worker lane borrows from the pool, so native
//! kernels and the user's JavaScript share ONE CPU budget.
//!
//! The JS lane (lib/workers/) runs the user's functions on worker_threads,
//! not on rayon threads. To keep "at most `threads` tasks run at once, native
//! and JS together", a JS batch first takes a *lease*:
//!
//! 1. JS thread: each JS task is admitted with [`Pool::admit_js`] (the same
//!    `in_flight < threads + max_queue` bound as native tasks, so both lanes
//!    share `ERR_QUEUE_FULL`), and given back with [`Pool::release_js`] when
//!    it settles.
//! 2. JS thread: to run a batch, the lane calls `lease(pool, id)`, which
//!    queues a rayon job like any native task (no second admission: its tasks
//!    are already admitted) and returns a promise.
//! 3. Pool thread: when the job starts it holds one of the pool's `threads`
//!    threads. It reports "granted" through the environment's ordinary
//!    batched completion queue (inside the environment's gate, like a
//!    kernel), leaves the gate, and parks on [`Leases`]' condvar.
//! 4. JS thread: the grant settles the promise; the lane sends the batch to a
//!    worker; when the worker replies it calls `unlease(pool, id)`, which wakes
//!    the parked job, and the rayon thread is free for the next task.
//!
//! ## Granted at once
//! When nothing waits for a pool thread and a run slot is free (slots.rs),
//! [`Pool::lease_now`] grants the lease inside the call, holding just that
//! slot: the lane sends its batch to a worker before `run()` returns, with no
//! rayon job, no grant through the completion queue and no event-loop turn.
//! That path wakes no pool thread, and on a VM whose idle vCPUs halt, each
//! wake-up costs tens of µs. [`Pool::end_lease_now`] gives the slot back.
//! A native task that starts meanwhile finds every slot taken and waits for
//! one, its thread parked, as it would wait behind a parked lease.
//! The environment that took such a lease gives it back at its teardown
//! (completion/).
//!
//! A lease that queues (`spawn_lease`) is a rayon job, and like every job it
//! holds a run slot while it runs (slots.rs).
//!
//! ## Teardown
//! A parked lease is *outside* the environment's gate, so the environment's
//! cleanup hook (worker.terminate(), natural exit) never waits for it. The
//! parked job re-checks the environment's `closing` flag every
//! [`POLL`]: if the environment is going away, the release it waits for will
//! never come, and it gives the thread back on its own. Pool `close()` needs
//! nothing special: the lane releases every lease before it closes the pool.

use std::collections::{HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::completion::{Completion, EnvShared};
use super::{AdmitError, Output, Pool};

/// How often a parked lease re-checks whether its environment is closing.
pub const POLL: Duration = Duration::from_millis(20);

/// A lease waiting for a pool thread.
struct LeaseRequest {
    env: Arc<EnvShared>,
    slot: u32,
    id: u32,
    at: Instant,
}

/// The pool's released-lease set and the condvar parked leases wait on.
#[derive(Default)]
pub struct Leases {
    waiting: Mutex<VecDeque<LeaseRequest>>,
    released: Mutex<HashSet<u32>>,
    cv: Condvar,
    parked: std::sync::atomic::AtomicUsize,
}

impl Pool {
    /// Admits `n` JS tasks against the shared bound (all or none). JS tasks
    /// are counted in `in_flight` but not in the native lane's counters;
    /// a refusal counts in `rejected`, as the native lane's do.
    pub fn admit_js(&self, n: usize) -> Result<(), AdmitError> {
        let refused = |e| {
            self.counters
                .rejected
                .fetch_add(n as u64, Ordering::Relaxed);
            e
        };
        if self.is_closed() {
            return Err(refused(AdmitError::Closed));
        }
        let limit = self.threads + self.max_queue;
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |x| {
                (x + n <= limit).then_some(x + n)
            })
            .map(|_| ())
            .map_err(|_| refused(AdmitError::QueueFull))
    }

    /// Gives back the admission of `n` settled JS tasks.
    pub fn release_js(&self, n: usize) {
        let _ = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |x| {
                Some(x.saturating_sub(n))
            });
    }

    /// Native tasks admitted and waiting for a thread (the lane keeps its
    /// lease for the next JS batch only when this is 0).
    pub fn native_queued(&self) -> usize {
        self.counters.queued.load(Ordering::Relaxed)
    }

    /// Native tasks running now (a bcrypt batch counts each of its tasks).
    pub fn native_running(&self) -> usize {
        self.counters.running.load(Ordering::Relaxed)
    }

    /// Leases currently holding a run slot: parked on a pool thread, or
    /// granted at once.
    pub fn leases_parked(&self) -> usize {
        self.leases.parked.load(Ordering::Relaxed) + self.slots.held_now()
    }

    /// Queues the lease `id` (see the module docs); its grant is delivered
    /// to `env` under `slot`.
    ///
    /// Leases share a queue discipline with the bcrypt lane (lanes.rs),
    /// whose jobs take *batches* from their own queue: each lease request
    /// and each bcrypt task gets one rayon job, and every such job serves
    /// the OLDEST waiting item of the two queues. Without this, bcrypt
    /// batches admitted after a lease would keep overtaking it.
    ///
    /// `waited` is how long the oldest JS task the lease will serve has been
    /// admitted, so that the lease takes that task's place in the order.
    pub fn spawn_lease(
        self: &Arc<Self>,
        env: Arc<EnvShared>,
        slot: u32,
        id: u32,
        waited: Duration,
    ) {
        let now = Instant::now();
        self.leases
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(LeaseRequest {
                env,
                slot,
                id,
                at: now.checked_sub(waited).unwrap_or(now),
            });
        let pool = Arc::clone(self);
        let job = move || pool.run_next_queued();
        // Threads shut down (closed and idle): grant without holding a
        // thread rather than lose the promise.
        if let Err(job) = self.spawn_job(job) {
            std::thread::spawn(job);
        }
    }

    /// Grants a lease at once if nothing waits for a thread and a run slot
    /// is free (see "Granted at once" in the module docs): true, and the lease
    /// holds that slot until [`Pool::end_lease_now`]; false, and nothing
    /// happened (use [`Pool::spawn_lease`]).
    pub fn lease_now(&self) -> bool {
        let threads_up = self
            .rayon
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        threads_up && self.slots.take_now()
    }

    /// Gives back the run slot of a lease granted at once.
    pub fn end_lease_now(&self) {
        self.slots.give_back_now();
    }

    /// Wakes the parked lease `id` (or lets it return at once if it has not
    /// parked yet).
    pub fn unlease(&self, id: u32) {
        let mut r = self
            .leases
            .released
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        r.insert(id);
        self.leases.cv.notify_all();
    }

    /// A job of the lease/bcrypt queues: serves the oldest waiting item.
    pub(super) fn run_next_queued(&self) {
        let lease_at = {
            let w = self
                .leases
                .waiting
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            w.front().map(|r| r.at)
        };
        let lease_first = match (lease_at, self.bcrypt.front_admitted()) {
            (Some(l), Some(b)) => l <= b,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if lease_first && self.take_lease() {
            return;
        }
        if !self.run_bcrypt_batch() {
            // Raced with another job for the bcrypt queue: take a lease.
            self.take_lease();
        }
    }

    /// Pops and holds the oldest waiting lease. False if none waits.
    fn take_lease(&self) -> bool {
        let req = self
            .leases
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front();
        match req {
            Some(r) => {
                self.hold_lease(r.env, r.slot, r.id);
                true
            }
            None => false,
        }
    }

    fn hold_lease(&self, env: Arc<EnvShared>, slot: u32, id: u32) {
        {
            let Some(_entered) = env.enter() else {
                return; // environment torn down: nobody to grant
            };
            env.complete(Completion {
                slot,
                result: Ok(Output::new(true)),
            });
        }
        let l = &self.leases;
        l.parked.fetch_add(1, Ordering::Relaxed);
        let mut r = l.released.lock().unwrap_or_else(|e| e.into_inner());
        while !r.remove(&id) {
            if env.closing_flag().load(Ordering::Acquire) {
                break;
            }
            let (g, _) =
                l.cv.wait_timeout(r, POLL)
                    .unwrap_or_else(|e| e.into_inner());
            r = g;
        }
        drop(r);
        l.parked.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_admission_shares_the_bound() {
        let p = Pool::new("t", 1, 2).unwrap();
        assert!(p.admit().is_ok());
        assert!(p.admit_js(2).is_ok());
        assert_eq!(p.admit_js(1), Err(AdmitError::QueueFull));
        assert_eq!(p.admit(), Err(AdmitError::QueueFull));
        p.release_js(2);
        assert!(p.admit_js(2).is_ok());
        p.close();
        assert_eq!(p.admit_js(1), Err(AdmitError::Closed));
        // Every refusal, of either lane, counts once in `rejected`.
        assert_eq!(p.snapshot().rejected, 3);
    }
}
