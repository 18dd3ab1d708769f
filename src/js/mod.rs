//! Thin N-API glue: argument reading, the generic `submit`, error throwing.
//! It knows nothing of pixels or hashes: each task kind's file here reads its
//! options and hands a kernel closure to [`submit`].
//!
//! The public API is `index.js`, which validates arguments with Node-style
//! errors first; the checks here are a second line of defence and throw
//! `TypeError`s with `ERR_INVALID_ARG_TYPE`.

pub mod digest;
pub mod hash;
pub mod lease;
pub mod pool;
pub mod render;
pub mod resize;
#[cfg(feature = "test-hooks")]
pub mod test_hooks;

use std::ffi::CString;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::Arc;

use napi::sys;

use crate::pool::completion::{EnvLocal, EnvShared, NapiFailure};
use crate::pool::input::{Input, Inputs};
use crate::pool::{default_pool, AdmitError, Output, Pool};
use crate::tasks::hash::BcryptJob;
use crate::tasks::{Checkpoint, TaskError};

/// A raw N-API callback.
pub type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// An error to throw synchronously from a native function.
#[derive(Debug)]
pub enum Thrown {
    /// `TypeError` with `ERR_INVALID_ARG_TYPE`.
    Type(String),
    /// `Error` with the given code.
    Other(&'static str, String),
    /// A kernel error thrown synchronously, as a `CorepoolError`.
    Task(TaskError),
}

impl From<NapiFailure> for Thrown {
    fn from(e: NapiFailure) -> Self {
        Thrown::Other("ERR_INTERNAL", format!("corepool: {} failed", e.0))
    }
}

/// Most arguments a native function reads.
const MAX_ARGS: usize = 12;

/// Arguments of one native call.
pub struct Args {
    /// The environment.
    pub env: sys::napi_env,
    argv: [sys::napi_value; MAX_ARGS],
    argc: usize,
}

impl Args {
    /// Argument `i`, or `undefined`'s null handle if absent.
    pub fn get(&self, i: usize) -> sys::napi_value {
        if i < self.argc {
            self.argv[i]
        } else {
            ptr::null_mut()
        }
    }

    /// The JS type of argument `i` (`napi_undefined` if absent).
    pub fn type_of(&self, i: usize) -> sys::napi_valuetype {
        let v = self.get(i);
        if v.is_null() {
            return sys::ValueType::napi_undefined;
        }
        let mut t = sys::ValueType::napi_undefined;
        // SAFETY: JS thread, a value of this call.
        unsafe { sys::napi_typeof(self.env, v, &mut t) };
        t
    }

    /// Argument `i` as a u32.
    pub fn u32(&self, i: usize, name: &str) -> Result<u32, Thrown> {
        if self.type_of(i) != sys::ValueType::napi_number {
            return Err(Thrown::Type(format!("{name} must be a number")));
        }
        let mut n = 0;
        // SAFETY: JS thread, a number value of this call.
        unsafe { sys::napi_get_value_uint32(self.env, self.get(i), &mut n) };
        Ok(n)
    }

    /// Argument `i` as an f64.
    pub fn f64(&self, i: usize, name: &str) -> Result<f64, Thrown> {
        if self.type_of(i) != sys::ValueType::napi_number {
            return Err(Thrown::Type(format!("{name} must be a number")));
        }
        let mut n = 0.0;
        // SAFETY: JS thread, a number value of this call.
        unsafe { sys::napi_get_value_double(self.env, self.get(i), &mut n) };
        Ok(n)
    }

    /// Argument `i` as a boolean (`undefined` is false).
    pub fn bool(&self, i: usize) -> bool {
        let mut b = false;
        if self.type_of(i) == sys::ValueType::napi_boolean {
            // SAFETY: JS thread, a boolean value of this call.
            unsafe { sys::napi_get_value_bool(self.env, self.get(i), &mut b) };
        }
        b
    }

