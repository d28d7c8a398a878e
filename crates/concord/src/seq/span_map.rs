//! An ordered map from `u32` keys, kept as a sorted list cut into chunks.
//!
//! The id index updates its ranges each time runs move between leaves; an update reads the
//! few ranges around a counter and replaces them by their trimmed and joined forms. In a
//! sorted list that is one binary search over plain memory (the chunks' first keys, then one
//! chunk), a walk to the next entries, and one splice that moves at most a chunk's entries,
//! where a general B-tree map pays a walk from its root for every lookup, removal and insert
//! such an update takes.

use std::ops::Range;

/// Entries per chunk at most; a chunk that grows past it splits in two.
const CHUNK: usize = 64;

/// A chunk this small merges into its neighbour when they fit in one.
const SMALL: usize = CHUNK / 4;

/// The room a chunk grows by: a few entries at a time, not by doubling, so that chunks hold
/// little room they do not use (the index of a long history has thousands of them).
const GROW: usize = 8;

/// An entry: a key and its value (the id index's keys and values are 32-bit counters and
/// leaves, so an entry takes 12 bytes).
#[derive(Clone, Copy, Debug)]
struct Entry<V> {
    key: u32,
    val: V,
}

impl<V: Copy> Entry<V> {
    fn new((key, val): (u32, V)) -> Self {
        Entry { key, val }
    }

    fn pair(self) -> (u32, V) {
        (self.key, self.val)
    }
}

type Chunk<V> = Vec<Entry<V>>;

/// A new chunk holding `entries`.
fn chunk_of<V: Copy>(entries: &[Entry<V>]) -> Chunk<V> {
    let mut chunk = Vec::with_capacity(entries.len() + GROW);
    chunk.extend_from_slice(entries);
    chunk
}

/// Makes room in `chunk` for `n` more entries.
fn make_room<V>(chunk: &mut Chunk<V>, n: usize) {
    if chunk.capacity() - chunk.len() < n {
        chunk.reserve_exact(n.max(GROW));
    }
}

/// Where an entry is in a [`SpanMap`]: its chunk and its slot there. Any change to the map
/// may move entries, so a position is only good until the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pos {
    c: usize,
    j: usize,
}

/// The entry next to another in a [`SpanMap`] ([`SpanMap::neighbours`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Neighbour {
    /// There is none: the other is the first entry, or the last.
    None,
    /// In the same chunk, at this position.
    Here(Pos),
    /// In the chunk next to the other's.
    Elsewhere,
}

/// An ordered map from `u32` to `V` (see the module documentation).
#[derive(Clone, Debug)]
pub(super) struct SpanMap<V: Copy> {
    /// The first key of each chunk.
    firsts: Vec<u32>,
    /// The entries, sorted by key, in chunks that are never empty.
    chunks: Vec<Chunk<V>>,
}

impl<V: Copy> Default for SpanMap<V> {
    fn default() -> Self {
        SpanMap {
            firsts: Vec::new(),
            chunks: Vec::new(),
        }
    }
}

impl<V: Copy> SpanMap<V> {
    /// A map of `entries`, which are sorted by key with no key twice.
    pub(super) fn from_sorted(entries: Vec<(u32, V)>) -> Self {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        let mut map = SpanMap::default();
        for chunk in entries.chunks(CHUNK * 3 / 4) {
            map.firsts.push(chunk[0].0);
            let mut c = Vec::with_capacity(chunk.len() + GROW);
            c.extend(chunk.iter().copied().map(Entry::new));
            map.chunks.push(c);
        }
        map
    }

    /// The chunk and slot of the last entry whose key `before` accepts (keys ascending:
    /// `before` holds for a prefix of them).
    fn last_where(&self, before: impl Fn(u32) -> bool) -> Option<(usize, usize)> {
        let c = self.firsts.partition_point(|&f| before(f)).checked_sub(1)?;
        let j = self.chunks[c].partition_point(|e| before(e.key)) - 1;
        Some((c, j))
    }

