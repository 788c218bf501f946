//! Messages in flight: small labelled shapes moving along the lanes, fading out where they died.
//! Above [`ANIMATE_MAX_SPEED`] the shapes give way to a count so frames stay cheap.
//!
//! At 1x the frames scenario sends ~500 messages a second and each is drawn for a few frames, so
//! creating a shape per message (a group, a rect, a text and a title) was the largest DOM churn of a
//! frame. The shapes are a fixed pool instead ([`Slots`]): a message keeps its shape while it is drawn,
//! a new one takes a shape another message left, and a free shape stays in the page hidden.

use crate::layout::{flight_point, message_style, LANE_PRODUCE_Y, PRODUCER_X, SIDE_W};
use crate::view_model::{Flight, MAX_FLIGHTS};
use kafkascope::event::MessageKind;
use kafkascope::ids::{BrokerId, NodeId};
use std::collections::VecDeque;
use kafkascope::vec_map::VecMap;
use yew::prelude::*;

/// Above this speed messages are counted, not animated.
pub const ANIMATE_MAX_SPEED: f64 = 50.0;

/// Shapes in the pool: more than [`MAX_FLIGHTS`], so a new message never needs a shape that was
/// showing a dropped message this very frame (it would fade in from the dropped look).
pub const SLOTS: usize = MAX_FLIGHTS + 16;

/// Which pooled shape draws which message, kept from frame to frame.
#[derive(Debug)]
pub struct Slots {
    /// The message each shape draws (`None`: free) and whether it was drawn dropped.
    owner: Vec<Option<(u64, bool)>>,
    /// Free shapes in the order they are handed out.
    free: VecDeque<usize>,
    /// The kind, sender and receiver of the message each shape drew last: a shape handed to a
    /// message of the same kind keeps its label, colour and width, one of the same route its title too,
    /// and only moves.
    kind: Vec<Option<(MessageKind, NodeId, NodeId)>>,
    /// Free shapes a dropped message left: they rest at the back of `free` until their turn comes.
    resting: Vec<bool>,
}

impl Default for Slots {
    fn default() -> Self {
        Slots { owner: vec![None; SLOTS], free: (0..SLOTS).collect(), kind: vec![None; SLOTS], resting: vec![false; SLOTS] }
    }
}

impl Slots {
    /// Gives every message of `msgs` (ascending ids) a shape: the one it had, else a free one; frees
    /// the shapes of messages no longer drawn. A shape freed by an arrived message is handed out first
    /// (it changes only its position and label, not its class), the first such shape that last drew
    /// the same route (kind, sender, receiver) if there is one, else the same kind (then its title, or
    /// its label and colour, stay too); one freed by a
    /// dropped message goes last, so it is hidden for a while before it is reused. Returns each
    /// shape's message. Messages
    /// beyond the pool (never more than [`MAX_FLIGHTS`] are drawn) are left out.
    pub fn assign(&mut self, msgs: &VecMap<u64, Flight>) -> Vec<Option<u64>> {
        for (slot, owner) in self.owner.iter_mut().enumerate() {
            match *owner {
                Some((m, dropped)) if !msgs.contains_key(&m) => {
                    *owner = None;
                    self.resting[slot] = dropped;
                    if dropped {
                        self.free.push_back(slot);
                    } else {
                        self.free.push_front(slot);
                    }
                }
                Some((m, _)) => *owner = Some((m, msgs[&m].dropped_us.is_some())),
                None => {}
            }
        }
        let drawn: kafkascope::vec_map::VecSet<u64> = self.owner.iter().flatten().map(|o| o.0).collect();
        for (msg, f) in msgs.iter().filter(|(m, _)| !drawn.contains(m)) {
            let route = (f.kind, f.from, f.to);
            let like = |same: &dyn Fn(&(MessageKind, NodeId, NodeId)) -> bool| {
                self.free.iter().position(|&s| !self.resting[s] && self.kind[s].as_ref().is_some_and(same))
            };
            let pick = like(&|k| *k == route).or_else(|| like(&|k| k.0 == f.kind));
            let Some(slot) = pick.and_then(|i| self.free.remove(i)).or_else(|| self.free.pop_front()) else { break };
            self.owner[slot] = Some((*msg, f.dropped_us.is_some()));
            self.kind[slot] = Some(route);
            self.resting[slot] = false;
        }
        self.owner.iter().map(|o| o.map(|o| o.0)).collect()
    }
}

