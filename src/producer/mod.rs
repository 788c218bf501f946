//! The producer client: partitioners, RecordAccumulator, sender.
pub mod partitioner;
