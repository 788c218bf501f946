//! CRC-32C (Castagnoli), the checksum of RecordBatch v2, and CRC-32 for gzip trailers.

/// Plain CRC-32 (IEEE), which gzip's trailer uses.
pub const CRC32_IEEE: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// CRC-32C of `data`. Every batch is checked on append, so natively this uses the `crc32c`
/// crate: the SSE4.2 / ARMv8 CRC instructions (detected at run time). The slice-by-16 table of the
/// `crc` crate was 17% of the throughput benchmark's time there (BENCHMARKS.md).
#[cfg(not(target_arch = "wasm32"))]
pub fn crc32c(data: &[u8]) -> u32 {
    ::crc32c::crc32c(data)
}

/// CRC-32C of `data` on wasm32, which has no CRC instruction: the `crc` crate's slice-by-16
/// table, 5-10 % faster on the wasm throughput benchmark than the `crc32c` crate's slice-by-8
/// fallback (BENCHMARKS.md, stop 19).
#[cfg(target_arch = "wasm32")]
pub fn crc32c(data: &[u8]) -> u32 {
    const CRC32C: crc::Crc<u32, crc::Table<16>> = crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
    CRC32C.checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ref: kafka-facts.md §8 (CRC-32C check value)
    #[test]
    fn crc32c_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn crc32_ieee_check_value() {
        assert_eq!(CRC32_IEEE.checksum(b"123456789"), 0xCBF4_3926);
    }
}
