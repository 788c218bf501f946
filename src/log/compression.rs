//! The four codecs Kafka can apply to a batch's records area, in the framings Kafka's Java client
//! writes: gzip as `GZIPOutputStream`, snappy as xerial `SnappyOutputStream`, lz4 as the LZ4 frame
//! format, zstd as a zstd frame. All pure Rust so the engine builds for wasm32.

use super::crc::CRC32_IEEE;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// Batch compression codec (attributes bits 0–2), named like `compression.type` values.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Codec id 0.
    #[default]
    None,
    /// Codec id 1.
    Gzip,
    /// Codec id 2.
    Snappy,
    /// Codec id 3.
    Lz4,
    /// Codec id 4.
    Zstd,
}

impl Compression {
    /// The codec id stored in the batch attributes.
    pub fn id(self) -> u8 {
        self as u8
    }

    /// The codec for an attributes id, if it is one Kafka defines.
    pub fn from_id(id: u8) -> Option<Compression> {
        [Self::None, Self::Gzip, Self::Snappy, Self::Lz4, Self::Zstd]
            .get(id as usize)
            .copied()
    }

    /// Kafka's name for the codec (`CompressionType.name`), as `kafka-dump-log.sh` prints it.
    pub fn name(self) -> &'static str {
        ["none", "gzip", "snappy", "lz4", "zstd"][self as usize]
    }
}

/// Decompressed output larger than this is refused, so a malicious batch cannot exhaust memory.
pub const MAX_DECOMPRESSED_BYTES: usize = 64 << 20;

/// Why a records area could not be decompressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompressionError {
    /// Codec that failed.
    pub codec: Compression,
    /// What was wrong.
    pub reason: String,
}

impl std::fmt::Display for CompressionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} decompression failed: {}",
            self.codec.name(),
            self.reason
        )
    }
}

fn err(codec: Compression, reason: impl Into<String>) -> CompressionError {
    CompressionError {
        codec,
        reason: reason.into(),
    }
}

/// Compresses `data` with `codec` (None copies it).
pub fn compress(codec: Compression, data: &[u8]) -> Vec<u8> {
    match codec {
        Compression::None => data.to_vec(),
        Compression::Gzip => gzip_compress(data),
        Compression::Snappy => snappy_compress(data),
        Compression::Lz4 => lz4_compress(data),
        Compression::Zstd => {
            ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
        }
    }
}

/// Decompresses `data` produced by `codec`, refusing output past [`MAX_DECOMPRESSED_BYTES`].
pub fn decompress(codec: Compression, data: &[u8]) -> Result<Vec<u8>, CompressionError> {
    match codec {
        Compression::None => Ok(data.to_vec()),
        Compression::Gzip => gzip_decompress(data),
        Compression::Snappy => snappy_decompress(data),
        Compression::Lz4 => read_limited(codec, lz4_flex::frame::FrameDecoder::new(data)),
        Compression::Zstd => {
            let dec = ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(|e| err(codec, e.to_string()))?;
            read_limited(codec, dec)
        }
    }
}

fn read_limited(codec: Compression, r: impl Read) -> Result<Vec<u8>, CompressionError> {
    let mut out = Vec::new();
    r.take(MAX_DECOMPRESSED_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| err(codec, e.to_string()))?;
    if out.len() > MAX_DECOMPRESSED_BYTES {
        return Err(err(
            codec,
            format!("output exceeds {MAX_DECOMPRESSED_BYTES} bytes"),
        ));
    }
    Ok(out)
}

// Java's GZIPOutputStream: fixed 10-byte header (no name, mtime 0, OS 255 since JDK 16), raw
// deflate at the default level 6, then CRC-32 and ISIZE little-endian.
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