    /// Argument `i` (a string, Buffer or Uint8Array) as bytes, for
    /// synchronous use during this call only.
    pub fn bytes(&self, i: usize, name: &str) -> Result<std::borrow::Cow<'_, [u8]>, Thrown> {
        let mut refs = Vec::new();
        // SAFETY: JS thread; the reference made for a view is deleted at
        // once, and the bytes are only used during this call, while the
        // argument is alive on the JS stack.
        unsafe {
            let input = read_input(self.env, self.get(i), &mut refs).map_err(|_| {
                Thrown::Type(format!("{name} must be a string, Buffer or Uint8Array"))
            })?;
            for r in refs {
                sys::napi_delete_reference(self.env, r);
            }
            Ok(match input {
                Input::Owned(v) => std::borrow::Cow::Owned(v),
                Input::Borrowed { len: 0, .. } => std::borrow::Cow::Borrowed(&[]),
                Input::Borrowed { ptr, len } => {
                    std::borrow::Cow::Borrowed(std::slice::from_raw_parts(ptr, len))
                }
            })
        }
    }

    /// Argument `i` as a Rust string.
    pub fn string(&self, i: usize, name: &str) -> Result<String, Thrown> {
        if self.type_of(i) != sys::ValueType::napi_string {
            return Err(Thrown::Type(format!("{name} must be a string")));
        }
        // SAFETY: JS thread, a string value of this call.
        let bytes = unsafe { read_utf8(self.env, self.get(i))? };
        String::from_utf8(bytes).map_err(|_| Thrown::Type(format!("{name} is not valid UTF-8")))
    }
}

/// Properties of a plain options object that index.js already validated and
/// normalised; `undefined`/`null`/absent properties read as `None`.
pub struct Obj<'a> {
    args: &'a Args,
    obj: sys::napi_value,
}

impl<'a> Obj<'a> {
    /// Argument `i`, which must be an object.
    pub fn arg(args: &'a Args, i: usize, name: &str) -> Result<Self, Thrown> {
        if args.type_of(i) != sys::ValueType::napi_object {
            return Err(Thrown::Type(format!("{name} must be an object")));
        }
        Ok(Obj {
            args,
            obj: args.get(i),
        })
    }

    /// The raw property value, or None when undefined/null.
    pub fn value(&self, key: &str) -> Option<sys::napi_value> {
        let ckey = CString::new(key).ok()?;
        let mut v = ptr::null_mut();
        let mut t = sys::ValueType::napi_undefined;
        // SAFETY: JS thread, an object of this call; `ckey` is NUL-terminated.
        unsafe {
            if sys::napi_get_named_property(self.args.env, self.obj, ckey.as_ptr(), &mut v)
                != sys::Status::napi_ok
            {
                return None;
            }
            sys::napi_typeof(self.args.env, v, &mut t);
        }
        (t != sys::ValueType::napi_undefined && t != sys::ValueType::napi_null).then_some(v)
    }

    /// A number property.
    pub fn f64(&self, key: &str) -> Result<Option<f64>, Thrown> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        let mut n = 0.0;
        // SAFETY: JS thread, a value of this call.
        if unsafe { sys::napi_get_value_double(self.args.env, v, &mut n) } != sys::Status::napi_ok {
            return Err(Thrown::Type(format!("options.{key} must be a number")));
        }
        Ok(Some(n))
    }

    /// A non-negative integer property, saturated to u32.
    pub fn u32(&self, key: &str) -> Result<Option<u32>, Thrown> {
        Ok(self.f64(key)?.map(|n| n.clamp(0.0, u32::MAX as f64) as u32))
    }

    /// A non-negative integer property, saturated to u64.
    pub fn u64(&self, key: &str) -> Result<Option<u64>, Thrown> {
        Ok(self.f64(key)?.map(|n| n.clamp(0.0, u64::MAX as f64) as u64))
    }

    /// A boolean property.
    pub fn bool(&self, key: &str) -> Result<Option<bool>, Thrown> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        let mut b = false;
        // SAFETY: JS thread, a value of this call.
        if unsafe { sys::napi_get_value_bool(self.args.env, v, &mut b) } != sys::Status::napi_ok {
            return Err(Thrown::Type(format!("options.{key} must be a boolean")));
        }
        Ok(Some(b))
    }

    /// A string property.
    pub fn string(&self, key: &str) -> Result<Option<String>, Thrown> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        // SAFETY: JS thread, a value of this call (type checked by N-API).
        let bytes = unsafe { read_utf8(self.args.env, v) }
            .map_err(|_| Thrown::Type(format!("options.{key} must be a string")))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Thrown::Type(format!("options.{key} is not valid UTF-8")))
    }

    /// An array-of-numbers property of exactly N items (e.g. an RGBA colour).
    pub fn u8_array<const N: usize>(&self, key: &str) -> Result<Option<[u8; N]>, Thrown> {
        let Some(v) = self.value(key) else {
            return Ok(None);
        };
        let items = elements(self.args.env, v)
            .map_err(|_| Thrown::Type(format!("options.{key} must be an array")))?;
        if items.len() != N {
            return Err(Thrown::Type(format!("options.{key} must have {N} items")));
        }
        let mut out = [0u8; N];
        for (o, item) in out.iter_mut().zip(items) {
            let mut n = 0.0;
            // SAFETY: JS thread, a value of this call.
            unsafe { sys::napi_get_value_double(self.args.env, item, &mut n) };
            *o = n.clamp(0.0, 255.0).round() as u8;
        }
        Ok(Some(out))
    }
}

