//! Messages in flight: small labelled shapes moving along the lanes, fading out where they died.
//! Above [`ANIMATE_MAX_SPEED`] the shapes give way to a count so frames stay cheap.

use crate::layout::{flight_point, message_style, LANE_PRODUCE_Y, PRODUCER_X, SIDE_W};
use crate::view_model::Flight;
use kafkascope::ids::BrokerId;
use std::collections::BTreeMap;
use yew::prelude::*;

/// Above this speed messages are counted, not animated.
pub const ANIMATE_MAX_SPEED: f64 = 50.0;

/// Properties of [`Flights`].
#[derive(Properties, PartialEq, Clone)]
pub struct FlightsProps {
    /// Messages to draw, by id.
    pub flights: BTreeMap<u64, Flight>,
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

/// Draws the messages in flight.
#[function_component(Flights)]
pub fn flights(p: &FlightsProps) -> Html {
    if p.speed > ANIMATE_MAX_SPEED {
        return html! {
            <text class="flight-count" x={(PRODUCER_X + SIDE_W + 8.0).to_string()} y={(LANE_PRODUCE_Y - 6.0).to_string()}>
                { format!("{} messages sent (animation off above {}×)", p.messages_sent, ANIMATE_MAX_SPEED) }
            </text>
        };
    }
    let shapes = p.flights.values().map(|f| {
        let until = f.shown_until(p.flight_min_us);
        let end = f.dropped_us.unwrap_or(until);
        let span = until.saturating_sub(f.sent_us).max(1) as f64;
        let t = (p.now_us.min(end).saturating_sub(f.sent_us)) as f64 / span;
        let (x, y) = flight_point(&p.brokers, f.from, f.to, t);
        let (label, colour) = message_style(f.kind);
        let dropped = f.dropped_us.is_some();
        let w = 8.0 + 7.0 * label.len() as f64;
        html! {
            <g key={f.msg.to_string()} class={classes!("flight", dropped.then_some("dropped"))}
                style={format!("transform: translate({x:.1}px, {y:.1}px)")}>
                <rect x={format!("{:.1}", -w / 2.0)} y="-6" width={format!("{w:.1}")} height="12" rx="6" fill={colour} />
                <text y="4" text-anchor="middle">{ label }</text>
                <title>{ format!("{:?} {} → {}", f.kind, f.from, f.to) }</title>
            </g>
        }
    });
    html! { <g class="flights">{ for shapes }</g> }
}
