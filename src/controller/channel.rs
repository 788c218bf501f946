//! The controller's channel to each broker: LeaderAndIsr pushes are kept until the broker
//! acknowledges them and resent until it does, so a decision a cut link swallowed still reaches
//! the broker once the link heals.
//!
//! On kafka-3.6 this is the ControllerChannelManager: one RequestSendThread per broker sends each
//! request and waits for its response; an unanswered request is retried after
//! `controller.socket.timeout.ms` (30 s) on a new connection, for as long as the broker is live in
//! the controller's view. On kafka-4.0 brokers pull the metadata log instead, fetching from the
//! active controller with a 500 ms maximum wait (KafkaRaftClient), so a reconnected broker catches
//! up within one fetch; resending what is unacknowledged after 500 ms models that. Without this a
//! broker cut off when it was re-registered would lead a partition that has moved on, forever.

use super::{Controller, ControllerTimer};
use crate::actor::{Out, TimerKind};
use crate::config::Profile;
use crate::ids::{BrokerId, NodeId, TopicPartition};
use crate::net::{Message, PartitionState};
use crate::time::ms;
use serde::{Deserialize, Serialize};
use crate::vec_map::VecMap;

/// A broker's acknowledgement of one partition state: (partition, leader epoch, partition epoch).
pub type PartitionAck = (TopicPartition, i32, i32);

/// What the controller pushed and no broker has acknowledged yet.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channels {
    /// Per broker, the newest unacknowledged state of each partition.
    unacked: VecMap<BrokerId, VecMap<TopicPartition, PartitionState>>,
    /// A resend timer is pending.
    armed: bool,
}

/// How long a push may go unanswered before it is sent again.
fn resend_after_ms(profile: Profile) -> u64 {
    match profile {
        Profile::Kafka36 => 30_000,
        Profile::Kafka40 => 500,
    }
}

impl Controller {
    /// Sends LeaderAndIsr with `partitions` to `broker` and keeps them until it acknowledges.
    pub(super) fn push(&mut self, broker: BrokerId, live: &[BrokerId], partitions: Vec<PartitionState>, out: &mut Out) {
        let pending = self.channels.unacked.entry(broker).or_default();
        for s in &partitions {
            pending.insert(s.tp.clone(), s.clone());
        }
        let msg = Message::LeaderAndIsr { controller_epoch: self.epoch, live_brokers: live.to_vec(), partitions };
        out.send(NodeId::Broker(broker), msg);
        self.arm_resend(out);
    }

    /// A broker's LeaderAndIsrResponse: forget what it now has (a newer state stays pending).
    pub(super) fn on_leader_and_isr_response(&mut self, from: NodeId, controller_epoch: u32, acked: Vec<PartitionAck>) {
        let NodeId::Broker(broker) = from else { return };
        if controller_epoch != self.epoch {
            return;
        }
        let Some(pending) = self.channels.unacked.get_mut(&broker) else { return };
        for (tp, leader_epoch, partition_epoch) in acked {
            if pending.get(&tp).is_some_and(|s| s.leader_epoch == leader_epoch && s.partition_epoch == partition_epoch) {
                pending.remove(&tp);
            }
        }
        if pending.is_empty() {
            self.channels.unacked.remove(&broker);
        }
    }

    /// A broker left the live set: its channel closes (it gets the full state when it returns).
    pub(super) fn close_channel(&mut self, broker: BrokerId) {
        self.channels.unacked.remove(&broker);
    }

    /// The resend timer: every live broker gets its unacknowledged states again.
    pub(super) fn resend_unacked(&mut self, out: &mut Out) {
        self.channels.armed = false;
        let live = self.live_brokers();
        let unacked = std::mem::take(&mut self.channels.unacked);
        for (broker, pending) in unacked {
            if live.contains(&broker) {
                self.push(broker, &live, pending.into_values().collect(), out);
            }
        }
    }

    fn arm_resend(&mut self, out: &mut Out) {
        if !self.channels.armed {
            self.channels.armed = true;
            let at = out.now + ms(resend_after_ms(self.profile));
            out.timer(at, TimerKind::Controller(ControllerTimer::ResendLeaderAndIsr));
        }
    }
}