fn gzip_compress(data: &[u8]) -> Vec<u8> {
    let mut out = GZIP_HEADER.to_vec();
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&CRC32_IEEE.checksum(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn gzip_decompress(data: &[u8]) -> Result<Vec<u8>, CompressionError> {
    let c = Compression::Gzip;
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(err(c, "missing gzip header (1f 8b 08)"));
    }
    let flags = data[3];
    let mut pos = 10usize;
    let short = || err(c, "gzip header runs past the end of the data");
    if flags & 0x04 != 0 {
        let xlen = u16::from_le_bytes([
            *data.get(pos).ok_or_else(short)?,
            *data.get(pos + 1).ok_or_else(short)?,
        ]);
        pos += 2 + xlen as usize;
    }
    for bit in [0x08u8, 0x10] {
        if flags & bit != 0 {
            let nul = data
                .get(pos..)
                .ok_or_else(short)?
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(short)?;
            pos += nul + 1;
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
    }
    let end = data.len() - 8;
    let body = data.get(pos..end).ok_or_else(short)?;
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(body, MAX_DECOMPRESSED_BYTES)
        .map_err(|e| err(c, format!("deflate stream: {:?}", e.status)))?;
    let crc = u32::from_le_bytes([data[end], data[end + 1], data[end + 2], data[end + 3]]);
    let isize = u32::from_le_bytes([data[end + 4], data[end + 5], data[end + 6], data[end + 7]]);
    if crc != CRC32_IEEE.checksum(&out) || isize != out.len() as u32 {
        return Err(err(c, "gzip trailer CRC-32/ISIZE does not match the data"));
    }
    Ok(out)
}

// xerial snappy-java stream: magic, version 1, min-compatible version 1, then blocks of
// (int32 big-endian compressed length, raw snappy block) of at most 32 KiB uncompressed each.
const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
const XERIAL_BLOCK: usize = 32 * 1024;

fn snappy_compress(data: &[u8]) -> Vec<u8> {
    let mut out = XERIAL_MAGIC.to_vec();
    out.extend_from_slice(&1i32.to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    let mut enc = snap::raw::Encoder::new();
    for chunk in data.chunks(XERIAL_BLOCK) {
        // Encoding into a Vec cannot fail for chunks this small.
        let block = enc.compress_vec(chunk).unwrap_or_default();
        out.extend_from_slice(&(block.len() as i32).to_be_bytes());
        out.extend_from_slice(&block);
    }
    out
}

fn snappy_raw(block: &[u8], out: &mut Vec<u8>) -> Result<(), CompressionError> {
    let c = Compression::Snappy;
    let n = snap::raw::decompress_len(block).map_err(|e| err(c, e.to_string()))?;
    if out.len() + n > MAX_DECOMPRESSED_BYTES {
        return Err(err(
            c,
            format!("output exceeds {MAX_DECOMPRESSED_BYTES} bytes"),
        ));
    }
    let start = out.len();
    out.resize(start + n, 0);
    snap::raw::Decoder::new()
        .decompress(block, &mut out[start..])
        .map_err(|e| err(c, e.to_string()))?;
    Ok(())
}

fn snappy_decompress(data: &[u8]) -> Result<Vec<u8>, CompressionError> {
    let mut out = Vec::new();
    if !data.starts_with(&XERIAL_MAGIC) {
        // snappy-java reads a stream without the header as one raw block.
        snappy_raw(data, &mut out)?;
        return Ok(out);
    }
    let mut pos = 16usize;
    while pos < data.len() {
        let len_bytes = data.get(pos..pos + 4).ok_or_else(|| {
            err(
                Compression::Snappy,
                format!("truncated block length at {pos}"),
            )
        })?;
        let len = i32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        let block = usize::try_from(len)
            .ok()
            .and_then(|l| data.get(pos + 4..pos + 4 + l));
        let block = block.ok_or_else(|| {
            err(
                Compression::Snappy,
                format!("block of {len} bytes at {pos} runs past the end"),
            )
        })?;
        snappy_raw(block, &mut out)?;
        pos += 4 + block.len();
    }
    Ok(out)
}

// Kafka's KafkaLZ4BlockOutputStream: LZ4 frame, 64 KiB independent blocks, no checksums.
fn lz4_compress(data: &[u8]) -> Vec<u8> {
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
    let mut info = FrameInfo::new();
    info.block_size = BlockSize::Max64KB;
    info.block_mode = BlockMode::Independent;
    let mut enc = FrameEncoder::with_frame_info(info, Vec::new());
    // Writing into a Vec never fails.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Gzip,
        Compression::Snappy,
        Compression::Lz4,
        Compression::Zstd,
    ];

    #[test]
    fn every_codec_round_trips() {
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| (i % 251) as u8 ^ (i / 1000) as u8)
            .collect();
        for c in ALL {
            for d in [&data[..], b"", b"x"] {
                assert_eq!(decompress(c, &compress(c, d)).as_deref(), Ok(d), "{c:?}");
            }
        }
    }

    #[test]
    fn framings_match_the_java_client() {
        assert_eq!(&compress(Compression::Gzip, b"a")[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(&compress(Compression::Snappy, b"a")[..8], &XERIAL_MAGIC);
        assert_eq!(
            &compress(Compression::Lz4, b"a")[..4],
            &[0x04, 0x22, 0x4d, 0x18]
        );
        assert_eq!(
            &compress(Compression::Zstd, b"a")[..4],
            &[0x28, 0xb5, 0x2f, 0xfd]
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for c in ALL {
            let mut z = compress(c, b"hello hello hello hello");
            for i in 0..z.len() {
                z[i] ^= 0x5a;
                let _ = decompress(c, &z);
                let _ = decompress(c, &z[..i]);
                z[i] ^= 0x5a;
            }
        }
    }

    #[test]
    fn codec_ids_and_names() {
        for (i, c) in ALL.iter().enumerate() {
            assert_eq!(Compression::from_id(i as u8), Some(*c));
            assert_eq!(
                serde_json::to_string(c).unwrap(),
                format!("\"{}\"", c.name())
            );
        }
        assert_eq!(Compression::from_id(5), None);
    }
}
