//! Segments stored as fixed-size chunks, pure (no IndexedDB): keys, per-chunk fingerprints, the
//! diff a checkpoint writes, and the reassembly on load.
//!
//! Segment `broker-N/topic-p/<20-digit base>.log` is stored as entries `seg/<segment>/<6-digit
//! index>` of [`CHUNK_BYTES`] each (the last one shorter, possibly empty: every segment has a chunk
//! 0, so an empty active segment is still stored). An append changes only the chunks from the old
//! end on, so a checkpoint rewrites the tail chunk and the new ones, not the whole active segment.
//! Entries of the old layout (`seg/<segment>`, the whole segment in one value) still load, as one
//! chunk, and are replaced by chunks at the next checkpoint.

use kafkascope::log::batch::HEADER_SIZE;
use kafkascope::log::Records;
use std::borrow::Cow;
use kafkascope::vec_map::VecMap;
use std::ops::Range;

/// A segment's bytes as the store reads them: a plain buffer (tests, reloads) or a log's
/// [`Records`], whose pieces are shared with the other replicas and so are not one slice.
pub trait SegmentBytes {
    /// Length in bytes.
    fn len(&self) -> usize;
    /// The bytes in `range` (copied only when they span pieces); None past the end.
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>>;
}

impl SegmentBytes for [u8] {
    fn len(&self) -> usize {
        <[u8]>::len(self)
    }
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        <[u8]>::get(self, range).map(Cow::Borrowed)
    }
}

impl SegmentBytes for Vec<u8> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        self[..].get(range).map(Cow::Borrowed)
    }
}

impl SegmentBytes for Records {
    fn len(&self) -> usize {
        Records::len(self)
    }
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        Records::get(self, range)
    }
}

/// Reads the big-endian i32 at `pos`.
fn i32_at<B: SegmentBytes + ?Sized>(bytes: &B, pos: usize) -> Option<i32> {
    bytes.get(pos..pos + 4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// Bytes per chunk. Chromium moves an IndexedDB value whose structured clone exceeds 64 KiB out of
/// LevelDB into a separate blob file (`IDBValueWrapper::kWrapThreshold`), a slower path with a
/// file per value; 60 KiB plus the clone's few header bytes stays under it, while keeping the
/// number of entries (and of `put` calls) small. An append rewrites at most this much old data.
pub const CHUNK_BYTES: usize = 60 * 1024;

/// Key of chunk `index` of `segment` under the run's `prefix`.
pub fn chunk_key(prefix: &str, segment: &str, index: usize) -> String {
    format!("{prefix}seg/{segment}/{index:06}")
}

/// Key of a segment stored whole (the layout before chunks).
pub fn whole_key(prefix: &str, segment: &str) -> String {
    format!("{prefix}seg/{segment}")
}

/// What a stored key (the part after `seg/`) names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegKey<'a> {
    /// Chunk `index` of `segment`.
    Chunk {
        /// The segment, `broker-N/topic-p/<base>.log`.
        segment: &'a str,
        /// The chunk's index from the segment's start.
        index: usize,
    },
    /// A whole segment in one entry (the old layout).
    Whole(&'a str),
}

/// Reads a key after `seg/`; `None` for anything that is neither a chunk nor a whole segment.
pub fn parse_seg_key(rest: &str) -> Option<SegKey<'_>> {
    if rest.ends_with(".log") {
        return Some(SegKey::Whole(rest));
    }
    let (segment, index) = rest.rsplit_once('/')?;
    if !segment.ends_with(".log") || index.len() < 6 || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(SegKey::Chunk { segment, index: index.parse().ok()? })
}

/// Number of chunks `len` bytes are stored in (at least one).
pub fn chunk_count(len: usize) -> usize {
    len.div_ceil(CHUNK_BYTES).max(1)
}

/// The bytes of chunk `index` of `bytes`.
pub fn chunk<B: SegmentBytes + ?Sized>(bytes: &B, index: usize) -> Cow<'_, [u8]> {
    let (start, end) = chunk_range(bytes.len(), index);
    bytes.get(start..end).unwrap_or_default()
}

