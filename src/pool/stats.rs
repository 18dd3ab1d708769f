//! Pool counters and fixed-memory latency histograms.
//!
//! Everything here is lock-free: pool threads record with relaxed atomic adds,
//! and `stats()` / `metrics()` read a snapshot that may be a few tasks stale
//! (each counter is individually exact; they are not read atomically as a set).
//!
//! The histogram is log-linear: every power of two of nanoseconds is split
//! into 8 linear sub-buckets, so a reported percentile is within 12.5 % of the
//! true value, using 4 KiB per histogram whatever the number of samples.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

const SUB_BITS: u32 = 3;
const SUB: u64 = 1 << SUB_BITS;
/// Enough buckets for every u64: the top one holds values with bit 63 set.
const BUCKETS: usize = ((64 - SUB_BITS + 1) as u64 * SUB) as usize;

/// A fixed-size, lock-free histogram of durations in nanoseconds.
pub struct Histogram {
    buckets: Box<[AtomicU64]>,
    count: AtomicU64,
    sum_ns: AtomicU64,
    max_ns: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_ns: AtomicU64::new(0),
            max_ns: AtomicU64::new(0),
        }
    }
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let sub = (v >> (msb - SUB_BITS)) & (SUB - 1);
    ((msb - SUB_BITS + 1) as u64 * SUB + sub) as usize
}

/// The smallest and one-past-largest value that land in bucket `i`.
fn bucket_range(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < SUB {
        return (i, i + 1);
    }
    let exp = i / SUB - 1 + SUB_BITS as u64;
    let sub = i % SUB;
    let lo = (1u64 << exp) + (sub << (exp - SUB_BITS as u64));
    (lo, lo.saturating_add(1u64 << (exp - SUB_BITS as u64)))
}

impl Histogram {
    /// Records one duration.
    pub fn record(&self, ns: u64) {
        self.buckets[bucket_of(ns)].fetch_add(1, Relaxed);
        self.count.fetch_add(1, Relaxed);
        self.sum_ns.fetch_add(ns, Relaxed);
        self.max_ns.fetch_max(ns, Relaxed);
    }

    /// A consistent-enough copy for reporting.
    pub fn snapshot(&self) -> HistogramSnapshot {
        let counts: Vec<u64> = self.buckets.iter().map(|b| b.load(Relaxed)).collect();
        let count = counts.iter().sum();
        let max = self.max_ns.load(Relaxed);
        let q = |p: f64| quantile(&counts, count, p).min(max);
        HistogramSnapshot {
            count,
            sum_ns: self.sum_ns.load(Relaxed),
            p50_ns: q(0.50),
            p90_ns: q(0.90),
            p99_ns: q(0.99),
            max_ns: max,
        }
    }
}

