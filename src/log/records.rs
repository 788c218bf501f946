//! Batch bytes held by reference: a segment's `.log` and the fetch responses that read it.
//!
//! Kafka answers a fetch straight from the segment file (`FileRecords`, sent with `sendfile`): the
//! bytes are not copied into the response. Here a [`Records`] is a list of pieces, each a range of
//! a counted, immutable buffer. A fetch response holds the leader's pieces, and a follower appends
//! those same pieces to its own segment. Bytes never change once appended, so sharing them is safe;
//! a replica that truncates only shortens its own list. Copying every byte into each response and
//! each follower's growing segment (which doubled and copied again as it grew) was about a third
//! of the engine's wall-clock time (BENCHMARKS.md, stop 18).
//!
//! Every piece holds whole batches, so a batch never spans two pieces and walks stay simple.
//!
//! A piece also remembers whether its batches passed their CRC check when they entered a log
//! (`checked`). Its bytes can never change afterwards, so checking them again could only give the
//! same answer: a follower or a consumer that reads the leader's pieces skips the CRC of those
//! (Kafka re-checks because bytes cross a network and a disk that can corrupt them; here they are
//! the same immutable buffer). Bytes from anywhere else (a request, a restored snapshot, storage)
//! start unchecked and are checked in full.

use super::batch::{batches, trusted_batches, BatchError, BatchHeader, Batches};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

/// One range of a shared buffer, at logical position `at` of its [`Records`].
#[derive(Clone)]
struct Piece {
    at: usize,
    buf: Arc<Vec<u8>>,
    start: usize,
    end: usize,
    /// Every batch in `start..end` passed its CRC check when it entered a log.
    checked: bool,
}

impl Piece {
    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }
    fn len(&self) -> usize {
        self.end - self.start
    }
}

/// Whole batches, concatenated, stored as shared pieces (see the module doc).
#[derive(Clone, Default)]
pub struct Records {
    pieces: Vec<Piece>,
    len: usize,
}

impl Records {
    /// No bytes.
    pub fn new() -> Records {
        Records::default()
    }

    /// `bytes` as one piece (no copy).
    pub fn from_vec(bytes: Vec<u8>) -> Records {
        let mut r = Records::new();
        r.push_vec(bytes);
        r
    }

    /// Total length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `bytes` (whole batches) as a new piece.
    pub fn push_vec(&mut self, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        let end = bytes.len();
        self.push(Piece { at: 0, buf: Arc::new(bytes), start: 0, end, checked: false });
    }

    /// Appends `other`'s pieces, sharing their buffers.
    pub fn extend_shared(&mut self, other: &Records) {
        self.extend(other, false);
    }

    /// [`Records::extend_shared`] of batches whose CRCs have just been checked (a log's append):
    /// the pieces are marked so that later walks of these bytes do not check them again.
    pub fn extend_checked(&mut self, other: &Records) {
        self.extend(other, true);
    }

    fn extend(&mut self, other: &Records, checked: bool) {
        self.pieces.reserve(other.pieces.len());
        for p in &other.pieces {
            self.push(Piece { checked: p.checked || checked, ..p.clone() });
        }
    }

    fn push(&mut self, mut piece: Piece) {
        piece.at = self.len;
        self.len += piece.len();
        self.pieces.push(piece);
    }

    /// The bytes in `range` (clamped to the length), sharing the buffers. Both ends should be batch
    /// boundaries, so that the result, like every piece, holds whole batches.
    pub fn slice(&self, range: Range<usize>) -> Records {
        let (from, to) = (range.start.min(self.len), range.end.min(self.len));
        let mut out = Records::new();
        if from >= to {
            return out;
        }
        for p in &self.pieces[self.piece_at(from)..] {
            if p.at >= to {
                break;
            }
            let start = p.start + from.saturating_sub(p.at);
            let end = p.start + (to - p.at).min(p.len());
            out.push(Piece { at: 0, buf: Arc::clone(&p.buf), start, end, checked: p.checked });
        }
        out
    }

