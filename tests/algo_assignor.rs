//! Classic consumer assignors. Ref: kafka-facts.md §7 and Kafka's AbstractStickyAssignorTest.

use kafkascope::cli::assign::assign as cli_assign;
use kafkascope::consumer::assignor::*;
use kafkascope::vec_map::VecMap;

fn topics(t: &[(&str, u32)]) -> VecMap<String, u32> {
    t.iter().map(|(n, p)| (n.to_string(), *p)).collect()
}

/// The member's partitions as sorted "tNpM"-style strings for compact assertions.
fn got(a: &Assignment, m: &str) -> Vec<String> {
    let mut v: Vec<String> = a[m].iter().map(|(t, p)| format!("{t}-{p}")).collect();
    v.sort();
    v
}

fn want(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn range_examples() {
    // Ref: kafka-facts.md §7 RangeAssignor examples (Javadoc)
    let m = [MemberSubscription::new("C0", &["t0"]), MemberSubscription::new("C1", &["t0"])];
    let a = AssignorKind::Range.assign(&topics(&[("t0", 3)]), &m);
    assert_eq!((got(&a, "C0"), got(&a, "C1")), (want(&["t0-0", "t0-1"]), want(&["t0-2"])));
    let m = [MemberSubscription::new("C0", &["t0", "t1"]), MemberSubscription::new("C1", &["t0", "t1"])];
    let a = AssignorKind::Range.assign(&topics(&[("t0", 3), ("t1", 3)]), &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t0-1", "t1-0", "t1-1"]));
    assert_eq!(got(&a, "C1"), want(&["t0-2", "t1-2"]));
}

#[test]
fn static_members_sort_first_by_instance_id() {
    // Ref: AbstractPartitionAssignor.MemberInfo.compareTo
    let mut z = MemberSubscription::new("a-member", &["t0"]);
    let mut s = MemberSubscription::new("z-member", &["t0"]);
    s.group_instance_id = Some("inst".into());
    z.group_instance_id = None;
    let a = AssignorKind::Range.assign(&topics(&[("t0", 3)]), &[z, s]);
    assert_eq!(got(&a, "z-member"), want(&["t0-0", "t0-1"]));
    assert_eq!(got(&a, "a-member"), want(&["t0-2"]));
}

#[test]
fn roundrobin_examples() {
    // Ref: kafka-facts.md §7 RoundRobinAssignor examples (Javadoc)
    let m = [MemberSubscription::new("C0", &["t0"]), MemberSubscription::new("C1", &["t0"])];
    let a = AssignorKind::RoundRobin.assign(&topics(&[("t0", 3)]), &m);
    assert_eq!((got(&a, "C0"), got(&a, "C1")), (want(&["t0-0", "t0-2"]), want(&["t0-1"])));
    let m = [MemberSubscription::new("C0", &["t0", "t1"]), MemberSubscription::new("C1", &["t0", "t1"])];
    let a = AssignorKind::RoundRobin.assign(&topics(&[("t0", 3), ("t1", 3)]), &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t0-2", "t1-1"]));
    assert_eq!(got(&a, "C1"), want(&["t0-1", "t1-0", "t1-2"]));
    let m = [
        MemberSubscription::new("C0", &["t0"]),
        MemberSubscription::new("C1", &["t0", "t1"]),
        MemberSubscription::new("C2", &["t0", "t1", "t2"]),
    ];
    let a = AssignorKind::RoundRobin.assign(&topics(&[("t0", 1), ("t1", 2), ("t2", 3)]), &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0"]));
    assert_eq!(got(&a, "C1"), want(&["t1-0"]));
    assert_eq!(got(&a, "C2"), want(&["t1-1", "t2-0", "t2-1", "t2-2"]));
}

#[test]
fn sticky_fresh_upstream_vectors() {
    // Ref: AbstractStickyAssignorTest.testTwoConsumersTwoTopicsSixPartitions, testTwoConsumersOneTopicTwoPartitions
    let m = [
        MemberSubscription::new("consumer1", &["topic1", "topic2"]),
        MemberSubscription::new("consumer2", &["topic1", "topic2"]),
    ];
    let a = AssignorKind::Sticky.assign(&topics(&[("topic1", 3), ("topic2", 3)]), &m);
    assert_eq!(got(&a, "consumer1"), want(&["topic1-0", "topic1-2", "topic2-1"]));
    assert_eq!(got(&a, "consumer2"), want(&["topic1-1", "topic2-0", "topic2-2"]));
    let m = [MemberSubscription::new("consumer1", &["topic"]), MemberSubscription::new("consumer2", &["topic"])];
    let a = AssignorKind::Sticky.assign(&topics(&[("topic", 2)]), &m);
    assert_eq!((got(&a, "consumer1"), got(&a, "consumer2")), (want(&["topic-0"]), want(&["topic-1"])));
}

#[test]
fn sticky_general_path_mixed_subscriptions() {
    // Ref: AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions
    let m = [
        MemberSubscription::new("consumer1", &["topic1"]),
        MemberSubscription::new("consumer2", &["topic1", "topic2"]),
        MemberSubscription::new("consumer3", &["topic1"]),
    ];
    let a = AssignorKind::Sticky.assign(&topics(&[("topic1", 3), ("topic2", 2)]), &m);
    assert_eq!(got(&a, "consumer1"), want(&["topic1-0", "topic1-2"]));
    assert_eq!(got(&a, "consumer2"), want(&["topic2-0", "topic2-1"]));
    assert_eq!(got(&a, "consumer3"), want(&["topic1-1"]));
}

#[test]
fn sticky_javadoc_example_1_and_c1_leaves() {
    // Ref: kafka-facts.md §7 Javadoc Example 1 (StickyAssignor)
    let all = ["t0", "t1", "t2", "t3"];
    let t = topics(&[("t0", 2), ("t1", 2), ("t2", 2), ("t3", 2)]);
    let m = [MemberSubscription::new("C0", &all), MemberSubscription::new("C1", &all), MemberSubscription::new("C2", &all)];
    let a = AssignorKind::Sticky.assign(&t, &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t1-1", "t3-0"]));
    assert_eq!(got(&a, "C1"), want(&["t0-1", "t2-0", "t3-1"]));
    assert_eq!(got(&a, "C2"), want(&["t1-0", "t2-1"]));
    // C1 leaves: both survivors keep everything they owned and take two of C1's partitions each.
    // The Javadoc (written for the pre-2.x algorithm) shows C0 taking t2p0; the current
    // ConstrainedAssignmentBuilder deals C1's partitions in topic order to [C0, C2], so C0 takes t0p1.
    let m = [
        MemberSubscription::new("C0", &all).owning(&[("t0", 0), ("t1", 1), ("t3", 0)], 1),
        MemberSubscription::new("C2", &all).owning(&[("t1", 0), ("t2", 1)], 1),
    ];
    let a = AssignorKind::Sticky.assign(&t, &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t1-1", "t3-0", "t0-1"]));
    assert_eq!(got(&a, "C2"), want(&["t1-0", "t2-1", "t2-0", "t3-1"]));
    // RoundRobin reshuffles instead.
    let a = AssignorKind::RoundRobin.assign(&t, &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t1-0", "t2-0", "t3-0"]));
    assert_eq!(got(&a, "C2"), want(&["t0-1", "t1-1", "t2-1", "t3-1"]));
}

#[test]
fn sticky_quota_upstream_vectors() {
    // Ref: AbstractStickyAssignorTest.testConsumerOwningMinQuotaExpectedMaxQuota
    let s = ["topic1", "topic2"];
    let t = topics(&[("topic1", 2), ("topic2", 3)]);
    let m = [
        MemberSubscription::new("consumer1", &s).owning(&[("topic1", 0), ("topic2", 1)], 1),
        MemberSubscription::new("consumer2", &s).owning(&[("topic1", 1), ("topic2", 2)], 1),
    ];
    let a = AssignorKind::Sticky.assign(&t, &m);
    assert_eq!(got(&a, "consumer1"), want(&["topic1-0", "topic2-1", "topic2-0"]));
    assert_eq!(got(&a, "consumer2"), want(&["topic1-1", "topic2-2"]));
    // Ref: testAllConsumersAreUnderMinQuota
    let m = [
        MemberSubscription::new("consumer1", &s).owning(&[("topic1", 0)], 1),
        MemberSubscription::new("consumer2", &s).owning(&[("topic1", 1)], 1),
        MemberSubscription::new("consumer3", &s).owning(&[], 1),
    ];
    let a = AssignorKind::Sticky.assign(&t, &m);
    assert_eq!(got(&a, "consumer1"), want(&["topic1-0", "topic2-1"]));
    assert_eq!(got(&a, "consumer2"), want(&["topic1-1", "topic2-2"]));
    assert_eq!(got(&a, "consumer3"), want(&["topic2-0"]));
}

#[test]
fn sticky_max_quota_depends_on_java_hashmap_order() {
    // Ref: AbstractStickyAssignorTest.testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers:
    // Java iterates consumer3, consumer2, consumer1, so consumer2 (not consumer1) keeps maxQuota.
    let s = ["topic1", "topic2"];
    let t = topics(&[("topic1", 2), ("topic2", 2)]);
    let m = [
        MemberSubscription::new("consumer1", &s).owning(&[("topic1", 0), ("topic2", 0)], 1),
        MemberSubscription::new("consumer2", &s).owning(&[("topic1", 1), ("topic2", 1)], 1),
        MemberSubscription::new("consumer3", &s).owning(&[], 1),
    ];
    let a = AssignorKind::Sticky.assign(&t, &m);
    assert_eq!(got(&a, "consumer1"), want(&["topic1-0"]));
    assert_eq!(got(&a, "consumer2"), want(&["topic1-1", "topic2-1"]));
    assert_eq!(got(&a, "consumer3"), want(&["topic2-0"]));
    // Cooperative: topic2-0 changes owner, so it is only revoked this round.
    let c = AssignorKind::CooperativeSticky.assign(&t, &m);
    assert_eq!(got(&c, "consumer3"), Vec::<String>::new());
    assert_eq!(got(&c, "consumer1"), want(&["topic1-0"]));
}

#[test]
fn same_generation_double_claim_is_dropped() {
    // Ref: AbstractStickyAssignor.allSubscriptionsEqual (same-generation conflict -> partitionsWithMultiplePreviousOwners)
    let t = topics(&[("t", 2)]);
    let m = [
        MemberSubscription::new("a", &["t"]).owning(&[("t", 0), ("t", 1)], 3),
        MemberSubscription::new("b", &["t"]).owning(&[("t", 1)], 3),
    ];
    let a = AssignorKind::Sticky.assign(&t, &m);
    assert_eq!(got(&a, "a"), want(&["t-0"]));
    assert_eq!(got(&a, "b"), want(&["t-1"]));
    // A higher generation wins the claim.
    let m = [
        MemberSubscription::new("a", &["t"]).owning(&[("t", 0), ("t", 1)], 2),
        MemberSubscription::new("b", &["t"]).owning(&[("t", 1)], 3),
    ];
    let a = AssignorKind::CooperativeSticky.assign(&t, &m);
    assert_eq!((got(&a, "a"), got(&a, "b")), (want(&["t-0"]), want(&["t-1"])));
}

#[test]
fn cooperative_two_step_handover() {
    // Ref: kafka-facts.md §7 cooperative example
    let t = topics(&[("t0", 3)]);
    let m = [
        MemberSubscription::new("C0", &["t0"]).owning(&[("t0", 0), ("t0", 1), ("t0", 2)], 1),
        MemberSubscription::new("C1", &["t0"]),
    ];
    let a = AssignorKind::CooperativeSticky.assign(&t, &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t0-1"]));
    assert_eq!(got(&a, "C1"), Vec::<String>::new());
    let m = [
        MemberSubscription::new("C0", &["t0"]).owning(&[("t0", 0), ("t0", 1)], 2),
        MemberSubscription::new("C1", &["t0"]).owning(&[], 2),
    ];
    let a = AssignorKind::CooperativeSticky.assign(&t, &m);
    assert_eq!(got(&a, "C0"), want(&["t0-0", "t0-1"]));
    assert_eq!(got(&a, "C1"), want(&["t0-2"]));
}

#[test]
fn general_path_is_balanced_valid_and_sticky() {
    // Ref: AbstractStickyAssignorTest.verifyValidityAndBalance (property check on the general path)
    let t = topics(&[("a", 4), ("b", 3), ("c", 5)]);
    let m = [
        MemberSubscription::new("m1", &["a", "b"]),
        MemberSubscription::new("m2", &["a", "b", "c"]),
        MemberSubscription::new("m3", &["c"]),
    ];
    let first = AssignorKind::Sticky.assign(&t, &m);
    let total: usize = first.values().map(Vec::len).sum();
    assert_eq!(total, 12);
    let mut seen: Vec<_> = first.values().flatten().cloned().collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12, "each partition once: {first:?}");
    for (id, parts) in &first {
        let sub = &m.iter().find(|x| &x.member_id == id).unwrap().topics;
        assert!(parts.iter().all(|(tp, _)| sub.contains(tp)));
    }
    // m3 leaves: m2 must take all of c, so balance moves some of m2's a/b partitions to m1,
    // while m1 keeps everything it had.
    let owned = |id: &str| -> Vec<(String, u32)> { first[id].clone() };
    let m2 = [
        MemberSubscription { owned: owned("m1"), generation: 1, ..m[0].clone() },
        MemberSubscription { owned: owned("m2"), generation: 1, ..m[1].clone() },
    ];
    let second = AssignorKind::Sticky.assign(&t, &m2);
    assert!(first["m1"].iter().all(|tp| second["m1"].contains(tp)), "m1 kept its partitions");
    assert_eq!((second["m1"].len(), second["m2"].len()), (6, 6));
    assert_eq!(second.values().map(Vec::len).sum::<usize>(), 12);
}

fn run(args: &[&str]) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    cli_assign(&args, &mut out).map(|_| String::from_utf8(out).unwrap())
}

#[test]
fn cli_assign_prints_json() {
    // Ref: kafka-facts.md §7 Range example
    let out = run(&["--assignor", "range", "--topic", "t0=3", "--member", "C0", "--member", "C1"]).unwrap();
    assert_eq!(out.trim(), r#"{"C0":[["t0",0],["t0",1]],"C1":[["t0",2]]}"#);
    let out = run(&[
        "--assignor", "roundrobin", "--topic", "t0=1", "--topic", "t1=2", "--topic", "t2=3",
        "--member", "C0=t0", "--member", "C1=t0,t1", "--member", "C2",
    ])
    .unwrap();
    assert_eq!(out.trim(), r#"{"C0":[["t0",0]],"C1":[["t1",0]],"C2":[["t1",1],["t2",0],["t2",1],["t2",2]]}"#);
    assert!(run(&["--assignor", "cooperative-sticky", "--topic", "t=2", "--member", "a"]).is_ok());
}

#[test]
fn cli_assign_errors() {
    assert!(run(&["--assignor", "fair", "--topic", "t=1", "--member", "a"]).unwrap_err().contains("unknown assignor"));
    assert!(run(&["--assignor", "range", "--topic", "t", "--member", "a"]).unwrap_err().contains("NAME=PARTITIONS"));
    assert!(run(&["--assignor", "range", "--topic", "t=0", "--member", "a"]).is_err());
    assert!(run(&["--assignor", "range", "--topic", "t=1"]).unwrap_err().contains("no members"));
    assert!(run(&["--assignor", "range", "--topic", "t=1", "--member", "a=u"]).unwrap_err().contains("unknown topic 'u'"));
    assert!(run(&["--topic", "t=1", "--member", "a"]).unwrap_err().contains("--assignor"));
    assert!(run(&["--assignor"]).is_err());
}
