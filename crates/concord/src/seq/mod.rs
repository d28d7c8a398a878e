//! The sequence CRDT behind lists and text.
//!
//! A sequence is a list of *elements* in document order, deleted ones included: a deletion only
//! hides an element (a *tombstone*), because concurrent inserts may still name it as a
//! neighbour. Each element has the id of the op that inserted it, a *left origin* (the element
//! it was typed after) and a *right origin* (the element it was typed before). Those two ids
//! are all a replica needs to place a remote insert, by the rule below.
//!
//! # Runs
//!
//! Elements inserted by one actor with consecutive counters, each typed right after the
//! previous one, with the same right origin and visibility, are stored as one [`Run`]: the
//! first id, the first element's left origin (every later element's is the one before it), the
//! shared right origin and the values ([`Content`]). Typing a sentence one keystroke at a time
//! therefore makes one run, not one entry per character, and every structure below grows with
//! the number of runs, not of elements. Runs are kept maximal (any two neighbours that could
//! merge are merged, across leaf boundaries too), so the run decomposition depends only on the
//! elements, never on the history of edits or on node boundaries.
//!
//! A text run does not own its characters: every actor's characters are kept in one buffer
//! per text object (the [`TextStore`](content::TextStore)), in the order the actor inserted
//! them, and the run names a byte range of it (a [`TextSpan`]). A keystroke appends a byte to
//! a buffer and a number to a run, and allocates nothing. Runs that continue each other by id
//! are adjacent in their buffer as long as each actor's inserts arrive in counter order, which
//! causal delivery guarantees; a run only merges with a neighbour that is adjacent. The
//! document's op log keeps no characters of its own: its text inserts name ranges of these
//! buffers too.
//!
//! # The tree
//!
//! Runs live in the leaves of a B-tree stored in two arenas (`Vec`s of leaves and of internal
//! nodes) addressed by `u32` newtype indexes. Arenas give what pointer-based nodes would need
//! `unsafe` or reference counting for: parent links (a position is computed by walking up from
//! a leaf), next/previous leaf links (scans walk in document order without descending again),
//! and a document fork that is a plain `clone` of a few vectors. Each child entry of an
//! internal node caches the child's visible and total lengths, and each node knows its slot
//! among its parent's children, so that
//!
//! - the `pos`-th visible element is found by one descent (local edits, reads);
//! - the full-order or visible position of a leaf is the sum of the entries to its left, level
//!   by level, on the way up;
//! - an edit updates one entry per level.
//!
//! Leaves hold up to `L` runs (32), internal nodes up to `F` children (16); a full node splits
//! in two. Nodes are not rebalanced when they shrink: runs only disappear when merged or rolled
//! back, so underfull leaves are rare and harmless, and an emptied leaf is unlinked. A cursor
//! remembers the last leaf located by position and the number of visible elements before it,
//! so typing at one place does not descend from the root for every keystroke. And the tree
//! remembers where the last local insert ended, with a count of the changes made since: a
//! keystroke typed there, by the same actor, while nothing else has changed, grows that run in
//! place (its right origin is still the run's), with no search in the leaf at all.
//!
//! # The id index
//!
//! Remote ops, deletions and slot updates name elements by id. The index maps ids to leaves,
//! run-length encoded: per actor, an ordered map from the first counter of a range to its end
//! and its leaf, one entry per range of consecutive ids living in one leaf (the highest range
//! kept aside, so typing extends it without a search). Finding an element is an index lookup
//! plus a scan of one leaf; the index changes only when runs move between leaves.
//!
//! # Integration
//!
//! A remote run is placed by the YjsMod rule, which the Fugue paper proves equivalent to
//! FugueMax: replicas converge whatever the delivery order, and inserts made concurrently at
//! one place never interleave (the `integrate` submodule states the rule). The new run is placed
//! after its left origin; the scan then passes the elements between its origins:
//!
//! - an element whose left origin is before ours belongs to an earlier insert: stop there;
//! - one whose left origin is after ours was typed inside something already passed: skip it;
//! - one with the same left origin is a concurrent sibling. With the same right origin too, the
//!   smaller actor (by public actor bytes) goes first. With a nearer right origin, the sibling
//!   and what follows it up to its right origin may yet be passed, so the scan goes on while
//!   remembering where it was (`scanning`) in case it must go back.
//!
//! For example, the text is `a b` (by actor A), and actor X typed `w x` backwards: first `x`
//! between `a` and `b` (origins `a`, `b`), then `w` before it (origins `a`, `x`). Concurrently
//! actor Y typed `y` between `a` and `b` (origins `a`, `b`). A replica holding `a w x b`
//! integrates `y`: left = 0 (`a`), right = 3 (`b`).
//!
//! - i = 1, `w`: same left origin, right origin `x` (2) < 3: `scanning` starts, dest stays 1.
//! - i = 2, `x`: same origins as `y`. If X < Y, `y` goes after `x`: `scanning` stops; at i = 3
//!   the scan reaches `b` and the result is `a w x y b`. If Y < X, the scan breaks with dest
//!   still 1: `a y w x b`.
//!
//! Either way `w x` stays together, and a replica that received `y` first reaches the same text.
//!
//! # Costs
//!
//! With `n` elements, `h` the height (log base `F` of the number of leaves), `r` the index
//! ranges of one actor and `s` the runs an operation touches: a local insert, a lookup by
//! position and a remote insert with nothing concurrent cost O(h·F + L + log r); a lookup by id
//! O(log r + L + h·F); visibility changes and rollbacks O(s·(log r + L + h·F)); a remote insert
//! also pays O(log r + L + h·F) for each concurrent run it scans past. No operation scans the
//! whole sequence.

