//! The cost model's IO counters change what the simulated cluster costs: the page cache is the OS's
//! (a process crash keeps it, a power loss empties it), and SSL fetches leave the broker later
//! than PLAINTEXT ones because a network thread copies and encrypts the bytes first.
use kafkascope::broker::io::IoCounters;
use kafkascope::event::{EventKind, MessageKind};
use kafkascope::ids::NodeId;
use kafkascope::scenario::Scenario;
use kafkascope::sim::Sim;
use serde_json::json;

/// One broker, one partition, a steady producer, and `consumers` (their `security.protocol`s);
/// the broker is stopped with `stop` at 3 s and restarted at 4 s; consumer 2 is down until 5 s
/// and then reads everything from the start.
fn scenario(stop: &str, protocols: [&str; 2]) -> Scenario {
    let consumer = |p: &str| json!({"topics": ["t"], "config": {"auto.offset.reset": "earliest", "security.protocol": p}});
    let s = json!({
        "profile": "kafka-4.0",
        "cluster": {"brokers": 1, "config": {"log.flush.interval.messages": 1}},
        "topics": [{"name": "t", "partitions": 1}],
        "producers": [{"topic": "t", "workload": {"recordsPerSec": 200, "value": {"bytes": 500, "content": "random"}}}],
        "consumers": [consumer(protocols[0]), consumer(protocols[1])],
        "timeline": [
            {"atMs": 0, "command": {"type": "crashConsumer", "consumer": 2}},
            {"atMs": 3000, "command": {"type": stop, "broker": 1}},
            {"atMs": 4000, "command": {"type": "restartBroker", "broker": 1}},
            {"atMs": 5000, "command": {"type": "restartConsumer", "consumer": 2}}
        ]
    });
    Scenario::from_json(&s.to_string()).expect("test scenario parses")
}

fn consumer_io(sim: &Sim, c: &str) -> IoCounters {
    sim.summary().client_io.into_iter().find(|x| x.client == c).map(|x| x.io).unwrap_or_default()
}

// Ref: kafka-facts.md §11 (a process crash keeps the page cache, a power loss does not)
#[test]
fn a_replay_after_a_process_crash_hits_the_page_cache_and_after_a_power_loss_reads_the_disk() {
    let mut crashed = Sim::new(&scenario("crashBroker", ["PLAINTEXT", "PLAINTEXT"])).unwrap();
    crashed.advance_to(8_000_000);
    let after_crash = consumer_io(&crashed, "consumer-2");
    assert!(after_crash.fetched_bytes > 100_000, "{after_crash:?}");
    assert_eq!(after_crash.disk_read_bytes, 0, "the OS kept every page: {after_crash:?}");

    let mut powered_off = Sim::new(&scenario("powerLossBroker", ["PLAINTEXT", "PLAINTEXT"])).unwrap();
    powered_off.advance_to(8_000_000);
    let after_power_loss = consumer_io(&powered_off, "consumer-2");
    assert!(after_power_loss.disk_read_bytes > 100_000, "the first 3 s of the log come from disk: {after_power_loss:?}");
    assert!(after_power_loss.network_thread_busy_us > 0);
}

/// Mean µs between a broker handing a fetch response with records to the network and its arrival,
/// per consumer.
fn fetch_response_delay(sim_scenario: &Scenario, consumer: u32) -> u64 {
    let mut sim = Sim::new(sim_scenario).unwrap();
    let delays: Vec<u64> = sim
        .advance_to(3_000_000)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MessageSent { to: NodeId::Consumer(c), kind: MessageKind::FetchResponse, bytes, arrive_at_us, .. }
                if *c == consumer && *bytes > 500 =>
            {
                Some(arrive_at_us - e.at_us)
            }
            _ => None,
        })
        .collect();
    assert!(delays.len() > 10, "consumer {consumer} got records: {delays:?}");
    delays.iter().sum::<u64>() / delays.len() as u64
}

// Ref: KAFKA-13799 (with SSL, sendfile is not used: the bytes go through user space to be encrypted)
#[test]
fn ssl_fetch_responses_reach_the_consumer_later_than_plaintext_ones() {
    let plain = fetch_response_delay(&scenario("crashBroker", ["PLAINTEXT", "PLAINTEXT"]), 1);
    let tls = fetch_response_delay(&scenario("crashBroker", ["SSL", "PLAINTEXT"]), 1);
    assert!(tls > plain, "SSL {tls} µs vs PLAINTEXT {plain} µs");
    let mut sim = Sim::new(&scenario("crashBroker", ["SSL", "PLAINTEXT"])).unwrap();
    sim.advance_to(2_000_000);
    let io = consumer_io(&sim, "consumer-1");
    assert!(io.user_space_copy_bytes > 0 && io.zero_copy_bytes == 0, "{io:?}");
}

#[test]
fn an_unknown_security_protocol_is_refused_with_the_key_named() {
    let bad = json!({"profile": "kafka-4.0", "cluster": {"brokers": 1}, "consumers": [{"topics": [], "config": {"security.protocol": "TLS"}}]});
    let e = Scenario::from_json(&bad.to_string()).unwrap_err().to_string();
    assert!(e.contains("security.protocol"), "{e}");
}
