//! Which `__consumer_offsets` / `__transaction_state` partition coordinates a group or transactional id.
//!
//! Ref: kafka-facts.md §6; Kafka `GroupMetadataManager.partitionFor`, `TransactionStateManager.partitionFor`,
//! `Utils.abs`: `Utils.abs(id.hashCode()) % numPartitions`.

/// Java's `String.hashCode`: `h = 31*h + c` over UTF-16 code units, wrapping 32-bit.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// Kafka's `Utils.abs`: like `Math.abs` except `abs(Integer.MIN_VALUE) == 0` (not MIN_VALUE).
pub fn utils_abs(n: i32) -> i32 {
    if n == i32::MIN {
        0
    } else {
        n.abs()
    }
}

/// The coordinator partition for a group or transactional id; 0 when `num_partitions` is 0.
pub fn coordinator_partition(id: &str, num_partitions: u32) -> u32 {
    (utils_abs(java_string_hash(id)) as u32).checked_rem(num_partitions).unwrap_or(0)
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units (differs from `str::cmp` above U+FFFF).
pub fn java_string_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The iteration order of a `java.util.HashMap<String, _>` holding `keys` (inserted in the given order)
/// whose table started at `initial_capacity` (16 for `new HashMap<>()`): by bucket
/// `(h ^ h>>>16) & (cap-1)`, then insertion order. Treeified buckets (8+ collisions) are not modelled.
pub fn java_hashmap_order<'a>(keys: &[&'a str], initial_capacity: usize) -> Vec<&'a str> {
    let mut cap = initial_capacity.max(1).next_power_of_two();
    // HashMap resizes (doubles) once size exceeds 0.75 * capacity.
    while keys.len() * 4 > cap * 3 {
        cap *= 2;
    }
    let mut indexed: Vec<(usize, usize, &str)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let h = java_string_hash(k) as u32;
            (((h ^ (h >> 16)) as usize) & (cap - 1), i, *k)
        })
        .collect();
    crate::order::sort(&mut indexed);
    indexed.into_iter().map(|(_, _, k)| k).collect()
}
