//! The simulation's part in coalescing idle long-polls (see [`crate::broker::idle_fetch`]): it alone
//! sees both ends and the link between them, so it decides whether an empty answer's round trip would
//! have gone through unchanged, and it ends idle periods when a fault would have broken them.

use super::Sim;
use crate::event::EventKind;
use crate::ids::NodeId;
use crate::net::Message;

impl Sim {
    /// A leader's empty long-poll answer to `client`: coalesce it if the round trip would have gone
    /// through unchanged and the client would only ask the same again; otherwise it is answered now.
    pub(super) fn offer_idle(&mut self, leader: NodeId, client: NodeId, id: u64, msg: Message) {
        let NodeId::Broker(b) = leader else { return };
        let accepted = self.net.is_clean(leader, client)
            && match client {
                NodeId::Broker(f) => {
                    let follower = &mut self.brokers[f as usize - 1];
                    follower.is_alive() && follower.accept_idle_fetch(b, &msg)
                }
                NodeId::Consumer(c) => {
                    let consumer = &mut self.consumers[c as usize - 1];
                    consumer.is_alive() && consumer.accept_idle_fetch(b, &msg)
                }
                _ => false,
            };
        if accepted {
            self.emit(EventKind::IdleFetchParked { client, broker: b });
        } else {
            self.with_broker(b as usize - 1, |br, out| br.answer_idle(id, out));
        }
    }

    /// `node` stopped: fetches it parked on leaders are gone, and its clients' fetches parked on it
    /// wait for an answer again (their request timeouts run from now).
    pub(super) fn end_idle_of_stopped(&mut self, node: NodeId) {
        let now = self.now;
        for br in self.brokers.iter_mut().filter(|b| b.is_alive()) {
            br.drop_idle_from(node, now);
        }
        if let NodeId::Broker(leader) = node {
            self.end_idle_at_clients(leader, |_| true);
        }
    }

    /// The link `a <-> b` was cut or slowed: an idle fetch across it is answered now (the answer meets
    /// the link as the next empty answer would have), and the client waits for it again.
    pub(super) fn end_idle_across(&mut self, a: NodeId, b: NodeId) {
        for (leader, client) in [(a, b), (b, a)] {
            let NodeId::Broker(l) = leader else { continue };
            if self.brokers[l as usize - 1].is_alive() {
                self.with_broker(l as usize - 1, |br, out| br.answer_idle_to(client, out));
            }
            self.end_idle_at_clients(l, |c| c == client);
        }
    }

    fn end_idle_at_clients(&mut self, leader: u32, pick: impl Fn(NodeId) -> bool) {
        for i in 0..self.brokers.len() {
            if self.brokers[i].is_alive() && pick(NodeId::Broker(i as u32 + 1)) {
                self.with_broker(i, |br, out| br.end_idle_fetch(leader, out));
            }
        }
        for i in 0..self.consumers.len() {
            if self.consumers[i].is_alive() && pick(NodeId::Consumer(i as u32 + 1)) {
                self.with_consumer(i, |c, out| c.end_idle_fetch(leader, out));
            }
        }
    }
}
