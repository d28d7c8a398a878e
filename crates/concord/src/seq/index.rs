//! The id index: which leaf holds an element, by id.
//!
//! One ordered map per actor ([`SpanMap`]), from the first counter of an id range to the end
//! of the range and the leaf holding it. Ranges are maximal: two ranges that touch and name
//! the same leaf are always one entry, so a leaf full of one actor's typing costs one entry,
//! not one per run. Entries change only when runs move between leaves (leaf splits, merges
//! across a leaf boundary), are inserted, or are removed.
//!
//! A sequence built from a whole history at once (a load, an import) starts instead with a
//! flat index: per actor, one slot per counter holding the leaf. Building moves every run a
//! few times between leaves as they split, and a slot is written in a few nanoseconds where a
//! map update costs a search or two; at the end of the batch the slots are turned into the
//! map in one pass ([`IdIndex::compact`]). The slots take room in proportion to the ids they
//! cover, so an actor whose counters are too sparse for them (its ids spread over many
//! objects) makes the index compact early and go on with the map.

use smallvec::SmallVec;

use super::paged::CounterSlots;
use super::span_map::{Neighbour, SpanMap};
use super::tree::LeafIdx;
use crate::ids::{ActorIdx, Id};

/// The end (exclusive) of an id range and the leaf that holds it: 8 bytes, as counters fit in
/// 32 bits (see [`Id::MAX_COUNTER`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    /// One past the last counter of the range.
    end: u32,
    /// The leaf holding every element of the range.
    leaf: LeafIdx,
}

/// The ranges of one actor.
///
/// The range with the highest counters is kept out of the map, in `tail`: an actor's counters
/// grow, so typing extends that range, and the newest ids are the ones most looked up; both
/// then cost no search at all.
#[derive(Clone, Debug, Default)]
struct ActorSpans {
    /// Start counter -> span, for every range but the tail.
    spans: SpanMap<Span>,
    /// The range starting after every key of `spans`, if any.
    tail: Option<(u32, Span)>,
    /// A counter no range reaches past: fresh ids at or above it only touch the tail.
    top: u32,
}

impl ActorSpans {
    /// Moves the tail into the map, for the general (searching) updates.
    fn flush(&mut self) {
        if let Some((s, span)) = self.tail.take() {
            self.spans.insert(s, span);
        }
    }

    /// Takes the last range out of the map again after a general update.
    fn unflush(&mut self) {
        debug_assert!(self.tail.is_none());
        self.tail = self.spans.pop_last();
    }
}

/// The flat index of a sequence being built from a batch of changes: per actor, the leaf of
/// every counter from the first one given a leaf.
#[derive(Clone, Debug, Default)]
struct Flat {
    /// The slots of each actor, by actor index.
    actors: Vec<FlatActor>,
    /// How many ids were given a leaf so far, moves included: the slots of all actors
    /// together may take room in proportion to it, never more.
    work: u64,
    /// How many slots all actors hold together.
    slots: u64,
}

/// One actor's slots in a [`Flat`] index: the leaf of each counter, [`NO_LEAF`] where no
/// element has it.
type FlatActor = CounterSlots<Slot, PAGE>;

/// A slot: the leaf of one counter. Two bytes, so the slots of a long history (one per op,
/// deletes included) take half the room; a batch whose sequence grows past `u16::MAX - 1`
/// leaves goes on with the ranges.
type Slot = u16;

/// Slots per page of a [`FlatActor`]: 4 KiB.
const PAGE: usize = 2048;

/// A slot naming no leaf.
const NO_LEAF: Slot = Slot::MAX;

/// How many slots per id given a leaf a flat index may hold, and how many more in any case.
const FLAT_ROOM: (u64, u64) = (2, 4096);

/// The maximal ranges of an actor's slots, as `(start, span)` in order.
fn flat_ranges(a: &FlatActor) -> Vec<(u32, Span)> {
    let mut out: Vec<(u32, Span)> = Vec::new();
    a.for_each_run(|start, n, leaf| {
        let c = short(start);
        let end = c + n as u32;
        match out.last_mut() {
            Some((_, span)) if span.end == c && span.leaf.0 == u32::from(leaf) => {
                span.end = end;
            }
            _ => out.push((
                c,
                Span {
                    end,
                    leaf: LeafIdx(u32::from(leaf)),
                },
            )),
        }
    });
    out
}

