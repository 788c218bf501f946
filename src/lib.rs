//! kafkascope's engine: Apache Kafka's semantics as a deterministic discrete-event simulation.
//!
//! The engine is a pure state machine. It reads no clock, draws no OS randomness and performs no IO:
//! a [`sim::Sim`] is built from a [`scenario::Scenario`], takes [`command::Command`]s, and
//! [`sim::Sim::advance_to`] a virtual time returns the [`event::Event`]s that happened on the way.
//! The same seed and commands give the same events, natively and in wasm.

pub mod actor;
pub mod broker;
pub mod cli;
pub mod command;
pub mod config;
pub mod consumer;
pub mod controller;
pub mod event;
pub mod ids;
pub mod invariants;
pub mod ledger;
pub mod log;
pub mod net;
pub mod order;
pub mod producer;
pub mod rng;
pub mod scenario;
pub mod serde_tagged;
pub mod sim;
pub mod time;
pub mod trace;
pub mod vec_map;
#[cfg(target_arch = "wasm32")]
pub mod wasm_heap;
