//! `resize` fuzz target: see `harness::resize` (fuzz/src/harness.rs) for the
//! input layout and the assertions.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| corepool_fuzz::harness::resize(data));