mod batch;
#[cfg(test)]
mod check;
mod content;
mod index;
mod integrate;
mod ops;
mod paged;
mod span_map;
mod tree;

#[cfg(test)]
mod tests;

pub(crate) use content::TextSpan;
pub(crate) use tree::SeqTree;

/// Spans `(first id, count)` of elements with consecutive ids, in document order; most edits
/// touch one or two.
pub(crate) type IdSpans = smallvec::SmallVec<[(Id, usize); 2]>;

use crate::ids::{ActorIdx, Id, OptId};

/// The payload of a run: one value per element, splittable and joinable at element boundaries.
///
/// Content either holds its values (list slots) or names them in a [`Content::Store`] kept
/// by the tree (text: see [`TextSpan`]); a run's content is always read with its actor.
///
/// The span law every implementation keeps: `a.split_off(k, ..)` leaves `a` with the first
/// `k` elements and returns the other `a.len() - k`; appending the returned part back with
/// `a.append(b)` restores the original exactly, and the lengths add up. The default content
/// is empty.
pub(crate) trait Content: Clone + std::fmt::Debug + Default {
    /// Where the values live when the content only refers to them; `()` when it holds them.
    type Store: Clone + std::fmt::Debug + Default;
    /// The number of elements.
    fn len(&self) -> usize;
    /// Keeps elements `[0, at)` in `self` and returns `[at, len)`. `at <= len`. `actor` is the
    /// actor of the run holding the content.
    fn split_off(&mut self, at: usize, store: &Self::Store, actor: ActorIdx) -> Self;
    /// Removes elements `[0, at)` from `self` and returns them (`0 < at < len`). Content that
    /// holds its values takes them in time proportional to `at`, not to the whole: deleting
    /// forward through a long run moves its first element to the run before, one at a time.
    fn split_front(&mut self, at: usize, store: &Self::Store, actor: ActorIdx) -> Self {
        let rest = self.split_off(at, store, actor);
        std::mem::replace(self, rest)
    }
    /// Puts the elements of `head`, which `self` continues, before those of `self` (in time
    /// proportional to `head` for content that holds its values: backspacing through a long
    /// run moves its last element to the run after, one at a time).
    fn prepend(&mut self, head: Self) {
        let tail = std::mem::replace(self, head);
        self.append(tail);
    }
    /// Moves the first `k` elements (`0 < k < len`) to the end of `prev`, which `self`
    /// continues. Content that holds its values moves them one by one, without a part of its
    /// own in between: deleting forward through a run moves one element per keystroke.
    fn give_front(&mut self, k: usize, prev: &mut Self, store: &Self::Store, actor: ActorIdx) {
        let head = self.split_front(k, store, actor);
        prev.append(head);
    }
    /// Moves the elements from `at` on (`0 < at < len`) to the front of `next`, which
    /// continues `self`; as [`Content::give_front`], the other way (backspacing).
    fn give_back(&mut self, at: usize, next: &mut Self, store: &Self::Store, actor: ActorIdx) {
        let tail = self.split_off(at, store, actor);
        next.prepend(tail);
    }
    /// Whether `other`, the content of a run continuing this one's ids, can be appended:
    /// always for content that holds its values; for text, when it follows in the store.
    fn joins(&self, other: &Self) -> bool;
    /// Appends the elements of `other` after those of `self` (`other` continues `self`'s ids,
    /// and [`Content::joins`] holds).
    fn append(&mut self, other: Self);
    /// Gives back what the store holds for these elements, the newest that `actor` inserted
    /// (the undo of an insert).
    fn release(self, store: &mut Self::Store, actor: ActorIdx);

    /// Checks that `store` holds exactly what `runs`, every run of a tree, refer to.
    #[cfg(test)]
    fn check_store<'a>(_store: &Self::Store, _runs: impl Iterator<Item = &'a Run<Self>>)
    where
        Self: 'a,
    {
    }
}

