//! The raw N-API half of a native call: promise creation, input references,
//! already rejected promises, errors as JS values. The `#[napi]` glue in
//! src/js/ calls these with the `Env` of its call (`Env` is neither Send nor
//! Sync, so holding one means being on its JS thread).

use super::*;

use napi::bindgen_prelude::{External, FromNapiRef, FromNapiValue, TypeName};
use napi::ValueType;

use crate::pool::default_pool;
use crate::tasks::ErrorCode;

impl From<NapiFailure> for napi::Error {
    fn from(e: NapiFailure) -> Self {
        napi::Error::new(
            napi::Status::GenericFailure,
            format!("corepool: {} failed", e.0),
        )
    }
}

/// This environment's state (see [`EnvLocal::get`]).
pub fn env_local(env: &Env) -> Result<&'static EnvLocal, NapiFailure> {
    // SAFETY: `env` is the environment of the current native call, on its JS
    // thread (an `Env` cannot leave it).
    unsafe { EnvLocal::get(env.raw()) }
}

/// A `CorepoolError` (code, message) as a throwable `napi::Error`.
pub fn corepool_error(env: &Env, code: &str, message: &str) -> napi::Error {
    // SAFETY: JS thread of `env` (see `env_local`); the value made is an
    // Error object of this env, wrapped with a reference by napi-rs.
    unsafe {
        match env_local(env).and_then(|l| l.error_to_js(env.raw(), code, message)) {
            Ok(v) => napi::Error::from(napi::Unknown::from_raw_unchecked(env.raw(), v)),
            Err(_) => napi::Error::new(napi::Status::GenericFailure, message.to_owned()),
        }
    }
}

/// An error to throw or reject with: a `TypeError` for
/// `ERR_INVALID_ARG_TYPE`, a `RangeError` for `ERR_INVALID_ARG_VALUE`
/// (Node's convention), a `CorepoolError` for every other code.
pub fn error(env: &Env, code: ErrorCode, message: impl Into<String>) -> napi::Error {
    let message = message.into();
    let e = napi::Error::new(code.as_str(), message.clone());
    let v = match code {
        ErrorCode::InvalidArgType => napi::JsTypeError::from(e).into_unknown(*env),
        ErrorCode::InvalidArgValue => napi::JsRangeError::from(e).into_unknown(*env),
        _ => return corepool_error(env, code.as_str(), &message),
    };
    napi::Error::from(v)
}

/// The pool argument: a handle from `createPool`, or `null`/`undefined` for
/// the default pool.
pub struct PoolArg(pub Arc<Pool>);

impl TypeName for PoolArg {
    fn type_name() -> &'static str {
        "ExternalObject<Pool> | null | undefined"
    }
    fn value_type() -> ValueType {
        ValueType::External
    }
}

impl FromNapiValue for PoolArg {
    // SAFETY: napi-rs's contract for this trait: called on the JS thread of
    // `env` with `v`, a value of the current call; nothing else is assumed.
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        let e = Env::from_raw(env);
        // SAFETY: napi-rs calls this on the JS thread with a value of the call.
        let t = unsafe { Unknown::from_raw_unchecked(env, v) }.get_type()?;
        if matches!(t, ValueType::Undefined | ValueType::Null) {
            return default_pool()
                .map(|p| PoolArg(Arc::clone(p)))
                .map_err(|m| error(&e, ErrorCode::Internal, m));
        }
        let bad = || {
            error(
                &e,
                ErrorCode::InvalidArgType,
                "The \"pool\" argument must be a pool handle from createPool(), null or undefined",
            )
        };
        if t != ValueType::External {
            return Err(bad());
        }
        // SAFETY: as above; napi-rs checks that the external is one of its
        // `External<Arc<Pool>>` before dereferencing it.
        match unsafe { External::<Arc<Pool>>::from_napi_ref(env, v) } {
            Ok(ext) => Ok(PoolArg(Arc::clone(ext))),
            Err(_) => Err(bad()),
        }
    }
}

/// A new promise and its deferred.
///
/// # Safety
/// On the JS thread of `env`.
unsafe fn new_promise(
    env: sys::napi_env,
) -> Result<(sys::napi_deferred, sys::napi_value), NapiFailure> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: per the function's contract.
    check(
        unsafe { sys::napi_create_promise(env, &mut deferred, &mut promise) },
        "napi_create_promise",
    )?;
    Ok((deferred, promise))
}

/// An already rejected promise with a `CorepoolError`.
pub fn rejected(env: &Env, code: &str, message: &str) -> Result<sys::napi_value, NapiFailure> {
    let local = env_local(env)?;
    // SAFETY: JS thread of `env`; the deferred is settled once, here.
    unsafe {
        let (deferred, promise) = new_promise(env.raw())?;
        let err = local.error_to_js(env.raw(), code, message)?;
        check(
            sys::napi_reject_deferred(env.raw(), deferred, err),
            "napi_reject_deferred",
        )?;
        Ok(promise)
    }
}

