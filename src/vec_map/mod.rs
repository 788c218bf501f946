//! Ordered maps and sets kept as one sorted `Vec`: [`VecMap`] and [`VecSet`].
//!
//! They replace `BTreeMap` / `BTreeSet` where the collections are small (brokers, partitions, members,
//! in-flight ids), for the bundle's sake: each `BTreeMap<K, V>` type instantiates std's node code (about
//! 5 KB of wasm per type, ~300 KB over the app's maps, BENCHMARKS.md), a sorted `Vec` a binary search
//! and `Vec::insert`. Behaviour is `BTreeMap`'s: iteration in key order, `insert` keeps the old key and
//! replaces the value, `collect` keeps the last of equal keys, and the serde form is the same map
//! (or, for sets, sequence). Lookups are O(log n); inserts and removes are O(n) moves, which for the
//! sizes here (tens, at most a few thousand entries) cost less than a B-tree's node allocations.

use std::borrow::Borrow;
use std::fmt;
use std::ops::{Bound, Index, RangeBounds};

mod set;
pub use set::{SetIter, VecSet};

/// A map ordered by key, stored as a sorted `Vec<(K, V)>`: see the module documentation.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
    }
}

/// The position of `q` in the sorted keys: `Ok` where it is, `Err` where it would go.
fn search<K: Borrow<Q>, V, Q: Ord + ?Sized>(v: &[(K, V)], q: &Q) -> Result<usize, usize> {
    v.binary_search_by(|(k, _)| k.borrow().cmp(q))
}

/// The index range of the keys within `range` (empty where `BTreeMap::range` would panic on inverted bounds).
fn bounds<K: Borrow<Q>, V, Q: Ord + ?Sized>(v: &[(K, V)], range: &impl RangeBounds<Q>) -> (usize, usize) {
    let start = match range.start_bound() {
        Bound::Included(q) => search(v, q).unwrap_or_else(|i| i),
        Bound::Excluded(q) => search(v, q).map_or_else(|i| i, |i| i + 1),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(q) => search(v, q).map_or_else(|i| i, |i| i + 1),
        Bound::Excluded(q) => search(v, q).unwrap_or_else(|i| i),
        Bound::Unbounded => v.len(),
    };
    (start, end.max(start))
}

impl<K, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap(Vec::new())
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn clear(&mut self) {
        self.0.clear()
    }
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.0.iter())
    }
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.0.iter_mut())
    }
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys(self.0.iter())
    }
    pub fn values(&self) -> Values<'_, K, V> {
        Values(self.0.iter())
    }
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut(self.0.iter_mut())
    }
    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        self.0.into_iter().map(|(k, _)| k)
    }
    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> + ExactSizeIterator {
        self.0.into_iter().map(|(_, v)| v)
    }
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.0.first().map(|(k, v)| (k, v))
    }
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.0.last().map(|(k, v)| (k, v))
    }
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.0.is_empty() {
            None
        } else {
            Some(self.0.remove(0))
        }
    }
    pub fn pop_last(&mut self) -> Option<(K, V)> {
        self.0.pop()
    }
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.0.retain_mut(|(k, v)| keep(k, v))
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn get<Q: Ord + ?Sized>(&self, q: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        search(&self.0, q).ok().map(|i| &self.0[i].1)
    }
    pub fn get_key_value<Q: Ord + ?Sized>(&self, q: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
    {
        search(&self.0, q).ok().map(|i| (&self.0[i].0, &self.0[i].1))
    }
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, q: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        search(&self.0, q).ok().map(|i| &mut self.0[i].1)
    }
    pub fn contains_key<Q: Ord + ?Sized>(&self, q: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        search(&self.0, q).is_ok()
    }
    /// As `BTreeMap::insert`: a present key keeps its stored key and gets the new value.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        match search(&self.0, &k) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, v)),
            Err(i) => {
                self.0.insert(i, (k, v));
                None
            }
        }
    }
    pub fn remove<Q: Ord + ?Sized>(&mut self, q: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        search(&self.0, q).ok().map(|i| self.0.remove(i).1)
    }
    pub fn remove_entry<Q: Ord + ?Sized>(&mut self, q: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
    {
        search(&self.0, q).ok().map(|i| self.0.remove(i))
    }
    pub fn entry(&mut self, k: K) -> Entry<'_, K, V> {
        match search(&self.0, &k) {
            Ok(i) => Entry::Occupied(OccupiedEntry { map: self, i }),
            Err(i) => Entry::Vacant(VacantEntry { map: self, i, key: k }),
        }
    }
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> Iter<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (s, e) = bounds(&self.0, &range);
        Iter(self.0[s..e].iter())
    }
    pub fn range_mut<Q: Ord + ?Sized, R: RangeBounds<Q>>(&mut self, range: R) -> IterMut<'_, K, V>
    where
        K: Borrow<Q>,
    {
        let (s, e) = bounds(&self.0, &range);
        IterMut(self.0[s..e].iter_mut())
    }
    /// Moves every entry of `other` in (its values win), leaving it empty.
    pub fn append(&mut self, other: &mut Self) {
        let taken = std::mem::take(&mut other.0);
        self.extend(taken);
    }
    /// Splits off the entries with keys `>= q`.
    pub fn split_off<Q: Ord + ?Sized>(&mut self, q: &Q) -> Self
    where
        K: Borrow<Q>,
    {
        let i = search(&self.0, q).unwrap_or_else(|i| i);
        VecMap(self.0.split_off(i))
    }
}