impl Flat {
    fn get(&self, id: Id) -> Option<LeafIdx> {
        let a = self.actors.get(id.actor().index())?;
        a.get(id.counter()).map(|l| LeafIdx(u32::from(l)))
    }

    /// Gives `start..end` of `actor` the leaf `leaf`; false, changing nothing, if the slots
    /// would need more room than the ids justify, or `leaf` does not fit a slot.
    fn set(&mut self, actor: ActorIdx, start: u64, end: u64, leaf: LeafIdx) -> bool {
        let Some(slot) = Slot::try_from(leaf.0).ok().filter(|&s| s != NO_LEAF) else {
            return false;
        };
        let i = actor.index();
        if i >= self.actors.len() {
            self.actors.resize_with(i + 1, || FlatActor::new(NO_LEAF));
        }
        let work = self.work + (end - start);
        let a = &mut self.actors[i];
        let room = work.saturating_mul(FLAT_ROOM.0).saturating_add(FLAT_ROOM.1);
        let Some((_, to)) = a.span(start, end) else {
            return false;
        };
        // The pages this actor would hold then, counted in whole pages, against the room of
        // every actor together.
        let pages = |len: u64| len.div_ceil(PAGE as u64).saturating_mul(PAGE as u64);
        let len = a.len() as u64;
        let grown = pages(to.max(len)) - pages(len);
        if self.slots.saturating_add(grown) > room {
            return false;
        }
        a.fill(start, end, slot);
        self.slots += grown;
        self.work = work;
        true
    }

    fn clear(&mut self, actor: ActorIdx, start: u64, end: u64) {
        if let Some(a) = self.actors.get_mut(actor.index()) {
            a.clear(start, end);
        }
    }
}

/// Maps element ids to the leaf holding them, run-length encoded (see the module doc).
#[derive(Clone, Debug, Default)]
pub(super) struct IdIndex {
    /// The ranges of each actor, by actor index.
    actors: Vec<ActorSpans>,
    /// The flat index, while a batch builds the sequence; then `actors` is empty.
    flat: Option<Box<Flat>>,
}

impl IdIndex {
    /// An index that starts flat, for a sequence a batch of changes builds; it stays flat
    /// until [`IdIndex::compact`].
    pub(super) fn flat() -> Self {
        IdIndex {
            actors: Vec::new(),
            flat: Some(Box::default()),
        }
    }

    /// Turns a flat index into the ranges of the module doc, in one pass over its slots.
    pub(super) fn compact(&mut self) {
        let Some(flat) = self.flat.take() else {
            return;
        };
        for (i, fa) in flat.actors.iter().enumerate() {
            let mut spans = SpanMap::from_sorted(flat_ranges(fa));
            let tail = spans.pop_last();
            let top = tail.map_or(0, |(_, span)| span.end);
            let a = self.actor_mut(ActorIdx(i as u32));
            *a = ActorSpans { spans, tail, top };
        }
    }

    /// The index of a sequence built whole: for each actor (by index), its id ranges as
    /// `(start, end, leaf)`, in counter order, those that touch in one leaf joined.
    pub(super) fn from_ranges(actors: Vec<Vec<(u32, u32, LeafIdx)>>) -> Self {
        let mut index = IdIndex::default();
        for (i, ranges) in actors.into_iter().enumerate() {
            let entries = ranges
                .into_iter()
                .map(|(start, end, leaf)| (start, Span { end, leaf }));
            let mut spans = SpanMap::from_sorted(entries.collect());
            let tail = spans.pop_last();
            let top = tail.map_or(0, |(_, span)| span.end);
            *index.actor_mut(ActorIdx(i as u32)) = ActorSpans { spans, tail, top };
        }
        index
    }

