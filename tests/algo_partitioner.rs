//! Producer partitioners against Kafka's vectors. Ref: kafka-facts.md §1, §2.

use kafkascope::cli::partition::partition;
use kafkascope::producer::partitioner::*;
use kafkascope::rng::SimRng;

const VECTORS: &[(&[u8], i32, [u32; 5])] = &[
    (b"21", -973932308, [0, 0, 0, 0, 0]),
    (b"foobar", -790332482, [0, 2, 0, 6, 6]),
    (b"a-little-bit-long-string", -985981536, [2, 0, 2, 2, 8]),
    (b"a-little-bit-longer-string", -1486304829, [2, 3, 5, 9, 11]),
    (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, [2, 1, 5, 7, 5]),
    (b"abc", 479470107, [0, 3, 3, 7, 3]),
    (b"", 275646681, [0, 1, 3, 1, 9]),
    (b"a", -1563381124, [1, 0, 4, 4, 4]),
    (b"ab", 316155434, [2, 2, 2, 4, 2]),
    (b"abcd", -1323649548, [2, 0, 2, 0, 8]),
    (b"key1", 28543940, [2, 0, 2, 0, 8]),
    (b"hello", 2132663229, [0, 1, 3, 9, 9]),
    (b"kafka", -798503068, [1, 0, 4, 0, 4]),
    (b"user-42", 1459644460, [1, 0, 4, 0, 4]),
];

#[test]
fn murmur2_matches_kafka_utils_test_and_table() {
    // Ref: kafka-facts.md §1 (UtilsTest.testMurmur2 rows 1-6, the rest cross-checked)
    for (key, hash, _) in VECTORS {
        assert_eq!(murmur2(key), *hash, "key {:?}", String::from_utf8_lossy(key));
    }
    assert_eq!(murmur2("ü€".as_bytes()), 1453868851);
    assert_eq!("ü€".as_bytes(), &[0xc3, 0xbc, 0xe2, 0x82, 0xac]);
}

#[test]
fn partition_for_key_is_to_positive_mod_all_partitions() {
    // Ref: kafka-facts.md §1 table columns % 3, 4, 6, 10, 12
    for (key, hash, parts) in VECTORS {
        assert_eq!(to_positive(*hash) as u32 % 3, parts[0]);
        for (n, want) in [3u32, 4, 6, 10, 12].iter().zip(parts) {
            assert_eq!(partition_for_key(key, *n), *want);
        }
    }
}

#[test]
fn to_positive_masks_sign_bit_not_abs() {
    // Ref: kafka-facts.md §1 "toPositive(-1) = 2147483647"
    assert_eq!(to_positive(-1), i32::MAX);
    assert_eq!(to_positive(i32::MIN), 0);
    assert_eq!(to_positive(5), 5);
    assert_eq!(partition_for_key(b"x", 0), 0); // no panic on a topic without partitions
}

#[test]
fn adaptive_cft_worked_example() {
    // Ref: kafka-facts.md §2 / BuiltInPartitioner comment: queues [0,3,1] -> weights [4,1,3] -> CFT [4,5,8]
    let mut bp = BuiltInPartitioner::new(16384).unwrap();
    let queues: Vec<PartitionQueue> = [0u32, 3, 1]
        .iter()
        .enumerate()
        .map(|(p, &q)| PartitionQueue { partition: p as u32, has_leader: true, queue_len: q, leader_ready_minus_drain_ms: None })
        .collect();
    bp.set_queue_sizes(&queues, 3, true, 0);
    let (cft, ids) = bp.load_stats().unwrap();
    assert_eq!(cft, &[4, 5, 8]);
    assert_eq!(ids, &[0, 1, 2]);
    let picks: Vec<usize> = (0..8).map(|r| BuiltInPartitioner::cft_index(cft, r)).collect();
    assert_eq!(picks, vec![0, 0, 0, 0, 1, 2, 2, 2]);
    // All equal -> uniform (stats cleared); adaptive off -> cleared; missing deques -> cleared.
    let eq: Vec<PartitionQueue> = queues.iter().cloned().map(|mut q| { q.queue_len = 2; q }).collect();
    bp.set_queue_sizes(&eq, 3, true, 0);
    assert!(bp.load_stats().is_none());
    bp.set_queue_sizes(&queues, 3, false, 0);
    assert!(bp.load_stats().is_none());
    bp.set_queue_sizes(&queues[..2], 3, true, 0);
    assert!(bp.load_stats().is_none());
}

#[test]
fn availability_timeout_excludes_slow_leader() {
    // Ref: kafka-facts.md §2 partitioner.availability.timeout.ms; RecordAccumulator.partitionReady
    let mut bp = BuiltInPartitioner::new(100).unwrap();
    let q = |p: u32, len: u32, lag: i64| PartitionQueue { partition: p, has_leader: true, queue_len: len, leader_ready_minus_drain_ms: Some(lag) };
    let queues = [q(0, 1, 0), q(1, 1, 500), q(2, 1, 0)];
    bp.set_queue_sizes(&queues, 3, true, 0); // timeout disabled: all equal -> uniform
    assert!(bp.load_stats().is_none());
    bp.set_queue_sizes(&queues, 3, true, 100);
    assert_eq!(bp.load_stats().unwrap(), (&[1u32, 2][..], &[0u32, 2][..]));
    let mut rng = SimRng::new(1);
    for _ in 0..50 {
        assert_ne!(bp.next_partition(&mut rng, &[0, 1, 2], 3), 1);
    }
}

