//! An ordered map from `u64` keys, kept as a sorted list cut into chunks.
//!
//! The id index updates its ranges each time runs move between leaves; an update finds the
//! range holding a counter, trims it and inserts one or two beside it. In a sorted list a
//! lookup is two binary searches over plain memory (the chunks' first keys, then one chunk)
//! and an insert or removal moves at most a chunk's entries, where a general B-tree map pays
//! a walk from its root for every step of such an update.

/// Entries per chunk at most; a chunk that grows past it splits in two.
const CHUNK: usize = 64;

/// A chunk this small merges into its neighbour when they fit in one.
const SMALL: usize = CHUNK / 4;

/// An ordered map from `u64` to `V` (see the module documentation).
#[derive(Clone, Debug)]
pub(super) struct SpanMap<V> {
    /// The first key of each chunk.
    firsts: Vec<u64>,
    /// The entries, sorted by key, in chunks that are never empty.
    chunks: Vec<Vec<(u64, V)>>,
}

impl<V> Default for SpanMap<V> {
    fn default() -> Self {
        SpanMap {
            firsts: Vec::new(),
            chunks: Vec::new(),
        }
    }
}

impl<V: Copy> SpanMap<V> {
    /// A map of `entries`, which are sorted by key with no key twice.
    pub(super) fn from_sorted(entries: Vec<(u64, V)>) -> Self {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        let mut map = SpanMap::default();
        for chunk in entries.chunks(CHUNK * 3 / 4) {
            map.firsts.push(chunk[0].0);
            map.chunks.push(chunk.to_vec());
        }
        map
    }

    /// The chunk and slot of the last entry whose key `before` accepts (keys ascending:
    /// `before` holds for a prefix of them).
    fn last_where(&self, before: impl Fn(u64) -> bool) -> Option<(usize, usize)> {
        let c = self.firsts.partition_point(|&f| before(f)).checked_sub(1)?;
        let j = self.chunks[c].partition_point(|e| before(e.0)) - 1;
        Some((c, j))
    }

    /// The entry with the largest key at most `k`.
    pub(super) fn floor(&self, k: u64) -> Option<(u64, V)> {
        self.last_where(|key| key <= k)
            .map(|(c, j)| self.chunks[c][j])
    }

    /// The entry with the largest key below `k`.
    pub(super) fn below(&self, k: u64) -> Option<(u64, V)> {
        self.last_where(|key| key < k)
            .map(|(c, j)| self.chunks[c][j])
    }

    /// The value of `k`.
    pub(super) fn get(&self, k: u64) -> Option<V> {
        self.floor(k).filter(|e| e.0 == k).map(|e| e.1)
    }

    /// The entry with the largest key below `k`, to change its value.
    pub(super) fn below_mut(&mut self, k: u64) -> Option<(u64, &mut V)> {
        let (c, j) = self.last_where(|key| key < k)?;
        let (key, v) = &mut self.chunks[c][j];
        Some((*key, v))
    }

    /// The entry with the smallest key in `start..end`.
    pub(super) fn first_in(&self, start: u64, end: u64) -> Option<(u64, V)> {
        let (c, j) = match self.last_where(|key| key < start) {
            Some((c, j)) if j + 1 < self.chunks[c].len() => (c, j + 1),
            Some((c, _)) => (c + 1, 0),
            None => (0, 0),
        };
        let e = *self.chunks.get(c)?.get(j)?;
        (e.0 < end).then_some(e)
    }

    /// The value of `k`, to change it.
    pub(super) fn get_mut(&mut self, k: u64) -> Option<&mut V> {
        let (c, j) = self.last_where(|key| key <= k)?;
        let (key, v) = &mut self.chunks[c][j];
        (*key == k).then_some(v)
    }

    /// Sets the value of `k`.
    pub(super) fn insert(&mut self, k: u64, v: V) {
        let Some(c) = self
            .firsts
            .partition_point(|&f| f <= k)
            .checked_sub(1)
            .or((!self.chunks.is_empty()).then_some(0))
        else {
            self.firsts.push(k);
            self.chunks.push(vec![(k, v)]);
            return;
        };
        let chunk = &mut self.chunks[c];
        let j = chunk.partition_point(|e| e.0 < k);
        match chunk.get_mut(j) {
            Some(e) if e.0 == k => e.1 = v,
            _ => {
                chunk.insert(j, (k, v));
                self.firsts[c] = chunk[0].0;
                if chunk.len() > CHUNK {
                    let upper = chunk.split_off(CHUNK / 2);
                    self.firsts.insert(c + 1, upper[0].0);
                    self.chunks.insert(c + 1, upper);
                }
            }
        }
    }