    /// The leaf holding `id`, if any element has that id.
    pub(super) fn get(&self, id: Id) -> Option<LeafIdx> {
        if let Some(flat) = &self.flat {
            return flat.get(id);
        }
        let a = self.actors.get(id.actor().index())?;
        let c = id.counter32();
        let span = match a.tail {
            Some((s, span)) if c >= s => span,
            _ => a.spans.floor(c)?.1,
        };
        (c < span.end).then_some(span.leaf)
    }

    /// The ranges of `actor`, created on first use.
    fn actor_mut(&mut self, actor: ActorIdx) -> &mut ActorSpans {
        let i = actor.index();
        if i >= self.actors.len() {
            self.actors.resize_with(i + 1, ActorSpans::default);
        }
        &mut self.actors[i]
    }

    /// Records that the ids `start..end` of `actor` live in `leaf`, replacing whatever the
    /// index said about them.
    #[inline]
    pub(super) fn set(&mut self, actor: ActorIdx, start: u64, end: u64, leaf: LeafIdx) {
        debug_assert!(start < end);
        // Typing: the fresh ids continue the tail in its leaf. Checked here, inline, as a
        // keystroke costs little else.
        if self.flat.is_none() {
            if let Some(a) = self.actors.get_mut(actor.index()) {
                if let Some((_, span)) = &mut a.tail {
                    let (s, e) = (short(start), short(end));
                    if span.end == s && s >= a.top && span.leaf == leaf {
                        span.end = e;
                        a.top = e;
                        return;
                    }
                }
            }
        }
        self.set_general(actor, start, end, leaf);
    }

    /// [`IdIndex::set`] in every other case.
    #[inline(never)]
    fn set_general(&mut self, actor: ActorIdx, start: u64, end: u64, leaf: LeafIdx) {
        if let Some(flat) = &mut self.flat {
            if flat.set(actor, start, end, leaf) {
                return;
            }
            // Too sparse for slots: go on with the ranges.
            self.compact();
        }
        let (start, end) = (short(start), short(end));
        let a = self.actor_mut(actor);
        if start >= a.top {
            // Fresh ids past every range: extend the tail or start a new one.
            a.top = end;
            match &mut a.tail {
                Some((_, span)) if span.end == start && span.leaf == leaf => span.end = end,
                _ => {
                    a.flush();
                    a.tail = Some((start, Span { end, leaf }));
                }
            }
            return;
        }
        a.top = a.top.max(end);
        // Moving the tail into the map and out again costs a node split and merge when the
        // map's last node is full: only do it when the update reaches the tail.
        let touches_tail = a.tail.is_some_and(|(s, _)| end >= s);
        if touches_tail {
            a.flush();
        }
        assign(&mut a.spans, start, end, Some(leaf));
        if touches_tail {
            a.unflush();
        }
    }

    /// Forgets the ids `start..end` of `actor`.
    pub(super) fn clear(&mut self, actor: ActorIdx, start: u64, end: u64) {
        if let Some(flat) = &mut self.flat {
            flat.clear(actor, start, end);
            return;
        }
        let (start, end) = (short(start), short(end));
        if let Some(a) = self.actors.get_mut(actor.index()) {
            let touches_tail = a.tail.is_some_and(|(s, span)| end > s && start < span.end);
            if touches_tail {
                a.flush();
            }
            assign(&mut a.spans, start, end, None);
            if touches_tail {
                a.unflush();
            }
            if end >= a.top {
                a.top = start;
            }
        }
    }

    /// Every entry as `(actor, start, end, leaf)`, in order of actor and start.
    #[cfg(test)]
    pub(super) fn entries(&self) -> Box<dyn Iterator<Item = (ActorIdx, u64, u64, LeafIdx)> + '_> {
        if let Some(flat) = &self.flat {
            return Box::new(flat.actors.iter().enumerate().flat_map(|(a, fa)| {
                flat_ranges(fa).into_iter().map(move |(s, span)| {
                    (ActorIdx(a as u32), s.into(), span.end.into(), span.leaf)
                })
            }));
        }
        Box::new(self.actors.iter().enumerate().flat_map(|(a, spans)| {
            spans
                .spans
                .iter()
                .chain(spans.tail)
                .map(move |(s, span)| (ActorIdx(a as u32), s.into(), span.end.into(), span.leaf))
        }))
    }
}

