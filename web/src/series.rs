//! The charts' data, folded from events into the view state: the producer metrics Kafka reports
//! (`record-send-rate`, `outgoing-byte-rate`, latency p50/p99, batch fill, `compression-rate-avg`;
//! one `producerMetrics` event per producer per virtual second), consumer lag per partition, and
//! the safety ledger's acked-then-lost and duplicates counts. Every series is bounded.

use crate::view_model::{Ledger, PartKey};
use kafkascope::event::EventKind;
use kafkascope::ids::{ConsumerIdx, ProducerIdx};
use std::collections::VecDeque;
use kafkascope::vec_map::VecMap;

/// Points kept per series (the oldest fall off).
pub const MAX_POINTS: usize = 120;
/// Lag series kept at most (one per consumer and partition).
pub const MAX_LAG_SERIES: usize = 12;
/// Points closer than this (virtual µs) to the previous one replace it, so bursts stay one point.
pub const COALESCE_US: u64 = 100_000;

/// One line of a chart: `(virtual µs, value)`, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// The points, at most [`MAX_POINTS`].
    pub points: VecDeque<(u64, i64)>,
}

impl Series {
    /// Adds a point, replacing the last one when it is within [`COALESCE_US`].
    pub fn push(&mut self, at_us: u64, value: i64) {
        if let Some(last) = self.points.back_mut().filter(|(t, _)| at_us < t + COALESCE_US) {
            *last = (last.0, value);
            return;
        }
        if self.points.len() == MAX_POINTS {
            self.points.pop_front();
        }
        self.points.push_back((at_us, value));
    }

    /// The latest value, if any.
    pub fn last(&self) -> Option<i64> {
        self.points.back().map(|p| p.1)
    }
}

/// One producer's metrics series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProducerSeries {
    /// Records acknowledged per second.
    pub records_per_sec: Series,
    /// Bytes sent per second (on the wire, after compression).
    pub bytes_per_sec: Series,
    /// Request latency, median (µs).
    pub latency_p50_us: Series,
    /// Request latency, 99th percentile (µs).
    pub latency_p99_us: Series,
    /// Mean batch fill: uncompressed bytes / `batch.size`, per mille.
    pub batch_fill_permille: Series,
    /// Compressed / uncompressed bytes, per mille (1000 = no compression).
    pub compression_permille: Series,
}

/// Everything the charts tab draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartSeries {
    /// Producer metrics, by producer.
    pub producers: VecMap<ProducerIdx, ProducerSeries>,
    /// Consumer lag (records), by consumer and partition.
    pub lag: VecMap<(ConsumerIdx, PartKey), Series>,
    /// Acknowledged records the engine's audit found missing.
    pub acked_lost: Series,
    /// Records the engine's audit found twice in a leader's log.
    pub duplicates: Series,
}

impl ChartSeries {
    /// Folds one event (only producer metrics and consumer lag matter here).
    pub fn fold(&mut self, at_us: u64, kind: &EventKind) {
        match kind {
            EventKind::ProducerMetrics { producer, records_per_sec, bytes_per_sec, batch_fill_permille, compression_permille, latency_p50_us, latency_p99_us, .. } => {
                let p = self.producers.entry(*producer).or_default();
                let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                p.records_per_sec.push(at_us, int(*records_per_sec));
                p.bytes_per_sec.push(at_us, int(*bytes_per_sec));
                p.latency_p50_us.push(at_us, int(*latency_p50_us));
                p.latency_p99_us.push(at_us, int(*latency_p99_us));
                p.batch_fill_permille.push(at_us, int(*batch_fill_permille));
                p.compression_permille.push(at_us, int(*compression_permille));
            }
            EventKind::ConsumerLag { consumer, lag } => {
                for (tp, n) in lag {
                    let key = (*consumer, (tp.topic.clone(), tp.partition));
                    if self.lag.len() < MAX_LAG_SERIES || self.lag.contains_key(&key) {
                        self.lag.entry(key).or_default().push(at_us, *n);
                    }
                }
            }
            _ => {}
        }
    }

    /// Records the safety ledger's audit at `at_us` (a point only when a count changed, or every second).
    pub fn sample_ledger(&mut self, at_us: u64, ledger: &Ledger) {
        for (series, value) in [(&mut self.acked_lost, ledger.acked_lost), (&mut self.duplicates, ledger.duplicates)] {
            let Some(v) = value.map(|v| i64::try_from(v).unwrap_or(i64::MAX)) else { continue };
            let stale = series.points.back().is_none_or(|(t, _)| at_us >= t + 1_000_000);
            if series.last() != Some(v) || stale {
                series.push(at_us, v);
            }
        }
    }
}
