//! `render_pdf` fuzz target: see `harness::render_pdf` (fuzz/src/harness.rs) for the
//! input layout and the assertions.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| corepool_fuzz::harness::render_pdf(data));
