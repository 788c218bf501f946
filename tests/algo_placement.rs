//! AdminUtils rack-unaware replica assignment and coordinator mapping. Ref: kafka-facts.md §3, §6.

use kafkascope::consumer::coordinator_key::*;
use kafkascope::controller::placement::*;
use kafkascope::rng::SimRng;

fn assign(b: &[u32], p: u32, rf: u32, start: Option<u32>, sp: Option<u32>) -> Result<Vec<Vec<u32>>, PlacementError> {
    assign_replicas_to_brokers(b, p, rf, start, sp, &mut SimRng::new(0))
}

#[test]
fn worked_example_start_0_and_1() {
    // Ref: kafka-facts.md §3 worked example (3 brokers, 6 partitions, RF 3)
    let a = assign(&[0, 1, 2], 6, 3, Some(0), None).unwrap();
    assert_eq!(a, vec![vec![0, 1, 2], vec![1, 2, 0], vec![2, 0, 1], vec![0, 2, 1], vec![1, 0, 2], vec![2, 1, 0]]);
    let b = assign(&[0, 1, 2], 6, 3, Some(1), None).unwrap();
    assert_eq!(b, vec![vec![1, 0, 2], vec![2, 1, 0], vec![0, 2, 1], vec![1, 2, 0], vec![2, 0, 1], vec![0, 1, 2]]);
}

#[test]
fn upstream_five_brokers_ten_partitions() {
    // Ref: AdminRackAwareTest.testReplicaAssignment
    let a = assign(&[0, 1, 2, 3, 4], 10, 3, Some(0), None).unwrap();
    let want = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1], [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2]];
    assert_eq!(a, want.iter().map(|r| r.to_vec()).collect::<Vec<_>>());
}

#[test]
fn add_partitions_with_start_partition_id() {
    // Ref: AdminUtils startPartitionId: partitions 3..6 continue the same layout as a fresh 6-partition topic
    // would for p >= 3 only after the shift bump at p % n == 0 within the loop.
    let a = assign(&[0, 1, 2], 3, 3, Some(0), Some(3)).unwrap();
    // p=3: 3 % 3 == 0 -> shift 1: first 0, followers 2, 1
    assert_eq!(a, vec![vec![0, 2, 1], vec![1, 0, 2], vec![2, 1, 0]]);
}

#[test]
fn errors_carry_kafka_names_and_messages() {
    // Ref: AdminUtils.assignReplicasToBrokers validation
    assert_eq!(
        assign(&[0, 1, 2], 3, 4, None, None).unwrap_err().to_string(),
        "InvalidReplicationFactorException: Replication factor: 4 larger than available brokers: 3."
    );
    assert!(matches!(assign(&[0], 0, 1, None, None), Err(PlacementError::InvalidPartitions(_))));
    assert!(matches!(assign(&[0], 1, 0, None, None), Err(PlacementError::InvalidReplicationFactor(_))));
    assert!(assign(&[], 1, 1, None, None).is_err());
}

#[test]
fn random_start_is_seeded_and_valid() {
    let a = assign_replicas_to_brokers(&[5, 6, 7, 8], 12, 3, None, None, &mut SimRng::new(9)).unwrap();
    let b = assign_replicas_to_brokers(&[5, 6, 7, 8], 12, 3, None, None, &mut SimRng::new(9)).unwrap();
    assert_eq!(a, b);
    for r in &a {
        let mut s = r.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 3, "no broker twice in {r:?}");
    }
    assert_eq!(assign(&[4], 2, 1, None, None).unwrap(), vec![vec![4], vec![4]]);
}

#[test]
fn java_hash_code_and_utils_abs() {
    // Ref: kafka-facts.md §6 table (real JVM), UtilsTest.testAbs
    let rows: &[(&str, i32, u32)] = &[
        ("", 0, 0),
        ("a", 97, 47),
        ("abc", 96354, 4),
        ("hello", 99162322, 22),
        ("Aa", 2112, 12),
        ("BB", 2112, 12),
        ("my-group", -1906497762, 12),
        ("test-group", 627841412, 12),
        ("console-consumer-12345", 158455506, 6),
        ("my-txn-id", 1405732511, 11),
        ("txn-1", 110810510, 10),
        ("orders-service", 23943117, 17),
        ("polygenelubricants", i32::MIN, 0),
    ];
    for (s, h, p50) in rows {
        assert_eq!(java_string_hash(s), *h, "{s}");
        assert_eq!(coordinator_partition(s, 50), *p50, "{s}");
    }
    // UTF-16 code units, checked on a JVM: a surrogate pair counts twice.
    assert_eq!(java_string_hash("\u{1F600}x"), 54959989);
    assert_eq!(java_string_hash("héllo"), 103094734);
    assert_eq!([utils_abs(i32::MIN), utils_abs(-10), utils_abs(10), utils_abs(0), utils_abs(-1)], [0, 10, 10, 0, 1]);
    assert_eq!(coordinator_partition("x", 0), 0);
}

#[test]
fn java_hashmap_iteration_order() {
    // Checked on a JVM: new HashMap<>() with these keys iterates [consumer3, consumer2, consumer1].
    assert_eq!(java_hashmap_order(&["consumer1", "consumer2", "consumer3"], 16), vec!["consumer3", "consumer2", "consumer1"]);
    let keys: Vec<String> = (0..20).map(|i| format!("member-{i}")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let got: Vec<&str> = java_hashmap_order(&refs, 16);
    let want = "member-19 member-18 member-17 member-16 member-5 member-15 member-6 member-14 member-3 member-13 member-4 member-12 member-9 member-11 member-10 member-7 member-8 member-1 member-2 member-0";
    assert_eq!(got.join(" "), want);
}
