//! Carrying out a [`Command`] at the current virtual time: faults (crash, power loss, restart, links),
//! the producers' and consumers' commands, and the admin requests, whose refusals become
//! `adminRequestFailed` events as Kafka's exceptions.

use super::Sim;
use crate::command::Command;
use crate::event::{EventKind, StopCause};
use crate::ids::NodeId;

impl Sim {
    pub(super) fn execute(&mut self, cmd: Command) {
        self.emit(EventKind::CommandApplied { command: cmd.clone() });
        match cmd {
            Command::CrashBroker { broker } | Command::PowerLossBroker { broker } => {
                let cause = if matches!(cmd, Command::CrashBroker { .. }) { StopCause::Crash } else { StopCause::PowerLoss };
                let i = broker as usize - 1;
                if self.brokers[i].is_alive() {
                    self.with_broker(i, |b, out| b.stop(cause, out));
                    self.emit(EventKind::BrokerStopped { broker, cause });
                    self.end_idle_of_stopped(NodeId::Broker(broker));
                }
            }
            Command::RestartBroker { broker } => {
                let i = broker as usize - 1;
                if !self.brokers[i].is_alive() {
                    self.with_broker(i, |b, out| b.start(out));
                }
            }
            Command::CutLink { a, b } => {
                self.net.cut(a, b);
                self.end_idle_across(a, b);
            }
            Command::HealLink { a, b } => self.net.heal(a, b),
            Command::SlowLink { a, b, extra_latency_us } => {
                self.net.slow(a, b, extra_latency_us);
                self.end_idle_across(a, b);
            }
            Command::Produce { producer, key, value, partition } => {
                self.with_producer(producer as usize - 1, |p, out| p.produce_by_hand(key, value, partition, out))
            }
            Command::SetProducerRate { producer, records_per_sec } => {
                self.with_producer(producer as usize - 1, |p, out| p.set_rate(records_per_sec, out))
            }
            Command::CrashConsumer { consumer } => {
                let i = consumer as usize - 1;
                if self.consumers[i].is_alive() {
                    self.with_consumer(i, |c, out| c.crash(out));
                    self.end_idle_of_stopped(NodeId::Consumer(consumer));
                }
            }
            Command::RestartConsumer { consumer } => {
                let i = consumer as usize - 1;
                if !self.consumers[i].is_alive() {
                    self.consumers[i] = self.consumers[i].restarted(&self.scenario);
                    self.with_consumer(i, |c, out| c.start(out));
                }
            }
            cmd @ (Command::CreateTopic { .. } | Command::AddPartitions { .. } | Command::ReassignPartition { .. }) => {
                self.execute_admin(cmd);
            }
            cmd @ Command::AlterTopicConfig { .. } => self.alter_topic_config(cmd),
            Command::CrashController { node } => {
                if self.metadata.stop(node) {
                    self.emit(EventKind::ControllerStopped { node: NodeId::Controller(node) });
                }
            }
            Command::RestartController { node } => {
                if !self.metadata.is_up(node) {
                    self.emit(EventKind::ControllerStarted { node: NodeId::Controller(node) });
                    self.with_metadata(node, |m, out| m.start(node, out));
                }
            }
        }
    }

    /// Sends an admin command to the active controller: on kafka-3.6 the broker holding ZooKeeper's
    /// `/controller` (if it is up and has taken over that epoch), on kafka-4.0 the KRaft leader. With
    /// no active controller the request fails (Kafka's admin client would get NOT_CONTROLLER and
    /// time out).
    fn execute_admin(&mut self, cmd: Command) -> bool {
        let ran = match self.metadata.active_controller() {
            Some(NodeId::Broker(b)) => {
                let epoch = self.metadata.zk_controller_epoch().unwrap_or(0);
                match (b as usize).checked_sub(1).filter(|&i| i < self.brokers.len() && self.brokers[i].is_alive()) {
                    Some(i) => {
                        let mut ran = false;
                        self.with_broker(i, |br, out| ran = br.run_admin(epoch, |c, o| c.admin(&cmd, o), out));
                        ran
                    }
                    None => false,
                }
            }
            Some(NodeId::Controller(n)) => {
                let mut ran = false;
                self.with_metadata(n, |m, out| ran = m.run_active(n, |c, o| c.admin(&cmd, o), out));
                ran
            }
            _ => false,
        };
        if !ran {
            if let Some((request, topic)) = cmd.admin_request() {
                let error = "TimeoutException: no active controller (NOT_CONTROLLER); the request timed out".to_string();
                self.emit(EventKind::AdminRequestFailed { request: request.to_string(), topic: topic.into(), error });
            }
        }
        ran
    }

    /// IncrementalAlterConfigs on a topic: refused for an unknown topic or without an active
    /// controller; else the controller and every broker (up or down: they read it from the metadata
    /// when they start) take the new value at once (propagation delay is not modelled).
    fn alter_topic_config(&mut self, cmd: Command) {
        let Command::AlterTopicConfig { topic, key, value } = &cmd else { return };
        let Ok(value) = crate::config::check_topic_alter(key, value) else { return };
        let (topic, key) = (topic.clone(), key.clone());
        if !self.metadata.partitions().keys().any(|tp| tp.topic == topic) {
            let error = format!("UnknownTopicOrPartitionException: Topic '{topic}' does not exist.");
            self.emit(EventKind::AdminRequestFailed { request: "incrementalAlterConfigs".to_string(), topic: topic.into(), error });
            return;
        }
        if self.execute_admin(cmd) {
            for b in &mut self.brokers {
                b.alter_topic_config(&topic, &key, &value);
            }
            self.emit(EventKind::TopicConfigAltered { topic: topic.into(), key, value });
        }
    }
}
