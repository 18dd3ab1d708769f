//! `render_png` fuzz target: see `harness::render_png` (fuzz/src/harness.rs) for the
//! input layout and the assertions.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| corepool_fuzz::harness::render_png(data));
