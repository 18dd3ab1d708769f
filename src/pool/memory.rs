//! Admission by memory.
//!
//! Counting tasks does not bound memory when one task may ask for a lot of
//! it: 64 Argon2 hashes at 1 GiB each fit in a queue of any size. A task
//! whose kernel allocates in proportion to a caller-chosen parameter
//! reserves that many bytes on the JS thread, before anything is queued or
//! allocated, and gives them back when its kernel finishes (or is dropped
//! unstarted). The rule:
//! - a task needing more than the pool's whole `max_memory` is refused with
//!   `ERR_LIMIT` (it can never run);
//! - a task that would take the reserved total past `max_memory` is refused
//!   with `ERR_QUEUE_FULL` (retry later, as for a full queue).
//!
//! Reserved today: Argon2 hashing and verifying (`m` KiB). The default
//! budget is half the memory the process may use: the cgroup's
//! `memory.max` when set, else the machine's `MemTotal`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::Pool;
use crate::tasks::{ErrorCode, TaskError};

/// The pool's memory budget and what tasks in flight have reserved of it.
#[derive(Debug)]
pub(super) struct MemoryBudget {
    limit: AtomicU64,
    reserved: AtomicU64,
}

impl MemoryBudget {
    pub(super) fn new(limit: u64) -> MemoryBudget {
        MemoryBudget {
            limit: AtomicU64::new(limit),
            reserved: AtomicU64::new(0),
        }
    }

    pub(super) fn limit(&self) -> u64 {
        self.limit.load(Ordering::Relaxed)
    }

    pub(super) fn set_limit(&self, bytes: u64) {
        self.limit.store(bytes, Ordering::Relaxed);
    }

    pub(super) fn reserved(&self) -> u64 {
        self.reserved.load(Ordering::Relaxed)
    }
}

/// Bytes reserved by one task; given back when dropped.
pub struct Reservation {
    pool: Arc<Pool>,
    bytes: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.pool
            .memory
            .reserved
            .fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

impl Pool {
    /// Reserves `bytes` of the pool's memory budget for one task.
    pub fn reserve_memory(self: &Arc<Self>, bytes: u64) -> Result<Reservation, TaskError> {
        let m = &self.memory;
        let limit = m.limit();
        let refused = || {
            self.counters.rejected.fetch_add(1, Ordering::Relaxed);
        };
        if bytes > limit {
            refused();
            return Err(TaskError::new(
                ErrorCode::Limit,
                format!(
                    "the task needs {} MiB, more than the pool's maxMemory ({} MiB)",
                    bytes >> 20,
                    limit >> 20
                ),
            ));
        }
        m.reserved
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |r| {
                r.checked_add(bytes).filter(|&t| t <= limit)
            })
            .map_err(|reserved| {
                refused();
                TaskError::new(
                    ErrorCode::QueueFull,
                    format!(
                        "the pool's memory budget is taken ({} of {} MiB reserved by tasks in flight, this task needs {} MiB); retry later or raise maxMemory",
                        reserved >> 20,
                        limit >> 20,
                        bytes >> 20
                    ),
                )
            })?;
        Ok(Reservation {
            pool: Arc::clone(self),
            bytes,
        })
    }
}

/// Half the memory this process may use: the cgroup v2 `memory.max` (or v1
/// `memory.limit_in_bytes`) when set, else `MemTotal`; 4 GiB when neither
/// can be read.
pub fn default_max_memory() -> u64 {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let cgroup = read("/sys/fs/cgroup/memory.max")
        .or_else(|| read("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
        .and_then(|s| s.trim().parse::<u64>().ok());
    let total = read("/proc/meminfo").and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kib| kib * 1024)
    });
    let usable = match (cgroup, total) {
        (Some(c), Some(t)) => c.min(t),
        (Some(c), None) => c,
        (None, Some(t)) => t,
        (None, None) => 8 << 30,
    };
    usable / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_bounded_and_given_back() {
        let p = Pool::new("m", 1, 4).unwrap();
        p.set_max_memory(3 << 30);
        let a = p.reserve_memory(1 << 30).unwrap();
        let b = p.reserve_memory(1 << 30).unwrap();
        let _c = p.reserve_memory(1 << 30).unwrap();
        assert_eq!(
            p.reserve_memory(1 << 30).err().map(|e| e.code),
            Some(ErrorCode::QueueFull)
        );
        drop(a);
        let _d = p.reserve_memory(1 << 30).unwrap();
        assert_eq!(
            p.reserve_memory(4 << 30).err().map(|e| e.code),
            Some(ErrorCode::Limit)
        );
        drop(b);
        assert_eq!(p.snapshot().memory_reserved, 2 << 30);
    }

    #[test]
    fn default_budget_is_half_of_something_real() {
        let m = default_max_memory();
        assert!(m >= 64 << 20, "{m}");
    }
}