/// `BTreeMap`'s `Entry`, for the methods used here.
pub enum Entry<'a, K, V> {
    Occupied(OccupiedEntry<'a, K, V>),
    Vacant(VacantEntry<'a, K, V>),
}

pub struct OccupiedEntry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    i: usize,
}

pub struct VacantEntry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    i: usize,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert(self, v: V) -> &'a mut V {
        self.or_insert_with(|| v)
    }
    pub fn or_insert_with(self, f: impl FnOnce() -> V) -> &'a mut V {
        match self {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(f()),
        }
    }
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
    pub fn and_modify(mut self, f: impl FnOnce(&mut V)) -> Self {
        if let Entry::Occupied(e) = &mut self {
            f(e.get_mut());
        }
        self
    }
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(e) => e.key(),
            Entry::Vacant(e) => &e.key,
        }
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.map.0[self.i].0
    }
    pub fn get(&self) -> &V {
        &self.map.0[self.i].1
    }
    pub fn get_mut(&mut self) -> &mut V {
        &mut self.map.0[self.i].1
    }
    pub fn into_mut(self) -> &'a mut V {
        &mut self.map.0[self.i].1
    }
    pub fn insert(&mut self, v: V) -> V {
        std::mem::replace(self.get_mut(), v)
    }
    pub fn remove(self) -> V {
        self.map.0.remove(self.i).1
    }
    pub fn remove_entry(self) -> (K, V) {
        self.map.0.remove(self.i)
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    pub fn key(&self) -> &K {
        &self.key
    }
    pub fn insert(self, v: V) -> &'a mut V {
        self.map.0.insert(self.i, (self.key, v));
        &mut self.map.0[self.i].1
    }
}

macro_rules! iterator {
    ($name:ident, $inner:ident, $item:ty, |$e:ident| $map:expr, $($lt:lifetime)?) => {
        pub struct $name<$($lt,)? K, V>(std::slice::$inner<$($lt,)? (K, V)>);
        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;
            fn next(&mut self) -> Option<Self::Item> {
                self.0.next().map(|$e| $map)
            }
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.0.size_hint()
            }
        }
        impl<$($lt,)? K, V> DoubleEndedIterator for $name<$($lt,)? K, V> {
            fn next_back(&mut self) -> Option<Self::Item> {
                self.0.next_back().map(|$e| $map)
            }
        }
        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> std::iter::FusedIterator for $name<$($lt,)? K, V> {}
    };
}

iterator!(Iter, Iter, (&'a K, &'a V), |e| (&e.0, &e.1), 'a);
iterator!(IterMut, IterMut, (&'a K, &'a mut V), |e| (&e.0, &mut e.1), 'a);
iterator!(Keys, Iter, &'a K, |e| &e.0, 'a);
iterator!(Values, Iter, &'a V, |e| &e.1, 'a);
iterator!(ValuesMut, IterMut, &'a mut V, |e| &mut e.1, 'a);

impl<K: fmt::Debug, V> fmt::Debug for Keys<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone().map(|e| &e.0)).finish()
    }
}

impl<K, V: fmt::Debug> fmt::Debug for Values<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone().map(|e| &e.1)).finish()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone().map(|e| (&e.0, &e.1))).finish()
    }
}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter(self.0.clone())
    }
}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    /// As `BTreeMap`'s: sorted by key, the last of equal keys kept.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut v: Vec<(K, V)> = iter.into_iter().collect();
        crate::order::sort_by(&mut v, |a, b| a.0.cmp(&b.0));
        // Keep the last of each run of equal keys: dedup keeps the first, so move the later value in.
        v.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(&mut later.1, &mut earlier.1);
                true
            } else {
                false
            }
        });
        VecMap(v)
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for VecMap<K, V> {
    fn from(a: [(K, V); N]) -> Self {
        a.into_iter().collect()
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<'a, K: Ord + Copy, V: Copy> Extend<(&'a K, &'a V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(*k, *v);
        }
    }
}

impl<K: Ord + Borrow<Q>, V, Q: Ord + ?Sized> Index<&Q> for VecMap<K, V> {
    type Output = V;
    fn index(&self, q: &Q) -> &V {
        self.get(q).expect("no entry found for key")
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for VecMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, K: serde::Deserialize<'de> + Ord, V: serde::Deserialize<'de>> serde::Deserialize<'de> for VecMap<K, V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: serde::Deserialize<'de> + Ord, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visit<K, V> {
            type Value = VecMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = VecMap::new();
                while let Some((k, v)) = a.next_entry()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// `#[serde(with = "crate::vec_map::pairs")]`: a map as a sequence of `[key, value]` pairs (for keys
/// that are not strings), the form `net::link::pairs` gives a `BTreeMap`; this one serves any map that
/// iterates by reference and collects from pairs.
pub(crate) mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<'a, M, K, V, S>(map: &'a M, s: S) -> Result<S::Ok, S::Error>
    where
        &'a M: IntoIterator<Item = (&'a K, &'a V)>,
        K: Serialize + 'a,
        V: Serialize + 'a,
        S: Serializer,
    {
        s.collect_seq(map)
    }

    pub fn deserialize<'de, M, K, V, D>(d: D) -> Result<M, D::Error>
    where
        M: FromIterator<(K, V)>,
        K: Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests;