/// The elements of a JS array.
pub fn elements(
    env: sys::napi_env,
    arr: sys::napi_value,
) -> Result<Vec<sys::napi_value>, NapiFailure> {
    let mut is_array = false;
    let mut len = 0u32;
    // SAFETY: JS thread (callers are native callbacks), a value of this call.
    unsafe {
        sys::napi_is_array(env, arr, &mut is_array);
        if !is_array {
            return Err(NapiFailure("napi_is_array"));
        }
        sys::napi_get_array_length(env, arr, &mut len);
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let mut v = ptr::null_mut();
            if sys::napi_get_element(env, arr, i, &mut v) != sys::Status::napi_ok {
                return Err(NapiFailure("napi_get_element"));
            }
            out.push(v);
        }
        Ok(out)
    }
}

/// Reads a JS string's UTF-8 bytes.
///
/// # Safety
/// On the JS thread of `env`; `v` a string of that env.
unsafe fn read_utf8(env: sys::napi_env, v: sys::napi_value) -> Result<Vec<u8>, NapiFailure> {
    let mut len = 0usize;
    // SAFETY: per the contract; a null buffer asks for the length.
    let s = unsafe { sys::napi_get_value_string_utf8(env, v, ptr::null_mut(), 0, &mut len) };
    if s != sys::Status::napi_ok {
        return Err(NapiFailure("napi_get_value_string_utf8"));
    }
    let mut buf = vec![0u8; len + 1];
    let mut written = 0usize;
    // SAFETY: `buf` has room for `len` bytes plus the NUL N-API writes.
    unsafe {
        sys::napi_get_value_string_utf8(env, v, buf.as_mut_ptr().cast(), len + 1, &mut written)
    };
    buf.truncate(written);
    Ok(buf)
}

/// Runs a native function body, turning `Err` into a thrown JS exception.
///
/// # Safety
/// Called from an N-API callback with its `env` and `info`.
pub unsafe fn call(
    env: sys::napi_env,
    info: sys::napi_callback_info,
    body: impl FnOnce(&Args) -> Result<sys::napi_value, Thrown>,
) -> sys::napi_value {
    let mut args = Args {
        env,
        argv: [ptr::null_mut(); MAX_ARGS],
        argc: MAX_ARGS,
    };
    // SAFETY: reads at most MAX_ARGS arguments into `argv`.
    unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut args.argc,
            args.argv.as_mut_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
        );
    }
    args.argc = args.argc.min(MAX_ARGS);
    match body(&args) {
        Ok(v) => v,
        Err(t) => {
            // SAFETY: JS thread; messages/codes made NUL-free below.
            unsafe { throw(env, t) };
            ptr::null_mut()
        }
    }
}

/// Throws `t` as a JS exception.
///
/// # Safety
/// On the JS thread of `env`, with no exception pending.
unsafe fn throw(env: sys::napi_env, t: Thrown) {
    let cstr = |s: &str| CString::new(s.replace('\0', "")).unwrap_or_default();
    // SAFETY: JS thread; valid C strings.
    unsafe {
        match t {
            Thrown::Type(msg) => {
                let (c, m) = (cstr("ERR_INVALID_ARG_TYPE"), cstr(&msg));
                sys::napi_throw_type_error(env, c.as_ptr(), m.as_ptr());
            }
            Thrown::Other(code, msg) => {
                let (c, m) = (cstr(code), cstr(&msg));
                sys::napi_throw_error(env, c.as_ptr(), m.as_ptr());
            }
            Thrown::Task(e) => match EnvLocal::get(env)
                .and_then(|l| l.error_to_js(env, e.code.as_str(), &e.message))
            {
                Ok(err) => {
                    sys::napi_throw(env, err);
                }
                Err(_) => {
                    let (c, m) = (cstr(e.code.as_str()), cstr(&e.message));
                    sys::napi_throw_error(env, c.as_ptr(), m.as_ptr());
                }
            },
        }
    }
}

