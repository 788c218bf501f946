use super::*;
use std::collections::{BTreeMap, BTreeSet};

/// Keys from `order`'s test generator (xorshift).
fn values(n: usize, seed: u64, modulo: u64) -> Vec<u64> {
    crate::order::tests::values(n, seed, modulo).into_iter().map(|(k, _)| k).collect()
}

#[test]
fn map_matches_btreemap_under_random_operations() {
    let mut ours: VecMap<u64, usize> = VecMap::new();
    let mut std: BTreeMap<u64, usize> = BTreeMap::new();
    for (i, k) in values(3000, 7, 200).into_iter().enumerate() {
        match i % 5 {
            0 | 1 => assert_eq!(ours.insert(k, i), std.insert(k, i)),
            2 => assert_eq!(ours.remove(&k), std.remove(&k)),
            3 => *ours.entry(k).or_default() += i,
            _ => {
                assert_eq!(ours.get(&k), std.get(&k));
                assert_eq!(ours.range(k..k + 20).collect::<Vec<_>>(), std.range(k..k + 20).collect::<Vec<_>>());
                assert_eq!(ours.range(..=k).rev().collect::<Vec<_>>(), std.range(..=k).rev().collect::<Vec<_>>());
                assert_eq!(
                    ours.range((Bound::Excluded(k), Bound::Unbounded)).collect::<Vec<_>>(),
                    std.range((Bound::Excluded(k), Bound::Unbounded)).collect::<Vec<_>>()
                );
            }
        }
        if i % 5 == 3 {
            *std.entry(k).or_default() += i;
        }
        assert_eq!(ours.len(), std.len());
    }
    assert_eq!(ours.iter().collect::<Vec<_>>(), std.iter().collect::<Vec<_>>());
    assert_eq!(ours.first_key_value(), std.first_key_value());
    assert_eq!(ours.last_key_value(), std.last_key_value());
    ours.retain(|k, _| k % 3 == 0);
    std.retain(|k, _| k % 3 == 0);
    assert_eq!(ours.iter().collect::<Vec<_>>(), std.iter().collect::<Vec<_>>());
    assert_eq!(ours.pop_first(), std.pop_first());
    assert_eq!(ours.pop_last(), std.pop_last());
}

#[test]
fn collect_keeps_the_last_of_equal_keys_as_btreemap_does() {
    let pairs: Vec<(u64, usize)> = values(500, 11, 40).into_iter().enumerate().map(|(i, k)| (k, i)).collect();
    let ours: VecMap<u64, usize> = pairs.iter().copied().collect();
    let std: BTreeMap<u64, usize> = pairs.iter().copied().collect();
    assert_eq!(ours.into_iter().collect::<Vec<_>>(), std.into_iter().collect::<Vec<_>>());
    let short: VecMap<u64, usize> = pairs[..10].iter().copied().collect();
    let short_std: BTreeMap<u64, usize> = pairs[..10].iter().copied().collect();
    assert_eq!(short.into_iter().collect::<Vec<_>>(), short_std.into_iter().collect::<Vec<_>>());
}

#[test]
fn serde_form_is_btreemaps() {
    let std: BTreeMap<String, Vec<u32>> = [("b".to_string(), vec![1]), ("a".to_string(), vec![2, 3])].into();
    let ours: VecMap<String, Vec<u32>> = [("b".to_string(), vec![1]), ("a".to_string(), vec![2, 3])].into();
    let json = serde_json::to_string(&std).unwrap();
    assert_eq!(serde_json::to_string(&ours).unwrap(), json);
    let back: VecMap<String, Vec<u32>> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, ours);
    assert_eq!(format!("{ours:?}"), format!("{std:?}"));
    let set: VecSet<u32> = [5, 1, 3, 1].into();
    let std_set: BTreeSet<u32> = [5, 1, 3, 1].into();
    assert_eq!(serde_json::to_string(&set).unwrap(), serde_json::to_string(&std_set).unwrap());
    assert_eq!(serde_json::from_str::<VecSet<u32>>("[3,1,3]").unwrap(), [1, 3].into());
    assert_eq!(format!("{set:?}"), format!("{std_set:?}"));
}

#[test]
fn set_matches_btreeset() {
    let mut ours = VecSet::new();
    let mut std = BTreeSet::new();
    for (i, k) in values(2000, 3, 150).into_iter().enumerate() {
        if i % 3 == 2 {
            assert_eq!(ours.remove(&k), std.remove(&k));
        } else {
            assert_eq!(ours.insert(k), std.insert(k));
        }
        assert_eq!(ours.contains(&(k + 1)), std.contains(&(k + 1)));
        assert_eq!(ours.range(k..=k + 9).collect::<Vec<_>>(), std.range(k..=k + 9).collect::<Vec<_>>());
    }
    assert_eq!(ours.iter().collect::<Vec<_>>(), std.iter().collect::<Vec<_>>());
    let other: VecSet<u64> = (0..75).collect();
    let other_std: BTreeSet<u64> = (0..75).collect();
    assert_eq!(ours.difference(&other).collect::<Vec<_>>(), std.difference(&other_std).collect::<Vec<_>>());
    assert_eq!(ours.intersection(&other).collect::<Vec<_>>(), std.intersection(&other_std).collect::<Vec<_>>());
    assert_eq!(ours.first(), std.first());
    assert_eq!(ours.pop_last(), std.pop_last());
}
