//! The operating system's page cache under a broker's log directory.
//!
//! Kafka keeps no cache of its own: appends land in the OS page cache and reads are served from it
//! when the pages are still there (Kafka docs, design "Don't fear the filesystem"; kafka-facts.md §11).
//! This models that cache as least-recently-used 4 KiB pages of the segment files, up to
//! `costModel.pageCacheBytes`: a consumer at the tail reads pages the producer just wrote, a consumer
//! far behind reads pages that were evicted long ago and so go to the disk. The cache belongs to the
//! OS, so it survives a broker process crash and is empty after a power loss.

use crate::ids::TopicPartition;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Linux's page size: the unit the page cache holds, reads and evicts.
pub const PAGE_BYTES: u64 = 4096;

/// One segment file: a partition and the segment's base offset (the file name).
type File = (TopicPartition, i64);
/// A page of a file: the file's number in [`PageCache::files`] and the page index within it.
type Page = (u32, u64);

/// How much of one read came from memory and how much from the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheRead {
    /// Bytes found in cached pages.
    pub hit_bytes: u64,
    /// Bytes whose pages had to be read from the disk.
    pub miss_bytes: u64,
}

/// Least-recently-used pages of the log segments, bounded by a byte capacity.
///
/// Every use of a page stamps it with the next tick, in `ticks` (per file, per page: a file's pages
/// are dense, as segments are written front to back) and at the back of `uses`. The page used least
/// recently is then the first entry of `uses` whose tick is still its page's tick: older entries of
/// a page used again since are stale and skipped. A touch is an index and a push instead of four
/// ordered-map operations (BENCHMARKS.md, stop 18), and eviction order is the same strict LRU.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PageCache {
    capacity_pages: u64,
    /// Segment files seen so far; a page names its file by index here.
    files: Vec<File>,
    /// Per file, per page index: the tick of the page's last use, 0 when it is not cached.
    ticks: Vec<Vec<u64>>,
    /// Page uses, oldest first: (tick, page), stale once the page is used again.
    uses: VecDeque<(u64, Page)>,
    /// Pages cached.
    cached: u64,
    tick: u64,
}

impl PageCache {
    /// An empty cache holding at most `capacity_bytes` (rounded down to whole pages).
    pub fn new(capacity_bytes: u64) -> PageCache {
        PageCache { capacity_pages: capacity_bytes / PAGE_BYTES, ..PageCache::default() }
    }

    /// Bytes currently cached.
    pub fn cached_bytes(&self) -> u64 {
        self.cached * PAGE_BYTES
    }

    /// An append wrote `len` bytes at `position` of a segment file: its pages are now the newest.
    pub fn write(&mut self, tp: &TopicPartition, segment: i64, position: u64, len: u64) {
        let file = self.file(tp, segment);
        for page in pages(position, len) {
            self.touch((file, page));
        }
    }

    /// A fetch read `len` bytes at `position`: counts the bytes found in the cache, then brings the
    /// missing pages in (the disk read fills the cache, as the kernel does).
    pub fn read(&mut self, tp: &TopicPartition, segment: i64, position: u64, len: u64) -> CacheRead {
        let file = self.file(tp, segment);
        let mut read = CacheRead::default();
        for page in pages(position, len) {
            let start = (page * PAGE_BYTES).max(position);
            let end = ((page + 1) * PAGE_BYTES).min(position + len);
            if self.tick_of((file, page)) != 0 {
                read.hit_bytes += end - start;
            } else {
                read.miss_bytes += end - start;
            }
            self.touch((file, page));
        }
        read
    }

    /// The pages of a deleted segment file (or of every file of `tp` when `segment` is `None`)
    /// leave the cache with the file.
    pub fn forget(&mut self, tp: &TopicPartition, segment: Option<i64>) {
        for (i, (t, s)) in self.files.iter().enumerate() {
            if t == tp && segment.is_none_or(|b| b == *s) {
                let gone = std::mem::take(&mut self.ticks[i]);
                self.cached -= gone.iter().filter(|&&t| t != 0).count() as u64;
            }
        }
        // Their entries in `uses` are stale now (the tick reads 0); drop them if they pile up.
        self.compact_if_stale();
    }

    /// The machine lost power: memory is gone, so is every cached page.
    pub fn clear(&mut self) {
        self.ticks.iter_mut().for_each(Vec::clear);
        self.uses.clear();
        self.cached = 0;
    }

    fn file(&mut self, tp: &TopicPartition, segment: i64) -> u32 {
        // The newest files are the ones written and read: search from the end.
        match self.files.iter().rposition(|(t, s)| *s == segment && t == tp) {
            Some(i) => i as u32,
            None => {
                self.files.push((tp.clone(), segment));
                self.ticks.push(Vec::new());
                self.files.len() as u32 - 1
            }
        }
    }

    fn tick_of(&self, (file, page): Page) -> u64 {
        self.ticks[file as usize].get(page as usize).copied().unwrap_or(0)
    }

    fn touch(&mut self, (file, page): Page) {
        if self.capacity_pages == 0 {
            return;
        }
        self.tick += 1;
        let ticks = &mut self.ticks[file as usize];
        if ticks.len() <= page as usize {
            ticks.resize(page as usize + 1, 0);
        }
        let slot = &mut ticks[page as usize];
        if *slot == 0 {
            self.cached += 1;
        }
        *slot = self.tick;
        self.uses.push_back((self.tick, (file, page)));
        while self.cached > self.capacity_pages {
            let Some((tick, oldest)) = self.uses.pop_front() else { break };
            if self.tick_of(oldest) == tick {
                self.ticks[oldest.0 as usize][oldest.1 as usize] = 0;
                self.cached -= 1;
            }
        }
        self.compact_if_stale();
    }