/// `undefined`.
///
/// # Safety
/// On the JS thread of `env`.
pub unsafe fn undefined(env: sys::napi_env) -> sys::napi_value {
    let mut v = ptr::null_mut();
    // SAFETY: per the contract.
    unsafe { sys::napi_get_undefined(env, &mut v) };
    v
}

/// The pool named by argument `i`: a handle from `createPool`, or
/// `null`/`undefined` for the default pool.
pub fn pool_arg(a: &Args, i: usize) -> Result<Arc<Pool>, Thrown> {
    match a.type_of(i) {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => default_pool()
            .cloned()
            .map_err(|m| Thrown::Other("ERR_INTERNAL", m)),
        sys::ValueType::napi_external => {
            let mut data = ptr::null_mut();
            // SAFETY: JS thread; an external of this call.
            unsafe { sys::napi_get_value_external(a.env, a.get(i), &mut data) };
            if data.is_null() {
                return Err(Thrown::Type("invalid pool handle".into()));
            }
            // SAFETY: the only externals this addon creates wrap a
            // Box<Arc<Pool>> (pool.rs), alive while the JS handle is.
            Ok(Arc::clone(unsafe { &*(data as *const Arc<Pool>) }))
        }
        _ => Err(Thrown::Type("invalid pool handle".into())),
    }
}

/// An input value: a string (UTF-8, copied) or a Buffer/Uint8Array (read in
/// place, kept alive by a reference).
///
/// # Safety
/// On the JS thread of `env`; `v` a value of that env.
unsafe fn read_input(
    env: sys::napi_env,
    v: sys::napi_value,
    refs: &mut Vec<sys::napi_ref>,
) -> Result<Input, Thrown> {
    // SAFETY: JS thread per the contract.
    unsafe {
        let mut t = 0;
        sys::napi_typeof(env, v, &mut t);
        if t == sys::ValueType::napi_string {
            return Ok(Input::Owned(read_utf8(env, v)?));
        }
        let mut is_ta = false;
        sys::napi_is_typedarray(env, v, &mut is_ta);
        if !is_ta {
            return Err(Thrown::Type(
                "input must be a string, Buffer or Uint8Array".into(),
            ));
        }
        let mut kind = 0;
        let mut len = 0usize;
        let mut data = ptr::null_mut();
        sys::napi_get_typedarray_info(
            env,
            v,
            &mut kind,
            &mut len,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        );
        if kind != sys::TypedarrayType::uint8_array
            && kind != sys::TypedarrayType::uint8_clamped_array
        {
            return Err(Thrown::Type(
                "input must be a string, Buffer or Uint8Array".into(),
            ));
        }
        let mut r = ptr::null_mut();
        if sys::napi_create_reference(env, v, 1, &mut r) != sys::Status::napi_ok {
            return Err(NapiFailure("napi_create_reference").into());
        }
        refs.push(r);
        Ok(Input::Borrowed {
            ptr: data as *const u8,
            len,
        })
    }
}

/// Admits a task on `pool`, references its inputs, and runs `kernel` on the
/// pool. Returns the task's promise; a full or closed pool gives an already
/// rejected promise (nothing allocated for the task). A `token` other than 0
/// makes the task cancellable with `cancel(token, reason)`.
///
/// # Safety
/// On the JS thread of `env`; `inputs` values of that env.
pub unsafe fn submit<F>(
    env: sys::napi_env,
    pool: Arc<Pool>,
    inputs: &[sys::napi_value],
    token: u32,
    kernel: F,
) -> Result<sys::napi_value, Thrown>
where
    F: FnOnce(&Inputs, &Checkpoint) -> Result<Output, TaskError> + Send + 'static,
{
    // SAFETY: JS thread and values per the contract.
    unsafe {
        submit_with(
            env,
            pool,
            inputs,
            token,
            None,
            |pool, shared, slot, items, cancel| pool.spawn(shared, slot, items, cancel, kernel),
        )
    }
}

