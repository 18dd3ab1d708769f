//! What a kernel hands back to JS. Converted to JS values on the JS thread by
//! the completion drain (`completion.rs`); byte outputs become Buffers without
//! a copy.

/// A kernel's successful result.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A Buffer (moved, not copied, into JS where the runtime allows).
    Bytes(Vec<u8>),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A plain object with these properties, in order.
    Object(Vec<(&'static str, Value)>),
}

/// A property value of [`Output::Object`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `undefined` (the property is still set, with value undefined: skipped).
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
    /// A Buffer.
    Bytes(Vec<u8>),
    /// A nested plain object.
    Object(Vec<(&'static str, Value)>),
    /// An array of strings.
    TextList(Vec<String>),
}
