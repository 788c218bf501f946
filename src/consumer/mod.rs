//! The consumer client and consumer groups.