/// What one pooled shape shows; a free shape keeps its last one, hidden.
#[derive(Clone, Debug, Default, PartialEq)]
struct Shape {
    x: f64,
    y: f64,
    label: &'static str,
    colour: &'static str,
    title: String,
    dropped: bool,
}

/// Properties of [`Flights`].
#[derive(Properties, PartialEq, Clone)]
pub struct FlightsProps {
    /// Messages to draw, by id.
    pub flights: VecMap<u64, Flight>,
    /// Broker ids in column order.
    pub brokers: Vec<BrokerId>,
    /// Virtual time now (µs).
    pub now_us: u64,
    /// Current speed (virtual seconds per wall second).
    pub speed: f64,
    /// Messages sent since the start.
    pub messages_sent: u64,
    /// Shortest virtual time a message is drawn travelling.
    pub flight_min_us: u64,
}

/// Where and how one message is drawn now.
fn shape(p: &FlightsProps, f: &Flight) -> Shape {
    let until = f.shown_until(p.flight_min_us);
    let end = f.dropped_us.unwrap_or(until);
    let span = until.saturating_sub(f.sent_us).max(1) as f64;
    let t = (p.now_us.min(end).saturating_sub(f.sent_us)) as f64 / span;
    let (x, y) = flight_point(&p.brokers, f.from, f.to, t);
    let (label, colour) = message_style(f.kind);
    Shape { x, y, label, colour, title: format!("{:?} {} → {}", f.kind, f.from, f.to), dropped: f.dropped_us.is_some() }
}

