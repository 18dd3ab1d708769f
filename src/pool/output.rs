//! What a kernel hands back: a settled value the pool carries to the JS
//! thread without knowing what it is. The glue (`src/js/`) implements
//! [`Settled`] for every output type; the completion drain calls
//! [`Output::into_js`] on the JS thread.

use napi::{sys, Env};

/// A task's successful result, converted to a JS value on the JS thread.
pub trait Settled: Send + 'static {
    /// The JS value. Called on the JS thread of `env` only, once.
    fn into_js(self: Box<Self>, env: &Env) -> napi::Result<sys::napi_value>;
}

/// A kernel's successful result, boxed (one allocation per task).
pub struct Output(Box<dyn Settled>);

impl Output {
    /// Wraps any settled value.
    pub fn new(value: impl Settled) -> Self {
        Output(Box::new(value))
    }

    /// The JS value (JS thread of `env` only).
    pub fn into_js(self, env: &Env) -> napi::Result<sys::napi_value> {
        self.0.into_js(env)
    }
}
