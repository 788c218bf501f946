//! CRC-32C (Castagnoli), the checksum of RecordBatch v2, and CRC-32 for gzip trailers.

/// The CRC-32C engine; a `const` so the tables are built at compile time. Slice-by-16 (16 KB of
/// tables) because every batch is checked on append and on replication: the byte-wise table made
/// CRC 40% of the engine's time on the throughput benchmark (BENCHMARKS.md).
pub const CRC32C: crc::Crc<u32, crc::Table<16>> = crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);

/// Plain CRC-32 (IEEE), which gzip's trailer uses.
pub const CRC32_IEEE: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// CRC-32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
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
