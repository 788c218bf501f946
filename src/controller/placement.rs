//! Replica placement at topic creation: `AdminUtils.assignReplicasToBrokers`, rack-unaware (ZooKeeper era, tools).
//!
//! Ref: kafka-facts.md §3; Kafka `server-common/.../admin/AdminUtils.java`.

use crate::rng::SimRng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a placement request is invalid, named after Kafka's exceptions and carrying Kafka's message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlacementError {
    /// `InvalidPartitionsException`.
    InvalidPartitions(String),
    /// `InvalidReplicationFactorException`.
    InvalidReplicationFactor(String),
}

impl fmt::Display for PlacementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlacementError::InvalidPartitions(m) => write!(f, "InvalidPartitionsException: {m}"),
            PlacementError::InvalidReplicationFactor(m) => write!(f, "InvalidReplicationFactorException: {m}"),
        }
    }
}

/// Assigns `partitions` partitions of `replication_factor` replicas over `brokers` (in the given order).
/// Element `i` of the result is partition `start_partition_id + i` (`start_partition_id` is for
/// adding partitions to an existing topic). `None` for `fixed_start_index` draws the start index and the
/// replica shift from `rng` (two independent draws, as Java's `RAND.nextInt(n)` twice).
pub fn assign_replicas_to_brokers(
    brokers: &[u32],
    partitions: u32,
    replication_factor: u32,
    fixed_start_index: Option<u32>,
    start_partition_id: Option<u32>,
    rng: &mut SimRng,
) -> Result<Vec<Vec<u32>>, PlacementError> {
    if partitions == 0 {
        return Err(PlacementError::InvalidPartitions("Number of partitions must be larger than 0.".into()));
    }
    if replication_factor == 0 {
        return Err(PlacementError::InvalidReplicationFactor(
            "Replication factor must be larger than 0.".into(),
        ));
    }
    if replication_factor as usize > brokers.len() {
        return Err(PlacementError::InvalidReplicationFactor(format!(
            "Replication factor: {replication_factor} larger than available brokers: {}.",
            brokers.len()
        )));
    }
    let n = brokers.len() as u64;
    let start_index = match fixed_start_index {
        Some(i) => i as u64,
        None => rng.below(n),
    };
    let mut next_replica_shift = match fixed_start_index {
        Some(i) => i as u64,
        None => rng.below(n),
    };
    let mut p = start_partition_id.unwrap_or(0) as u64;
    let mut out = Vec::with_capacity(partitions as usize);
    for _ in 0..partitions {
        // The shift grows once per full pass over the brokers, so follower sets do not repeat.
        if p > 0 && p % n == 0 {
            next_replica_shift += 1;
        }
        let first = (p + start_index) % n;
        let mut replicas = Vec::with_capacity(replication_factor as usize);
        replicas.push(brokers[first as usize]);
        for j in 0..(replication_factor as u64 - 1) {
            replicas.push(brokers[replica_index(first, next_replica_shift, j, n) as usize]);
        }
        out.push(replicas);
        p += 1;
    }
    Ok(out)
}

/// `AdminUtils.replicaIndex`: followers sit `1 + (shift + j) % (n - 1)` after the first replica.
fn replica_index(first: u64, second_replica_shift: u64, replica_index: u64, n: u64) -> u64 {
    // Only called with n >= 2 (replication_factor <= n and j < replication_factor - 1).
    let shift = 1 + (second_replica_shift + replica_index) % (n - 1).max(1);
    (first + shift) % n
}
