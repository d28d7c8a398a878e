//! A vector stored in chunks, for the records a document's history grows by.
//!
//! The op log keeps a vector of records per actor that grows for as long as the document
//! lives. A `Vec` grows by moving all its items into an allocation half as large again (or
//! twice as large), so while it grows it holds the old items and the new room at once: the
//! peak memory of a document that records a long history is set by those moves, not by what it
//! keeps. A [`Chunked`] vector holds its items in chunks of [`CHUNK`] items: growing adds a
//! chunk and never moves an item, and its spare room is less than one chunk. Only the first
//! chunk grows as a `Vec` does (by half), so that a short history takes little room.

use crate::room::clone_with_room;

/// The number of items in every chunk but the last.
pub(crate) const CHUNK: usize = 1024;

/// A vector of items kept in chunks of [`CHUNK`] items (the last one may hold fewer).
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    /// Every chunk but the last holds exactly `CHUNK` items; the last is not empty (there is
    /// no chunk when there is no item).
    chunks: Vec<Vec<T>>,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new() }
    }
}

/// Cloned with room to grow in the last chunk (a forked document goes on recording).
impl<T: Clone> Clone for Chunked<T> {
    fn clone(&self) -> Self {
        let n = self.chunks.len();
        let chunks = self
            .chunks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i + 1 == n && c.len() < CHUNK {
                    clone_with_room(c)
                } else {
                    c.clone()
                }
            })
            .collect();
        Chunked { chunks }
    }
}

impl<T> Chunked<T> {
    /// The number of items.
    pub(crate) fn len(&self) -> usize {
        match self.chunks.last() {
            Some(last) => (self.chunks.len() - 1) * CHUNK + last.len(),
            None => 0,
        }
    }

    /// Appends an item: into the last chunk (growing it by half while it is the first and
    /// not full), or into a new chunk.
    pub(crate) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => {
                if last.len() == last.capacity() {
                    // Only the first chunk is ever full below `CHUNK` items.
                    let more = (last.len() / 2).max(4).min(CHUNK - last.len());
                    last.reserve_exact(more);
                }
                last.push(item);
            }
            _ => {
                let room = if self.chunks.is_empty() { 4 } else { CHUNK };
                let mut chunk = Vec::with_capacity(room);
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
    }

    /// The last item.
    pub(crate) fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|c| c.last())
    }

    /// The last item, to change in place.
    pub(crate) fn last_mut(&mut self) -> Option<&mut T> {
        self.chunks.last_mut().and_then(|c| c.last_mut())
    }

    /// Item `i`.
    #[cfg(test)]
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK).and_then(|c| c.get(i % CHUNK))
    }

    /// Keeps the first `len` items.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.len() {
            return;
        }
        if len == 0 {
            self.chunks.clear();
            return;
        }
        let keep = len.div_ceil(CHUNK);
        self.chunks.truncate(keep);
        if let Some(last) = self.chunks.last_mut() {
            last.truncate(len - (keep - 1) * CHUNK);
        }
    }

    /// The items in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// The items from index `i` on, in order.
    pub(crate) fn iter_from(&self, i: usize) -> impl Iterator<Item = &T> {
        let (c, k) = (i / CHUNK, i % CHUNK);
        let first = self
            .chunks
            .get(c)
            .map_or(&[][..], |chunk| &chunk[k.min(chunk.len())..]);
        first.iter().chain(self.chunks.iter().skip(c + 1).flatten())
    }

    /// The index of the first item for which `pred` is false, given that it is true of a
    /// prefix of the items and false of the rest (as [`slice::partition_point`]).
    pub(crate) fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        // The chunks whose last item is in the prefix are wholly in it.
        let c = self
            .chunks
            .partition_point(|chunk| chunk.last().is_some_and(&mut pred));
        match self.chunks.get(c) {
            Some(chunk) => c * CHUNK + chunk.partition_point(pred),
            None => self.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(n: usize) -> Chunked<usize> {
        let mut v = Chunked::default();
        for i in 0..n {
            v.push(i);
        }
        v
    }

    #[test]
    fn holds_items_in_order_across_chunks() {
        for n in [0, 1, 5, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let v = filled(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().copied().eq(0..n), "{n}");
            assert_eq!(v.last().copied(), n.checked_sub(1));
            assert_eq!(v.get(n), None);
            for i in [0, n / 2, n.saturating_sub(1), CHUNK, n] {
                assert!(v.iter_from(i).copied().eq(i.min(n)..n), "{n} from {i}");
                if i < n {
                    assert_eq!(v.get(i), Some(&i));
                }
                // Items are their indices: the first not below `i` is at `i`.
                assert_eq!(v.partition_point(|&x| x < i), i.min(n), "{n} at {i}");
            }
            assert_eq!(v.partition_point(|_| true), n);
            assert_eq!(v.partition_point(|_| false), 0);
            assert!(v.clone().iter().eq(v.iter()));
        }
    }

    #[test]
    fn growing_never_moves_a_full_chunk_and_wastes_less_than_one() {
        let mut v = filled(CHUNK);
        let first = v.chunks[0].as_ptr();
        for i in CHUNK..5 * CHUNK + 3 {
            v.push(i);
            assert_eq!(v.chunks[0].as_ptr(), first, "the first chunk moved");
        }
        assert!(v.chunks.iter().all(|c| c.capacity() <= CHUNK + 4));
        let spare: usize = v.chunks.iter().map(|c| c.capacity() - c.len()).sum();
        assert!(spare < CHUNK + 4);
        // A short vector takes little room.
        let short = filled(3);
        assert!(short.chunks[0].capacity() < 16);
    }

    #[test]
    fn truncates_to_any_length_and_grows_again() {
        for n in [0, 1, CHUNK, CHUNK + 1, 2 * CHUNK] {
            for keep in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5] {
                let mut v = filled(n);
                v.truncate(keep);
                let kept = keep.min(n);
                assert_eq!(v.len(), kept);
                assert!(v.iter().copied().eq(0..kept));
                v.push(kept);
                assert!(v.iter().copied().eq(0..=kept), "{n} kept {keep}");
            }
        }
        let mut v = filled(CHUNK + 1);
        *v.last_mut().unwrap() = 7;
        assert_eq!(v.last(), Some(&7));
    }
}