/// A counter, or the end of a range of them, as the ranges keep it. Every counter and range
/// end a document holds fits (see [`Id::MAX_COUNTER`]).
fn short(c: u64) -> u32 {
    u32::try_from(c).expect("counters and range ends fit in 32 bits")
}

/// Gives the ids `start..end` the leaf `leaf` in `map` (none: forgets them): trims the ranges
/// that overlap them and joins the new range with the ranges it touches that name the same
/// leaf, in one pass over the ranges concerned and one splice of the map.
fn assign(map: &mut SpanMap<Span>, start: u32, end: u32, leaf: Option<LeafIdx>) {
    if !assign_inside(map, start, end, leaf) {
        assign_across(map, start, end, leaf);
    }
}

/// [`assign`] when one range holds all of `start..end` and whatever it joins is in the same
/// chunk of the map: the common case of a leaf split, which moves runs out of the middle of
/// ranges. One search finds the range; its neighbours are read in place. False, changing
/// nothing, in any other case.
fn assign_inside(map: &mut SpanMap<Span>, start: u32, end: u32, leaf: Option<LeafIdx>) -> bool {
    let Some(at) = map.floor_pos(start) else {
        return false;
    };
    let (s, span) = map.at(at);
    if span.end < end {
        return false;
    }
    if Some(span.leaf) == leaf {
        return true;
    }
    let (before, after) = map.neighbours(at);
    let (mut lo, mut hi) = (at, at);
    let (mut first, mut last) = (start, end);
    let mut pieces: SmallVec<[(u32, Span); 3]> = SmallVec::new();
    if s < start {
        pieces.push((s, Span { end: start, ..span }));
    } else if let Some(leaf) = leaf {
        // The range before joins the new one if it ends at `start` with the same leaf.
        match before {
            Neighbour::Here(p) => {
                let (ps, pspan) = map.at(p);
                if pspan.end == start && pspan.leaf == leaf {
                    (lo, first) = (p, ps);
                }
            }
            Neighbour::Elsewhere => return false,
            Neighbour::None => {}
        }
    }
    let mut tail = None;
    if end < span.end {
        tail = Some((end, span));
    } else if let Some(leaf) = leaf {
        match after {
            Neighbour::Here(p) => {
                let (ns, nspan) = map.at(p);
                if ns == end && nspan.leaf == leaf {
                    (hi, last) = (p, nspan.end);
                }
            }
            Neighbour::Elsewhere => return false,
            Neighbour::None => {}
        }
    }
    if let Some(leaf) = leaf {
        pieces.push((first, Span { end: last, leaf }));
    }
    pieces.extend(tail);
    map.replace(lo, hi, &pieces);
    true
}