#[test]
fn builtin_switches_between_batch_size_and_twice_it() {
    // Ref: kafka-facts.md §2 switch rule (KIP-794)
    let mut rng = SimRng::new(7);
    let mut bp = BuiltInPartitioner::new(100).unwrap();
    let avail = [0, 1, 2, 3];
    let p = bp.partition(&mut rng, &avail, 4);
    assert_eq!(bp.partition(&mut rng, &avail, 4), p, "sticky until switched");
    assert_eq!(bp.update_after_append(&mut rng, p, 60, true, &avail, 4), None);
    // 120 >= 100 but switching disabled (incomplete batch): stays
    assert_eq!(bp.update_after_append(&mut rng, p, 60, false, &avail, 4), None);
    assert_eq!(bp.current().unwrap().produced_bytes, 120);
    // 200 >= 2 * batch.size: switches regardless
    assert!(bp.update_after_append(&mut rng, p, 80, false, &avail, 4).is_some());
    assert_eq!(bp.current().unwrap().produced_bytes, 0);
    let q = bp.current().unwrap().partition;
    assert!(bp.update_after_append(&mut rng, q, 100, true, &avail, 4).is_some());
    // Appends to another partition (keyed records) do not count.
    let r = bp.current().unwrap().partition;
    assert_eq!(bp.update_after_append(&mut rng, r + 1, 1000, true, &avail, 4), None);
    assert!(BuiltInPartitioner::new(0).unwrap_err().starts_with("IllegalArgumentException"));
}

#[test]
fn builtin_uniform_uses_available_then_all() {
    // Ref: BuiltInPartitioner.nextPartition
    let mut rng = SimRng::new(3);
    let bp = BuiltInPartitioner::new(10).unwrap();
    for _ in 0..100 {
        assert!([1, 3].contains(&bp.next_partition(&mut rng, &[1, 3], 5)));
        assert!(bp.next_partition(&mut rng, &[], 5) < 5);
    }
}

#[test]
fn sticky_cache_new_batch_picks_a_different_partition() {
    // Ref: kafka-facts.md §2 KIP-480 (StickyPartitionCache.nextPartition)
    let mut rng = SimRng::new(11);
    let mut c = StickyPartitionCache::new();
    let avail = [0, 1, 2];
    let mut p = c.partition(&mut rng, &avail, 3);
    for _ in 0..50 {
        let n = c.on_new_batch(&mut rng, p, &avail, 3);
        assert_ne!(n, p);
        assert_eq!(c.partition(&mut rng, &avail, 3), n);
        p = n;
    }
    // A stale prev (not the sticky one) changes nothing.
    assert_eq!(c.on_new_batch(&mut rng, (p + 1) % 3, &avail, 3), p);
    // Single available partition: always it.
    assert_eq!(c.on_new_batch(&mut rng, p, &[2], 3), 2);
}

#[test]
fn partitioner_choose_entry_point() {
    // Ref: kafka-facts.md §1 KafkaProducer.partition order: explicit, key, sticky
    let mut rng = SimRng::new(5);
    let mut p = Partitioner::BuiltIn { ignore_keys: false, sticky: BuiltInPartitioner::new(100).unwrap() };
    assert_eq!(p.choose(&mut rng, Some(b"foobar"), None, &[0, 1, 2, 3], 4), Ok(2));
    assert_eq!(p.choose(&mut rng, Some(b"foobar"), Some(3), &[], 4), Ok(3));
    assert!(p.choose(&mut rng, None, Some(4), &[], 4).unwrap_err().contains("not in the range [0...4)"));
    assert_eq!(p.choose(&mut rng, Some(b""), None, &[], 12), Ok(9), "empty key is hashed");
    let s = p.choose(&mut rng, None, None, &[0, 1, 2, 3], 4).unwrap();
    let mut ig = Partitioner::BuiltIn { ignore_keys: true, sticky: BuiltInPartitioner::new(100).unwrap() };
    let k = ig.choose(&mut rng, Some(b"foobar"), None, &[1], 4).unwrap();
    assert_eq!(k, 1, "ignore.keys sends keyed records to the sticky partition");
    assert_eq!(p.choose(&mut rng, None, None, &[0, 1, 2, 3], 4).unwrap(), s);
    let mut d = Partitioner::Default(StickyPartitionCache::new());
    assert_eq!(d.choose(&mut rng, Some(b"foobar"), None, &[], 4), Ok(2));
    assert!(p.choose(&mut rng, None, None, &[], 0).is_err());
}

fn run(args: &[&str]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    partition(&args, &mut out).map(|_| String::from_utf8(out).unwrap())
}

#[test]
fn cli_partition_prints_one_line_per_key() {
    // Ref: kafka-facts.md §1 table
    assert_eq!(run(&["--partitions", "4", "foobar", "21", "abc"]).unwrap(), "2\n0\n3\n");
    assert_eq!(run(&["--partitions", "12", ""]).unwrap(), "9\n");
    assert_eq!(run(&["--hex", "--partitions", "2147483647", "c3bce282ac"]).unwrap(), "1453868851\n");
    assert_eq!(run(&["--hex", "--partitions", "12", "666f6f626172"]).unwrap(), "6\n");
    assert_eq!(run(&["--partitions=10", "--", "--weird"]).unwrap().lines().count(), 1);
}

#[test]
fn cli_partition_errors() {
    assert!(run(&["foobar"]).unwrap_err().contains("--partitions"));
    assert!(run(&["--partitions", "0", "a"]).unwrap_err().contains("1..=2147483647"));
    assert!(run(&["--partitions", "2147483648", "a"]).is_err());
    assert!(run(&["--partitions", "x", "a"]).is_err());
    assert!(run(&["--partitions"]).is_err());
    assert!(run(&["--partitions", "3"]).unwrap_err().contains("no keys"));
    assert!(run(&["--hex", "--partitions", "3", "abc"]).unwrap_err().contains("odd"));
    assert!(run(&["--hex", "--partitions", "3", "zz"]).unwrap_err().contains("hex"));
}