/// Draws the messages in flight.
#[function_component(Flights)]
pub fn flights(p: &FlightsProps) -> Html {
    let pool = use_mut_ref(|| (Slots::default(), vec![Shape::default(); SLOTS]));
    if p.speed > ANIMATE_MAX_SPEED {
        return html! {
            <text class="flight-count" x={(PRODUCER_X + SIDE_W + 8.0).to_string()} y={(LANE_PRODUCE_Y - 6.0).to_string()}>
                { format!("{} messages sent (animation off above {}×)", p.messages_sent, ANIMATE_MAX_SPEED) }
            </text>
        };
    }
    let mut pool = pool.borrow_mut();
    let (slots, last) = &mut *pool;
    let owners = slots.assign(&p.flights);
    let shapes = owners.iter().enumerate().map(|(slot, owner)| {
        let drawn = owner.and_then(|m| p.flights.get(&m));
        if let Some(f) = drawn {
            last[slot] = shape(p, f);
        } else {
            // A free shape keeps its attributes (nothing to update) but not the dropped look, so a
            // message that takes it later does not fade in from it.
            last[slot].dropped = false;
        }
        let s = &last[slot];
        let w = 8.0 + 7.0 * s.label.len() as f64;
        html! {
            <g key={slot} class={classes!("flight", s.dropped.then_some("dropped"), drawn.is_none().then_some("idle"))}
                style={format!("transform: translate({:.1}px, {:.1}px)", s.x, s.y)}>
                <rect x={format!("{:.1}", -w / 2.0)} y="-6" width={format!("{w:.1}")} height="12" rx="6" fill={s.colour} />
                <text y="4" text-anchor="middle">{ s.label }</text>
                <title>{ s.title.clone() }</title>
            </g>
        }
    });
    html! { <g class="flights">{ for shapes }</g> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flights(ids: impl IntoIterator<Item = u64>) -> VecMap<u64, Flight> {
        let f = |msg| Flight { msg, from: NodeId::Broker(1), to: NodeId::Broker(2), kind: MessageKind::Fetch, sent_us: 0, arrive_us: 1, dropped_us: None };
        ids.into_iter().map(|m| (m, f(m))).collect()
    }

    #[test]
    fn a_message_keeps_its_shape_while_it_is_drawn() {
        let mut s = Slots::default();
        let first = s.assign(&flights([3, 4, 5]));
        let slot_of = |owners: &[Option<u64>], m| owners.iter().position(|o| *o == Some(m));
        let second = s.assign(&flights([4, 5, 6, 7]));
        assert_eq!(slot_of(&first, 4), slot_of(&second, 4));
        assert_eq!(slot_of(&first, 5), slot_of(&second, 5));
        assert_eq!(second.iter().flatten().count(), 4, "3 freed its shape; 6 and 7 got one each");
    }

    #[test]
    fn a_new_message_takes_the_shape_an_arrived_one_left_but_not_a_dropped_ones() {
        let mut s = Slots::default();
        let mut live = flights(0..MAX_FLIGHTS as u64);
        live.get_mut(&1).unwrap().dropped_us = Some(1);
        let before = s.assign(&live);
        let slot_of = |owners: &[Option<u64>], m| owners.iter().position(|o| *o == Some(m));
        live.remove(&0);
        live.remove(&1);
        live.extend(flights([1_000, 1_001]));
        let after = s.assign(&live);
        assert_eq!(slot_of(&after, 1_000), slot_of(&before, 0), "message 0 arrived: its shape is reused at once");
        assert_ne!(slot_of(&after, 1_001), slot_of(&before, 1), "message 1 was dropped: its shape rests");
        assert!(after.iter().all(|o| *o != Some(0) && *o != Some(1)));
    }

    #[test]
    fn a_new_message_takes_a_free_shape_of_its_own_kind_if_there_is_one() {
        let kind = |mut f: VecMap<u64, Flight>, k| { f.values_mut().for_each(|f| f.kind = k); f };
        let mut s = Slots::default();
        let mut live = flights(0..4);
        live.extend(kind(flights([0]), MessageKind::Produce));
        let before = s.assign(&live);
        let slot_of = |owners: &[Option<u64>], m| owners.iter().position(|o| *o == Some(m));
        live.remove(&0);
        live.remove(&1);
        // Both shapes are free, the Fetch's first in line; a new Produce takes the one the Produce left.
        live.extend(kind(flights([10]), MessageKind::Produce));
        let after = s.assign(&live);
        assert_eq!(slot_of(&after, 10), slot_of(&before, 0));
        // With no free shape of its kind, a message takes the first free one.
        live.extend(kind(flights([11]), MessageKind::Metadata));
        let last = s.assign(&live);
        assert_eq!(slot_of(&last, 11), slot_of(&before, 1));
    }

    #[test]
    fn a_new_message_prefers_a_free_shape_of_its_own_route() {
        let to = |mut f: VecMap<u64, Flight>, b| { f.values_mut().for_each(|f| f.to = NodeId::Broker(b)); f };
        let mut s = Slots::default();
        let mut live = flights(0..3);
        live.extend(to(flights([0]), 3));
        let before = s.assign(&live);
        let slot_of = |owners: &[Option<u64>], m| owners.iter().position(|o| *o == Some(m));
        live.remove(&0);
        live.remove(&1);
        // Two free Fetch shapes, the one to broker 2 first in line; a Fetch to broker 3 takes the other.
        live.extend(to(flights([10]), 3));
        let after = s.assign(&live);
        assert_eq!(slot_of(&after, 10), slot_of(&before, 0));
    }

    #[test]
    fn a_dropped_messages_shape_rests_even_for_its_own_kind() {
        let mut s = Slots::default();
        let mut live = flights(0..2);
        live.get_mut(&0).unwrap().dropped_us = Some(1);
        let before = s.assign(&live);
        let slot_of = |owners: &[Option<u64>], m| owners.iter().position(|o| *o == Some(m));
        live.remove(&0);
        live.extend(flights([5]));
        let after = s.assign(&live);
        assert_ne!(slot_of(&after, 5), slot_of(&before, 0), "the dropped Fetch's shape rests");
    }

    #[test]
    fn the_pool_never_grows() {
        let mut s = Slots::default();
        for frame in 0..200u64 {
            let owners = s.assign(&flights(frame * 10..frame * 10 + MAX_FLIGHTS as u64));
            assert_eq!(owners.len(), SLOTS);
            assert_eq!(owners.iter().flatten().count(), MAX_FLIGHTS, "frame {frame}");
        }
    }
}
