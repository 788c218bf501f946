//! `kafkascope dump-log [--print-data-log] [--deep-iteration] [--json] FILE...`: prints segment files in
//! the text format of Kafka's `kafka-dump-log.sh` (DumpLogSegments). The only file IO of the log.

use crate::log::batch::{
    crc_matches, read_header, BatchError, ControlType, EndTxnMarker, LOG_OVERHEAD,
};
use crate::log::batch::{decode_records, BatchHeader, Record};
use std::io::Write;

struct Options {
    print_data: bool,
    deep: bool,
    json: bool,
    files: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        print_data: false,
        deep: false,
        json: false,
        files: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--print-data-log" => o.print_data = true,
            "--deep-iteration" => o.deep = true,
            "--json" => o.json = true,
            // Kafka takes a comma-separated list after --files.
            "--files" => o.files.extend(
                it.next()
                    .ok_or("--files needs a value")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            f if f.starts_with("--") => return Err(format!("unknown option {f}")),
            f => o.files.push(f.to_string()),
        }
    }
    if o.files.is_empty() {
        return Err(
            "usage: kafkascope dump-log [--print-data-log] [--deep-iteration] [--json] FILE...".into(),
        );
    }
    // --print-data-log implies deep iteration, as in Kafka.
    o.deep |= o.print_data;
    Ok(o)
}

fn io(e: std::io::Error) -> String {
    format!("write failed: {e}")
}

/// Runs the subcommand, writing the dump to `out`; errors name the file and byte position.
pub fn dump_log(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let opts = parse_args(args)?;
    for path in &opts.files {
        if !opts.json {
            writeln!(out, "Dumping {path}").map_err(io)?;
        }
        let name = std::path::Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(path);
        let (stem, suffix) = name.split_once('.').unwrap_or((name, ""));
        let base = || {
            stem.parse::<i64>()
                .map_err(|_| format!("{path}: file name does not start with a base offset"))
        };
        let read = || std::fs::read(path).map_err(|e| format!("{path}: {e}"));
        if opts.json {
            match suffix {
                "log" => super::dump_json::dump_segment(path, &read()?, out)?,
                "index" => super::dump_json::dump_index(base()?, &read()?, false, out)?,
                "timeindex" => super::dump_json::dump_index(base()?, &read()?, true, out)?,
                _ => return Err(format!("{path}: --json reads .log, .index and .timeindex files")),
            }
            continue;
        }
        match suffix {
            "log" => dump_segment(path, name, base()?, &read()?, &opts, out)?,
            "index" => dump_index(path, base()?, &read()?, out)?,
            "timeindex" => dump_time_index(base()?, &read()?, out)?,
            "txnindex" => dump_txn_index(path, &read()?, out)?,
            _ => writeln!(out, "Ignoring unknown file {path}").map_err(io)?,
        }
    }
    Ok(())
}

fn dump_segment(
    path: &str,
    name: &str,
    base: i64,
    data: &[u8],
    o: &Options,
    out: &mut dyn Write,
) -> Result<(), String> {
    writeln!(out, "Log starting offset: {base}").map_err(io)?;
    let mut pos = 0usize;
    let fail = |pos: usize, e: BatchError| {
        format!("{path}: corrupt batch at byte {pos}: {}", e.shifted(pos))
    };
    // Like FileRecords' batch iterator: stop quietly at a batch that is not wholly in the file.
    while data.len() - pos >= 17 {
        let rest = &data[pos..];
        let len = i32::from_be_bytes([rest[8], rest[9], rest[10], rest[11]]);
        if len < 14 {
            return Err(format!("{path}: found record size {len} smaller than minimum record overhead (14) at byte {pos}"));
        }
        let size = len as usize + LOG_OVERHEAD;
        if rest.len() < size {
            break;
        }
        let h = read_header(rest).map_err(|e| fail(pos, e))?;
        print_batch(&h, pos, crc_matches(rest, &h), out)?;
        if o.deep {
            let recs = decode_records_unchecked(&rest[..size]).map_err(|e| fail(pos, e))?;
            for r in &recs {
                print_record(&h, r, o.print_data, out).map_err(io)?;
            }
        }
        pos += size;
    }
    if pos < data.len() {
        writeln!(
            out,
            "Found {} invalid bytes at the end of {name}",
            data.len() - pos
        )
        .map_err(io)?;
    }
    Ok(())
}

// Kafka prints records of a batch whose CRC is wrong (it says isvalid: false on the batch line), so
// parse them even then: re-sign a copy to get past validation.
pub(super) fn decode_records_unchecked(batch: &[u8]) -> Result<Vec<Record>, BatchError> {
    let mut copy = batch.to_vec();
    let crc = crate::log::crc::crc32c(copy.get(21..).unwrap_or_default());
    if let Some(s) = copy.get_mut(17..21) {
        s.copy_from_slice(&crc.to_be_bytes());
    }
    decode_records(&copy).map(|(_, r)| r)
}

