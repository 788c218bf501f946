//! Idle long-polls, coalesced: an idle cluster's empty fetch round trips (Kafka answers a long-poll
//! empty every `fetch.max.wait.ms` = 500 ms and the client re-sends it) park after ten in a row, and
//! everything Kafka would do next still happens as it would: a new record is replicated and consumed
//! at once, a follower that dies is not kept in sync by its parked fetch, a cut link still times out.
//! Ref: kafka-facts.md §3 (fetch long-poll, HW propagation); `broker::idle_fetch` for the model.
mod common;

use common::{run, Run};
use kafkascope::event::{EventKind, MessageKind};
use kafkascope::ids::NodeId;

/// Three brokers, 3 partitions of RF 3, one consumer group, a producer that only sends by hand.
fn scenario(timeline: &str) -> String {
    format!(
        r#"{{ "profile": "kafka-3.6", "seed": 3,
  "cluster": {{ "brokers": 3, "config": {{ "replica.lag.time.max.ms": 10000 }} }},
  "topics": [ {{ "name": "t", "partitions": 3, "assignment": [[1, 2, 3], [2, 3, 1], [3, 1, 2]] }} ],
  "producers": [ {{ "topic": "t", "config": {{ "acks": "all" }}, "workload": {{ "recordsPerSec": 0 }} }} ],
  "consumers": [ {{ "topics": ["t"], "config": {{ "group.id": "g", "auto.offset.reset": "earliest" }} }} ],
  "timeline": [ {timeline} ] }}"#
    )
}

/// Fetch requests sent in [from_ms, to_ms).
fn fetches(r: &Run, from_ms: u64, to_ms: u64) -> usize {
    r.find(|k| matches!(k, EventKind::MessageSent { kind: MessageKind::Fetch, .. }).then_some(()))
        .into_iter()
        .filter(|(t, _)| (from_ms..to_ms).contains(t))
        .count()
}

fn parked(r: &Run) -> Vec<(u64, NodeId, u32)> {
    r.find(|k| match k {
        EventKind::IdleFetchParked { client, broker } => Some((*client, *broker)),
        _ => None,
    })
    .into_iter()
    .map(|(t, (c, b))| (t, c, b))
    .collect()
}

#[test]
fn an_idle_clusters_long_polls_park_after_ten_empty_answers() {
    let r = run(&scenario(""), 60_000);
    // Every follower->leader pair (6) and the consumer towards each leader (3) parks once.
    let parked = parked(&r);
    assert_eq!(parked.len(), 9, "{parked:?}");
    assert!(parked.iter().all(|(t, _, _)| *t >= 5_000), "ten empty answers of 500 ms come first: {parked:?}");
    // Before: 9 long-polls every 500 ms; after: none at all.
    assert!(fetches(&r, 1_000, 4_000) >= 6 * 5, "the long-poll cycle is visible at first");
    assert_eq!(fetches(&r, 20_000, 60_000), 0, "parked long-polls send nothing while nothing changes");
    for b in r.sim.brokers() {
        assert_eq!(b.idle_fetch_count(), 3, "broker {} holds its two followers' fetches and the consumer's", b.id());
    }
}

#[test]
fn a_record_produced_into_a_parked_cluster_is_replicated_and_consumed_at_once() {
    let r = run(&scenario(r#"{ "atMs": 40000, "command": { "type": "produce", "producer": 1, "value": "v", "partition": 0 } }"#), 45_000);
    assert_eq!(r.acked_records(), 1, "acks=all: both followers fetched it, the HW moved");
    let appended: Vec<u32> = r
        .find(|k| match k {
            EventKind::RecordsAppended { broker, topic, as_leader: false, .. } if topic == "t" => Some(*broker),
            _ => None,
        })
        .into_iter()
        .filter(|(t, _)| *t >= 40_000 && *t < 40_100)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(appended.len(), 2, "the parked follower fetches were answered with the record at once: {appended:?}");
    let consumed = r.find(|k| matches!(k, EventKind::RecordsConsumed { topic, .. } if topic == "t").then_some(()));
    assert!(consumed.iter().any(|(t, _)| (40_000..40_700).contains(t)), "the consumer's fetch is answered once the HW moves: {consumed:?}");
}

#[test]
fn a_follower_that_dies_while_parked_drops_out_of_the_isr_once_data_arrives() {
    // Broker 3 crashes at 30 s (parked everywhere); a record at 35 s leaves it behind, and after
    // replica.lag.time.max.ms (10 s) the leader of partition 0 shrinks the ISR to [1, 2].
    let timeline = r#"{ "atMs": 30000, "command": { "type": "crashBroker", "broker": 3 } },
      { "atMs": 35000, "command": { "type": "produce", "producer": 1, "value": "v", "partition": 0 } }"#;
    let r = run(&scenario(timeline), 70_000);
    let shrunk = r.isr_changes().into_iter().filter(|(t, isr)| *t > 30_000 && !isr.contains(&3)).count();
    assert!(shrunk >= 1, "the dead follower's parked fetch does not keep it in sync: {:?}", r.isr_changes());
    assert!(r.sim.brokers()[0].idle_fetch_count() <= 2, "the leader forgot the dead follower's parked fetch");
}

#[test]
fn a_cut_link_ends_the_parked_fetch_and_the_follower_times_out_as_before() {
    // Broker 2's fetch from leader 1 is parked; the link is cut at 30 s and healed at 45 s. As in
    // Kafka, the follower's request (its last one left just before the cut) times out after
    // replica.socket.timeout.ms (30 s), so it fetches again at about 60 s, and parks again later.
    let timeline = r#"{ "atMs": 30000, "command": { "type": "cutLink", "a": { "broker": 1 }, "b": { "broker": 2 } } },
      { "atMs": 45000, "command": { "type": "healLink", "a": { "broker": 1 }, "b": { "broker": 2 } } }"#;
    let r = run(&scenario(timeline), 90_000);
    let dropped = r.find(|k| matches!(k, EventKind::MessageDropped { .. }).then_some(()));
    assert!(dropped.iter().any(|(t, _)| *t == 30_000), "the parked answer met the cut link: {dropped:?}");
    let refetch: Vec<u64> = r
        .find(|k| match k {
            EventKind::MessageSent { kind: MessageKind::Fetch, from: NodeId::Broker(2), to: NodeId::Broker(1), .. } => Some(()),
            _ => None,
        })
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| *t > 30_000)
        .collect();
    assert!(refetch.first().is_some_and(|t| (59_000..61_000).contains(t)), "re-fetch after the 30 s timeout: {refetch:?}");
    let again = parked(&r).into_iter().filter(|(t, c, b)| *t > 60_000 && *c == NodeId::Broker(2) && *b == 1).count();
    assert_eq!(again, 1, "once quiet again, the fetch parks again");
}
