//! The simulation's agenda: what is due when, in `(time, sequence)` order.
//!
//! A scheduled entry carries a whole message (a produce request holds its batch), which makes it
//! large; a binary heap moves its entries on every push and pop, so the heap holds only small keys
//! and the entries wait in a slab, each moved once in and once out.
//!
//! Most of what waits is long timeouts that rarely fire (a batch's `delivery.timeout.ms`, a
//! request's `request.timeout.ms`, a delayed produce): thousands of them at a high record rate,
//! and every push and pop of the near timers paid log(n) for them. Entries scheduled the same delay
//! ahead come due in the order they were pushed, so each such delay gets a lane, a plain queue, and
//! the heap keeps only the rest. The order out is the same `(time, sequence)` order as before.
//!
//! The busiest entry is the next one: a producer's next record is scheduled a few microseconds
//! ahead, before anything else waiting, and is taken right after. Such an entry waits in `front`,
//! outside the heap, instead of rising to the heap's top and sinking out again.

use crate::time::Micros;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Entries at least this far ahead go into a lane (shorter ones are near timers, left to the heap).
const LANE_MIN_DELAY: Micros = 1_000_000;
/// At most this many lanes: each pop looks at every lane's head.
const MAX_LANES: usize = 6;

/// A queue of `(due time, sequence, slot)` keys pushed with the same delay, hence in order.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Lane {
    delay: Micros,
    keys: VecDeque<(Micros, u64, u32)>,
}

/// Entries of type `T` ordered by due time, then by the order they were scheduled in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Agenda<T> {
    /// `(due time, sequence, slot)`; the sequence is unique, so the slot never decides the order.
    heap: BinaryHeap<Reverse<(Micros, u64, u32)>>,
    #[serde(default)]
    lanes: Vec<Lane>,
    /// A key before every key in the heap and the lanes, if one was pushed as such.
    #[serde(default)]
    front: Option<(Micros, u64, u32)>,
    slots: Vec<Option<T>>,
    /// Empty slots, reused before the slab grows.
    free: Vec<u32>,
    seq: u64,
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Agenda { heap: BinaryHeap::new(), lanes: Vec::new(), front: None, slots: Vec::new(), free: Vec::new(), seq: 0 }
    }
}

