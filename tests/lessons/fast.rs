//! Lesson 20, why Kafka is fast, asserted on the cost model's counters (helpers in `tests/lessons.rs`).
use super::{lesson, text};
use kafkascope::broker::io::{ClientIo, IoCounters};
use kafkascope::net::CostModel;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;

const ID: &str = "20-why-kafka-is-fast";

fn client(summary: &kafkascope::sim::Summary, name: &str) -> IoCounters {
    summary.client_io.iter().find(|c: &&ClientIo| c.client == name).unwrap_or_else(|| panic!("no {name} in {:?}", summary.client_io)).io
}

// Ref: Kafka docs, design "The Producer: batching" (one request carries many records); kafka-facts.md §2
#[test]
fn l20_batching_shares_one_request_between_many_records() {
    let s = lesson(ID).sim.summary();
    let (trickle, firehose) = (client(&s, "producer-1"), client(&s, "producer-2"));
    assert!(trickle.produce_requests > 50, "{trickle:?}");
    assert_eq!(trickle.produce_records, trickle.produce_requests, "linger.ms=0 at 5 records/s: one record per request");
    let per_request = firehose.produce_records / firehose.produce_requests;
    assert!(per_request >= 10, "lingering 10 ms at 2000 records/s: {per_request} records per request ({firehose:?})");
}

// Ref: Kafka docs, design "Don't fear the filesystem" (appends only, to the end of the log);
// kafka-facts.md §3 (leaders spread over brokers)
#[test]
fn l20_every_append_is_sequential_and_partitions_spread_them_over_the_brokers() {
    let s = lesson(ID).sim.summary();
    assert_eq!(s.broker_io.len(), 3);
    let appended: Vec<u64> = s.broker_io.iter().map(|b| b.io.appended_bytes).collect();
    let (min, max) = (appended.iter().min().copied().unwrap_or(0), appended.iter().max().copied().unwrap_or(0));
    assert!(min > 0 && max < 2 * min, "each broker leads one partition and takes a share: {appended:?}");
    for b in &s.broker_io {
        // RF 1: every append is a leader append of one produced batch, at the end of the active segment.
        assert_eq!(b.io.sequential_appends, b.io.produce_batches, "broker {}: {:?}", b.broker, b.io);
    }
}

// Ref: kafka-facts.md §11 (the page cache); Kafka docs, design "Efficiency" (consumers that are
// caught up are served from the page cache, no disk reads); KAFKA-7504 (a disk read blocks a network thread)
#[test]
fn l20_the_tail_is_read_from_the_page_cache_and_the_lagging_consumer_reads_the_disk() {
    let s = lesson(ID).sim.summary();
    let (tail, lagging) = (client(&s, "consumer-1"), client(&s, "consumer-3"));
    assert!(tail.page_cache_hits > 100 && tail.fetched_bytes > 1_000_000, "{tail:?}");
    assert_eq!((tail.disk_reads, tail.disk_read_bytes, tail.page_cache_hit_bytes), (0, 0, tail.fetched_bytes));
    assert!(lagging.disk_reads > 0, "{lagging:?}");
    assert!(lagging.disk_read_bytes * 3 > lagging.fetched_bytes, "most of the replay comes from disk: {lagging:?}");
    assert!(lagging.network_thread_busy_us >= lagging.disk_reads * CostModel::default().disk_read_latency_us);
    // Before consumer-3 came back, no fetch touched the disk at all.
    let before = summary_at(15_000);
    assert!(before.broker_io.iter().all(|b| b.io.disk_reads == 0), "{:?}", before.broker_io);
    // With a page cache big enough for the whole log, the same replay never touches the disk.
    let mut big = Scenario::from_json(text(ID)).expect("lesson parses");
    big.cluster.cost_model.page_cache_bytes = 1 << 30;
    let mut sim = Sim::new(&big).expect("sim builds");
    sim.advance_to(20_000_000);
    let replay = client(&sim.summary(), "consumer-3");
    assert!(replay.fetched_bytes > 0 && replay.disk_reads == 0, "{replay:?}");
}

// Ref: KAFKA-13799 (Kafka docs, design "Efficiency": with SSL, sendfile is not used)
#[test]
fn l20_plaintext_fetches_are_zero_copy_and_ssl_copies_through_user_space_at_a_cost() {
    let s = lesson(ID).sim.summary();
    let (plain, tls) = (client(&s, "consumer-1"), client(&s, "consumer-2"));
    assert_eq!((plain.zero_copy_bytes, plain.user_space_copy_bytes, plain.network_thread_busy_us), (plain.fetched_bytes, 0, 0));
    assert!(tls.fetched_bytes > 1_000_000, "{tls:?}");
    assert_eq!((tls.zero_copy_bytes, tls.user_space_copy_bytes), (0, tls.fetched_bytes));
    // The copy costs network-thread time: about bytes / userSpaceCopyBytesPerSec (per read, rounded down).
    let expected = CostModel::default().user_space_copy_us(tls.fetched_bytes);
    let reads = tls.page_cache_hits + tls.disk_reads;
    assert!(tls.network_thread_busy_us <= expected && tls.network_thread_busy_us + reads >= expected, "{tls:?}, {expected} µs");
}

fn summary_at(ms: u64) -> kafkascope::sim::Summary {
    let mut sim = Sim::new(&Scenario::from_json(text(ID)).expect("lesson parses")).expect("sim builds");
    sim.advance_to(ms * 1000);
    sim.summary()
}