fn print_batch(
    h: &BatchHeader,
    pos: usize,
    valid: bool,
    out: &mut dyn Write,
) -> Result<(), String> {
    let horizon = h
        .delete_horizon_ms()
        .map_or("OptionalLong.empty".to_string(), |v| {
            format!("OptionalLong[{v}]")
        });
    writeln!(
        out,
        "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {} producerEpoch: {} \
         partitionLeaderEpoch: {} isTransactional: {} isControl: {} deleteHorizonMs: {} position: {} {}: {} size: {} \
         magic: {} compresscodec: {} crc: {} isvalid: {}",
        h.base_offset,
        h.last_offset(),
        h.records_count,
        h.base_sequence,
        h.last_sequence(),
        h.producer_id,
        h.producer_epoch,
        h.partition_leader_epoch,
        h.is_transactional(),
        h.is_control(),
        horizon,
        pos,
        h.timestamp_type(),
        h.max_timestamp,
        h.size_in_bytes(),
        h.magic,
        h.compression().name(),
        h.crc,
        valid
    )
    .map_err(io)
}

fn print_record(
    h: &BatchHeader,
    r: &Record,
    print_data: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let size = |b: &Option<Vec<u8>>| b.as_ref().map_or(-1, |v| v.len() as i64);
    let keys: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    write!(
        out,
        "| offset: {} {}: {} keySize: {} valueSize: {} sequence: {} headerKeys: [{}]",
        r.offset(h),
        h.timestamp_type(),
        r.timestamp(h),
        size(&r.key),
        size(&r.value),
        r.sequence(h),
        keys.join(",")
    )?;
    if h.is_control() {
        match ControlType::from_key(r.key.as_deref().unwrap_or_default()) {
            Ok(ControlType::Abort | ControlType::Commit) => match EndTxnMarker::from_record(r) {
                Ok(m) => {
                    let t = if m.commit {
                        ControlType::Commit
                    } else {
                        ControlType::Abort
                    };
                    write!(
                        out,
                        " endTxnMarker: {t} coordinatorEpoch: {}",
                        m.coordinator_epoch
                    )?;
                }
                Err(e) => write!(out, " invalid control record: {e}")?,
            },
            Ok(ControlType::Other(id)) => write!(out, " controlType: UNKNOWN({id})")?,
            Err(e) => write!(out, " invalid control record: {e}")?,
        }
    } else if print_data {
        // Kafka's default decoder is StringDecoder (UTF-8).
        if let Some(k) = &r.key {
            write!(out, " key: {}", String::from_utf8_lossy(k))?;
        }
        if let Some(v) = &r.value {
            write!(out, " payload: {}", String::from_utf8_lossy(v))?;
        }
    }
    writeln!(out)
}

fn dump_index(path: &str, base: i64, data: &[u8], out: &mut dyn Write) -> Result<(), String> {
    if data.len() < 8 {
        return writeln!(out, "{path} is empty.").map_err(io);
    }
    for (i, e) in data.chunks_exact(8).enumerate() {
        let offset = base + i32::from_be_bytes([e[0], e[1], e[2], e[3]]) as i64;
        // A preallocated index is zero-filled past its last entry: stop at the first zero entry.
        if offset == base && i > 0 {
            break;
        }
        writeln!(
            out,
            "offset: {offset} position: {}",
            i32::from_be_bytes([e[4], e[5], e[6], e[7]])
        )
        .map_err(io)?;
    }
    Ok(())
}

fn dump_time_index(base: i64, data: &[u8], out: &mut dyn Write) -> Result<(), String> {
    for (i, e) in data.chunks_exact(12).enumerate() {
        let ts = i64::from_be_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]);
        let offset = base + i32::from_be_bytes([e[8], e[9], e[10], e[11]]) as i64;
        if offset == base && i > 0 {
            break;
        }
        writeln!(out, "timestamp: {ts} offset: {offset}").map_err(io)?;
    }
    Ok(())
}

// DumpLogSegments.dumpTxnIndex: one line per 34-byte AbortedTxn entry.
fn dump_txn_index(path: &str, data: &[u8], out: &mut dyn Write) -> Result<(), String> {
    use crate::log::txn_index::{AbortedTxn, ABORTED_TXN_SIZE};
    for e in data.chunks_exact(ABORTED_TXN_SIZE).filter_map(AbortedTxn::from_bytes) {
        writeln!(
            out,
            "version: {} producerId: {} firstOffset: {} lastOffset: {} lastStableOffset: {}",
            e.version, e.producer_id, e.first_offset, e.last_offset, e.last_stable_offset
        )
        .map_err(io)?;
    }
    let rest = data.len() % ABORTED_TXN_SIZE;
    if rest != 0 {
        return Err(format!(
            "{path}: transaction index size {} is not a multiple of {ABORTED_TXN_SIZE} ({rest} bytes left over)",
            data.len()
        ));
    }
    Ok(())
}
