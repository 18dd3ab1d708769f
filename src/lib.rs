//! corepool: CPU-bound work for Node.js on a rayon pool.
//!
//! This file only registers the native functions; see `pool/` (runtime),
//! `tasks/` (pure kernels) and `js/` (N-API glue).
#![deny(missing_docs)]

// The fuzz harness (fuzz/src/harness.rs) names the crate `corepool`; its
// replay tests include it from src/tasks/fuzz_regressions.rs.
#[cfg(test)]
extern crate self as corepool;

mod js;
pub mod pool;
pub mod tasks;

use napi::bindgen_prelude::Object;
use napi::{sys, Env, JsValue, Result};
use napi_derive::napi;

/// The native functions, by JS name. `index.js` is the public API.
const FUNCTIONS: &[(&str, js::Callback)] = &[
    ("init", js::pool::init),
    ("drain", js::pool::drain),
    ("defaultThreads", js::pool::default_threads_fn),
    ("createPool", js::pool::create_pool),
    ("stats", js::pool::stats),
    ("metrics", js::pool::metrics),
    ("close", js::pool::close),
    ("cancel", js::pool::cancel),
    ("admitJs", js::lease::admit_js),
    ("releaseJs", js::lease::release_js),
    ("lease", js::lease::lease),
    ("unlease", js::lease::unlease),
    ("leasesParked", js::lease::leases_parked),
    ("nativeQueued", js::lease::native_queued),
    ("progress", js::pool::progress),
    ("digest", js::digest::digest),
    ("hash", js::hash::hash),
    ("verify", js::hash::verify),
    ("bcryptHash", js::hash::bcrypt_hash),
    ("bcryptHashSync", js::hash::bcrypt_hash_sync),
    ("verifySync", js::hash::verify_sync),
    ("genSalt", js::hash::gen_salt),
    ("parseHash", js::hash::parse),
    ("needsRehash", js::hash::needs_rehash_fn),
    ("render", js::render::render),
    ("registerFont", js::render::register_font_fn),
    ("resize", js::resize::resize),
    ("metadata", js::resize::metadata),
];

/// Test hooks (`__testPanic`, `__testSleep`): only in builds with the
/// `test-hooks` feature, which scripts/build.js turns on in a clone.
#[cfg(feature = "test-hooks")]
const TEST_HOOKS: &[(&str, js::Callback)] = &[
    ("__testPanic", js::test_hooks::test_panic),
    ("__testSleep", js::test_hooks::test_sleep),
];
#[cfg(not(feature = "test-hooks"))]
const TEST_HOOKS: &[(&str, js::Callback)] = &[];

/// Module initialisation: attaches [`FUNCTIONS`] to `exports`.
#[napi(module_exports)]
pub fn init(exports: Object, env: Env) -> Result<()> {
    for (name, cb) in FUNCTIONS.iter().chain(TEST_HOOKS) {
        let mut f = std::ptr::null_mut();
        // SAFETY: module init runs on the JS thread; `name` is a valid UTF-8
        // slice and `cb` a valid N-API callback.
        let status = unsafe {
            sys::napi_create_function(
                env.raw(),
                name.as_ptr().cast(),
                name.len() as isize,
                Some(*cb),
                std::ptr::null_mut(),
                &mut f,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason(format!("cannot create {name}")));
        }
        // SAFETY: as above; `exports` is the module's exports object.
        let status = unsafe {
            let mut key = std::ptr::null_mut();
            sys::napi_create_string_utf8(
                env.raw(),
                name.as_ptr().cast(),
                name.len() as isize,
                &mut key,
            );
            sys::napi_set_property(env.raw(), exports.raw(), key, f)
        };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason(format!("cannot export {name}")));
        }
    }
    Ok(())
}
