//! `AbstractStickyAssignor.GeneralAssignmentBuilder` (no racks): used when subscriptions differ.
//! Kafka's HashMap/HashSet orders are reproduced where they pick a result (member iteration,
//! `PartitionMovements` set heads); TreeSet orders are exact.

use super::{Assignment, MemberSubscription, TopicPartition, DEFAULT_GENERATION};
use crate::consumer::coordinator_key::java_string_hash;
use crate::vec_map::{VecMap, VecSet};

/// `sortedCurrentSubscriptions` key: (assignment size, member id as UTF-16 for Java's compareTo, id).
type SubKey = (usize, Vec<u16>, String);

struct Builder<'a> {
    topics: &'a VecMap<String, u32>,
    potential: VecMap<String, Vec<String>>,
    consumer_topics: VecMap<String, Vec<String>>,
    current: VecMap<String, Vec<TopicPartition>>,
    partition_consumer: VecMap<TopicPartition, String>,
    sorted_subs: VecSet<SubKey>,
    prev: VecMap<TopicPartition, (String, i32)>,
    moves: Movements,
    total: usize,
}

/// Builds the balanced, sticky assignment for differing subscriptions.
pub(super) fn assign(
    topics: &VecMap<String, u32>,
    order: &[&MemberSubscription],
    owned: Vec<(String, Vec<TopicPartition>)>,
    max_generation: i32,
) -> Assignment {
    let mut potential: VecMap<String, Vec<String>> = topics.keys().map(|t| (t.clone(), Vec::new())).collect();
    let mut consumer_topics = VecMap::new();
    for m in order {
        let mut mine = Vec::new();
        for t in &m.topics {
            if let Some(list) = potential.get_mut(t) {
                mine.push(t.clone());
                list.push(m.member_id.clone());
            }
        }
        consumer_topics.insert(m.member_id.clone(), mine);
    }
    let current: VecMap<String, Vec<TopicPartition>> = owned.into_iter().collect();
    let partition_consumer =
        current.iter().flat_map(|(c, l)| l.iter().map(move |tp| (tp.clone(), c.clone()))).collect();
    // prepopulateCurrentAssignments: the best older-generation owner of each partition.
    let mut prev: VecMap<TopicPartition, (String, i32)> = VecMap::new();
    for m in order {
        let g = if m.generation != DEFAULT_GENERATION && m.generation < max_generation {
            m.generation
        } else if m.generation == DEFAULT_GENERATION && max_generation > DEFAULT_GENERATION {
            DEFAULT_GENERATION
        } else {
            continue;
        };
        for tp in &m.owned {
            if prev.get(tp).is_none_or(|(_, pg)| g > *pg) {
                prev.insert(tp.clone(), (m.member_id.clone(), g));
            }
        }
    }
    let b = Builder {
        topics,
        potential,
        consumer_topics,
        current,
        partition_consumer,
        sorted_subs: VecSet::new(),
        prev,
        moves: Movements::default(),
        total: topics.values().map(|&n| n as usize).sum(),
    };
    b.build()
}