/// [`assign`] in general: over any number of ranges, in one pass and one splice of the map.
fn assign_across(map: &mut SpanMap<Span>, start: u32, end: u32, leaf: Option<LeafIdx>) {
    // The keys of the ranges replaced, consecutive in the map.
    let mut keys: Option<(u32, u32)> = None;
    let mut replace = |s: u32| {
        keys = Some(keys.map_or((s, s), |(lo, _)| (lo, s)));
    };
    let (mut first, mut last) = (start, end);
    let (mut before, mut after) = (None, None);
    for (s, span) in map.iter_from_below(start) {
        let same = Some(span.leaf) == leaf;
        if s >= end {
            // The range after: joined if it starts at `end` with the same leaf.
            if s == end && same {
                replace(s);
                last = span.end;
            }
            break;
        }
        if span.end < start || (span.end == start && !same) {
            // The range before, apart.
            continue;
        }
        replace(s);
        if s < start {
            match same {
                true => first = s,
                false => before = Some((s, Span { end: start, ..span })),
            }
        }
        if span.end > end {
            match same {
                true => last = span.end,
                false => {
                    after = Some((
                        end,
                        Span {
                            end: span.end,
                            ..span
                        },
                    ))
                }
            }
        }
    }
    let new = leaf.map(|leaf| (first, Span { end: last, leaf }));
    let pieces: SmallVec<[(u32, Span); 3]> = [before, new, after].into_iter().flatten().collect();
    match keys {
        Some((lo, hi)) => map.splice(lo, hi, &pieces),
        None => {
            for (s, span) in pieces {
                map.insert(s, span);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: u64) -> Id {
        Id::new(ActorIdx(1), c)
    }

    #[test]
    fn set_split_and_coalesce() {
        let mut ix = IdIndex::default();
        let (a, b) = (LeafIdx(0), LeafIdx(1));
        ix.set(ActorIdx(1), 0, 5, a);
        ix.set(ActorIdx(1), 5, 7, a);
        assert_eq!(ix.entries().count(), 1);
        ix.set(ActorIdx(1), 2, 4, b);
        assert_eq!(ix.entries().count(), 3);
        assert_eq!(
            [0, 2, 3, 4, 6, 7].map(|c| ix.get(id(c))),
            [Some(a), Some(b), Some(b), Some(a), Some(a), None]
        );
        ix.set(ActorIdx(1), 2, 4, a);
        assert_eq!(ix.entries().count(), 1);
        ix.clear(ActorIdx(1), 3, 6);
        assert_eq!(
            ix.entries().collect::<Vec<_>>(),
            vec![(ActorIdx(1), 0, 3, a), (ActorIdx(1), 6, 7, a)]
        );
        assert_eq!(ix.get(Id::new(ActorIdx(4), 0)), None);
    }

    /// The same updates on an index that starts flat and on one that does not.
    fn both(updates: &[(u64, u64, Option<u32>)]) -> (IdIndex, IdIndex) {
        let (mut flat, mut spans) = (IdIndex::flat(), IdIndex::default());
        for &(s, e, leaf) in updates {
            for ix in [&mut flat, &mut spans] {
                match leaf {
                    Some(l) => ix.set(ActorIdx(1), s, e, LeafIdx(l)),
                    None => ix.clear(ActorIdx(1), s, e),
                }
            }
        }
        (flat, spans)
    }

    #[test]
    fn a_flat_index_answers_as_the_ranges_do_and_compacts_into_them() {
        let updates = [
            (10, 20, Some(0)),
            (20, 25, Some(0)),
            (30, 40, Some(1)),
            (12, 14, Some(2)),
            (35, 38, None),
            (12, 14, Some(0)),
            // Across pages of slots.
            (40, 2100, Some(3)),
            (1020, 1030, None),
            (2040, 2050, Some(4)),
        ];
        let (mut flat, spans) = both(&updates);
        assert!(flat.flat.is_some());
        for c in 0..2200 {
            assert_eq!(flat.get(id(c)), spans.get(id(c)), "counter {c}");
        }
        assert_eq!(
            flat.entries().collect::<Vec<_>>(),
            spans.entries().collect::<Vec<_>>()
        );
        flat.compact();
        assert!(flat.flat.is_none());
        assert_eq!(
            flat.entries().collect::<Vec<_>>(),
            spans.entries().collect::<Vec<_>>()
        );
        // Compacted, it goes on as the ranges do: typing extends the tail.
        let (mut a, mut b) = (flat, spans);
        for ix in [&mut a, &mut b] {
            ix.set(ActorIdx(1), 40, 41, LeafIdx(1));
        }
        assert_eq!(
            a.entries().collect::<Vec<_>>(),
            b.entries().collect::<Vec<_>>()
        );
    }

    /// Applies `updates` to `ix` and to `model` (a leaf per counter), then checks that the
    /// index answers as the model does and that its ranges are maximal.
    fn check_updates(
        mut ix: IdIndex,
        mut model: Vec<Option<LeafIdx>>,
        updates: Vec<(u64, u64, Option<u32>)>,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        for (s, n, leaf) in updates {
            match leaf {
                Some(l) => ix.set(ActorIdx(1), s, s + n, LeafIdx(l)),
                None => ix.clear(ActorIdx(1), s, s + n),
            }
            model[s as usize..(s + n) as usize].fill(leaf.map(LeafIdx));
        }
        for (c, want) in model.iter().enumerate() {
            proptest::prop_assert_eq!(ix.get(id(c as u64)), *want, "counter {}", c);
        }
        let entries: Vec<_> = ix.entries().collect();
        for w in entries.windows(2) {
            let ((_, _, e0, l0), (_, s1, _, l1)) = (w[0], w[1]);
            proptest::prop_assert!(e0 <= s1);
            proptest::prop_assert!(e0 < s1 || l0 != l1, "touching ranges of one leaf: {:?}", w);
        }
        Ok(())
    }

    proptest::proptest! {
        /// Random updates, the tail's included, against a leaf per counter; the ranges stay
        /// maximal.
        #[test]
        fn ranges_answer_as_a_leaf_per_counter_does(
            updates in proptest::collection::vec(
                (0..300u64, 1..40u64, proptest::option::of(0..3u32)),
                1..200,
            ),
        ) {
            check_updates(IdIndex::default(), vec![None; 400], updates)?;
        }

        /// The same over an index of many chunks of ranges, so that the ranges an update
        /// joins are often in the chunk next to the one it starts in.
        #[test]
        fn updates_across_chunks_answer_as_a_leaf_per_counter_does(
            updates in proptest::collection::vec(
                (0..2_000u64, 1..12u64, proptest::option::of(0..3u32)),
                1..300,
            ),
        ) {
            let mut ix = IdIndex::default();
            let mut model = vec![None; 2_100];
            // One range per counter to start with: leaves 0, 1, 2, 0, 1, 2, ...
            for c in 0..2_000u64 {
                let leaf = LeafIdx((c % 3) as u32);
                ix.set(ActorIdx(1), c, c + 1, leaf);
                model[c as usize] = Some(leaf);
            }
            check_updates(ix, model, updates)?;
        }
    }

    #[test]
    fn sparse_or_earlier_counters_turn_a_flat_index_into_ranges() {
        // Counters far past what the ids given a leaf justify: no room is taken for them.
        let (sparse, spans) = both(&[(1, 3, Some(0)), (1 << 30, (1 << 30) + 2, Some(1))]);
        assert!(sparse.flat.is_none());
        assert_eq!(
            sparse.entries().collect::<Vec<_>>(),
            spans.entries().collect::<Vec<_>>()
        );
        // Many actors, each with counters far apart that one large insert would justify for
        // one actor: the room is for all actors together.
        let (mut many, mut spans) = (IdIndex::flat(), IdIndex::default());
        for ix in [&mut many, &mut spans] {
            ix.set(ActorIdx(0), 1, 100_000, LeafIdx(0));
            for a in 1..50 {
                ix.set(ActorIdx(a), 1, 2, LeafIdx(1));
                ix.set(ActorIdx(a), 150_000, 150_001, LeafIdx(1));
            }
        }
        assert!(many.flat.is_none());
        assert_eq!(
            many.entries().collect::<Vec<_>>(),
            spans.entries().collect::<Vec<_>>()
        );
        // A leaf past what a slot holds; the last one that fits stays flat.
        let far = u32::from(NO_LEAF);
        assert!(both(&[(1, 5, Some(far - 1))]).0.flat.is_some());
        let (past, spans) = both(&[(1, 5, Some(0)), (5, 9, Some(far)), (9, 12, Some(far - 1))]);
        assert!(past.flat.is_none());
        assert_eq!(past.get(id(6)), Some(LeafIdx(far)));
        assert_eq!(
            past.entries().collect::<Vec<_>>(),
            spans.entries().collect::<Vec<_>>()
        );
        // A counter below the first one given a leaf.
        let (before, spans) = both(&[(100, 103, Some(0)), (5, 6, Some(1))]);
        assert!(before.flat.is_none());
        assert_eq!(
            before.entries().collect::<Vec<_>>(),
            spans.entries().collect::<Vec<_>>()
        );
    }
}