fn quantile(counts: &[u64], total: u64, p: f64) -> u64 {
    if total == 0 {
        return 0;
    }
    let rank = ((p * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (i, &c) in counts.iter().enumerate() {
        seen += c;
        if seen >= rank {
            let (lo, hi) = bucket_range(i);
            return lo + (hi - lo) / 2;
        }
    }
    0
}

/// Percentiles of one histogram, in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HistogramSnapshot {
    /// Number of samples.
    pub count: u64,
    /// Sum of all samples.
    pub sum_ns: u64,
    /// Median.
    pub p50_ns: u64,
    /// 90th percentile.
    pub p90_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// Exact maximum.
    pub max_ns: u64,
}

/// The counters of one pool. Gauges (`queued`, `running`) go up and down;
/// the rest only go up.
#[derive(Default)]
pub struct Counters {
    /// Admitted, not yet started on a thread.
    pub queued: AtomicUsize,
    /// Running on a pool thread now.
    pub running: AtomicUsize,
    /// Settled with a value.
    pub completed: AtomicU64,
    /// Settled with an error (kernel error or panic).
    pub failed: AtomicU64,
    /// Of `failed`, how many were kernel panics.
    pub panicked: AtomicU64,
    /// Rejected by an abort signal or a timeout.
    pub cancelled: AtomicU64,
    /// Refused at admission (`ERR_QUEUE_FULL` or `ERR_POOL_CLOSED`).
    pub rejected: AtomicU64,
    /// Time from admission to start on a thread.
    pub wait: Histogram,
    /// Time on a thread.
    pub run: Histogram,
}

/// A point-in-time copy of a pool's counters.
#[derive(Debug, Clone, Default)]
pub struct StatsSnapshot {
    /// Pool name (the `pool` label in metrics).
    pub name: String,
    /// Number of pool threads.
    pub threads: usize,
    /// Admission bound beyond `threads`.
    pub max_queue: usize,
    /// Admitted tasks not yet settled.
    pub in_flight: usize,
    /// See [`Counters`].
    pub queued: usize,
    /// See [`Counters`].
    pub running: usize,
    /// See [`Counters`].
    pub completed: u64,
    /// See [`Counters`].
    pub failed: u64,
    /// See [`Counters`].
    pub panicked: u64,
    /// See [`Counters`].
    pub cancelled: u64,
    /// See [`Counters`].
    pub rejected: u64,
    /// Memory budget of admission by memory, bytes (memory.rs).
    pub max_memory: u64,
    /// Bytes reserved by tasks in flight.
    pub memory_reserved: u64,
    /// Wait-time percentiles.
    pub wait: HistogramSnapshot,
    /// Run-time percentiles.
    pub run: HistogramSnapshot,
}

fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

impl StatsSnapshot {
    /// Prometheus text exposition format (version 0.0.4), `corepool_` prefix,
    /// `pool` label. Latencies are summaries in seconds.
    pub fn to_prometheus(&self) -> String {
        let l = format!("pool=\"{}\"", escape_label(&self.name));
        let mut s = String::with_capacity(2048);
        let mut metric = |name: &str, kind: &str, help: &str, value: f64| {
            let _ = writeln!(s, "# HELP corepool_{name} {help}");
            let _ = writeln!(s, "# TYPE corepool_{name} {kind}");
            let _ = writeln!(s, "corepool_{name}{{{l}}} {value}");
        };
        metric(
            "threads",
            "gauge",
            "Number of pool threads.",
            self.threads as f64,
        );
        metric(
            "queue_capacity",
            "gauge",
            "Tasks that may wait beyond the threads (maxQueue).",
            self.max_queue as f64,
        );
        metric(
            "tasks_in_flight",
            "gauge",
            "Admitted tasks not yet settled.",
            self.in_flight as f64,
        );
        metric(
            "tasks_queued",
            "gauge",
            "Admitted tasks waiting for a thread.",
            self.queued as f64,
        );
        metric(
            "tasks_running",
            "gauge",
            "Tasks running on a pool thread.",
            self.running as f64,
        );
        metric(
            "tasks_completed_total",
            "counter",
            "Tasks settled with a value.",
            self.completed as f64,
        );
        metric(
            "tasks_failed_total",
            "counter",
            "Tasks settled with an error (including panics).",
            self.failed as f64,
        );
        metric(
            "tasks_panicked_total",
            "counter",
            "Tasks whose kernel panicked.",
            self.panicked as f64,
        );
        metric(
            "tasks_cancelled_total",
            "counter",
            "Tasks rejected by an abort signal or timeout.",
            self.cancelled as f64,
        );
        metric(
            "tasks_rejected_total",
            "counter",
            "Tasks refused at admission (queue or memory budget full, or pool closed).",
            self.rejected as f64,
        );
        metric(
            "memory_reserved_bytes",
            "gauge",
            "Memory reserved by tasks in flight (admission by memory).",
            self.memory_reserved as f64,
        );
        metric(
            "memory_max_bytes",
            "gauge",
            "The pool's memory budget (maxMemory).",
            self.max_memory as f64,
        );
        for (name, help, h) in [
            (
                "task_wait_seconds",
                "Time from admission to start on a thread.",
                &self.wait,
            ),
            (
                "task_run_seconds",
                "Time a task ran on a pool thread.",
                &self.run,
            ),
        ] {
            let _ = writeln!(s, "# HELP corepool_{name} {help}");
            let _ = writeln!(s, "# TYPE corepool_{name} summary");
            for (q, v) in [
                ("0.5", h.p50_ns),
                ("0.9", h.p90_ns),
                ("0.99", h.p99_ns),
                ("1", h.max_ns),
            ] {
                let _ = writeln!(s, "corepool_{name}{{{l},quantile=\"{q}\"}} {}", secs(v));
            }
            let _ = writeln!(s, "corepool_{name}_sum{{{l}}} {}", secs(h.sum_ns));
            let _ = writeln!(s, "corepool_{name}_count{{{l}}} {}", h.count);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values_contiguously() {
        let mut prev_hi = 0;
        for i in 0..BUCKETS {
            let (lo, hi) = bucket_range(i);
            assert_eq!(lo, prev_hi, "bucket {i}");
            assert!(hi > lo);
            assert_eq!(bucket_of(lo), i);
            assert_eq!(bucket_of(hi - 1), i);
            prev_hi = hi;
        }
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn percentiles_are_within_bucket_precision() {
        let h = Histogram::default();
        for v in 1..=1000u64 {
            h.record(v * 1000); // 1 µs .. 1 ms
        }
        let s = h.snapshot();
        assert_eq!(s.count, 1000);
        assert_eq!(s.max_ns, 1_000_000);
        assert_eq!(s.sum_ns, 1000 * 1001 / 2 * 1000);
        for (got, want) in [
            (s.p50_ns, 500_000.0),
            (s.p90_ns, 900_000.0),
            (s.p99_ns, 990_000.0),
        ] {
            let err = (got as f64 - want).abs() / want;
            assert!(err < 0.125, "got {got}, want ~{want}");
        }
    }

    #[test]
    fn empty_histogram_reports_zero() {
        let s = Histogram::default().snapshot();
        assert_eq!((s.count, s.p50_ns, s.p99_ns, s.max_ns), (0, 0, 0, 0));
    }

    #[test]
    fn prometheus_text_has_types_and_labels() {
        let snap = StatsSnapshot {
            name: "a\"b".into(),
            threads: 2,
            completed: 7,
            ..Default::default()
        };
        let text = snap.to_prometheus();
        assert!(text.contains("# TYPE corepool_tasks_completed_total counter\n"));
        assert!(text.contains("corepool_tasks_completed_total{pool=\"a\\\"b\"} 7\n"));
        assert!(text.contains("corepool_task_run_seconds{pool=\"a\\\"b\",quantile=\"0.99\"} 0\n"));
        assert!(text.ends_with('\n'));
    }
}