    /// Keeps `uses` within a small multiple of the cached pages: stale entries go.
    fn compact_if_stale(&mut self) {
        if self.uses.len() as u64 > 2 * self.cached + 1024 {
            let ticks = &self.ticks;
            let live = |&(tick, (f, p)): &(u64, Page)| ticks[f as usize].get(p as usize) == Some(&tick);
            self.uses.retain(live);
        }
    }
}

/// The page indexes covering `[position, position + len)`.
fn pages(position: u64, len: u64) -> std::ops::Range<u64> {
    if len == 0 {
        return 0..0;
    }
    position / PAGE_BYTES..(position + len - 1) / PAGE_BYTES + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tp() -> TopicPartition {
        TopicPartition::new("clicks", 0)
    }

    #[test]
    fn a_read_of_just_written_bytes_is_a_hit_and_an_unseen_range_is_a_miss() {
        let mut cache = PageCache::new(16 * PAGE_BYTES);
        cache.write(&tp(), 0, 0, 10_000);
        assert_eq!(cache.read(&tp(), 0, 100, 5_000), CacheRead { hit_bytes: 5_000, miss_bytes: 0 });
        // Pages 3.. of the file were never written through this cache (e.g. after a power loss).
        assert_eq!(cache.read(&tp(), 0, 3 * PAGE_BYTES, 100), CacheRead { hit_bytes: 0, miss_bytes: 100 });
        // The miss brought the page in: the same read again is served from memory.
        assert_eq!(cache.read(&tp(), 0, 3 * PAGE_BYTES, 100), CacheRead { hit_bytes: 100, miss_bytes: 0 });
    }

    #[test]
    fn the_least_recently_used_pages_are_evicted_first() {
        let mut cache = PageCache::new(4 * PAGE_BYTES);
        cache.write(&tp(), 0, 0, 8 * PAGE_BYTES);
        assert_eq!(cache.cached_bytes(), 4 * PAGE_BYTES, "never more than the capacity");
        // The oldest four pages are gone, the newest four remain.
        assert_eq!(cache.read(&tp(), 0, 0, PAGE_BYTES).miss_bytes, PAGE_BYTES);
        let mut fresh = PageCache::new(4 * PAGE_BYTES);
        fresh.write(&tp(), 0, 0, 8 * PAGE_BYTES);
        assert_eq!(fresh.read(&tp(), 0, 4 * PAGE_BYTES, 4 * PAGE_BYTES).hit_bytes, 4 * PAGE_BYTES);
    }

    #[test]
    fn a_read_keeps_its_pages_and_a_zero_sized_cache_holds_nothing() {
        let mut cache = PageCache::new(2 * PAGE_BYTES);
        cache.write(&tp(), 0, 0, 2 * PAGE_BYTES);
        cache.read(&tp(), 0, 0, 1); // page 0 is now newer than page 1
        cache.write(&tp(), 0, 2 * PAGE_BYTES, 1); // evicts page 1, not page 0
        assert_eq!(cache.read(&tp(), 0, 0, 1).hit_bytes, 1);
        assert_eq!(cache.read(&tp(), 0, PAGE_BYTES, 1).miss_bytes, 1);
        let mut none = PageCache::new(0);
        none.write(&tp(), 0, 0, 100);
        assert_eq!(none.read(&tp(), 0, 0, 100).miss_bytes, 100);
    }

    #[test]
    fn eviction_matches_a_plain_lru_over_random_writes_reads_and_deletions() {
        // Reference: pages in order of last use, oldest first.
        let mut model: Vec<(i64, u64)> = Vec::new();
        let cap = 24;
        let mut cache = PageCache::new(cap * PAGE_BYTES);
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for step in 0..20_000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let segment = ((x >> 60) % 4) as i64 * 100;
            let page = (x >> 40) % 40;
            let hit = model.contains(&(segment, page));
            if (x >> 20) % 97 == 0 {
                cache.forget(&tp(), Some(segment));
                model.retain(|&(s, _)| s != segment);
                continue;
            }
            let read = cache.read(&tp(), segment, page * PAGE_BYTES, 1);
            assert_eq!(read.hit_bytes == 1, hit, "step {step}: hit for page {page} of segment {segment}");
            model.retain(|&q| q != (segment, page));
            model.push((segment, page));
            if model.len() as u64 > cap {
                model.remove(0);
            }
            assert_eq!(cache.cached_bytes(), model.len() as u64 * PAGE_BYTES, "step {step}");
        }
    }

    #[test]
    fn power_loss_and_deleted_segments_drop_their_pages() {
        let mut cache = PageCache::new(64 * PAGE_BYTES);
        cache.write(&tp(), 0, 0, 100);
        cache.write(&tp(), 50, 0, 100);
        cache.forget(&tp(), Some(0));
        assert_eq!(cache.read(&tp(), 0, 0, 100).miss_bytes, 100, "the deleted segment's pages left");
        assert_eq!(cache.read(&tp(), 50, 0, 100).hit_bytes, 100, "the other segment's stayed");
        cache.clear();
        assert_eq!(cache.cached_bytes(), 0);
        assert_eq!(cache.read(&tp(), 50, 0, 100).miss_bytes, 100);
    }
}
