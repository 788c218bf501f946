//! The simulated network: Kafka's requests as messages with a size, travelling over links with latency
//! and bandwidth, so they can be drawn in flight, delayed, or lost on a cut link.

pub mod link;
pub mod message;

pub use link::{CostModel, Network};
pub use message::*;