impl Builder<'_> {
    fn key(&self, c: &str) -> SubKey {
        (self.current.get(c).map_or(0, Vec::len), c.encode_utf16().collect(), c.to_string())
    }

    fn build(mut self) -> Assignment {
        let mut sorted_all: Vec<TopicPartition> = {
            let mut ts: Vec<&String> = self.topics.keys().collect();
            crate::order::sort_by_key(&mut ts, |t| (self.potential[*t].len(), t.encode_utf16().collect::<Vec<u16>>()));
            ts.iter().flat_map(|t| (0..self.topics[*t]).map(move |p| ((*t).clone(), p))).collect()
        };
        // assignOwnedPartitions: drop partitions of topics no longer subscribed.
        let mut revocation_required = false;
        let mut assigned = VecSet::new();
        for (c, list) in self.current.iter_mut() {
            let subs = &self.consumer_topics[c];
            list.retain(|tp| {
                let keep = subs.contains(&tp.0);
                revocation_required |= !keep;
                if keep {
                    assigned.insert(tp.clone());
                }
                keep
            });
        }
        let mut unassigned: Vec<TopicPartition> = sorted_all.iter().filter(|tp| !assigned.contains(*tp)).cloned().collect();
        let ids: Vec<String> = self.current.keys().cloned().collect();
        for c in &ids {
            let k = self.key(c);
            self.sorted_subs.insert(k);
        }

        // balance()
        let initializing = self.sorted_subs.last().is_none_or(|k| k.0 == 0);
        for tp in &unassigned {
            if self.potential[&tp.0].is_empty() {
                continue;
            }
            let target = self.sorted_subs.iter().find(|k| self.consumer_topics[&k.2].contains(&tp.0)).cloned();
            if let Some(k) = target {
                self.sorted_subs.remove(&k);
                self.current.get_mut(&k.2).map(|l| l.push(tp.clone()));
                self.partition_consumer.insert(tp.clone(), k.2.clone());
                let nk = self.key(&k.2);
                self.sorted_subs.insert(nk);
            }
        }
        let fixed_topic = |t: &str, p: &VecMap<String, Vec<String>>| p[t].len() < 2;
        sorted_all.retain(|tp| !fixed_topic(&tp.0, &self.potential));
        unassigned.retain(|tp| !fixed_topic(&tp.0, &self.potential));
        let mut fixed: Vec<(String, Vec<TopicPartition>)> = Vec::new();
        for c in self.consumer_topics.keys().cloned().collect::<Vec<_>>() {
            if !self.can_participate(&c) {
                let k = self.key(&c);
                self.sorted_subs.remove(&k);
                if let Some(l) = self.current.remove(&c) {
                    fixed.push((c, l));
                }
            }
        }
        let pre = self.current.clone();
        let pre_pc = self.partition_consumer.clone();
        if !revocation_required {
            self.perform(&unassigned);
        }
        let performed = self.perform(&sorted_all);
        if !initializing && performed && score(&self.current) >= score(&pre) {
            self.current = pre;
            self.partition_consumer = pre_pc;
            let ids: Vec<String> = self.current.keys().cloned().collect();
            self.sorted_subs = ids.iter().map(|c| self.key(c)).collect();
        }
        for (c, l) in fixed {
            self.current.insert(c.clone(), l);
            let k = self.key(&c);
            self.sorted_subs.insert(k);
        }
        self.current
    }

    fn max_size(&self, c: &str) -> usize {
        self.consumer_topics[c].iter().map(|t| self.topics[t] as usize).sum::<usize>().min(self.total)
    }

    fn can_participate(&self, c: &str) -> bool {
        let cur = self.current.get(c).map_or(&[][..], |v| v.as_slice());
        cur.len() < self.max_size(c) || cur.iter().any(|tp| self.potential[&tp.0].len() >= 2)
    }

    fn size(&self, c: &str) -> Option<usize> {
        self.current.get(c).map(Vec::len)
    }

    fn is_balanced(&self) -> bool {
        let (Some(first), Some(last)) = (self.sorted_subs.first(), self.sorted_subs.last()) else { return true };
        if first.0 + 1 >= last.0 {
            return true;
        }
        let owner: VecMap<&TopicPartition, &String> =
            self.current.iter().flat_map(|(c, l)| l.iter().map(move |tp| (tp, c))).collect();
        for k in &self.sorted_subs {
            let c = &k.2;
            let count = self.current[c].len();
            if count == self.max_size(c) {
                continue;
            }
            for t in &self.consumer_topics[c] {
                for p in 0..self.topics[t] {
                    let tp = (t.clone(), p);
                    if self.current[c].contains(&tp) {
                        continue;
                    }
                    if let Some(other) = owner.get(&tp).and_then(|o| self.size(o)) {
                        if count + 1 < other {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }

    /// `performReassignments`: move partitions towards less loaded members until balanced.
    fn perform(&mut self, partitions: &[TopicPartition]) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(consumer) = self.partition_consumer.get(tp).cloned() else { continue };
                let Some(size) = self.size(&consumer) else { continue };
                if let Some((pc, _)) = self.prev.get(tp).cloned() {
                    if self.size(&pc).is_some_and(|s| size > s + 1) {
                        self.reassign(tp, &pc);
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                let movable = self.potential[&tp.0].iter().any(|o| self.size(o).is_some_and(|s| size > s + 1));
                if movable {
                    let target = self.sorted_subs.iter().find(|k| self.consumer_topics[&k.2].contains(&tp.0));
                    if let Some(k) = target.map(|k| k.2.clone()) {
                        self.reassign(tp, &k);
                        performed = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    fn reassign(&mut self, tp: &TopicPartition, new: &str) {
        let Some(old) = self.partition_consumer.get(tp).cloned() else { return };
        let moved = self.moves.actual_partition(tp, &old, new);
        let Some(old) = self.partition_consumer.get(&moved).cloned() else { return };
        let (ko, kn) = (self.key(&old), self.key(new));
        self.sorted_subs.remove(&ko);
        self.sorted_subs.remove(&kn);
        self.moves.move_partition(&moved, &old, new);
        if let Some(l) = self.current.get_mut(&old) {
            l.retain(|x| *x != moved);
        }
        if let Some(l) = self.current.get_mut(new) {
            l.push(moved.clone());
        }
        self.partition_consumer.insert(moved, new.to_string());
        let (kn, ko) = (self.key(new), self.key(&old));
        self.sorted_subs.insert(kn);
        self.sorted_subs.insert(ko);
    }
}

/// Sum of |size difference| over all member pairs (`getBalanceScore`).
fn score(a: &VecMap<String, Vec<TopicPartition>>) -> usize {
    let sizes: Vec<usize> = a.values().map(Vec::len).collect();
    let mut s = 0;
    for i in 0..sizes.len() {
        for j in i + 1..sizes.len() {
            s += sizes[i].abs_diff(sizes[j]);
        }
    }
    s
}

/// `PartitionMovements`: which partitions moved between which pair of members this round.
#[derive(Default)]
struct Movements {
    by_partition: VecMap<TopicPartition, (String, String)>,
    /// topic -> (src, dst) -> partitions, as a Java HashSet (entries with insertion sequence, peak size).
    by_topic: VecMap<String, VecMap<(String, String), JavaHashSet>>,
}

/// Enough of `java.util.HashSet<TopicPartition>` to know which element `iterator().next()` returns.
#[derive(Default)]
struct JavaHashSet {
    items: Vec<(TopicPartition, u64)>,
    seq: u64,
    peak: usize,
}

impl JavaHashSet {
    fn insert(&mut self, tp: TopicPartition) {
        if !self.items.iter().any(|(x, _)| *x == tp) {
            self.seq += 1;
            self.items.push((tp, self.seq));
            self.peak = self.peak.max(self.items.len());
        }
    }

    fn head(&self) -> Option<TopicPartition> {
        let mut cap = 16usize;
        while self.peak * 4 > cap * 3 {
            cap *= 2;
        }
        self.items
            .iter()
            .min_by_key(|(tp, seq)| {
                // TopicPartition.hashCode = 31 * (31 + partition) + topic.hashCode()
                let h = 31i32.wrapping_mul(31i32.wrapping_add(tp.1 as i32)).wrapping_add(java_string_hash(&tp.0)) as u32;
                (((h ^ (h >> 16)) as usize) & (cap - 1), *seq)
            })
            .map(|(tp, _)| tp.clone())
    }
}

impl Movements {
    fn remove_record(&mut self, tp: &TopicPartition) -> Option<(String, String)> {
        let pair = self.by_partition.remove(tp)?;
        if let Some(m) = self.by_topic.get_mut(&tp.0) {
            if let Some(set) = m.get_mut(&pair) {
                set.items.retain(|(x, _)| x != tp);
                if set.items.is_empty() {
                    m.remove(&pair);
                }
            }
            if m.is_empty() {
                self.by_topic.remove(&tp.0);
            }
        }
        Some(pair)
    }

    fn add_record(&mut self, tp: &TopicPartition, pair: (String, String)) {
        self.by_partition.insert(tp.clone(), pair.clone());
        self.by_topic.entry(tp.0.clone()).or_default().entry(pair).or_default().insert(tp.clone());
    }

    fn move_partition(&mut self, tp: &TopicPartition, old: &str, new: &str) {
        if let Some(existing) = self.remove_record(tp) {
            if existing.0 != new {
                self.add_record(tp, (existing.0, new.to_string()));
            }
        } else {
            self.add_record(tp, (old.to_string(), new.to_string()));
        }
    }

    /// `getTheActualPartitionToBeMoved`: prefer undoing an earlier move in the opposite direction.
    fn actual_partition(&self, tp: &TopicPartition, old: &str, new: &str) -> TopicPartition {
        let Some(m) = self.by_topic.get(&tp.0) else { return tp.clone() };
        let old = self.by_partition.get(tp).map_or(old.to_string(), |p| p.0.clone());
        m.get(&(new.to_string(), old)).and_then(JavaHashSet::head).unwrap_or_else(|| tp.clone())
    }
}