    /// Removes `k`, returning its value.
    pub(super) fn remove(&mut self, k: u64) -> Option<V> {
        let (c, j) = self.last_where(|key| key <= k)?;
        if self.chunks[c][j].0 != k {
            return None;
        }
        let (_, v) = self.chunks[c].remove(j);
        self.settle(c);
        Some(v)
    }

    /// Removes the entry with the largest key.
    pub(super) fn pop_last(&mut self) -> Option<(u64, V)> {
        let c = self.chunks.len().checked_sub(1)?;
        let e = self.chunks[c].pop();
        self.settle(c);
        e
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
        self.firsts[c] = self.chunks[c][0].0;
        if len > SMALL {
            return;
        }
        let fits = |n: Option<&Vec<(u64, V)>>| n.is_some_and(|n| n.len() + len <= CHUNK);
        if c > 0 && fits(self.chunks.get(c - 1)) {
            let chunk = self.chunks.remove(c);
            self.firsts.remove(c);
            self.chunks[c - 1].extend(chunk);
        } else if fits(self.chunks.get(c + 1)) {
            let next = self.chunks.remove(c + 1);
            self.firsts.remove(c + 1);
            self.chunks[c].extend(next);
        }
    }

    /// Every entry, in key order.
    #[cfg(test)]
    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, V)> + '_ {
        self.chunks.iter().flatten().copied()
    }
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum Step {
        Insert(u64, u32),
        Remove(u64),
        PopLast,
        Bump(u64),
        BumpBelow(u64),
    }

    fn step() -> impl Strategy<Value = Step> {
        // Keys from a small range, so that steps meet keys already there.
        let key = 0..400u64;
        prop_oneof![
            4 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Step::Insert(k, v)),
            2 => key.clone().prop_map(Step::Remove),
            1 => Just(Step::PopLast),
            1 => key.clone().prop_map(Step::Bump),
            1 => key.prop_map(Step::BumpBelow),
        ]
    }

    proptest! {
        #[test]
        fn answers_as_an_ordered_map_does(
            start in proptest::collection::btree_map(0..400u64, any::<u32>(), 0..200),
            steps in proptest::collection::vec(step(), 0..600),
            probes in proptest::collection::vec((0..410u64, 0..410u64), 20),
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
                    Step::Bump(k) => {
                        let m = model.get_mut(&k).map(|v| { *v = v.wrapping_add(1); *v });
                        let got = map.get_mut(k).map(|v| { *v = v.wrapping_add(1); *v });
                        prop_assert_eq!(got, m);
                    }
                    Step::BumpBelow(k) => {
                        let m = model.range_mut(..k).next_back().map(|(&k, v)| {
                            *v = v.wrapping_add(1);
                            (k, *v)
                        });
                        let got = map.below_mut(k).map(|(k, v)| {
                            *v = v.wrapping_add(1);
                            (k, *v)
                        });
                        prop_assert_eq!(got, m);
                    }
                }
                prop_assert!(map.chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK));
                prop_assert!(map.chunks.iter().zip(&map.firsts).all(|(c, &f)| c[0].0 == f));
            }
            let all: Vec<(u64, u32)> = model.iter().map(|(&k, &v)| (k, v)).collect();
            prop_assert_eq!(map.iter().collect::<Vec<_>>(), all);
            for (a, b) in probes {
                let floor = model.range(..=a).next_back().map(|(&k, &v)| (k, v));
                prop_assert_eq!(map.floor(a), floor);
                let below = model.range(..a).next_back().map(|(&k, &v)| (k, v));
                prop_assert_eq!(map.below(a), below);
                prop_assert_eq!(map.get(a), model.get(&a).copied());
                let first = model.range(a..b.max(a)).next().map(|(&k, &v)| (k, v));
                prop_assert_eq!(map.first_in(a, b.max(a)), first);
            }
        }
    }

    #[test]
    fn many_keys_split_into_chunks_and_merge_back() {
        let mut map = SpanMap::default();
        for k in (0..1000u64).rev() {
            map.insert(k * 2, k);
        }
        assert!(map.chunks.len() > 1000 / CHUNK);
        assert_eq!(map.floor(1001), Some((1000, 500)));
        assert_eq!(map.floor(0), Some((0, 0)));
        assert_eq!(map.first_in(1001, 1003), Some((1002, 501)));
        assert_eq!(map.first_in(1001, 1002), None);
        for k in 0..990u64 {
            assert_eq!(map.remove(k * 2), Some(k));
        }
        assert_eq!(map.chunks.len(), 1);
        assert_eq!(map.iter().count(), 10);
    }
}
