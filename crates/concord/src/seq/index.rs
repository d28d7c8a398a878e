//! The id index: which leaf holds an element, by id.
//!
//! One ordered map per actor, from the first counter of an id range to the end of the range
//! and the leaf holding it. Ranges are maximal: two ranges that touch and name the same leaf
//! are always one entry, so a leaf full of one actor's typing costs one entry, not one per run.
//! Entries change only when runs move between leaves (leaf splits, merges across a leaf
//! boundary), are inserted, or are removed.

use std::collections::BTreeMap;

use super::tree::LeafIdx;
use crate::ids::{ActorIdx, Id};

/// The end (exclusive) of an id range and the leaf that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    /// One past the last counter of the range.
    end: u64,
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
    spans: BTreeMap<u64, Span>,
    /// The range starting after every key of `spans`, if any.
    tail: Option<(u64, Span)>,
    /// A counter no range reaches past: fresh ids at or above it only touch the tail.
    top: u64,
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

/// Maps element ids to the leaf holding them, run-length encoded (see the module doc).
#[derive(Clone, Debug, Default)]
pub(super) struct IdIndex {
    /// The ranges of each actor, by actor index.
    actors: Vec<ActorSpans>,
}

impl IdIndex {
    /// The leaf holding `id`, if any element has that id.
    pub(super) fn get(&self, id: Id) -> Option<LeafIdx> {
        let a = self.actors.get(id.actor.index())?;
        let span = match a.tail {
            Some((s, ref span)) if id.counter >= s => span,
            _ => a.spans.range(..=id.counter).next_back()?.1,
        };
        (id.counter < span.end).then_some(span.leaf)
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
    pub(super) fn set(&mut self, actor: ActorIdx, start: u64, end: u64, leaf: LeafIdx) {
        debug_assert!(start < end);
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
        let map = &mut a.spans;
        clear_range(map, start, end);
        let mut first = start;
        let mut last = end;
        if let Some((&s, span)) = map.range(..start).next_back() {
            if span.end == start && span.leaf == leaf {
                first = s;
            }
        }
        if let Some(&span) = map.get(&end) {
            if span.leaf == leaf {
                map.remove(&end);
                last = span.end;
            }
        }
        if first == start {
            map.insert(start, Span { end: last, leaf });
        } else if let Some(span) = map.get_mut(&first) {
            span.end = last;
        }
        if touches_tail {
            a.unflush();
        }
    }

    /// Forgets the ids `start..end` of `actor`.
    pub(super) fn clear(&mut self, actor: ActorIdx, start: u64, end: u64) {
        if let Some(a) = self.actors.get_mut(actor.index()) {
            let touches_tail = a.tail.is_some_and(|(s, span)| end > s && start < span.end);
            if touches_tail {
                a.flush();
            }
            clear_range(&mut a.spans, start, end);
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
    pub(super) fn entries(&self) -> impl Iterator<Item = (ActorIdx, u64, u64, LeafIdx)> + '_ {
        self.actors.iter().enumerate().flat_map(|(a, spans)| {
            spans
                .spans
                .iter()
                .map(|(&s, span)| (s, *span))
                .chain(spans.tail)
                .map(move |(s, span)| (ActorIdx(a as u32), s, span.end, span.leaf))
        })
    }
}

/// Removes `start..end` from `map`, trimming the entries that overlap it.
fn clear_range(map: &mut BTreeMap<u64, Span>, start: u64, end: u64) {
    if let Some((_, span)) = map.range_mut(..start).next_back() {
        if span.end > start {
            let old = *span;
            span.end = start;
            if old.end > end {
                map.insert(end, old);
                return;
            }
        }
    }
    while let Some((&s, &span)) = map.range(start..end).next() {
        map.remove(&s);
        if span.end > end {
            map.insert(end, span);
            break;
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
}