    /// The entry with the largest key at most `k`.
    pub(super) fn floor(&self, k: u32) -> Option<(u32, V)> {
        self.last_where(|key| key <= k)
            .map(|(c, j)| self.chunks[c][j].pair())
    }

    /// Where the entry with the largest key at most `k` is.
    pub(super) fn floor_pos(&self, k: u32) -> Option<Pos> {
        self.last_where(|key| key <= k).map(|(c, j)| Pos { c, j })
    }

    /// The entry at `pos`, a position of this map since its last change.
    pub(super) fn at(&self, pos: Pos) -> (u32, V) {
        self.chunks[pos.c][pos.j].pair()
    }

    /// The entries before and after the one at `pos`.
    pub(super) fn neighbours(&self, pos: Pos) -> (Neighbour, Neighbour) {
        let before = match pos.j.checked_sub(1) {
            Some(j) => Neighbour::Here(Pos { j, ..pos }),
            None if pos.c > 0 => Neighbour::Elsewhere,
            None => Neighbour::None,
        };
        let after = match pos.j + 1 {
            j if j < self.chunks[pos.c].len() => Neighbour::Here(Pos { j, ..pos }),
            _ if pos.c + 1 < self.chunks.len() => Neighbour::Elsewhere,
            _ => Neighbour::None,
        };
        (before, after)
    }

    /// Replaces the entries from `lo` to `hi` (both included, in one chunk, positions of this
    /// map since its last change) by `new`, sorted by key, which go between the entries
    /// before `lo` and those after `hi`: a [`SpanMap::splice`] that needs no search.
    pub(super) fn replace(&mut self, lo: Pos, hi: Pos, new: &[(u32, V)]) {
        debug_assert!(lo.c == hi.c && lo.j <= hi.j);
        self.replace_in(lo.c, lo.j..hi.j + 1, new);
    }

    /// Sets the value of `k`.
    pub(super) fn insert(&mut self, k: u32, v: V) {
        // A key above every other (an id index's tail put back into its map) goes at the end.
        if let Some(last) = self.chunks.last_mut() {
            if last.last().is_some_and(|e| e.key < k) {
                make_room(last, 1);
                last.push(Entry::new((k, v)));
                if last.len() > CHUNK {
                    let c = self.chunks.len() - 1;
                    self.split_chunk(c, CHUNK / 2);
                }
                return;
            }
        }
        let Some(c) = self
            .firsts
            .partition_point(|&f| f <= k)
            .checked_sub(1)
            .or((!self.chunks.is_empty()).then_some(0))
        else {
            self.firsts.push(k);
            self.chunks.push(chunk_of(&[Entry::new((k, v))]));
            return;
        };
        let chunk = &mut self.chunks[c];
        let j = chunk.partition_point(|e| e.key < k);
        match chunk.get_mut(j) {
            Some(e) if e.key == k => e.val = v,
            _ => {
                make_room(chunk, 1);
                chunk.insert(j, Entry::new((k, v)));
                self.firsts[c] = chunk[0].key;
                if chunk.len() > CHUNK {
                    self.split_chunk(c, CHUNK / 2);
                }
            }
        }
    }

    /// Moves the entries of chunk `c` from slot `at` on into a new chunk after it. Both keep
    /// room for [`GROW`] more entries, no more: the chunk that split had room for all of them,
    /// and an index holds hundreds of chunks that never grow again.
    fn split_chunk(&mut self, c: usize, at: usize) {
        let chunk = &mut self.chunks[c];
        let upper = chunk_of(&chunk[at..]);
        chunk.truncate(at);
        chunk.shrink_to(at + GROW);
        self.firsts[c] = chunk[0].key;
        self.firsts.insert(c + 1, upper[0].key);
        self.chunks.insert(c + 1, upper);
    }

