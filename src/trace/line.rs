//! An event's trace line, written the way `serde_json::to_writer` writes it, faster.
//!
//! Serializing every event for the trace hash was about 11 % of the engine's instructions on the
//! throughput bench (BENCHMARKS.md, stop 21): serde_json hands each key and value through
//! `io::Write` and scans every string byte against its escape table. This writer appends to a
//! `Vec<u8>` directly and copies a string that needs no escape in one piece.
//!
//! It must produce serde_json's bytes exactly, or the trace hash changes. It therefore writes only
//! what it is sure of (integers, booleans, plain strings, sequences, maps, structs, enums) and refuses
//! anything else (floats, 128-bit integers, bytes, unusual map keys) with [`Unsupported`]; the caller
//! then writes that line with serde_json. A string with a character to escape is escaped by serde_json.

use crate::event::Event;
use serde::ser::{self, Serialize};
use std::fmt;

/// The writer met a value it leaves to serde_json.
#[derive(Debug)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value the fast trace writer leaves to serde_json")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

/// Appends `value` as compact JSON, byte for byte what serde_json writes; on `Err` the buffer holds
/// a partial line and must be discarded. (The tests' way in; the trace uses [`write_event`].)
#[cfg(test)]
fn write<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result {
    value.serialize(&mut Writer { out, keys: &mut KeyCache::default(), continue_object: false })
}

/// An event's line, as serde_json writes it: `{"atUs":...,` and then its kind's fields (the
/// derive's `flatten`, written here without serde's flattening adapter). `keys` remembers the field
/// names already found to need no escape, from one event to the next.
pub fn write_event(out: &mut Vec<u8>, event: &Event, keys: &mut KeyCache) -> Result {
    out.extend_from_slice(b"{\"atUs\":");
    write_int(out, event.at_us);
    event.kind.serialize(&mut Writer { out, keys, continue_object: true })
}

/// Field names (always `&'static str`, so their bytes never change) known to need no escape, by
/// address and length (a small two-way table), so a name costs a lookup instead of a scan.
#[derive(Clone, Debug)]
pub struct KeyCache(Box<[(usize, usize); 1024]>);

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache(Box::new([(0, 0); 1024]))
    }
}

impl KeyCache {
    /// Appends `"key":`.
    fn write_key(&mut self, out: &mut Vec<u8>, key: &'static str) {
        let id = (key.as_ptr() as usize, key.len());
        // Fibonacci hashing of the address (names sit a few bytes apart, the product's top bits
        // spread them), two slots a name: two busy names that hash alike would otherwise evict
        // each other on every event ("records" and "highWatermark" did).
        let slot = ((id.0 as u64).wrapping_add(id.1 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 55) as usize * 2;
        if self.0[slot] == id || self.0[slot + 1] == id {
            write_plain(out, key);
        } else if !needs_escape(key.as_bytes()) {
            let free = if self.0[slot] == (0, 0) { slot } else { slot + 1 };
            self.0[free] = id;
            write_plain(out, key);
        } else {
            write_escaped(out, key);
        }
        out.push(b':');
    }
}

/// Appends `s` quoted; a string with a byte JSON escapes goes through serde_json's own escaping.
fn write_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s.as_bytes()) {
        write_escaped(out, s);
    } else {
        write_plain(out, s);
    }
}

/// Appends `s` quoted as it is: for a string known to need no escape. Inlined: it is most of a
/// cached field name's cost, and a call was 1 % of the bench's instructions.
#[inline(always)]
fn write_plain(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Appends `s` quoted and escaped by serde_json (into a Vec, which cannot fail).
fn write_escaped(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Whether any byte is one JSON escapes (a control character, `"` or `\\`), eight bytes a step:
/// the strings are mostly short keys, and a byte-by-byte scan was most of their cost.
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // Some byte of `w` is below `n` (n <= 0x80); exact as a yes/no, the classic SWAR test.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * n as u64) & !w & HIGH != 0;
    let any = |w: u64| below(w, 0x20) || below(w ^ (ONES * b'"' as u64), 1) || below(w ^ (ONES * b'\\' as u64), 1);
    let word = |at: usize| u64::from_ne_bytes(bytes[at..at + 8].try_into().expect("eight bytes"));
    if bytes.len() < 8 {
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    }
    // Whole words, then the last eight bytes (overlapping the last word: a yes/no test allows it).
    (0..bytes.len() / 8).any(|i| any(word(8 * i))) || any(word(bytes.len() - 8))
}

fn write_int(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    keys: &'a mut KeyCache,
    /// The next struct or map continues an object already open (an event's kind after `atUs`).
    continue_object: bool,
}

/// A sequence or object being written: whether the next element needs a comma first.
struct Compound<'w, 'a> {
    w: &'w mut Writer<'a>,
    first: bool,
    /// The closing bytes: `]`, `}`, or `}}` / `]}` for an enum variant's `{"name":...}` wrapper.
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !self.first {
            self.w.out.push(b',');
        }
        self.first = false;
    }

    fn key(&mut self, key: &'static str) {
        self.comma();
        self.w.keys.write_key(self.w.out, key);
    }

    fn end(self) -> Result {
        self.w.out.extend_from_slice(self.close);
        Ok(())
    }
}

