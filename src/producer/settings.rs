//! A producer's settings, resolved from Kafka's producer config keys (kafka-facts.md §2, §5).

use crate::config::{Overrides, Profile, Resolver, Scope};
use crate::log::compression::Compression;
use crate::net::Acks;
use serde::{Deserialize, Serialize};

/// Resolved producer settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProducerSettings {
    /// `acks`.
    pub acks: Acks,
    /// `batch.size`.
    pub batch_size: usize,
    /// `linger.ms`.
    pub linger_ms: u64,
    /// `max.request.size`.
    pub max_request_size: usize,
    /// `compression.type`.
    pub compression: Compression,
    /// `retries`.
    pub retries: u32,
    /// `retry.backoff.ms`.
    pub retry_backoff_ms: u64,
    /// `retry.backoff.max.ms`.
    pub retry_backoff_max_ms: u64,
    /// `request.timeout.ms`.
    pub request_timeout_ms: u64,
    /// `delivery.timeout.ms` (raised to linger + request timeout when not set explicitly).
    pub delivery_timeout_ms: u64,
    /// `max.in.flight.requests.per.connection`.
    pub max_in_flight: usize,
    /// `metadata.max.age.ms`.
    pub metadata_max_age_ms: u64,
    /// `partitioner.class` = DefaultPartitioner selects KIP-480's sticky partitioner.
    pub legacy_sticky: bool,
    /// `partitioner.ignore.keys`.
    pub ignore_keys: bool,
}

impl ProducerSettings {
    /// Resolves overrides against the profile's defaults; rejects combinations Kafka rejects.
    pub fn resolve(profile: Profile, overrides: &Overrides) -> Result<ProducerSettings, String> {
        let none = Overrides::default();
        let r = Resolver::new(profile, Scope::Producer, overrides, &none);
        let acks = match r.text("acks") {
            "0" => Acks::None,
            "1" => Acks::Leader,
            _ => Acks::All,
        };
        let linger_ms = r.uint("linger.ms");
        let request_timeout_ms = r.uint("request.timeout.ms");
        let mut delivery_timeout_ms = r.uint("delivery.timeout.ms");
        if delivery_timeout_ms < linger_ms + request_timeout_ms {
            if overrides.0.contains_key("delivery.timeout.ms") {
                return Err(format!(
                    "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms ({} < {})",
                    delivery_timeout_ms,
                    linger_ms + request_timeout_ms
                ));
            }
            delivery_timeout_ms = linger_ms + request_timeout_ms;
        }
        let compression = match r.text("compression.type") {
            "gzip" => Compression::Gzip,
            "snappy" => Compression::Snappy,
            "lz4" => Compression::Lz4,
            "zstd" => Compression::Zstd,
            _ => Compression::None,
        };
        Ok(ProducerSettings {
            acks,
            batch_size: r.uint("batch.size") as usize,
            linger_ms,
            max_request_size: r.uint("max.request.size") as usize,
            compression,
            retries: r.uint("retries").min(u32::MAX as u64) as u32,
            retry_backoff_ms: r.uint("retry.backoff.ms"),
            retry_backoff_max_ms: r.uint("retry.backoff.max.ms"),
            request_timeout_ms,
            delivery_timeout_ms,
            max_in_flight: r.uint("max.in.flight.requests.per.connection").max(1) as usize,
            metadata_max_age_ms: r.uint("metadata.max.age.ms"),
            legacy_sticky: r.text("partitioner.class") == "DefaultPartitioner",
            ignore_keys: r.bool("partitioner.ignore.keys"),
        })
    }
}
