//! The consumer client and consumer groups.
pub mod coordinator_key;
pub mod assignor;