    /// The entries from the one with the largest key below `k` (from the first if there is
    /// none), in key order.
    pub(super) fn iter_from_below(&self, k: u32) -> impl Iterator<Item = (u32, V)> + '_ {
        let (c, j) = self.last_where(|key| key < k).unwrap_or((0, 0));
        let first = self.chunks.get(c).map_or(&[][..], |chunk| &chunk[j..]);
        first
            .iter()
            .chain(self.chunks.iter().skip(c + 1).flatten())
            .map(|e| e.pair())
    }

    /// Replaces the entries with keys in `lo..=hi` by `new`, entries sorted by key that go
    /// between the entries below `lo` and those above `hi`.
    pub(super) fn splice(&mut self, lo: u32, hi: u32, new: &[(u32, V)]) {
        debug_assert!(new.windows(2).all(|w| w[0].0 < w[1].0));
        // The first entry at or above `lo`.
        let (mut c, mut j) = match self.last_where(|key| key < lo) {
            Some((c, j)) => (c, j + 1),
            None => (0, 0),
        };
        if self.chunks.get(c).is_some_and(|chunk| j == chunk.len()) && c + 1 < self.chunks.len() {
            (c, j) = (c + 1, 0);
        }
        let Some(chunk) = self.chunks.get_mut(c) else {
            // An empty map, or every key below `lo`.
            for &(k, v) in new {
                self.insert(k, v);
            }
            return;
        };
        let end = j + chunk[j..].partition_point(|e| e.key <= hi);
        let beyond = self.firsts.get(c + 1).is_some_and(|&f| f <= hi);
        if beyond {
            // The entries go on into the next chunks: rare, done entry by entry.
            let keys: Vec<u32> = self
                .iter_from_below(lo)
                .map(|e| e.0)
                .skip_while(|&k| k < lo)
                .take_while(|&k| k <= hi)
                .collect();
            for k in keys {
                self.remove(k);
            }
            for &(k, v) in new {
                self.insert(k, v);
            }
            return;
        }
        self.replace_in(c, j..end, new);
    }

    /// Replaces the slots `js` of chunk `c` by `new`, which keeps the entries in key order.
    fn replace_in(&mut self, c: usize, js: Range<usize>, new: &[(u32, V)]) {
        let chunk = &mut self.chunks[c];
        make_room(chunk, new.len().saturating_sub(js.len()));
        chunk.splice(js, new.iter().copied().map(Entry::new));
        if chunk.len() > CHUNK {
            let half = chunk.len() / 2;
            self.split_chunk(c, half);
        } else {
            self.settle(c);
        }
    }

    /// Removes `k`, returning its value.
    pub(super) fn remove(&mut self, k: u32) -> Option<V> {
        let (c, j) = self.last_where(|key| key <= k)?;
        if self.chunks[c][j].key != k {
            return None;
        }
        let e = self.chunks[c].remove(j);
        self.settle(c);
        Some(e.val)
    }

    /// Removes the entry with the largest key.
    pub(super) fn pop_last(&mut self) -> Option<(u32, V)> {
        let c = self.chunks.len().checked_sub(1)?;
        let e = self.chunks[c].pop();
        self.settle(c);
        e.map(Entry::pair)
    }

    /// Restores the chunks' rules after a removal from chunk `c`: no empty chunk, first keys
    /// up to date, small chunks merged into a neighbour that has room.
    fn settle(&mut self, c: usize) {
        let len = self.chunks[c].len();
        if len == 0 {
            self.chunks.remove(c);
            self.firsts.remove(c);
            return;
        }
        self.firsts[c] = self.chunks[c][0].key;
        if len > SMALL {
            return;
        }
        let fits = |n: Option<&Chunk<V>>| n.is_some_and(|n| n.len() + len <= CHUNK);
        if c > 0 && fits(self.chunks.get(c - 1)) {
            let chunk = self.chunks.remove(c);
            self.firsts.remove(c);
            make_room(&mut self.chunks[c - 1], chunk.len());
            self.chunks[c - 1].extend(chunk);
        } else if fits(self.chunks.get(c + 1)) {
            let next = self.chunks.remove(c + 1);
            self.firsts.remove(c + 1);
            make_room(&mut self.chunks[c], next.len());
            self.chunks[c].extend(next);
        }
    }

    /// Every entry, in key order.
    #[cfg(test)]
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, V)> + '_ {
        self.chunks.iter().flatten().map(|e| e.pair())
    }
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Step {
        Insert(u32, u32),
        Remove(u32),
        PopLast,
        /// Replaces the keys in `lo..=hi` by entries at the given offsets from `lo`.
        Splice(u32, u32, Vec<(u32, u32)>),
    }

    fn step() -> impl Strategy<Value = Step> {
        // Keys from a small range, so that steps meet keys already there.
        let key = 0..400u32;
        prop_oneof![
            4 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Step::Insert(k, v)),
            2 => key.clone().prop_map(Step::Remove),
            1 => Just(Step::PopLast),
            3 => (key, 0..200u32, proptest::collection::btree_map(0..200u32, any::<u32>(), 0..4))
                .prop_map(|(lo, n, new)| Step::Splice(lo, lo + n, new.into_iter().collect())),
        ]
    }

    proptest! {
        #[test]
        fn answers_as_an_ordered_map_does(
            start in proptest::collection::btree_map(0..400u32, any::<u32>(), 0..200),
            steps in proptest::collection::vec(step(), 0..600),
            probes in proptest::collection::vec(0..410u32, 20),
        ) {
            let mut model = start.clone();
            let mut map = SpanMap::from_sorted(start.into_iter().collect());
            for s in steps {
                match s {
                    Step::Insert(k, v) => {
                        model.insert(k, v);
                        map.insert(k, v);
                    }
                    Step::Remove(k) => prop_assert_eq!(map.remove(k), model.remove(&k)),
                    Step::PopLast => prop_assert_eq!(map.pop_last(), model.pop_last()),
                    Step::Splice(lo, hi, new) => {
                        // Entries that fit: keys inside `lo..=hi`.
                        let new: Vec<(u32, u32)> = new
                            .into_iter()
                            .map(|(d, v)| (lo + d, v))
                            .filter(|&(k, _)| k <= hi)
                            .collect();
                        let inside: Vec<u32> = model.range(lo..=hi).map(|(&k, _)| k).collect();
                        for k in inside {
                            model.remove(&k);
                        }
                        model.extend(new.iter().copied());
                        map.splice(lo, hi, &new);
                    }
                }
                prop_assert!(map.chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK));
                prop_assert!(map.chunks.iter().zip(&map.firsts).all(|(c, &f)| c[0].key == f));
            }
            let all: Vec<(u32, u32)> = model.iter().map(|(&k, &v)| (k, v)).collect();
            prop_assert_eq!(map.iter().collect::<Vec<_>>(), all);
            for a in probes {
                let floor = model.range(..=a).next_back().map(|(&k, &v)| (k, v));
                prop_assert_eq!(map.floor(a), floor);
                let from = model.range(..a).next_back().map_or(0, |(&k, _)| k);
                let tail: Vec<(u32, u32)> = model.range(from..).map(|(&k, &v)| (k, v)).collect();
                prop_assert_eq!(map.iter_from_below(a).collect::<Vec<_>>(), tail);
            }
        }
    }

    #[test]
    fn entries_of_8_byte_values_take_12_bytes() {
        assert_eq!(std::mem::size_of::<Entry<[u32; 2]>>(), 12);
    }

    #[test]
    fn many_keys_split_into_chunks_and_merge_back() {
        let mut map = SpanMap::default();
        for k in (0..1000u32).rev() {
            map.insert(k * 2, k);
        }
        assert!(map.chunks.len() > 1000 / CHUNK);
        // A chunk that split keeps no room beyond a few entries.
        assert!(map.chunks.iter().all(|c| c.capacity() <= c.len() + GROW));
        assert_eq!(map.floor(1001), Some((1000, 500)));
        assert_eq!(map.floor(0), Some((0, 0)));
        assert_eq!(map.iter_from_below(1001).next(), Some((1000, 500)));
        for k in 0..990u32 {
            assert_eq!(map.remove(k * 2), Some(k));
        }
        assert_eq!(map.chunks.len(), 1);
        assert_eq!(map.iter().count(), 10);
    }
}
