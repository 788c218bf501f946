//! The controller: replica placement, leader election, metadata.
pub mod placement;