impl<T> Agenda<T> {
    /// Schedules `item` at `at` (not before `now`), after everything already scheduled for the same time.
    pub(super) fn push(&mut self, now: Micros, at: Micros, item: T) {
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(item);
                slot
            }
            None => {
                self.slots.push(Some(item));
                (self.slots.len() - 1) as u32
            }
        };
        let key = (at, self.seq, slot);
        match self.front {
            // Keys only grow in sequence, so a new key goes before the front only by being earlier.
            Some(front) if key < front => {
                self.heap.push(Reverse(front));
                self.front = Some(key);
            }
            Some(_) => self.enqueue(now, key),
            None if self.first_queued().is_none_or(|(first, _)| key < first) => self.front = Some(key),
            None => self.enqueue(now, key),
        }
    }

    /// Puts a key in its lane or the heap.
    fn enqueue(&mut self, now: Micros, key: (Micros, u64, u32)) {
        match self.lane_for(key.0.saturating_sub(now), key.0) {
            Some(lane) => self.lanes[lane].keys.push_back(key),
            None => self.heap.push(Reverse(key)),
        }
    }

    /// The lane a key `delay` ahead joins: its delay's lane if the key sorts last there, else an
    /// empty or new lane; none for near entries or when every lane is taken.
    fn lane_for(&mut self, delay: Micros, at: Micros) -> Option<usize> {
        if delay < LANE_MIN_DELAY {
            return None;
        }
        if let Some(i) = self.lanes.iter().position(|l| l.delay == delay) {
            // Time never runs backwards, so this holds; checked because order depends on it.
            return self.lanes[i].keys.back().is_none_or(|&(last, _, _)| last <= at).then_some(i);
        }
        let i = match self.lanes.iter().position(|l| l.keys.is_empty()) {
            Some(i) => i,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push(Lane { delay, keys: VecDeque::new() });
                self.lanes.len() - 1
            }
            None => return None,
        };
        self.lanes[i].delay = delay;
        Some(i)
    }

    /// The first key outside `front`: `None` for the heap's top, `Some(lane)` for a lane's head.
    fn first_queued(&self) -> Option<((Micros, u64, u32), Option<usize>)> {
        let mut best = self.heap.peek().map(|&Reverse(k)| (k, None));
        for (i, lane) in self.lanes.iter().enumerate() {
            if let Some(&k) = lane.keys.front() {
                if best.is_none_or(|(b, _)| k < b) {
                    best = Some((k, Some(i)));
                }
            }
        }
        best
    }

    /// When the first entry is due.
    pub(super) fn next_at(&self) -> Option<Micros> {
        self.front.or_else(|| self.first_queued().map(|(k, _)| k)).map(|(at, _, _)| at)
    }

    /// Takes the first entry if it is due at or before `until`.
    pub(super) fn pop_due(&mut self, until: Micros) -> Option<(Micros, T)> {
        let (at, slot) = match self.front {
            Some((at, _, _)) if at > until => return None,
            Some((at, _, slot)) => {
                self.front = None;
                (at, slot)
            }
            None => {
                let ((at, _, slot), from) = self.first_queued()?;
                if at > until {
                    return None;
                }
                match from {
                    None => drop(self.heap.pop()),
                    Some(lane) => drop(self.lanes[lane].keys.pop_front()),
                }
                (at, slot)
            }
        };
        self.free.push(slot);
        let item = self.slots[slot as usize].take()?;
        Some((at, item))
    }

    /// Entries waiting.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(|l| l.keys.len()).sum::<usize>() + usize::from(self.front.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_out_by_time_then_by_scheduling_order() {
        let mut a = Agenda::default();
        a.push(0, 30, "c");
        a.push(0, 10, "a1");
        a.push(0, 20, "b");
        a.push(0, 10, "a2");
        assert_eq!(a.next_at(), Some(10));
        assert_eq!(a.pop_due(5), None, "nothing is due before 10");
        let mut out = Vec::new();
        while let Some((at, x)) = a.pop_due(25) {
            out.push((at, x));
        }
        assert_eq!(out, vec![(10, "a1"), (10, "a2"), (20, "b")]);
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn freed_slots_are_reused_and_order_survives_reuse() {
        let mut a = Agenda::default();
        for i in 0..4 {
            a.push(0, i, i);
        }
        while a.pop_due(u64::MAX).is_some() {}
        a.push(0, 7, 70);
        a.push(0, 5, 50);
        assert_eq!(a.slots.len(), 4, "no growth while free slots remain");
        assert_eq!(a.pop_due(u64::MAX), Some((5, 50)));
        assert_eq!(a.pop_due(u64::MAX), Some((7, 70)));
        assert_eq!(a.pop_due(u64::MAX), None);
    }

    #[test]
    fn long_timers_in_lanes_interleave_with_near_ones_in_time_then_scheduling_order() {
        // A reference: every key in one sorted list, as a plain heap would give them.
        let mut a = Agenda::default();
        let mut reference = Vec::new();
        let mut now = 0;
        let mut rng = 12345u64;
        let mut n = 0u32;
        let mut out = Vec::new();
        for step in 0..2_000u64 {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            // Delays: near ones, a few fixed long ones (lanes), more distinct long ones than lanes.
            let delay = match (rng >> 33) % 10 {
                0..=3 => (rng >> 40) % 5_000,
                4 => 120_000_000,
                5 => 30_000_000,
                6 => 0,
                7 => 1_000_000,
                _ => 1_000_000 + ((rng >> 45) % 9) * 1_000_000,
            };
            a.push(now, now + delay, n);
            reference.push((now + delay, n));
            n += 1;
            if step % 3 == 0 {
                now += (rng >> 50) % 40_000_000;
                while let Some((at, x)) = a.pop_due(now) {
                    out.push((at, x));
                }
            }
        }
        while let Some((at, x)) = a.pop_due(u64::MAX) {
            out.push((at, x));
        }
        reference.sort();
        // Same-time entries come out in scheduling order, and n grows with it, so sorting the
        // reference by (time, n) is the order to expect.
        assert_eq!(out, reference);
        assert!(a.lanes.len() <= MAX_LANES);
    }
}
