//! Input bytes of a task, read in place on a pool thread.
//!
//! A borrowed input points into a JS Buffer/TypedArray's backing store. It
//! stays valid because (a) the glue holds a `napi_ref` on the JS object from
//! submission until the completion drain settles the task, which is always
//! after the job has finished with the bytes, and (b) environment teardown
//! waits at the environment's gate for jobs that are reading (completion/).
//! The contract documented for users: do not mutate or transfer an input
//! Buffer until its promise settles (sharp has the same contract).

/// One input: JS memory read in place, or bytes the glue owns (e.g. a JS
/// string converted to UTF-8).
pub enum Input {
    /// A view of JS-owned memory.
    Borrowed {
        /// Start of the bytes.
        ptr: *const u8,
        /// Number of bytes.
        len: usize,
    },
    /// Bytes owned by the task.
    Owned(Vec<u8>),
}

impl Input {
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Input::Owned(v) => v,
            Input::Borrowed { len: 0, .. } => &[],
            // `ptr`/`len` came from napi_get_typedarray_info for an object
            // the environment keeps referenced until this task is settled,
            // and the environment cannot be torn down while a job is inside
            // its gate (module docs). Length zero is handled above.
            // SAFETY: per the above, `len` initialised bytes live at `ptr`.
            Input::Borrowed { ptr, len } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }
}

/// The inputs of one task (most tasks have exactly one).
pub struct Inputs {
    items: Vec<Input>,
}

// SAFETY: the raw pointers are only dereferenced through `Input::bytes`, whose
// validity is guaranteed by the reference/gate protocol above for as long as
// the job runs, on whichever thread; the bytes are only read, never written.
unsafe impl Send for Inputs {}

impl Inputs {
    /// No inputs.
    pub fn none() -> Self {
        Inputs { items: Vec::new() }
    }

    /// Inputs from a list.
    pub fn from_vec(items: Vec<Input>) -> Self {
        Inputs { items }
    }

    /// The i-th input's bytes (empty if absent).
    pub fn get(&self, i: usize) -> &[u8] {
        self.items.get(i).map(Input::bytes).unwrap_or(&[])
    }

    /// All inputs' bytes, in order.
    pub fn all(&self) -> Vec<&[u8]> {
        self.items.iter().map(Input::bytes).collect()
    }

    /// Number of inputs.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there is no input.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
