//! corepool: CPU-bound work for Node.js on a rayon pool.
//!
//! The native functions are declared with `#[napi]` in `js/` (the glue) and
//! registered by napi-rs; see `pool/` (runtime) and `tasks/` (pure kernels).
#![deny(missing_docs)]

// The fuzz harness (fuzz/src/harness.rs) names the crate `corepool`; its
// replay tests include it from src/tasks/fuzz_regressions.rs.
#[cfg(test)]
extern crate self as corepool;

mod js;
pub mod pool;
pub mod tasks;
