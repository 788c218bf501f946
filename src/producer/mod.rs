//! The producer client: partitioners, RecordAccumulator, sender.