    /// Drops everything from byte `len` on.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let keep = self.pieces.partition_point(|p| p.at < len);
        self.pieces.truncate(keep);
        if let Some(last) = self.pieces.last_mut() {
            last.end = last.start + (len - last.at);
        }
        self.len = len;
    }

    /// Index of the piece holding byte `pos` (the number of pieces when `pos` is at or past the end).
    fn piece_at(&self, pos: usize) -> usize {
        self.pieces.partition_point(|p| p.at + p.len() <= pos)
    }

    /// The pieces' bytes in order.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.pieces.iter().map(Piece::bytes)
    }

    /// All the bytes in one slice: borrowed when there is a single piece, else copied.
    pub fn contiguous(&self) -> Cow<'_, [u8]> {
        match self.pieces.as_slice() {
            [] => Cow::Borrowed(&[]),
            [one] => Cow::Borrowed(one.bytes()),
            _ => Cow::Owned(self.to_vec()),
        }
    }

    /// The bytes in `range`, borrowed when one piece holds them all, else copied; None when the
    /// range runs past the end.
    pub fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        if range.start > range.end || range.end > self.len {
            return None;
        }
        let Some(p) = self.pieces.get(self.piece_at(range.start)) else { return Some(Cow::Borrowed(&[])) };
        if range.end <= p.at + p.len() {
            return Some(Cow::Borrowed(&p.bytes()[range.start - p.at..range.end - p.at]));
        }
        Some(Cow::Owned(self.copy_range(range)))
    }

    /// A copy of the bytes in `range` (clamped to the length).
    pub fn copy_range(&self, range: Range<usize>) -> Vec<u8> {
        let (from, to) = (range.start.min(self.len), range.end.min(self.len));
        let mut out = Vec::with_capacity(to.saturating_sub(from));
        if from < to {
            for p in &self.pieces[self.piece_at(from)..] {
                if p.at >= to {
                    break;
                }
                let bytes = p.bytes();
                out.extend_from_slice(&bytes[from.saturating_sub(p.at)..(to - p.at).min(bytes.len())]);
            }
        }
        out
    }

    /// A copy of all the bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        self.copy_range(0..self.len)
    }

    /// Batches with their CRC checked, as [`batches`] walks a buffer: (position, header, bytes),
    /// then one error at the first bad batch. Pieces already checked when they entered a log are
    /// not checked again (see the module doc).
    pub fn batches(&self) -> RecordsBatches<'_> {
        self.walk(0, true)
    }

    /// Batches from byte `position` without the CRC check, for bytes validated when appended (as
    /// [`trusted_batches`]); `position` must be a batch boundary.
    pub fn trusted_batches_from(&self, position: usize) -> RecordsBatches<'_> {
        self.walk(position, false)
    }

    fn walk(&self, position: usize, check_crc: bool) -> RecordsBatches<'_> {
        let first = self.piece_at(position);
        let mut it = RecordsBatches {
            rest: self.pieces.get(first..).unwrap_or_default(),
            current: None,
            base: 0,
            check_crc,
            failed: false,
        };
        if let Some((p, rest)) = it.rest.split_first() {
            let skip = position - p.at;
            it.current = Some(it.open(p, skip));
            it.base = position;
            it.rest = rest;
        }
        it
    }
}

/// See [`Records::batches`].
pub struct RecordsBatches<'a> {
    rest: &'a [Piece],
    current: Option<Batches<'a>>,
    base: usize,
    check_crc: bool,
    failed: bool,
}

impl<'a> RecordsBatches<'a> {
    fn open(&self, p: &'a Piece, skip: usize) -> Batches<'a> {
        let bytes = &p.bytes()[skip..];
        if self.check_crc && !p.checked {
            batches(bytes)
        } else {
            trusted_batches(bytes)
        }
    }
}

impl<'a> Iterator for RecordsBatches<'a> {
    type Item = Result<(usize, BatchHeader, &'a [u8]), BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed {
            if let Some(item) = self.current.as_mut()?.next() {
                return Some(match item {
                    Ok((pos, h, bytes)) => Ok((pos + self.base, h, bytes)),
                    Err(e) => {
                        self.failed = true;
                        Err(e.shifted(self.base))
                    }
                });
            }
            let (p, rest) = self.rest.split_first()?;
            self.current = Some(self.open(p, 0));
            self.base = p.at;
            self.rest = rest;
        }
        None
    }
}

impl PartialEq for Records {
    fn eq(&self, other: &Records) -> bool {
        if self.len != other.len {
            return false;
        }
        // A follower's pieces are the leader's buffers: equal without reading a byte.
        let same = |(a, b): (&Piece, &Piece)| Arc::ptr_eq(&a.buf, &b.buf) && (a.start, a.end) == (b.start, b.end);
        if self.pieces.len() == other.pieces.len() && self.pieces.iter().zip(&other.pieces).all(same) {
            return true;
        }
        self.contiguous() == other.contiguous()
    }
}

impl Eq for Records {}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Records({} bytes in {} pieces)", self.len, self.pieces.len())
    }
}

/// Serialized as the plain byte sequence a `Vec<u8>` gives, so traces and snapshots are unchanged.
impl Serialize for Records {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len))?;
        for b in self.chunks().flatten() {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Records {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Records, D::Error> {
        Vec::<u8>::deserialize(d).map(Records::from_vec)
    }
}

impl From<Vec<u8>> for Records {
    fn from(bytes: Vec<u8>) -> Records {
        Records::from_vec(bytes)
    }
}

#[cfg(test)]
#[path = "records_tests.rs"]
mod tests;