fn chunk_range(len: usize, index: usize) -> (usize, usize) {
    let start = (index * CHUNK_BYTES).min(len);
    (start, (start + CHUNK_BYTES).min(len))
}

/// Folds one word into a running hash (multiply and fold: cheap, and every input bit reaches the top).
fn mix(h: u64, w: u64) -> u64 {
    let x = (h ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 29)
}

fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        h = mix(h, u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    mix(h, u64::from_le_bytes(last) ^ ((words.remainder().len() as u64) << 56))
}

/// One fingerprint per chunk of a segment (as [`chunk_count`]), from one walk of its batch chain.
///
/// A batch's 61-byte header (base offset, length, leader epoch, CRC-32C of the rest) stands for
/// the batch, so a chunk is fingerprinted by the headers of the batches that overlap it and where
/// they start relative to it: a few hundred bytes hashed per chunk instead of 60 KiB. Bytes after
/// the last whole batch (a torn tail) are hashed as they are.
pub fn chunk_fingerprints<B: SegmentBytes + ?Sized>(bytes: &B) -> Vec<u64> {
    walk(bytes, None).fingerprints
}

/// A segment's fingerprints and where its batch chain ended, so the next walk of the same segment
/// (a second later, longer) can start at the chunk holding the old end instead of at byte 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walked {
    /// One per chunk, as [`chunk_fingerprints`].
    pub fingerprints: Vec<u64>,
    len: usize,
    /// End of the last whole batch (`len` unless the tail is torn).
    chain_end: usize,
    /// Start and header hash of the last whole batch.
    last: Option<(usize, u64)>,
    /// Start of the first batch that reaches into the chunk holding byte `len`.
    tail_entry: usize,
}

fn header_hash<B: SegmentBytes + ?Sized>(bytes: &B, pos: usize, end: usize) -> u64 {
    hash_bytes(0, &bytes.get(pos..(pos + HEADER_SIZE).min(end)).unwrap_or_default())
}

/// [`chunk_fingerprints`] of `bytes`, reusing `prev`, the walk of the same segment at the last
/// checkpoint, when the segment only grew: that is when its old last batch is still there, at the
/// same place with the same header. A replica's log changes only by appends, by cuts of its end
/// (truncation, power loss) and by the cleaner's rewrites (which move batches); and two replicas'
/// logs that hold the same batch (offset, epoch, CRC) hold the same batches before it (Kafka's log
/// matching, which leader-epoch truncation keeps). So the bytes before the old end are unchanged,
/// and only the chunks from the one holding the old end on are walked again.
pub fn walk<B: SegmentBytes + ?Sized>(bytes: &B, prev: Option<&Walked>) -> Walked {
    let grown = prev.filter(|p| {
        p.chain_end == p.len
            && bytes.len() >= p.len
            && p.last.is_none_or(|(pos, h)| {
                let len = i32_at(bytes, pos + 8);
                len.is_some_and(|l| l >= 0 && pos + 12 + l as usize == p.len && header_hash(bytes, pos, p.len) == h)
            })
    });
    let (from, start, mut out) = match grown {
        Some(p) => (p.len / CHUNK_BYTES, p.tail_entry, p.fingerprints[..(p.len / CHUNK_BYTES).min(p.fingerprints.len())].to_vec()),
        None => (0, 0, Vec::new()),
    };
    let n = chunk_count(bytes.len());
    out.resize(n, 0xcbf2_9ce4_8422_2325);
    let tail_chunk = bytes.len() / CHUNK_BYTES;
    let mut w = Walked { len: bytes.len(), last: grown.and_then(|p| p.last), tail_entry: usize::MAX, ..Walked::default() };
    let mut pos = start;
    while let Some(len) = i32_at(bytes, pos + 8) {
        let end = pos.saturating_add(12).saturating_add(len.max(0) as usize);
        if len < 0 || end > bytes.len() {
            break;
        }
        let header = header_hash(bytes, pos, end);
        for (k, h) in out.iter_mut().enumerate().take((end - 1) / CHUNK_BYTES + 1).skip((pos / CHUNK_BYTES).max(from)) {
            *h = mix(mix(*h, (pos as u64).wrapping_sub((k * CHUNK_BYTES) as u64)), header);
        }
        if w.tail_entry == usize::MAX && end > tail_chunk * CHUNK_BYTES {
            w.tail_entry = pos;
        }
        w.last = Some((pos, header));
        pos = end;
    }
    w.chain_end = pos;
    w.tail_entry = w.tail_entry.min(pos);
    while pos < bytes.len() {
        let k = pos / CHUNK_BYTES;
        let end = ((k + 1) * CHUNK_BYTES).min(bytes.len());
        out[k] = hash_bytes(mix(out[k], (pos - k * CHUNK_BYTES) as u64), &bytes.get(pos..end).unwrap_or_default());
        pos = end;
    }
    for (k, h) in out.iter_mut().enumerate().skip(from) {
        let (start, end) = chunk_range(bytes.len(), k);
        *h = mix(*h, (end - start) as u64);
    }
    w.fingerprints = out;
    w
}

