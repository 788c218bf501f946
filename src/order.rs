//! Stable sorting through one shared copy of std's sort.
//!
//! Every `slice::sort*` call on a new element or comparator type instantiates std's whole sort (about
//! 4 KB of wasm each). These helpers sort short slices by insertion and longer ones by sorting a list
//! of `u32` indices with a `dyn` comparator, then permuting: the bundle carries std's sort once.
//! They are stable, so they give exactly what `sort`, `sort_by` and `sort_by_key` give.

use std::cmp::Ordering;

/// Up to this length a slice is sorted in place by insertion (no allocation), as std does too.
const INSERTION_MAX: usize = 20;

/// Stable sort by `cmp`: the result of `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() <= INSERTION_MAX {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let perm = sorted_indices(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, perm);
}

/// Stable sort by a key: the result of `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Stable sort by `Ord`: the result of `v.sort()` (and of `v.sort_unstable()` for a total order
/// whose equal elements are indistinguishable, such as integers).
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The indices `0..n` stably sorted by `cmp`: the one instantiation of std's sort.
fn sorted_indices(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<u32> {
    let n = u32::try_from(n).expect("sorting more than u32::MAX elements");
    let mut idx: Vec<u32> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a as usize, b as usize));
    idx
}

/// Rearranges `v` so that position `i` holds what was at `perm[i]`, following each cycle once.
fn permute<T>(v: &mut [T], mut perm: Vec<u32>) {
    for start in 0..v.len() {
        let mut at = start;
        loop {
            let from = perm[at] as usize;
            perm[at] = at as u32;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small deterministic generator (xorshift) for test inputs.
    pub(crate) fn values(n: usize, seed: u64, modulo: u64) -> Vec<(u64, usize)> {
        let mut x = seed | 1;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % modulo, i)
            })
            .collect()
    }

    #[test]
    fn sort_by_key_equals_std_stable_sort_at_every_length() {
        for n in 0..200 {
            for modulo in [1, 3, 50, u64::MAX] {
                let input = values(n, (n as u64 * 31).wrapping_add(modulo), modulo);
                let mut ours = input.clone();
                let mut std = input;
                sort_by_key(&mut ours, |p| p.0);
                std.sort_by_key(|p| p.0);
                assert_eq!(ours, std, "n={n} modulo={modulo}");
            }
        }
    }

    #[test]
    fn sort_and_sort_by_equal_std() {
        let input = values(1000, 7, 100);
        let mut a = input.clone();
        let mut b = input.clone();
        sort(&mut a);
        b.sort();
        assert_eq!(a, b);
        let mut c = input.clone();
        let mut d = input;
        sort_by(&mut c, |x, y| y.0.cmp(&x.0));
        d.sort_by(|x, y| y.0.cmp(&x.0));
        assert_eq!(c, d);
    }
}
