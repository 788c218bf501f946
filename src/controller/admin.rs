//! Topic administration by command: CreateTopics and CreatePartitions, placed by AdminUtils over
//! the live brokers with the simulation's RNG (kafka-facts.md §3). Refusals are events carrying
//! Kafka's exception name, never panics.

use super::election::emit_election;
use super::{placement, Controller};
use crate::actor::Out;
use crate::event::EventKind;
use crate::ids::{BrokerId, Topic, TopicPartition};
use crate::net::PartitionState;

impl Controller {
    /// Runs an admin command (`CreateTopic`, `AddPartitions`, `ReassignPartition`); others are ignored.
    pub fn admin(&mut self, cmd: &crate::command::Command, out: &mut Out) {
        use crate::command::Command;
        match cmd {
            Command::CreateTopic { name, partitions, replication_factor } => self.create_topic(name, *partitions, *replication_factor, out),
            Command::AddPartitions { topic, count } => self.add_partitions(topic, *count, out),
            Command::ReassignPartition { topic, partition, replicas } => self.reassign_partition(topic, *partition, replicas.clone(), out),
            Command::AlterTopicConfig { topic, key, value } => self.alter_topic_config(topic, key, value),
            _ => {}
        }
    }

    /// The controller's part of an altered topic config: the keys its elections read.
    fn alter_topic_config(&mut self, topic: &str, key: &str, value: &str) {
        match key {
            "min.insync.replicas" => {
                self.policy.min_isr.insert(topic.to_string(), value.parse::<u32>().unwrap_or(1).max(1));
            }
            "unclean.leader.election.enable" => {
                self.unclean.insert(topic.to_string(), value == "true");
            }
            _ => {}
        }
    }

    /// CreateTopics without an explicit assignment: every replica starts in the ISR, replica[0] leads.
    pub fn create_topic(&mut self, name: &str, partitions: u32, replication_factor: u32, out: &mut Out) {
        if self.partitions.keys().any(|tp| tp.topic == name) {
            let error = format!("TopicExistsException: Topic '{name}' already exists.");
            return admin_failed("createTopic", name, error, out);
        }
        let live = self.live_brokers();
        let assignment = match placement::assign_replicas_to_brokers(&live, partitions, replication_factor, None, None, out.rng) {
            Ok(a) => a,
            Err(e) => return admin_failed("createTopic", name, e.to_string(), out),
        };
        self.unclean.insert(name.to_string(), self.policy.default_unclean);
        self.policy.min_isr.insert(name.to_string(), self.policy.default_min_isr);
        out.emit(EventKind::TopicCreated { topic: name.into(), replication_factor, assignment: assignment.clone() });
        let states = self.add_partition_states(name, 0, &assignment, out);
        self.broadcast(states, out);
    }

    /// CreatePartitions: grows `topic` to `count` partitions, placing the new ones with
    /// `start_partition_id` = the current count and the topic's replication factor.
    pub fn add_partitions(&mut self, topic: &str, count: u32, out: &mut Out) {
        let existing: Vec<&PartitionState> = self.partitions.values().filter(|s| s.tp.topic == topic).collect();
        let Some(first) = existing.first() else {
            let error = format!("UnknownTopicOrPartitionException: Topic '{topic}' does not exist.");
            return admin_failed("addPartitions", topic, error, out);
        };
        let current = existing.len() as u32;
        if count <= current {
            let error = format!("InvalidPartitionsException: Topic currently has {current} partitions, which is higher than or equal to the requested {count}.");
            return admin_failed("addPartitions", topic, error, out);
        }
        let rf = first.replicas.len() as u32;
        let live = self.live_brokers();
        let assignment = match placement::assign_replicas_to_brokers(&live, count - current, rf, None, Some(current), out.rng) {
            Ok(a) => a,
            Err(e) => return admin_failed("addPartitions", topic, e.to_string(), out),
        };
        out.emit(EventKind::PartitionsAdded { topic: topic.into(), first_partition: current, assignment: assignment.clone() });
        let states = self.add_partition_states(topic, current, &assignment, out);
        self.broadcast(states, out);
    }

    fn add_partition_states(&mut self, topic: &str, first: u32, assignment: &[Vec<BrokerId>], out: &mut Out) -> Vec<PartitionState> {
        let mut states = Vec::new();
        let name = Topic::from(topic); // one shared name for all the new partitions
        for (i, replicas) in assignment.iter().enumerate() {
            let tp = TopicPartition::new(name.clone(), first + i as u32);
            let state = PartitionState {
                tp: tp.clone(),
                leader: replicas.first().copied(),
                leader_epoch: 0,
                isr: replicas.clone(),
                replicas: replicas.clone(),
                partition_epoch: 0,
            };
            emit_election(&state, false, out);
            self.partitions.insert(tp, state.clone());
            states.push(state);
        }
        states
    }
}

/// Reports a refused admin request.
pub(super) fn admin_failed(request: &str, topic: &str, error: String, out: &mut Out) {
    out.emit(EventKind::AdminRequestFailed { request: request.to_string(), topic: topic.into(), error });
}
