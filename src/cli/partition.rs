//! `kafkascope partition --partitions N [--hex] KEY...`: the default partitioner's choice for each key.

use crate::producer::partitioner::partition_for_key;
use std::io::Write;

/// Prints one line per key with `toPositive(murmur2(key)) % N`, keys as UTF-8 or (`--hex`) hex bytes.
pub fn partition(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let mut partitions: Option<u32> = None;
    let mut hex = false;
    let mut keys: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--hex" => hex = true,
            "--partitions" => {
                i += 1;
                let v = args.get(i).ok_or("--partitions needs a value")?;
                partitions = Some(parse_partitions(v)?);
            }
            a if a.starts_with("--partitions=") => partitions = Some(parse_partitions(&a["--partitions=".len()..])?),
            // "--" ends the options so that a key may start with "--".
            "--" => {
                keys.extend(args[i + 1..].iter().map(String::as_str));
                break;
            }
            a if a.starts_with("--") => return Err(format!("unknown option '{a}'")),
            a => keys.push(a),
        }
        i += 1;
    }
    let n = partitions.ok_or("missing --partitions N")?;
    if keys.is_empty() {
        return Err("no keys given: kafkascope partition --partitions N [--hex] KEY...".into());
    }
    for key in keys {
        let bytes = if hex { decode_hex(key)? } else { key.as_bytes().to_vec() };
        writeln!(out, "{}", partition_for_key(&bytes, n)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn parse_partitions(v: &str) -> Result<u32, String> {
    match v.parse::<u32>() {
        Ok(n) if (1..=i32::MAX as u32).contains(&n) => Ok(n),
        _ => Err(format!("invalid --partitions '{v}': must be an integer in 1..=2147483647")),
    }
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
        return Err(format!("invalid hex key '{s}': odd number of digits"));
    }
    b.chunks(2)
        .map(|pair| {
            let d = |c: u8| (c as char).to_digit(16);
            match (d(pair[0]), d(pair[1])) {
                (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                _ => Err(format!("invalid hex key '{s}': not a hex digit")),
            }
        })
        .collect()
}