/// Consecutive elements inserted by one actor with consecutive counters, stored as one entry.
///
/// Element `k` of the run has id `id.add(k)`. Only the first element's left origin is stored:
/// every later element's left origin is the element just before it, which is what makes the
/// run compressible in the first place (a typist's keystrokes each name the previous one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run<C> {
    /// The id of the first element.
    pub(crate) id: Id,
    /// The left origin of the first element (the element it was typed after), `None` at the
    /// start of the sequence.
    origin_left: OptId,
    /// The right origin shared by every element of the run, `None` at the end; its flag says
    /// whether the elements are visible (not deleted), which is uniform within a run. Kept
    /// there, a text run takes 36 bytes, where a field of its own would pad it to 40.
    origin_right: OptId,
    /// The elements' values.
    pub(crate) content: C,
}

impl<C: Content> Run<C> {
    /// A run of elements `id ..` typed between `origin_left` and `origin_right`.
    pub(crate) fn new(
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        visible: bool,
        content: C,
    ) -> Self {
        Run {
            id,
            origin_left: origin_left.into(),
            origin_right: OptId::from(origin_right).with_flag(visible),
            content,
        }
    }

    /// Whether the elements are visible (not deleted).
    #[inline]
    pub(crate) fn visible(&self) -> bool {
        self.origin_right.flag()
    }

    /// Makes the elements visible or hides them.
    #[inline]
    pub(crate) fn set_visible(&mut self, visible: bool) {
        self.origin_right = self.origin_right.with_flag(visible);
    }

    /// The left origin of the first element, `None` at the start of the sequence.
    pub(crate) fn origin_left(&self) -> Option<Id> {
        self.origin_left.get()
    }

    /// The right origin of every element, `None` at the end of the sequence.
    pub(crate) fn origin_right(&self) -> Option<Id> {
        self.origin_right.get()
    }

    /// The number of elements.
    fn len(&self) -> usize {
        self.content.len()
    }

    /// The counter one past the last element's.
    fn end(&self) -> u64 {
        self.id.counter() + self.len() as u64
    }

    /// The id of the last element.
    fn last_id(&self) -> Id {
        self.id.add(self.len() as u64 - 1)
    }

    /// The offset of `id` in the run, if the run holds it.
    fn offset_of(&self, id: Id) -> Option<usize> {
        (id.actor() == self.id.actor()
            && id.counter() >= self.id.counter()
            && id.counter() < self.end())
        .then(|| (id.counter() - self.id.counter()) as usize)
    }

    /// The number of visible elements (all or none).
    fn visible_len(&self) -> usize {
        if self.visible() {
            self.len()
        } else {
            0
        }
    }

    /// Whether `next`, placed right after `self` in document order, continues this run: the
    /// same actor with the next counter, typed right after this run's last element, with the
    /// same right origin and visibility. Keeping every such pair merged makes the run
    /// decomposition canonical: it depends only on the elements, not on the edit history.
    fn can_append(&self, next: &Run<C>) -> bool {
        // The stored right origins compare the visibility flags too.
        self.continues_ids(next) && next.origin_right == self.origin_right
    }

    /// Whether `next` continues this run's ids and origins (visibility aside).
    fn continued_by(&self, next: &Run<C>) -> bool {
        self.continues_ids(next) && next.origin_right() == self.origin_right()
    }

    /// Whether `next` continues this run's ids, its last element and its content (right
    /// origins aside).
    fn continues_ids(&self, next: &Run<C>) -> bool {
        next.id.actor() == self.id.actor()
            && next.id.counter() == self.end()
            && next.origin_left() == Some(self.last_id())
            && self.content.joins(&next.content)
    }

    /// Moves the first `k` elements (`0 < k < len`) to the end of `prev`, which this run
    /// continues (visibility aside).
    fn give_front(&mut self, k: usize, prev: &mut Run<C>, store: &C::Store) {
        debug_assert!(k > 0 && k < self.len() && prev.continued_by(self));
        self.content
            .give_front(k, &mut prev.content, store, self.id.actor());
        self.id = self.id.add(k as u64);
        self.origin_left = Some(prev.last_id()).into();
    }

    /// Moves the elements from `at` on (`0 < at < len`) to the front of `next`, which
    /// continues this run (visibility aside).
    fn give_back(&mut self, at: usize, next: &mut Run<C>, store: &C::Store) {
        debug_assert!(at > 0 && at < self.len() && self.continued_by(next));
        self.content
            .give_back(at, &mut next.content, store, self.id.actor());
        next.id = self.id.add(at as u64);
        next.origin_left = Some(self.last_id()).into();
    }

    /// Splits the run before element `at` (`0 < at < len`), returning the second part.
    fn split_off(&mut self, at: usize, store: &C::Store) -> Run<C> {
        debug_assert!(at > 0 && at < self.len());
        Run {
            id: self.id.add(at as u64),
            origin_left: Some(self.id.add(at as u64 - 1)).into(),
            origin_right: self.origin_right,
            content: self.content.split_off(at, store, self.id.actor()),
        }
    }
}
