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
    /// `partitioner.adaptive.partitioning.enable`.
    #[serde(default)]
    pub adaptive: bool,
    /// `partitioner.availability.timeout.ms`.
    #[serde(default)]
    pub availability_timeout_ms: i64,
    /// `enable.idempotence`, after Kafka's validation (silently off when only defaulted and
    /// `acks`, `retries` or `max.in.flight.requests.per.connection` rule it out).
    #[serde(default)]
    pub idempotence: bool,
    /// `transactional.id` (empty: not transactional).
    #[serde(default)]
    pub transactional_id: Option<String>,
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
        let retries = r.uint("retries").min(u32::MAX as u64) as u32;
        let max_in_flight = r.uint("max.in.flight.requests.per.connection").max(1) as usize;
        let idempotence = resolve_idempotence(r.bool("enable.idempotence"), overrides, acks, retries, max_in_flight)?;
        let transactional_id = Some(r.text("transactional.id").to_string()).filter(|id| !id.is_empty());
        if transactional_id.is_some() && !idempotence {
            // KafkaProducer: "Cannot set a transactional.id without also enabling idempotence."
            return Err("Cannot set a transactional.id without also enabling idempotence (enable.idempotence, acks=all, retries > 0, max.in.flight.requests.per.connection <= 5)".into());
        }
        Ok(ProducerSettings {
            acks,
            batch_size: r.uint("batch.size") as usize,
            linger_ms,
            max_request_size: r.uint("max.request.size") as usize,
            compression,
            retries,
            retry_backoff_ms: r.uint("retry.backoff.ms"),
            retry_backoff_max_ms: r.uint("retry.backoff.max.ms"),
            request_timeout_ms,
            delivery_timeout_ms,
            max_in_flight,
            metadata_max_age_ms: r.uint("metadata.max.age.ms"),
            legacy_sticky: r.text("partitioner.class") == "DefaultPartitioner",
            ignore_keys: r.bool("partitioner.ignore.keys"),
            adaptive: r.bool("partitioner.adaptive.partitioning.enable"),
            availability_timeout_ms: r.int("partitioner.availability.timeout.ms"),
            idempotence,
            transactional_id,
        })
    }
}

/// `ProducerConfig.postProcessAndValidateIdempotenceConfigs` (kafka-facts.md §5): idempotence needs
/// acks=all, retries > 0 and at most 5 requests in flight. Set explicitly, a conflict is an error naming
/// the key; only defaulted, idempotence is quietly turned off.
fn resolve_idempotence(wanted: bool, overrides: &Overrides, acks: Acks, retries: u32, max_in_flight: usize) -> Result<bool, String> {
    if !wanted {
        return Ok(false);
    }
    let conflict = if acks != Acks::All {
        Some("Must set acks to all in order to use the idempotent producer (enable.idempotence=true, acks)")
    } else if retries == 0 {
        Some("Must set retries to non-zero when using the idempotent producer (enable.idempotence=true, retries)")
    } else if max_in_flight > 5 {
        Some("Must set max.in.flight.requests.per.connection to at most 5 when using the idempotent producer (enable.idempotence=true)")
    } else {
        None
    };
    let explicit = overrides.0.contains_key("enable.idempotence");
    match conflict {
        Some(message) if explicit => Err(message.to_string()),
        Some(_) => Ok(false),
        None => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scope;
    use serde_json::json;

    fn resolve(pairs: &[(&str, serde_json::Value)]) -> Result<ProducerSettings, String> {
        let mut o = Overrides::default();
        for (k, v) in pairs {
            o.set(Scope::Producer, k, v).unwrap();
        }
        ProducerSettings::resolve(Profile::Kafka36, &o)
    }

    #[test]
    fn explicit_idempotence_conflicts_are_errors_naming_the_key() {
        // Ref: kafka-facts.md §5 (config validation)
        let t = ("enable.idempotence", json!(true));
        let e = resolve(&[t.clone(), ("acks", json!("1"))]).unwrap_err();
        assert!(e.contains("acks"), "{e}");
        let e = resolve(&[t.clone(), ("retries", json!(0))]).unwrap_err();
        assert!(e.contains("retries"), "{e}");
        let e = resolve(&[t.clone(), ("max.in.flight.requests.per.connection", json!(6))]).unwrap_err();
        assert!(e.contains("max.in.flight.requests.per.connection"), "{e}");
        assert!(resolve(&[t, ("max.in.flight.requests.per.connection", json!(5))]).unwrap().idempotence);
    }

    #[test]
    fn defaulted_idempotence_is_silently_disabled_by_conflicts() {
        // Ref: kafka-facts.md §5 (only on by default: silently disabled)
        assert!(resolve(&[]).unwrap().idempotence);
        assert!(!resolve(&[("acks", json!("1"))]).unwrap().idempotence);
        assert!(!resolve(&[("retries", json!(0))]).unwrap().idempotence);
        assert!(!resolve(&[("max.in.flight.requests.per.connection", json!(6))]).unwrap().idempotence);
        assert!(!resolve(&[("enable.idempotence", json!(false))]).unwrap().idempotence);
    }
}
