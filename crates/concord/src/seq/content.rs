//! The payloads of runs: list slots (`VecDeque<T>`), which hold their values, and text
//! ([`TextSpan`]), which refers to characters kept in the tree's [`TextStore`].
//!
//! Text is not stored one string per run: a run of a few characters would pay for a heap
//! allocation and a `String` header, and typing would allocate for every keystroke. Instead
//! each text object keeps, per actor, one buffer of every character that actor inserted into
//! it, in counter order (an actor's inserts arrive in counter order, and a rolled-back insert
//! is the tail of its actor's buffer). A run then names a byte range of its actor's buffer.
//! Consecutive ids of one actor in one object are adjacent in that buffer, so two runs that
//! continue each other by id also continue each other in the buffer: joining them is an
//! addition, and the run decomposition stays what the elements alone decide.

use std::collections::VecDeque;
use std::fmt::Debug;

use super::Content;
use crate::ids::ActorIdx;
use crate::room::{clone_str_with_room, make_str_room};

/// List slots: one value per element, in a double-ended queue, so that elements leave a run
/// from either end in time proportional to how many leave (deleting forward or backspacing
/// through a long pasted run moves one element at a time to the run next to it).
impl<T: Clone + Debug> Content for VecDeque<T> {
    type Store = ();

    fn len(&self) -> usize {
        VecDeque::len(self)
    }

    fn split_off(&mut self, at: usize, store: &(), actor: ActorIdx) -> Self {
        let head = self.split_front(at, store, actor);
        std::mem::replace(self, head)
    }

    fn split_front(&mut self, at: usize, _: &(), _: ActorIdx) -> Self {
        // Move the shorter part.
        if at <= self.len() / 2 {
            self.drain(..at).collect()
        } else {
            let rest = VecDeque::split_off(self, at);
            std::mem::replace(self, rest)
        }
    }

    fn give_front(&mut self, k: usize, prev: &mut Self, _: &(), _: ActorIdx) {
        prev.extend(self.drain(..k));
    }

    fn give_back(&mut self, at: usize, next: &mut Self, _: &(), _: ActorIdx) {
        for value in self.drain(at..).rev() {
            next.push_front(value);
        }
    }

    fn joins(&self, _: &Self) -> bool {
        true
    }

    fn append(&mut self, mut other: Self) {
        if other.len() > self.len() {
            // Put the shorter part in front of the longer one.
            std::mem::swap(self, &mut other);
            Content::prepend(self, other);
        } else {
            VecDeque::append(self, &mut other);
        }
    }

    fn prepend(&mut self, head: Self) {
        if head.len() > self.len() {
            let tail = std::mem::replace(self, head);
            self.extend(tail);
        } else {
            for value in head.into_iter().rev() {
                self.push_front(value);
            }
        }
    }

    fn release(self, _: &mut (), _: ActorIdx) {}
}

/// The characters of one text object, per actor: everything each actor ever inserted into the
/// object (deleted characters included), in counter order.
#[derive(Debug, Default)]
pub(crate) struct TextStore {
    /// The characters of each actor, by actor index.
    by_actor: Vec<String>,
}

/// Cloned with room to grow (a forked document goes on typing).
impl Clone for TextStore {
    fn clone(&self) -> Self {
        TextStore {
            by_actor: self
                .by_actor
                .iter()
                .map(|s| clone_str_with_room(s))
                .collect(),
        }
    }
}

impl TextStore {
    /// Appends `text` (`chars` characters) to the characters of `actor` and returns the span
    /// naming it.
    ///
    /// # Panics
    /// If the actor's characters in this object would pass 4 GiB.
    #[inline]
    pub(crate) fn push(&mut self, actor: ActorIdx, text: &str, chars: usize) -> TextSpan {
        debug_assert_eq!(text.chars().count(), chars);
        let i = actor.index();
        if i >= self.by_actor.len() {
            self.add_actors(i + 1);
        }
        let buf = &mut self.by_actor[i];
        to_u32(buf.len() + text.len());
        let span = TextSpan {
            start: to_u32(buf.len()),
            bytes: to_u32(text.len()),
            chars: to_u32(chars),
        };
        make_str_room(buf, text.len());
        match text.as_bytes() {
            // A keystroke: one byte, with no call to copy it.
            &[b] if b.is_ascii() => buf.push(char::from(b)),
            _ => buf.push_str(text),
        }
        span
    }

    /// Makes room for the characters of the first `n` actors.
    #[inline(never)]
    fn add_actors(&mut self, n: usize) {
        self.by_actor.resize_with(n, String::new);
    }

    /// The characters `span` names in the buffer of `actor`.
    pub(crate) fn get(&self, actor: ActorIdx, span: &TextSpan) -> &str {
        let start = span.start as usize;
        &self.by_actor[actor.index()][start..start + span.bytes as usize]
    }

    /// Every character `actor` inserted into the object, in counter order (empty for an
    /// actor that inserted none). The op log names its text inserts by byte ranges of this.
    pub(crate) fn chars_of(&self, actor: ActorIdx) -> &str {
        self.by_actor.get(actor.index()).map_or("", String::as_str)
    }

    /// The number of bytes held for `actor`.
    #[cfg(test)]
    pub(crate) fn held(&self, actor: ActorIdx) -> usize {
        self.by_actor.get(actor.index()).map_or(0, String::len)
    }
}

/// A byte length or offset in one actor's characters, which stay under 4 GiB.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("an actor's characters in one text stay under 4 GiB")
}