/// Reads a JS string's UTF-8 bytes.
///
/// # Safety
/// On the JS thread of `env`; `v` a value of that env.
unsafe fn read_utf8(env: sys::napi_env, v: sys::napi_value) -> Result<Vec<u8>, NapiFailure> {
    let mut len = 0usize;
    // SAFETY: per the contract; a null buffer asks for the length.
    check(
        unsafe { sys::napi_get_value_string_utf8(env, v, ptr::null_mut(), 0, &mut len) },
        "napi_get_value_string_utf8",
    )?;
    let mut buf = vec![0u8; len + 1];
    let mut written = 0usize;
    // SAFETY: `buf` has room for `len` bytes plus the NUL N-API writes.
    check(
        unsafe {
            sys::napi_get_value_string_utf8(env, v, buf.as_mut_ptr().cast(), len + 1, &mut written)
        },
        "napi_get_value_string_utf8",
    )?;
    buf.truncate(written);
    Ok(buf)
}

/// Why an input value could not be read.
enum InputError {
    /// Not a string, Buffer or Uint8Array.
    Type,
    /// An N-API call failed.
    Napi(NapiFailure),
}

impl From<NapiFailure> for InputError {
    fn from(e: NapiFailure) -> Self {
        InputError::Napi(e)
    }
}

/// An input value: a string (UTF-8, copied) or a Buffer/Uint8Array (read in
/// place, kept alive by a reference pushed onto `refs`).
///
/// # Safety
/// On the JS thread of `env`; `v` a value of that env.
unsafe fn read_input(
    env: sys::napi_env,
    v: sys::napi_value,
    refs: &mut Vec<sys::napi_ref>,
) -> Result<Input, InputError> {
    // SAFETY: JS thread per the contract.
    unsafe {
        let mut t = 0;
        check(sys::napi_typeof(env, v, &mut t), "napi_typeof")?;
        if t == sys::ValueType::napi_string {
            return Ok(Input::Owned(read_utf8(env, v)?));
        }
        let mut is_ta = false;
        check(
            sys::napi_is_typedarray(env, v, &mut is_ta),
            "napi_is_typedarray",
        )?;
        if !is_ta {
            return Err(InputError::Type);
        }
        let (mut kind, mut len, mut data) = (0, 0usize, ptr::null_mut());
        check(
            sys::napi_get_typedarray_info(
                env,
                v,
                &mut kind,
                &mut len,
                &mut data,
                ptr::null_mut(),
                ptr::null_mut(),
            ),
            "napi_get_typedarray_info",
        )?;
        if kind != sys::TypedarrayType::uint8_array
            && kind != sys::TypedarrayType::uint8_clamped_array
        {
            return Err(InputError::Type);
        }
        let mut r = ptr::null_mut();
        check(
            sys::napi_create_reference(env, v, 1, &mut r),
            "napi_create_reference",
        )?;
        refs.push(r);
        Ok(Input::Borrowed {
            ptr: data as *const u8,
            len,
        })
    }
}

/// Bytes of a string, Buffer or Uint8Array argument, copied (for the
/// synchronous helpers and the ≤ 72-byte bcrypt keys). None: another type.
pub fn input_bytes(env: &Env, v: &Unknown<'_>) -> Result<Option<Vec<u8>>, NapiFailure> {
    let mut refs = Vec::new();
    // SAFETY: JS thread of `env`; `v` a value of this call, alive on the JS
    // stack while the bytes are copied; the reference made is deleted at once.
    unsafe {
        let input = read_input(env.raw(), v.raw(), &mut refs);
        for r in refs {
            check(
                sys::napi_delete_reference(env.raw(), r),
                "napi_delete_reference",
            )?;
        }
        match input {
            Ok(i) => Ok(Some(i.bytes().to_vec())),
            Err(InputError::Type) => Ok(None),
            Err(InputError::Napi(e)) => Err(e),
        }
    }
}