/// [`submit`] for a prepared bcrypt job (batched on the pool, see
/// pool/lanes.rs), or an already rejected promise when preparing failed.
/// With `progress` (and a `token`), the kernel's progress can be read with
/// `progress(token)` while the task is pending.
///
/// # Safety
/// On the JS thread of `env`.
pub unsafe fn submit_bcrypt(
    env: sys::napi_env,
    pool: Arc<Pool>,
    token: u32,
    job: Result<BcryptJob, TaskError>,
    progress: bool,
) -> Result<sys::napi_value, Thrown> {
    // SAFETY: JS thread per the contract.
    unsafe {
        let mut job = match job {
            Ok(job) => job,
            Err(e) => return rejected(env, e.code.as_str(), &e.message),
        };
        let counter = (progress && token != 0).then(|| Arc::new(AtomicU32::new(0)));
        if let Some(c) = &counter {
            job = job.with_progress(Arc::clone(c));
        }
        submit_with(
            env,
            pool,
            &[],
            token,
            counter,
            |pool, shared, slot, _, cancel| pool.spawn_bcrypt(shared, slot, cancel, job),
        )
    }
}

/// An already rejected promise with a `CorepoolError`.
///
/// # Safety
/// On the JS thread of `env`.
unsafe fn rejected(env: sys::napi_env, code: &str, msg: &str) -> Result<sys::napi_value, Thrown> {
    // SAFETY: JS thread per the contract.
    unsafe {
        let local = EnvLocal::get(env)?;
        let mut deferred = ptr::null_mut();
        let mut promise = ptr::null_mut();
        if sys::napi_create_promise(env, &mut deferred, &mut promise) != sys::Status::napi_ok {
            return Err(NapiFailure("napi_create_promise").into());
        }
        let err = local.error_to_js(env, code, msg)?;
        sys::napi_reject_deferred(env, deferred, err);
        Ok(promise)
    }
}

/// The common part of [`submit`] and [`submit_bcrypt`]: admission, input
/// references, the pending slot; `spawn` hands the task to the pool.
///
/// # Safety
/// On the JS thread of `env`; `inputs` values of that env.
unsafe fn submit_with(
    env: sys::napi_env,
    pool: Arc<Pool>,
    inputs: &[sys::napi_value],
    token: u32,
    progress: Option<Arc<AtomicU32>>,
    spawn: impl FnOnce(&Arc<Pool>, Arc<EnvShared>, u32, Inputs, Option<Arc<AtomicBool>>),
) -> Result<sys::napi_value, Thrown> {
    // SAFETY: JS thread per the contract, for every call below.
    unsafe {
        let local = EnvLocal::get(env)?;
        if let Err(e) = pool.admit() {
            let (code, msg) = match e {
                AdmitError::QueueFull => (
                    "ERR_QUEUE_FULL",
                    "the pool's queue is full (threads + maxQueue tasks in flight); retry later or raise maxQueue",
                ),
                AdmitError::Closed => ("ERR_POOL_CLOSED", "the pool is closed"),
            };
            return rejected(env, code, msg);
        }
        let mut refs = Vec::with_capacity(inputs.len());
        let mut items = Vec::with_capacity(inputs.len());
        let mut failure = None;
        for &v in inputs {
            match read_input(env, v, &mut refs) {
                Ok(i) => items.push(i),
                Err(e) => {
                    failure = Some(match e {
                        Thrown::Type(m) | Thrown::Other(_, m) => m,
                        Thrown::Task(t) => t.message,
                    });
                    break;
                }
            }
        }
        let mut deferred = ptr::null_mut();
        let mut promise = ptr::null_mut();
        let created = failure.is_none()
            && sys::napi_create_promise(env, &mut deferred, &mut promise) == sys::Status::napi_ok;
        if !created {
            for r in refs {
                sys::napi_delete_reference(env, r);
            }
            pool.unadmit();
            return match failure {
                Some(msg) => rejected(env, "ERR_INVALID_ARG_TYPE", &msg),
                None => Err(NapiFailure("napi_create_promise").into()),
            };
        }
        let cancel = (token != 0).then(|| Arc::new(AtomicBool::new(false)));
        let slot = local.insert(
            env,
            deferred,
            refs,
            Arc::clone(&pool),
            token,
            cancel.clone(),
        );
        if let Some(c) = progress {
            local.set_progress(slot, c);
        }
        spawn(
            &pool,
            Arc::clone(local.shared()),
            slot,
            Inputs::from_vec(items),
            cancel,
        );
        Ok(promise)
    }
}
