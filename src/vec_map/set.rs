//! [`VecSet`]: a [`VecMap`] with unit values, with `BTreeSet`'s behaviour.

use super::{Iter, VecMap};
use std::borrow::Borrow;
use std::fmt;
use std::ops::RangeBounds;

/// A set ordered by value: a [`VecMap`] with unit values (so a sorted `Vec<T>`), with `BTreeSet`'s
/// behaviour (see the module documentation).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VecSet<T>(VecMap<T, ()>);

impl<T> Default for VecSet<T> {
    fn default() -> Self {
        VecSet(VecMap::new())
    }
}

/// The key of a `(key, ())` entry.
fn key<T>((t, _): (T, ())) -> T {
    t
}

/// The key of a borrowed `(key, ())` entry.
fn key_ref<'a, T>((t, _): (&'a T, &'a ())) -> &'a T {
    t
}

/// A set's values in order, borrowed.
pub type SetIter<'a, T> = std::iter::Map<Iter<'a, T, ()>, fn((&'a T, &'a ())) -> &'a T>;

impl<T> VecSet<T> {
    pub const fn new() -> Self {
        VecSet(VecMap::new())
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
    pub fn iter(&self) -> SetIter<'_, T> {
        self.0.iter().map(key_ref)
    }
    pub fn first(&self) -> Option<&T> {
        self.0.first_key_value().map(key_ref)
    }
    pub fn last(&self) -> Option<&T> {
        self.0.last_key_value().map(key_ref)
    }
    pub fn pop_first(&mut self) -> Option<T> {
        self.0.pop_first().map(key)
    }
    pub fn pop_last(&mut self) -> Option<T> {
        self.0.pop_last().map(key)
    }
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.0.retain(|t, _| keep(t))
    }
}

impl<T: Ord> VecSet<T> {
    pub fn contains<Q: Ord + ?Sized>(&self, q: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.0.contains_key(q)
    }
    pub fn get<Q: Ord + ?Sized>(&self, q: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
    {
        self.0.get_key_value(q).map(key_ref)
    }
    /// As `BTreeSet::insert`: false (and the stored value kept) when an equal value is present.
    pub fn insert(&mut self, t: T) -> bool {
        self.0.insert(t, ()).is_none()
    }
    pub fn remove<Q: Ord + ?Sized>(&mut self, q: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.0.remove(q).is_some()
    }
    pub fn take<Q: Ord + ?Sized>(&mut self, q: &Q) -> Option<T>
    where
        T: Borrow<Q>,
    {
        self.0.remove_entry(q).map(key)
    }
    pub fn range<Q: Ord + ?Sized, R: RangeBounds<Q>>(&self, range: R) -> SetIter<'_, T>
    where
        T: Borrow<Q>,
    {
        self.0.range(range).map(key_ref)
    }
    pub fn is_subset(&self, other: &Self) -> bool {
        self.iter().all(|t| other.contains(t))
    }
    pub fn is_superset(&self, other: &Self) -> bool {
        other.is_subset(self)
    }
    pub fn is_disjoint(&self, other: &Self) -> bool {
        !self.iter().any(|t| other.contains(t))
    }
    /// The values in `self` and not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + 'a {
        self.iter().filter(move |t| !other.contains(*t))
    }
    /// The values in both, in order.
    pub fn intersection<'a>(&'a self, other: &'a Self) -> impl Iterator<Item = &'a T> + 'a {
        self.iter().filter(move |t| other.contains(*t))
    }
    /// Moves every value of `other` in, leaving it empty.
    pub fn append(&mut self, other: &mut Self) {
        self.0.append(&mut other.0)
    }
}

impl<T: Ord> FromIterator<T> for VecSet<T> {
    /// As `BTreeSet`'s: sorted, one of each run of equal values kept (the last, as std does).
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        VecSet(iter.into_iter().map(|t| (t, ())).collect())
    }
}

impl<T: Ord, const N: usize> From<[T; N]> for VecSet<T> {
    fn from(a: [T; N]) -> Self {
        a.into_iter().collect()
    }
}

impl<T: Ord> Extend<T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for t in iter {
            self.insert(t);
        }
    }
}

impl<'a, T: Ord + Copy + 'a> Extend<&'a T> for VecSet<T> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        for t in iter {
            self.insert(*t);
        }
    }
}

impl<'a, T> IntoIterator for &'a VecSet<T> {
    type Item = &'a T;
    type IntoIter = SetIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> IntoIterator for VecSet<T> {
    type Item = T;
    type IntoIter = std::iter::Map<std::vec::IntoIter<(T, ())>, fn((T, ())) -> T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter().map(key)
    }
}

impl<T: fmt::Debug> fmt::Debug for VecSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: serde::Serialize> serde::Serialize for VecSet<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: serde::Deserialize<'de> + Ord> serde::Deserialize<'de> for VecSet<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de> + Ord> serde::de::Visitor<'de> for Visit<T> {
            type Value = VecSet<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut s = VecSet::new();
                while let Some(t) = a.next_element()? {
                    s.insert(t);
                }
                Ok(s)
            }
        }
        d.deserialize_seq(Visit(std::marker::PhantomData))
    }
}