/// What is stored of one segment, as far as the store knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// Per chunk index: `Some(fingerprint)` when that chunk is stored with it, `None` when an entry
    /// may be stored there but its content is not trusted (it is rewritten or deleted).
    pub chunks: Vec<Option<u64>>,
    /// An entry of the old whole-segment layout is stored too (deleted at the next checkpoint).
    pub whole: bool,
}

/// One chunk a checkpoint puts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkPut {
    /// The segment.
    pub segment: String,
    /// The chunk's index.
    pub index: usize,
    /// Its fingerprint, remembered once it is committed.
    pub fingerprint: u64,
}

/// Chunk `index` of a segment's bytes, read only when a checkpoint takes it: a chunk that spans
/// pieces of a log is copied, and a first checkpoint diffs every chunk but copies at most a few MB.
pub struct ChunkRef<'a, B: ?Sized> {
    /// The segment's bytes.
    pub of: &'a B,
    /// The chunk's index.
    pub index: usize,
}

impl<'a, B: SegmentBytes + ?Sized> ChunkRef<'a, B> {
    /// The chunk's length.
    pub fn len(&self) -> usize {
        let (start, end) = chunk_range(self.of.len(), self.index);
        end - start
    }
    /// Whether the chunk is empty (the one chunk of an empty segment).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The chunk's bytes.
    pub fn bytes(&self) -> Cow<'a, [u8]> {
        chunk(self.of, self.index)
    }
}

/// What a checkpoint writes for the segments: the chunks to put, the keys to delete, and per
/// segment the number of chunks kept once the deletes commit.
pub struct Diff<'a, B: ?Sized> {
    /// Chunks to put, read when taken (the caller copies them once).
    pub puts: Vec<(ChunkPut, ChunkRef<'a, B>)>,
    /// Keys to delete: chunks past a segment's end, deleted segments, whole-segment entries.
    pub deletes: Vec<String>,
    /// `(segment, chunks kept)` for every segment some of whose entries are deleted.
    pub trims: Vec<(String, usize)>,
}

/// The diff from what is `stored` to the `current` segments (name, bytes, [`chunk_fingerprints`]),
/// under `prefix`: chunks whose fingerprint differs (or is unknown) are put, chunks past the end
/// and segments no longer there deleted.
pub fn diff<'a, B: SegmentBytes + ?Sized>(
    prefix: &str,
    current: &[(String, &'a B, &[u64])],
    stored: &VecMap<String, Stored>,
) -> Diff<'a, B> {
    let mut out = Diff { puts: Vec::new(), deletes: Vec::new(), trims: Vec::new() };
    let none = Stored::default();
    for &(ref segment, bytes, fingerprints) in current {
        let was = stored.get(segment).unwrap_or(&none);
        for (index, f) in fingerprints.iter().enumerate() {
            if was.chunks.get(index) != Some(&Some(*f)) {
                let put = ChunkPut { segment: segment.clone(), index, fingerprint: *f };
                out.puts.push((put, ChunkRef { of: bytes, index }));
            }
        }
        trim(&mut out, prefix, segment, was, fingerprints.len());
    }
    for (segment, was) in stored {
        if !current.iter().any(|(s, _, _)| s == segment) {
            trim(&mut out, prefix, segment, was, 0);
        }
    }
    out
}

