//! The simulation's agenda: what is due when, in `(time, sequence)` order.
//!
//! A scheduled entry carries a whole message (a produce request holds its batch), which makes it
//! large; a binary heap moves its entries on every push and pop, so the heap holds only small keys
//! and the entries wait in a slab, each moved once in and once out.

use crate::time::Micros;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Entries of type `T` ordered by due time, then by the order they were scheduled in.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Agenda<T> {
    /// `(due time, sequence, slot)`; the sequence is unique, so the slot never decides the order.
    heap: BinaryHeap<Reverse<(Micros, u64, u32)>>,
    slots: Vec<Option<T>>,
    /// Empty slots, reused before the slab grows.
    free: Vec<u32>,
    seq: u64,
}

impl<T> Default for Agenda<T> {
    fn default() -> Self {
        Agenda { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), seq: 0 }
    }
}

impl<T> Agenda<T> {
    /// Schedules `item` at `at`, after everything already scheduled for the same time.
    pub(super) fn push(&mut self, at: Micros, item: T) {
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
        self.heap.push(Reverse((at, self.seq, slot)));
    }

    /// When the first entry is due.
    pub(super) fn next_at(&self) -> Option<Micros> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Takes the first entry if it is due at or before `until`.
    pub(super) fn pop_due(&mut self, until: Micros) -> Option<(Micros, T)> {
        let &Reverse((at, _, slot)) = self.heap.peek()?;
        if at > until {
            return None;
        }
        self.heap.pop();
        self.free.push(slot);
        let item = self.slots[slot as usize].take()?;
        Some((at, item))
    }

    /// Entries waiting.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_out_by_time_then_by_scheduling_order() {
        let mut a = Agenda::default();
        a.push(30, "c");
        a.push(10, "a1");
        a.push(20, "b");
        a.push(10, "a2");
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
            a.push(i, i);
        }
        while a.pop_due(u64::MAX).is_some() {}
        a.push(7, 70);
        a.push(5, 50);
        assert_eq!(a.slots.len(), 4, "no growth while free slots remain");
        assert_eq!(a.pop_due(u64::MAX), Some((5, 50)));
        assert_eq!(a.pop_due(u64::MAX), Some((7, 70)));
        assert_eq!(a.pop_due(u64::MAX), None);
    }
}
