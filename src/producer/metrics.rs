//! Producer metrics per second of virtual time: what Kafka's producer reports as `record-send-rate`,
//! `outgoing-byte-rate`, batch fill, `compression-rate-avg` and request latency, and what the UI
//! plots. Integers only (per mille, microseconds): events carry no floats.

use crate::event::EventKind;
use crate::ids::ProducerIdx;
use crate::time::{Micros, US_PER_SEC};
use serde::{Deserialize, Serialize};

/// One window's counters. The window opens at the first activity and closes a second later, so an
/// idle producer sets no timers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MetricsWindow {
    /// When the window opened (`None`: closed, nothing happened since).
    pub opened: Option<Micros>,
    records_acked: u64,
    batches_sent: u64,
    bytes_sent: u64,
    fill_permille_sum: u64,
    uncompressed_bytes: u64,
    compressed_bytes: u64,
    latencies_us: Vec<u64>,
}

impl MetricsWindow {
    /// Opens the window if closed; returns true when the caller must arm the one-second timer.
    pub fn touch(&mut self, now: Micros) -> bool {
        if self.opened.is_none() {
            self.opened = Some(now);
            return true;
        }
        false
    }

    /// A batch left for the first time: `uncompressed` is what `batch.size` is compared with.
    pub fn on_batch_sent(&mut self, wire_bytes: usize, uncompressed: usize, batch_size: usize) {
        self.batches_sent += 1;
        self.bytes_sent += wire_bytes as u64;
        self.fill_permille_sum += (uncompressed as u64 * 1000 / batch_size.max(1) as u64).min(1000);
        self.uncompressed_bytes += uncompressed as u64;
        self.compressed_bytes += wire_bytes as u64;
    }

    /// A batch was acknowledged `latency` after it was created (its oldest record's wait).
    pub fn on_acked(&mut self, records: u32, latency: Micros) {
        self.records_acked += records as u64;
        self.latencies_us.push(latency);
    }

    /// Closes the window into a `ProducerMetrics` event (rates per second of virtual time).
    pub fn close(&mut self, producer: ProducerIdx, now: Micros) -> Option<EventKind> {
        let opened = self.opened.take()?;
        let span = now.saturating_sub(opened).max(1);
        let per_sec = |n: u64| n.saturating_mul(US_PER_SEC) / span;
        let mut lat = std::mem::take(&mut self.latencies_us);
        lat.sort_unstable();
        let pct = |p: usize| if lat.is_empty() { 0 } else { lat[(lat.len() - 1) * p / 100] };
        let w = std::mem::take(self);
        Some(EventKind::ProducerMetrics {
            producer,
            records_per_sec: per_sec(w.records_acked),
            bytes_per_sec: per_sec(w.bytes_sent),
            batches_sent: w.batches_sent,
            batch_fill_permille: w.fill_permille_sum.checked_div(w.batches_sent).unwrap_or(0),
            compression_permille: (w.compressed_bytes * 1000).checked_div(w.uncompressed_bytes).unwrap_or(1000),
            latency_p50_us: pct(50),
            latency_p99_us: pct(99),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_reports_rates_fill_compression_and_latency_percentiles() {
        let mut w = MetricsWindow::default();
        assert!(w.touch(0));
        assert!(!w.touch(10));
        w.on_batch_sent(500, 1000, 2000);
        w.on_batch_sent(500, 1000, 1000);
        for i in 1..=100u64 {
            w.on_acked(1, i * 1000);
        }
        let Some(EventKind::ProducerMetrics { records_per_sec, bytes_per_sec, batch_fill_permille, compression_permille, latency_p50_us, latency_p99_us, .. }) =
            w.close(1, US_PER_SEC)
        else {
            panic!("a ProducerMetrics event")
        };
        assert_eq!((records_per_sec, bytes_per_sec), (100, 1000));
        assert_eq!(batch_fill_permille, 750);
        assert_eq!(compression_permille, 500);
        assert_eq!((latency_p50_us, latency_p99_us), (50_000, 99_000));
        assert!(w.close(1, 2 * US_PER_SEC).is_none(), "closed windows stay quiet");
    }
}