fn trim<B: ?Sized>(out: &mut Diff<'_, B>, prefix: &str, segment: &str, was: &Stored, keep: usize) {
    if was.chunks.len() <= keep && !was.whole {
        return;
    }
    out.deletes.extend((keep..was.chunks.len()).map(|i| chunk_key(prefix, segment, i)));
    if was.whole {
        out.deletes.push(whole_key(prefix, segment));
    }
    out.trims.push((segment.to_owned(), keep));
}

/// Records a committed chunk put.
pub fn apply_put(stored: &mut VecMap<String, Stored>, put: &ChunkPut) {
    let s = stored.entry(put.segment.clone()).or_default();
    if s.chunks.len() <= put.index {
        s.chunks.resize(put.index + 1, None);
    }
    s.chunks[put.index] = Some(put.fingerprint);
}

/// Records committed deletes: `segment` keeps its first `keep` chunks and no whole entry.
pub fn apply_trim(stored: &mut VecMap<String, Stored>, segment: &str, keep: usize) {
    if let Some(s) = stored.get_mut(segment) {
        s.chunks.truncate(keep);
        s.whole = false;
        if s.chunks.is_empty() {
            stored.remove(segment);
        }
    }
}

/// A segment's entries as read back, before reassembly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// Chunks by index.
    pub chunks: VecMap<usize, Vec<u8>>,
    /// The whole-segment entry of the old layout, if there is one.
    pub whole: Option<Vec<u8>>,
}

/// A stored segment put back together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assembled {
    /// The segment's bytes: its chunks in order, up to the first missing or misshapen one.
    pub bytes: Vec<u8>,
    /// Chunks the bytes came from (0 when they came from a whole entry).
    pub used: usize,
    /// What the store holds for the segment, every chunk untrusted (see [`trust`]).
    pub stored: Stored,
    /// Why the bytes stop before the last stored chunk, if they do.
    pub cut: Option<String>,
}

/// Puts a segment back together from its chunks (or, without any, from its whole entry). A missing
/// chunk, or one of the wrong size before the last, cuts the segment there, like a corrupt tail.
pub fn reassemble(parts: Parts) -> Assembled {
    let last = parts.chunks.keys().next_back().map_or(0, |i| i + 1);
    let stored = Stored { chunks: vec![None; last], whole: parts.whole.is_some() };
    if parts.chunks.is_empty() {
        return Assembled { bytes: parts.whole.unwrap_or_default(), used: 0, stored, cut: None };
    }
    let (mut bytes, mut cut) = (Vec::new(), None);
    let mut used = 0;
    while used < last {
        match parts.chunks.get(&used) {
            None => {
                cut = Some(format!("chunk {used} of {last} is missing"));
                break;
            }
            Some(c) if c.len() > CHUNK_BYTES || (c.len() < CHUNK_BYTES && used + 1 < last) => {
                cut = Some(format!("chunk {used} of {last} has {} bytes, not {CHUNK_BYTES}", c.len()));
                break;
            }
            Some(c) => bytes.extend_from_slice(c),
        }
        used += 1;
    }
    if let Some(c) = &mut cut {
        c.push_str(&format!("; the segment is cut at byte {}", bytes.len()));
    }
    Assembled { bytes, used, stored, cut }
}

/// What the store may trust after a load: the fingerprints of the chunks that were used and lie
/// wholly before `bad_from` (the first bad batch, if the check found one). A chunk past a bad batch
/// may hold bytes its headers do not vouch for, so it is rewritten at the next checkpoint.
pub fn trust(a: &Assembled, bad_from: Option<usize>) -> Stored {
    let mut stored = a.stored.clone();
    for (i, f) in chunk_fingerprints(&a.bytes).into_iter().enumerate().take(a.used) {
        if bad_from.is_none_or(|b| (i + 1) * CHUNK_BYTES <= b) {
            stored.chunks[i] = Some(f);
        }
    }
    stored
}

#[cfg(test)]
#[path = "chunks_tests.rs"]
mod tests;
