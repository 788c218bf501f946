//! Zig-zag varints and varlongs, protobuf style, as Kafka's `ByteUtils` writes them.
//!
//! Decoding mirrors Java: at most 5 bytes for a varint and 10 for a varlong; the high bits of the
//! last allowed byte are shifted out rather than rejected, exactly as `ByteUtils.readVarint` does.

/// Why a varint could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended inside the varint.
    Truncated,
    /// More continuation bytes than a varint (5) or varlong (10) may have.
    TooLong,
}

// The small functions here run several times per record, and the page's build is optimised for
// size (opt-level "z"), where LLVM ignores `#[inline]` hints: they are `#[inline(always)]`.

#[inline(always)]
fn zigzag32(v: i32) -> u64 {
    ((v << 1) ^ (v >> 31)) as u32 as u64
}

#[inline(always)]
fn zigzag64(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Writes `v` as a zig-zag varint into `dst` at `at` (which has room: see [`size_of_varint`]);
/// returns where it ends.
#[inline(always)]
pub fn put_varint(dst: &mut [u8], at: usize, v: i32) -> usize {
    put_unsigned(dst, at, zigzag32(v))
}

/// [`put_varint`] for a varlong.
#[inline(always)]
pub fn put_varlong(dst: &mut [u8], at: usize, v: i64) -> usize {
    put_unsigned(dst, at, zigzag64(v))
}

#[inline(always)]
fn put_unsigned(dst: &mut [u8], mut at: usize, mut u: u64) -> usize {
    while u >= 0x80 {
        dst[at] = (u as u8 & 0x7f) | 0x80;
        u >>= 7;
        at += 1;
    }
    dst[at] = u as u8;
    at + 1
}

/// Bytes `put_varint(v)` writes.
#[inline(always)]
pub fn size_of_varint(v: i32) -> usize {
    size_of_unsigned(zigzag32(v))
}

/// Bytes `put_varlong(v)` writes.
#[inline(always)]
pub fn size_of_varlong(v: i64) -> usize {
    size_of_unsigned(zigzag64(v))
}

#[inline(always)]
fn size_of_unsigned(u: u64) -> usize {
    let bits = 64 - (u | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Reads a zig-zag varint from the start of `buf`: (value, bytes read).
#[inline(always)]
pub fn read_varint(buf: &[u8]) -> Result<(i32, usize), VarintError> {
    let (raw, n) = read_unsigned(buf, 5)?;
    let raw = raw as u32; // Java shifts the excess bits of the 5th byte out of the int.
    Ok((((raw >> 1) as i32) ^ -((raw & 1) as i32), n))
}

/// Reads a zig-zag varlong from the start of `buf`: (value, bytes read).
#[inline(always)]
pub fn read_varlong(buf: &[u8]) -> Result<(i64, usize), VarintError> {
    let (raw, n) = read_unsigned(buf, 10)?;
    Ok((((raw >> 1) as i64) ^ -((raw & 1) as i64), n))
}

#[inline(always)]
fn read_unsigned(buf: &[u8], max_bytes: usize) -> Result<(u64, usize), VarintError> {
    // Most fields of a record (attributes, deltas, small lengths) fit in one byte.
    if let Some(&b) = buf.first() {
        if b < 0x80 {
            return Ok((b as u64, 1));
        }
    }
    let mut value: u64 = 0;
    for i in 0..max_bytes {
        let b = *buf.get(i).ok_or(VarintError::Truncated)?;
        value |= ((b & 0x7f) as u64).checked_shl(7 * i as u32).unwrap_or(0);
        if b & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err(VarintError::TooLong)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_varint(out: &mut Vec<u8>, v: i32) {
        let mut b = [0; 5];
        let n = put_varint(&mut b, 0, v);
        out.extend_from_slice(&b[..n]);
    }

    fn write_varlong(out: &mut Vec<u8>, v: i64) {
        let mut b = [0; 10];
        let n = put_varlong(&mut b, 0, v);
        out.extend_from_slice(&b[..n]);
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    // Ref: kafka-facts.md §8 (varint vectors, verified with kafka-python)
    const VECTORS: &[(i32, &str)] = &[
        (0, "00"),
        (-1, "01"),
        (1, "02"),
        (-2, "03"),
        (2, "04"),
        (63, "7e"),
        (-64, "7f"),
        (64, "8001"),
        (150, "ac02"),
        (300, "d804"),
        (-300, "d704"),
        (2147483647, "feffffff0f"),
        (-2147483648, "ffffffff0f"),
    ];

    #[test]
    fn varint_vectors_encode_decode_and_size() {
        for &(v, want) in VECTORS {
            let mut out = Vec::new();
            write_varint(&mut out, v);
            assert_eq!(hex(&out), want, "encode {v}");
            let mut placed = [0xaa; 12];
            assert_eq!(put_varint(&mut placed, 1, v), 1 + out.len());
            assert_eq!(&placed[1..1 + out.len()], &out[..], "put_varint writes the same bytes");
            assert_eq!(put_varlong(&mut placed, 0, v as i64), out.len());
            assert_eq!(size_of_varint(v), out.len());
            assert_eq!(read_varint(&out), Ok((v, out.len())), "decode {want}");
            // A varlong of the same value has the same encoding.
            let mut l = Vec::new();
            write_varlong(&mut l, v as i64);
            assert_eq!(hex(&l), want);
            assert_eq!(read_varlong(&l), Ok((v as i64, l.len())));
        }
    }

    #[test]
    fn varlong_extremes_round_trip() {
        for v in [i64::MIN, i64::MAX, -1, 0, 1 << 40, -(1 << 40)] {
            let mut out = Vec::new();
            write_varlong(&mut out, v);
            assert_eq!(size_of_varlong(v), out.len());
            assert_eq!(read_varlong(&out), Ok((v, out.len())));
        }
    }

    #[test]
    fn truncated_and_overlong_inputs_are_errors() {
        assert_eq!(read_varint(&[]), Err(VarintError::Truncated));
        assert_eq!(read_varint(&[0x80, 0x80]), Err(VarintError::Truncated));
        assert_eq!(read_varint(&[0xff; 6]), Err(VarintError::TooLong));
        assert_eq!(read_varlong(&[0xff; 11]), Err(VarintError::TooLong));
    }
}