impl<'w, 'a> Writer<'a> {
    fn open(&'w mut self, open: &[u8], close: &'static [u8]) -> Compound<'w, 'a> {
        self.out.extend_from_slice(open);
        Compound { w: self, first: true, close }
    }

    /// An object: a new one, or the rest of the open one (see `continue_object`).
    fn object(&'w mut self) -> Compound<'w, 'a> {
        if std::mem::take(&mut self.continue_object) {
            return Compound { w: self, first: false, close: b"}" };
        }
        self.open(b"{", b"}")
    }

    /// Anything but an object where one must continue is left to serde_json.
    fn not_continuing(&self) -> Result {
        if self.continue_object { Err(Unsupported) } else { Ok(()) }
    }

    /// `{"variant":` before a variant's content (serde_json's externally tagged form).
    fn variant(&mut self, variant: &str) {
        self.out.push(b'{');
        write_str(self.out, variant);
        self.out.push(b':');
    }
}

macro_rules! ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result {
            self.not_continuing()?;
            write_int(self.out, v);
            Ok(())
        }
    )*};
}

macro_rules! unsupported {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, _: $t) -> Result {
            Err(Unsupported)
        }
    )*};
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    ints!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    unsupported!(serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8], serialize_i128: i128, serialize_u128: u128);

    fn serialize_bool(self, v: bool) -> Result {
        self.not_continuing()?;
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result {
        self.not_continuing()?;
        write_str(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        self.not_continuing()?;
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_none(self) -> Result {
        self.not_continuing()?;
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.not_continuing()?;
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        self.not_continuing()?;
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.not_continuing()?;
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, value: &T) -> Result {
        self.not_continuing()?;
        self.variant(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        self.not_continuing()?;
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.not_continuing()?;
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self::SerializeTupleStruct> {
        self.not_continuing()?;
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self::SerializeTupleVariant> {
        self.not_continuing()?;
        self.variant(variant);
        Ok(self.open(b"[", b"]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.object())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Ok(self.object())
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self::SerializeStructVariant> {
        self.not_continuing()?;
        self.variant(variant);
        Ok(self.open(b"{", b"}}"))
    }
}

/// The element writers: every sequence form writes its elements alike, as does every struct form.
macro_rules! compound {
    ($($trait:ident :: $method:ident ( $($key:ident)? )),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Unsupported;
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: &'static str,)? value: &T) -> Result {
                compound!(@element self $($key)?);
                value.serialize(&mut *self.w)
            }
            fn end(self) -> Result {
                Compound::end(self)
            }
        }
    )*};
    (@element $self:ident) => { $self.comma() };
    (@element $self:ident $key:ident) => { $self.key($key) };
}

compound!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(key),
    SerializeStructVariant::serialize_field(key)
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.comma();
        key.serialize(MapKey { out: self.w.out })?;
        self.w.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.w)
    }
    fn end(self) -> Result {
        Compound::end(self)
    }
}

/// An object key: a string as it is, an integer quoted (as serde_json's map keys are); anything
/// else is left to serde_json.
struct MapKey<'a> {
    out: &'a mut Vec<u8>,
}

macro_rules! quoted_ints {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result {
            self.out.push(b'"');
            write_int(self.out, v);
            self.out.push(b'"');
            Ok(())
        }
    )*};
}

impl ser::Serializer for MapKey<'_> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = ser::Impossible<(), Unsupported>;
    type SerializeTuple = ser::Impossible<(), Unsupported>;
    type SerializeTupleStruct = ser::Impossible<(), Unsupported>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = ser::Impossible<(), Unsupported>;
    type SerializeStruct = ser::Impossible<(), Unsupported>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    quoted_ints!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64);
    quoted_ints!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    unsupported!(serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8], serialize_i128: i128, serialize_u128: u128);
    unsupported!(serialize_bool: bool, serialize_char: char);

    fn serialize_str(self, v: &str) -> Result {
        write_str(self.out, v);
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> Result {
        self.serialize_str(&value.to_string())
    }
    fn serialize_none(self) -> Result {
        Err(Unsupported)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result {
        Err(Unsupported)
    }
    fn serialize_unit(self) -> Result {
        Err(Unsupported)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result {
        Err(Unsupported)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result {
        Err(Unsupported)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(Unsupported)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant> {
        Err(Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(Unsupported)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct> {
        Err(Unsupported)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant> {
        Err(Unsupported)
    }
}

#[cfg(test)]
#[path = "line_tests.rs"]
mod tests;
