//! Reading internally tagged JSON objects (`{"type": "cutLink", "a": ..., "b": ...}`) through one flat
//! record of every variant's fields, then checking the record against the named variant.
//!
//! serde's derive for an internally tagged enum buffers each object and then deserializes every
//! variant from that buffer, which for [`crate::command::Command`] alone was 36 KB of the page's wasm.
//! A flat record (a derived struct of `Option`s with `deny_unknown_fields`) reads the same format in a
//! fraction of the code; these two checks give it the derive's strictness and error messages.

use serde::de::{Deserialize, Deserializer, Error, Unexpected};

/// A field as given: absent (`None`), null (`Some(None)`) or a value. Used as
/// `#[serde(default, deserialize_with = "given")]` on every field of a flat record, so a field that
/// does not belong to the variant is refused even when it is null, as the derive refused it.
pub type Given<T> = Option<Option<T>>;

/// Reads a field that is present (see [`Given`]).
pub fn given<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Given<T>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Refuses a field the object carried that the variant does not have, as the derive did:
/// "unknown field `a`, expected `broker`".
pub fn only<E: Error>(mut present: impl Iterator<Item = &'static str>, fields: &'static [&'static str]) -> Result<(), E> {
    match present.find(|f| !fields.contains(f)) {
        Some(foreign) => Err(E::unknown_field(foreign, fields)),
        None => Ok(()),
    }
}

/// A field the variant requires: serde's "missing field `name`" when absent, and a type error when null.
pub fn need<T, E: Error>(v: Given<T>, name: &'static str) -> Result<T, E> {
    match v {
        None => Err(E::missing_field(name)),
        Some(None) => Err(E::invalid_type(Unexpected::Unit, &format!("a value for `{name}`").as_str())),
        Some(Some(v)) => Ok(v),
    }
}

/// An optional field: absent and null are both `None`.
pub fn opt<T>(v: Given<T>) -> Option<T> {
    v.flatten()
}

/// The JSON names of the fields a flat record carried: `present!(self, "broker" => broker, ...)`.
#[macro_export]
#[doc(hidden)]
macro_rules! present {
    ($w:expr, $($name:literal => $field:ident),* $(,)?) => {
        [$(($name, $w.$field.is_some())),*].into_iter().filter_map(|(name, here)| here.then_some(name))
    };
}