/// What [`submit`] hands to the pool: the task's environment, slot, inputs
/// and cancel flag.
pub struct Submitted {
    /// The environment to complete in.
    pub env: Arc<EnvShared>,
    /// The task's pending slot.
    pub slot: u32,
    /// The inputs, read in place.
    pub inputs: Inputs,
    /// Set by `cancel(token)` (tasks with a token only).
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Admits a task on `pool`, references its `inputs` (strings, Buffers or
/// Uint8Arrays), records its promise and calls `spawn` to hand it to the
/// pool. A full or closed pool, or an input of another type, gives an
/// already rejected promise (nothing allocated for the task). A `token`
/// other than 0 makes the task cancellable (`cancel(token, reason)`);
/// `progress` is readable with `progress(token)` while it is pending.
pub fn submit(
    env: &Env,
    pool: &Arc<Pool>,
    inputs: &[Unknown<'_>],
    token: u32,
    progress: Option<Arc<AtomicU32>>,
    spawn: impl FnOnce(Submitted),
) -> Result<sys::napi_value, NapiFailure> {
    let local = env_local(env)?;
    if let Err(e) = pool.admit() {
        let e = e.to_task_error();
        return rejected(env, e.code.as_str(), &e.message);
    }
    let raw = env.raw();
    let mut refs = Vec::with_capacity(inputs.len());
    let mut items = Vec::with_capacity(inputs.len());
    let mut failure = None;
    for v in inputs {
        // SAFETY: JS thread of `env`; `v` a value of this call.
        match unsafe { read_input(raw, v.raw(), &mut refs) } {
            Ok(i) => items.push(i),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    // SAFETY: JS thread of `env`.
    let created = match failure {
        None => unsafe { new_promise(raw) }.map_err(InputError::Napi),
        Some(e) => Err(e),
    };
    let (deferred, promise) = match created {
        Ok(p) => p,
        Err(e) => {
            for r in refs {
                // SAFETY: references this call created; no job saw them.
                teardown_only(unsafe { sys::napi_delete_reference(raw, r) });
            }
            pool.unadmit();
            return match e {
                InputError::Type => rejected(
                    env,
                    "ERR_INVALID_ARG_TYPE",
                    "The \"input\" argument must be of type string or an instance of Buffer or Uint8Array",
                ),
                InputError::Napi(e) => Err(e),
            };
        }
    };
    let cancel = (token != 0).then(|| Arc::new(AtomicBool::new(false)));
    // SAFETY: JS thread of `env`; `deferred` is new and unsettled.
    let slot =
        unsafe { local.insert(raw, deferred, refs, Arc::clone(pool), token, cancel.clone()) };
    if let Some(c) = progress {
        local.set_progress(slot, c);
    }
    spawn(Submitted {
        env: Arc::clone(local.shared()),
        slot,
        inputs: Inputs::from_vec(items),
        cancel,
    });
    Ok(promise)
}

/// A promise settled with `true` when the pool lends a thread to the JS lane
/// (lease.rs); `spawn(env, slot)` asks for the lease.
pub fn lease_promise(
    env: &Env,
    pool: &Arc<Pool>,
    spawn: impl FnOnce(Arc<EnvShared>, u32),
) -> Result<sys::napi_value, NapiFailure> {
    let local = env_local(env)?;
    // SAFETY: JS thread of `env`; the deferred is new and unsettled.
    unsafe {
        let (deferred, promise) = new_promise(env.raw())?;
        let slot = local.insert_lease(env.raw(), deferred, Arc::clone(pool));
        spawn(Arc::clone(local.shared()), slot);
        Ok(promise)
    }
}

/// `leaseNow(pool, id)`: see [`EnvLocal::lease_now`].
pub fn lease_now(env: &Env, pool: &Arc<Pool>, id: u32) -> Result<bool, NapiFailure> {
    Ok(env_local(env)?.lease_now(pool, id))
}

/// `unlease(pool, id)`: see [`EnvLocal::unlease`].
pub fn unlease(env: &Env, pool: &Arc<Pool>, id: u32) -> Result<(), NapiFailure> {
    env_local(env)?.unlease(pool, id);
    Ok(())
}

/// `close()`'s promise: settled once nothing of `pool` is in flight.
pub fn close_promise(env: &Env, pool: Arc<Pool>) -> Result<sys::napi_value, NapiFailure> {
    let local = env_local(env)?;
    // SAFETY: JS thread of `env`; the deferred is new and unsettled.
    unsafe {
        let (deferred, promise) = new_promise(env.raw())?;
        local.wait_idle(env.raw(), pool, deferred);
        Ok(promise)
    }
}

/// `init(CorepoolError, scheduleDrain)`: see [`EnvLocal::set_callbacks`].
pub fn set_callbacks(
    env: &Env,
    error_ctor: Unknown<'_>,
    schedule: Unknown<'_>,
) -> Result<(), NapiFailure> {
    // SAFETY: JS thread of `env`; both values of this call.
    unsafe { env_local(env)?.set_callbacks(env.raw(), error_ctor.raw(), schedule.raw()) }
}

/// `drain()`: runs a scheduled drain (see [`EnvLocal::run_scheduled_drain`]).
pub fn drain(env: &Env) -> Result<(), NapiFailure> {
    // SAFETY: JS thread of `env`.
    unsafe { env_local(env)?.run_scheduled_drain(env.raw()) };
    Ok(())
}

/// `cancel(token, reason)`: see [`EnvLocal::cancel`].
pub fn cancel(env: &Env, token: u32, reason: Unknown<'_>) -> Result<bool, NapiFailure> {
    // SAFETY: JS thread of `env`; `reason` a value of this call.
    Ok(unsafe { env_local(env)?.cancel(env.raw(), token, reason.raw()) })
}