/// Text: a range of the characters its run's actor inserted, in the object's [`TextStore`],
/// with its length in Unicode scalar values (the unit of text positions).
///
/// The character count is kept beside the byte length so that counting a run's elements never
/// walks the text, and so that ASCII text (as many bytes as chars) is split without a look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextSpan {
    /// The first byte in the actor's buffer.
    start: u32,
    /// The length in bytes.
    bytes: u32,
    /// The length in chars.
    chars: u32,
}

impl TextSpan {
    /// The bytes of the actor's buffer the span names.
    pub(crate) fn bytes(&self) -> std::ops::Range<u32> {
        self.start..self.start + self.bytes
    }
}

impl Content for TextSpan {
    type Store = TextStore;

    fn len(&self) -> usize {
        self.chars as usize
    }

    fn split_off(&mut self, at: usize, store: &TextStore, actor: ActorIdx) -> Self {
        assert!(
            at <= self.len(),
            "split_off({at}) past {} chars",
            self.chars
        );
        let byte = if self.bytes == self.chars {
            at
        } else {
            let s = store.get(actor, self);
            s.char_indices().nth(at).map_or(s.len(), |(b, _)| b)
        };
        let (byte, at) = (to_u32(byte), to_u32(at));
        let tail = TextSpan {
            start: self.start + byte,
            bytes: self.bytes - byte,
            chars: self.chars - at,
        };
        self.bytes = byte;
        self.chars = at;
        tail
    }

    fn joins(&self, other: &Self) -> bool {
        self.start + self.bytes == other.start
    }

    fn append(&mut self, other: Self) {
        debug_assert!(self.joins(&other), "appending a span that does not follow");
        self.bytes += other.bytes;
        self.chars += other.chars;
    }

    fn release(self, store: &mut TextStore, actor: ActorIdx) {
        let buf = &mut store.by_actor[actor.index()];
        debug_assert!(self.start as usize + self.bytes as usize <= buf.len());
        buf.truncate(buf.len().min(self.start as usize));
    }

    /// Each actor's spans tile its buffer exactly: nothing is lost, shared or left behind by
    /// a rollback, and every span is whole characters.
    #[cfg(test)]
    fn check_store<'a>(store: &TextStore, runs: impl Iterator<Item = &'a super::Run<Self>>) {
        let mut spans: Vec<(ActorIdx, u64, TextSpan)> = runs
            .map(|r| (r.id.actor(), r.id.counter(), r.content))
            .collect();
        spans.sort_by_key(|&(a, _, span)| (a, span.start));
        let mut next = vec![0usize; store.by_actor.len()];
        for (a, c, span) in spans {
            let at = &mut next[a.index()];
            assert_eq!(
                span.start as usize, *at,
                "span of {a:?}/{c} not where expected"
            );
            let s = store.get(a, &span);
            assert_eq!(s.chars().count(), span.len(), "char count of {a:?}/{c}");
            *at += span.bytes as usize;
        }
        for (a, buf) in store.by_actor.iter().enumerate() {
            assert_eq!(next[a], buf.len(), "bytes of actor {a} no run refers to");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Checks the span law on one value: split at `k`, the parts have the right lengths and
    /// appending them restores the original.
    fn span_law<C: Content + PartialEq>(mut a: C, k: usize, store: &C::Store) {
        let orig = a.clone();
        let len = a.len();
        let k = k % (len + 1);
        let b = a.split_off(k, store, ActorIdx(0));
        assert_eq!(a.len(), k);
        assert_eq!(b.len(), len - k);
        let (head, tail) = (a.clone(), b.clone());
        a.append(b);
        assert_eq!(a, orig);
        // Taking the front and putting it back give the same parts.
        let mut rest = orig.clone();
        let front = rest.split_front(k, store, ActorIdx(0));
        assert_eq!((&front, &rest), (&head, &tail));
        rest.prepend(front);
        assert_eq!(rest, orig);
    }

    proptest! {
        #[test]
        fn text_span_law(pre in "\\PC{0,8}", s in "\\PC{0,24}", k in 0usize..64) {
            let mut store = TextStore::default();
            let actor = ActorIdx(1);
            store.push(actor, &pre, pre.chars().count());
            let t = store.push(actor, &s, s.chars().count());
            prop_assert_eq!(t.len(), s.chars().count());
            prop_assert_eq!(store.get(actor, &t), s.as_str());
            let mut head = t;
            let k = k % (t.len() + 1);
            let tail = head.split_off(k, &store, actor);
            let expect_head: String = s.chars().take(k).collect();
            let expect_tail: String = s.chars().skip(k).collect();
            prop_assert_eq!(store.get(actor, &head), expect_head.as_str());
            prop_assert_eq!(store.get(actor, &tail), expect_tail.as_str());
            head.append(tail);
            prop_assert_eq!(head, t);
            tail.release(&mut store, actor);
            prop_assert_eq!(store.held(actor), pre.len() + expect_head.len());
        }

        #[test]
        fn deque_span_law(v in proptest::collection::vec(any::<u8>(), 0..24), k in 0usize..64) {
            span_law(VecDeque::from(v), k, &());
        }
    }

    #[test]
    fn multibyte_split() {
        let mut store = TextStore::default();
        let actor = ActorIdx(0);
        let mut t = store.push(actor, "añ€😀b", 5);
        let tail = t.split_off(3, &store, actor);
        assert_eq!((store.get(actor, &t), t.len()), ("añ€", 3));
        assert_eq!((store.get(actor, &tail), tail.len()), ("😀b", 2));
    }
}
