//! What a kernel hands back: a settled value the pool carries to the JS
//! thread without knowing what it is. Every napi-rs value type is
//! [`Settled`]; [`Bytes`] is a Buffer output. The completion drain calls
//! [`Output::into_js`] on the JS thread.

use napi::bindgen_prelude::{Buffer, BufferSlice, ToNapiValue, TypeName};
use napi::{sys, Env, JsValue, Result, ValueType};

/// A task's successful result, converted to a JS value on the JS thread.
pub trait Settled: Send + 'static {
    /// The JS value. Called on the JS thread of `env` only, once.
    fn into_js(self: Box<Self>, env: &Env) -> Result<sys::napi_value>;
}

/// A kernel's successful result, boxed (one allocation per task).
pub struct Output(Box<dyn Settled>);

impl Output {
    /// Wraps any settled value.
    pub fn new(value: impl Settled) -> Self {
        Output(Box::new(value))
    }

    /// The JS value (JS thread of `env` only).
    pub fn into_js(self, env: &Env) -> Result<sys::napi_value> {
        self.0.into_js(env)
    }
}

/// Every napi-rs value type (strings, booleans, numbers, `#[napi(object)]`
/// structs, [`Bytes`]) is a value a task can settle with.
impl<T: ToNapiValue + Send + 'static> Settled for T {
    fn into_js(self: Box<Self>, env: &Env) -> Result<sys::napi_value> {
        // SAFETY: the completion drain calls this on the JS thread of `env`.
        unsafe { T::to_napi_value(env.raw(), *self) }
    }
}

/// Outputs below this size are copied into a plain Buffer: for a digest or a
/// hash a small memcpy is cheaper than an external buffer and its finalizer.
const COPY_BELOW: usize = 1024;

/// A Buffer output: copied below [`COPY_BELOW`] bytes, moved into JS without
/// a copy above (or copied where the runtime forbids external buffers).
pub struct Bytes(pub Vec<u8>);

impl TypeName for Bytes {
    fn type_name() -> &'static str {
        "Buffer"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Bytes {
    // SAFETY: napi-rs's contract for this trait: called on the JS thread of
    // `env`, which is live for the call; nothing else is assumed.
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        if val.0.len() < COPY_BELOW {
            return Ok(BufferSlice::copy_from(&Env::from_raw(env), &val.0)?.raw());
        }
        // SAFETY: forwarded contract (JS thread of `env`).
        unsafe { Buffer::to_napi_value(env, Buffer::from(val.0)) }
    }
}
