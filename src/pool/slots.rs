//! Run slots: the CPU budget that both lanes draw from.
//!
//! A pool of `threads` threads has `threads` run slots. Every rayon job takes
//! one when it starts and gives it back when it returns. A lease granted at
//! once (lease.rs) takes one without any thread: the JS lane's worker runs
//! the batch, and no pool thread is woken for it. A job that starts while
//! such leases hold every slot waits for one, parking its thread, so native
//! tasks and JS batches together never run more than `threads` at once. With
//! no lease granted at once a job always finds its slot free: the slots only
//! ever wait where a lease granted at once is actually using the budget.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The run slots of one pool.
pub struct RunSlots {
    threads: usize,
    /// Jobs spawned and not returned (queued or running), plus leases granted
    /// at once: below `threads`, no job waits for a thread.
    occupied: AtomicUsize,
    /// Leases granted at once and not given back.
    now: AtomicUsize,
    /// Slots free. Taken and given back without a lock; `lock` and `cv` are
    /// for the jobs that wait (`waiting` of them).
    free: AtomicUsize,
    waiting: AtomicUsize,
    lock: Mutex<()>,
    cv: Condvar,
}

impl RunSlots {
    pub fn new(threads: usize) -> Self {
        RunSlots {
            threads,
            occupied: AtomicUsize::new(0),
            now: AtomicUsize::new(0),
            free: AtomicUsize::new(threads),
            waiting: AtomicUsize::new(0),
            lock: Mutex::new(()),
            cv: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a free slot, if any, without waiting.
    fn try_take(&self) -> bool {
        self.free
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Wraps a job about to be spawned: counted as occupying from now until
    /// it returns (or unwinds), holding a run slot while it runs.
    pub fn job<F: FnOnce()>(self: &Arc<Self>, job: F) -> impl FnOnce() {
        self.occupied.fetch_add(1, Ordering::AcqRel);
        let slots = Arc::clone(self);
        move || {
            slots.acquire();
            let _done = Done(slots);
            job();
        }
    }

    fn acquire(&self) {
        if self.try_take() {
            return;
        }
        // Slow path. `waiting` is raised before the retry and `free` before
        // a releaser reads `waiting` (both SeqCst), so either the retry sees
        // the slot or the releaser sees the waiter and, taking the lock,
        // wakes it only once it is waiting on the condvar.
        let mut g = self.lock();
        self.waiting.fetch_add(1, Ordering::SeqCst);
        while !self.try_take() {
            g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    fn release(&self) {
        self.free.fetch_add(1, Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            drop(self.lock());
            self.cv.notify_one();
        }
    }

    /// Takes a slot for a lease granted at once, if nothing is queued for a
    /// thread and a slot is free.
    pub fn take_now(&self) -> bool {
        let threads = self.threads;
        let taken = self
            .occupied
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < threads).then_some(n + 1)
            });
        if taken.is_err() {
            return false;
        }
        if !self.try_take() {
            // A job started between the two checks.
            self.occupied.fetch_sub(1, Ordering::AcqRel);
            return false;
        }
        self.now.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Gives back the slot of a lease granted at once.
    pub fn give_back_now(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
        self.release();
        self.occupied.fetch_sub(1, Ordering::AcqRel);
    }

    /// Leases granted at once and holding their slot now.
    pub fn held_now(&self) -> usize {
        self.now.load(Ordering::Relaxed)
    }

    /// Jobs spawned and not returned plus leases granted at once.
    #[cfg(test)]
    pub fn occupied(&self) -> usize {
        self.occupied.load(Ordering::Acquire)
    }
}

/// Gives a job's slot back when it returns or unwinds.
struct Done(Arc<RunSlots>);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.release();
        self.0.occupied.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::{Duration, Instant};

    fn wait_until(what: &str, f: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !f() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_lease_granted_at_once_holds_a_slot_and_a_job_waits_for_it() {
        let slots = Arc::new(RunSlots::new(1));
        assert!(slots.take_now());
        assert!(!slots.take_now(), "one slot");
        assert_eq!(slots.held_now(), 1);
        let (tx, rx) = channel();
        let job = slots.job(move || tx.send(()).unwrap());
        let t = std::thread::spawn(job);
        // The job cannot run while the lease holds the only slot.
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
        wait_until("the job to wait", || {
            slots.waiting.load(Ordering::SeqCst) == 1
        });
        slots.give_back_now();
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
        t.join().unwrap();
        assert_eq!(
            (
                slots.occupied(),
                slots.free.load(Ordering::SeqCst),
                slots.held_now()
            ),
            (0, 1, 0)
        );
    }

    #[test]
    fn no_lease_at_once_while_a_job_occupies_every_thread() {
        let slots = Arc::new(RunSlots::new(2));
        let (go, wait) = channel::<()>();
        let job = slots.job(move || wait.recv().unwrap());
        // Spawned, not yet started: it still occupies a thread.
        assert!(slots.take_now());
        assert!(!slots.take_now());
        slots.give_back_now();
        let t = std::thread::spawn(job);
        go.send(()).unwrap();
        t.join().unwrap();
        assert!(slots.take_now());
        slots.give_back_now();
    }

    #[test]
    fn a_job_that_unwinds_gives_its_slot_back() {
        let slots = Arc::new(RunSlots::new(1));
        let job = slots.job(|| panic!("a job that unwinds"));
        assert!(std::thread::spawn(job).join().is_err());
        assert_eq!(
            (slots.occupied(), slots.free.load(Ordering::SeqCst)),
            (0, 1)
        );
        assert!(slots.take_now());
    }
}
