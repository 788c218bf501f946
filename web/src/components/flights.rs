//! Messages in flight: small labelled shapes moving along the lanes, fading out where they died.
//! Above [`ANIMATE_MAX_SPEED`] the shapes give way to a count so frames stay cheap.
//!
//! At 1x the frames scenario sends ~500 messages a second and each is drawn for a few frames, so
//! creating a shape per message (a group, a rect, a text and a title) was the largest DOM churn of a
//! frame. The shapes are a fixed pool instead ([`Slots`]): a message keeps its shape while it is drawn,
//! a new one takes a shape another message left, and a free shape stays in the page hidden.

use crate::layout::{f1, flight_point, message_style, LANE_PRODUCE_Y, PRODUCER_X, SIDE_W};
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

/// Where one pooled shape is and what it shows (a free shape keeps its last place and look, hidden).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Shape {
    x: f64,
    y: f64,
    route: (MessageKind, NodeId, NodeId),
    /// `"flight"`, `"flight dropped"` or `"flight idle"`.
    class: &'static str,
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

/// Where one message is drawn now.
fn place(p: &FlightsProps, f: &Flight) -> (f64, f64) {
    let until = f.shown_until(p.flight_min_us);
    let end = f.dropped_us.unwrap_or(until);
    let span = until.saturating_sub(f.sent_us).max(1) as f64;
    let t = (p.now_us.min(end).saturating_sub(f.sent_us)) as f64 / span;
    flight_point(&p.brokers, f.from, f.to, t)
}

/// One pooled shape in the page: `g.flight` holding a rect, a text and a title, and what each shows.
struct DrawnShape {
    g: web_sys::Element,
    rect: web_sys::Element,
    /// The label's and the tooltip's text nodes, rewritten in place: `set_text_content` would remove
    /// the node and add a new one, and the tooltip changes for about 25 shapes a frame.
    label: web_sys::Node,
    tooltip: web_sys::Node,
    shown: Option<Shape>,
}

impl DrawnShape {
    fn new(doc: &web_sys::Document, group: &web_sys::Element) -> Option<DrawnShape> {
        let svg = |tag: &str| doc.create_element_ns(Some("http://www.w3.org/2000/svg"), tag).ok();
        let (g, rect, text, title) = (svg("g")?, svg("rect")?, svg("text")?, svg("title")?);
        for (el, attrs) in [(&g, &[("class", "flight idle")][..]), (&rect, &[("y", "-6"), ("height", "12"), ("rx", "6")][..]), (&text, &[("y", "4"), ("text-anchor", "middle")][..])] {
            for (k, v) in attrs {
                let _ = el.set_attribute(k, v);
            }
        }
        let (label, tooltip): (web_sys::Node, web_sys::Node) = (doc.create_text_node("").into(), doc.create_text_node("").into());
        let _ = text.append_child(&label);
        let _ = title.append_child(&tooltip);
        for child in [&rect, &text, &title] {
            let _ = g.append_child(child);
        }
        let _ = group.append_child(&g);
        Some(DrawnShape { g, rect, label, tooltip, shown: None })
    }

    /// Writes what changed since the shape was last drawn.
    fn draw(&mut self, s: Shape) {
        let old = self.shown.replace(s);
        if old.map(|o| o.class) != Some(s.class) {
            let _ = self.g.set_attribute("class", s.class);
        }
        if old.map(|o| (o.x, o.y)) != Some((s.x, s.y)) {
            crate::dom_num::set_style_translate(&self.g, s.x, s.y);
        }
        let old_route = old.map(|o| o.route);
        if old_route.map(|r| r.0) != Some(s.route.0) {
            let (label, colour) = message_style(s.route.0);
            let w = 8.0 + 7.0 * label.len() as f64;
            let _ = self.rect.set_attribute("x", &f1(-w / 2.0));
            let _ = self.rect.set_attribute("width", &f1(w));
            let _ = self.rect.set_attribute("fill", colour);
            self.label.set_node_value(Some(label));
        }
        if old_route != Some(s.route) {
            let (kind, from, to) = s.route;
            self.tooltip.set_node_value(Some(&format!("{kind:?} {from} → {to}")));
        }
    }
}

/// The pool's shapes as put in the page, and the group they live in.
#[derive(Default)]
struct DrawnShapes {
    group: Option<web_sys::Element>,
    shapes: Vec<DrawnShape>,
}

/// Draws the messages in flight.
///
/// The pooled shapes are not virtual DOM: the component keeps them in its `g.flights` group itself
/// ([`DrawnShapes`]) and writes only what changed (mostly each moving message's transform), instead
/// of building and diffing 64 groups of four elements every frame.
#[function_component(Flights)]
pub fn flights(p: &FlightsProps) -> Html {
    let pool = use_mut_ref(|| (Slots::default(), vec![None::<Shape>; SLOTS]));
    let group_ref = use_node_ref();
    let drawn = use_mut_ref(DrawnShapes::default);
    let animate = p.speed <= ANIMATE_MAX_SPEED;
    let wanted = animate.then(|| {
        let mut pool = pool.borrow_mut();
        let (slots, last) = &mut *pool;
        let owners = slots.assign(&p.flights);
        owners.iter().zip(last.iter_mut()).map(|(owner, last)| {
            match owner.and_then(|m| p.flights.get(&m)) {
                Some(f) => {
                    let (x, y) = place(p, f);
                    let class = if f.dropped_us.is_some() { "flight dropped" } else { "flight" };
                    *last = Some(Shape { x, y, route: (f.kind, f.from, f.to), class });
                }
                // A free shape keeps its attributes (nothing to update) but not the dropped look, so a
                // message that takes it later does not fade in from it.
                None => if let Some(s) = last.as_mut() { s.class = "flight idle" },
            }
            *last
        }).collect::<Vec<_>>()
    });
    {
        let (group_ref, drawn) = (group_ref.clone(), drawn.clone());
        use_effect(move || {
            let (Some(wanted), Some(group)) = (wanted, group_ref.cast::<web_sys::Element>()) else { return };
            let mut d = drawn.borrow_mut();
            if d.group.as_ref() != Some(&group) {
                *d = DrawnShapes { group: Some(group.clone()), shapes: Vec::new() };
            }
            let Some(doc) = group.owner_document() else { return };
            while d.shapes.len() < SLOTS {
                match DrawnShape::new(&doc, &group) {
                    Some(s) => d.shapes.push(s),
                    None => return,
                }
            }
            for (shape, want) in d.shapes.iter_mut().zip(wanted) {
                if let Some(w) = want {
                    shape.draw(w);
                }
            }
        });
    }
    if !animate {
        return html! {
            <text class="flight-count" x={(PRODUCER_X + SIDE_W + 8.0).to_string()} y={(LANE_PRODUCE_Y - 6.0).to_string()}>
                { format!("{} messages sent (animation off above {}×)", p.messages_sent, ANIMATE_MAX_SPEED) }
            </text>
        };
    }
    html! { <g class="flights" ref={group_ref}></g> }
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
