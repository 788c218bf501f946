//! The controller: replica placement, leader election, metadata.
