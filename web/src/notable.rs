//! Which events concern internal topics, and the one-line stories told in "what just happened".

use kafkascope::event::EventKind;

/// Whether a topic is Kafka-internal (`__consumer_offsets`, `__transaction_state`): not drawn.
pub fn is_internal(topic: &str) -> bool {
    topic.starts_with("__")
}

/// The topic an event is about, if it is about one.
pub(crate) fn topic_of(kind: &EventKind) -> Option<&str> {
    #[allow(unreachable_patterns)]
    match kind {
        EventKind::TopicCreated { topic, .. }
        | EventKind::LeaderElected { topic, .. }
        | EventKind::IsrChanged { topic, .. }
        | EventKind::BatchCreated { topic, .. }
        | EventKind::BatchSent { topic, .. }
        | EventKind::RecordsAppended { topic, .. }
        | EventKind::HighWatermarkUpdated { topic, .. }
        | EventKind::LogTruncated { topic, .. }
        | EventKind::ProduceCompleted { topic, .. }
        | EventKind::RecordsConsumed { topic, .. }
        | EventKind::SegmentRolled { topic, .. }
        | EventKind::SegmentDeleted { topic, .. } => Some(topic),
        _ => None,
    }
}

/// A one-line story for the events an instructor wants to point at; `None` for routine traffic.
pub(crate) fn notable(kind: &EventKind) -> Option<String> {
    #[allow(unreachable_patterns)]
    Some(match kind {
        EventKind::BrokerStarted { broker } => format!("broker {broker} started"),
        EventKind::BrokerStopped { broker, cause } => format!("broker {broker} stopped ({cause:?})"),
        EventKind::ControllerElected { node, epoch } => format!("{node} became controller (epoch {epoch})"),
        EventKind::TopicCreated { topic, assignment, replication_factor } => {
            format!("topic {topic} created: {} partitions, RF {replication_factor}", assignment.len())
        }
        EventKind::LeaderElected { topic, partition, leader, leader_epoch, isr, unclean } => match leader {
            Some(l) => format!(
                "{topic}-{partition}: broker {l} leads, epoch {leader_epoch}, ISR {isr:?}{}",
                if *unclean { " (UNCLEAN: committed records may be lost)" } else { "" }
            ),
            None => format!("{topic}-{partition} is offline: no ISR member can lead"),
        },
        EventKind::IsrChanged { topic, partition, isr } => format!("{topic}-{partition}: ISR is now {isr:?}"),
        EventKind::LogTruncated { broker, topic, partition, offset, removed, reason } => {
            format!("broker {broker} truncated {topic}-{partition} to {offset} ({removed} records cut): {reason}")
        }
        EventKind::ProduceCompleted { topic, partition, batch, error: Some(e), .. } => {
            format!("{topic}-{partition} batch {batch} failed: {e}")
        }
        EventKind::CommandApplied { command } => format!("command: {command:?}"),
        EventKind::RebalanceStarted { group, generation, reason, .. } => format!("group {group}: rebalance after generation {generation} ({reason})"),
        EventKind::RebalanceCompleted { group, generation, protocol, .. } => format!("group {group}: generation {generation} assigned ({protocol})"),
        EventKind::PartitionsAssigned { consumer, assigned, revoked, .. } if !assigned.is_empty() || !revoked.is_empty() => {
            let names = |v: &[kafkascope::ids::TopicPartition]| v.iter().map(|tp| tp.to_string()).collect::<Vec<_>>().join(", ");
            format!("consumer-{consumer}: assigned [{}], revoked [{}]", names(assigned), names(revoked))
        }
        EventKind::MemberLeft { group, member_id, reason, .. } => format!("group {group}: {member_id} left ({reason})"),
        EventKind::SegmentDeleted { broker, topic, partition, log_start_offset, reason, .. } => {
            format!("broker {broker} deleted a segment of {topic}-{partition} ({reason}); log starts at {log_start_offset}")
        }
        _ => return None,
    })
}
