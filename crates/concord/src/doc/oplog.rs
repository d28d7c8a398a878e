//! The op log: every op of the document's history, per actor, in the internal id space, with
//! runs of ops merged into one record.
//!
//! A person typing makes one insert per keystroke, each right after the previous one, and
//! backspacing makes one delete per keystroke, each just before the previous one. Stored one
//! record per op, that history costs more than the document itself. So a record holds a run:
//! a text insert record grows while each new insert into the same text takes the next op ids,
//! wherever it goes in the text, a delete record while each new delete targets the next
//! element (forward deletes) or the previous one (backspacing). Run boundaries need not match
//! change boundaries: one record may hold the ops of thousands of one-keystroke changes, and a
//! change is rebuilt by slicing records by op id ([`OpLog::ops_in`]).
//!
//! A text insert's entry keeps no origins either: the text's sequence keeps every element with
//! its left and right origins (they place it), and the ops' origins are its elements' origins,
//! so rebuilding an insert reads them there. That is also where an entry is cut back into ops:
//! at each element that does not continue the one before it (its left origin that element,
//! the same right origin), as the insert ops that made the entry were cut. An entry thus
//! holds a run of typing across the cursor's jumps, which a record of origins would break.
//!
//! Records of one actor are kept in counter order (an actor's changes apply in sequence order
//! and its counters grow), so finding an op is a binary search in that actor's records.
//!
//! Records are handed in as [`Record`]s and kept as smaller entries. The log holds no
//! characters: a text keeps, per actor, every character the actor inserted into it, in counter
//! order (the text's store, `seq::content`), and a text insert's entry names the byte range its
//! characters took there, so each character is stored once and typing grows no buffer of the
//! log's own. Rebuilding a change's ops reads those buffers through the object store. List
//! deletes of elements nothing was written to since their insert (their one predecessor is the
//! element's own value) merge into runs as text deletes do. The rare kinds of op (map and list
//! writes, counters, list inserts) are kept aside in a list per actor, so that the common
//! ones, text inserts and deletes, take 24 bytes each: the object an entry acts on is its index
//! in the log's table of objects, and its first counter and its length take 32 bits each (op
//! counters do not pass 2^32 - 2: see [`Id::MAX_COUNTER`]).

use std::ops::Range;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::change::{ActionView, KeyView, NewValue, Op, OpView, Preds, ValuesView};
use crate::chunked::Chunked;
use crate::clock::Clock;
use crate::ids::{ActorIdx, Id};
use crate::{ObjId, OpId};

use super::objects::{RegKey, ROOT_ID};

/// What a record does; see [`Record`] for the ids it uses.
#[derive(Clone, Debug)]
pub(crate) enum LogAction {
    Put {
        key: RegKey,
        value: NewValue,
        pred: SmallVec<[Id; 1]>,
    },
    Delete {
        key: RegKey,
        pred: SmallVec<[Id; 1]>,
    },
    Increment {
        key: RegKey,
        by: i64,
        pred: SmallVec<[Id; 1]>,
    },
    /// Characters, the byte range `bytes` of the actor's buffer in the text's store; op `k`
    /// inserts character `k`. The text's elements keep the origins.
    InsertText { bytes: Range<u32> },
    /// List values, as for text.
    InsertList {
        left: Option<Id>,
        right: Option<Id>,
        values: Vec<NewValue>,
    },
    /// Op `k` deletes element `target + k` (or `target - k` when `backward`).
    DeleteSpan { target: Id, backward: bool },
    /// Op `k` is a [`LogAction::Delete`] of list element `target + k` (`target - k` when
    /// `backward`) whose one predecessor is the element's own value: a delete of a stretch of
    /// elements nothing was written to since their insert, recorded at once.
    DeleteElems { target: Id, backward: bool },
}

/// A run of ops with consecutive ids `id .. id + len`, all on object `obj`: what the log is
/// handed. It keeps it in a more compact form ([`Entry`]).
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) id: Id,
    pub(crate) obj: Id,
    pub(crate) len: u64,
    pub(crate) action: LogAction,
}

/// A record as the log keeps it: the actor is that of the list holding it, and the
/// characters of inserts live in the text's store. Plain data, so that copying a log (a fork)
/// is a copy of memory: 24 bytes, of 32-bit fields and an [`Id`].
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The first op's counter (counters fit in 32 bits: see [`Id::MAX_COUNTER`]).
    start: u32,
    /// The number of ops.
    len: u32,
    /// The object the ops act on, as its index in the log's [`Objs`].
    obj: u32,
    kind: Kind,
}

/// What an entry does.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Characters, `bytes` of the actor's buffer in the store of the text `obj`; op `k`
    /// inserts character `k`. The text's elements give the origins.
    Text { bytes: ByteRange },
    /// Op `k` deletes element `target + k` (or `target - k` when `backward`).
    DeleteSpan { target: Id, backward: bool },
    /// Op `k` overwrites, with nothing, the value list element `target + k` (or `target - k`
    /// when `backward`) was inserted with, its only value: a list delete where nothing was
    /// written to the element since it was inserted, the common case. Each op is a
    /// [`LogAction::Delete`] of one element; a run of them takes one entry.
    ElemDeletes { target: Id, backward: bool },
    /// Anything else: map and list writes, counters, list inserts, as the action at this
    /// index of the actor's list of others. Rare in text-heavy histories, so kept out of line
    /// to keep entries small.
    Other(u32),
}

/// A byte range of a text's store, as a plain pair (a `Range` is not `Copy`).
#[derive(Clone, Copy, Debug)]
struct ByteRange {
    start: u32,
    end: u32,
}

impl Entry {
    /// The first op's counter.
    fn counter(&self) -> u64 {
        u64::from(self.start)
    }

    fn len(&self) -> u64 {
        u64::from(self.len)
    }

    fn end(&self) -> u64 {
        self.counter() + self.len()
    }

    /// Lengthens the entry by `n` ops, which continue it.
    fn grow(&mut self, n: u64) {
        self.len = entry_len(self.len() + n);
    }

    /// The id of op `k` of the entry, for an entry of `actor`.
    fn id(&self, actor: ActorIdx, k: u64) -> Id {
        Id::new(actor, self.counter() + k)
    }

    /// Whether a delete of `t2` (one op, or a forward span) continues this entry, an entry of
    /// text span deletes or (`elems`) of list element deletes, and in which direction:
    /// `Some(true)` backward, `Some(false)` forward.
    fn continues_delete(&self, t2: Id, n2: u64, elems: bool) -> Option<bool> {
        let ((Kind::DeleteSpan { target, backward }, false)
        | (Kind::ElemDeletes { target, backward }, true)) = (self.kind, elems)
        else {
            return None;
        };
        if t2.actor() != target.actor() {
            return None;
        }
        let n = self.len();
        let forward = !backward && Some(t2.counter()) == target.counter().checked_add(n);
        let back = n2 == 1
            && (backward || n == 1)
            && Some(t2.counter()) == target.counter().checked_sub(n);
        if forward {
            Some(false)
        } else if back {
            Some(true)
        } else {
            None
        }
    }

    /// Shortens the entry to its first `len` ops (undoing appends): back to where a mark
    /// found it, whose text inserts ended at byte `text_end`, given the actor's other actions.
    fn truncate(&mut self, len: u64, text_end: u32, others: &mut [LogAction]) {
        if let Kind::Text { bytes, .. } = &mut self.kind {
            bytes.end = text_end;
        }
        if let Kind::Other(i) = self.kind {
            if let Some(LogAction::InsertList { values, .. }) = others.get_mut(i as usize) {
                values.truncate(len as usize);
            }
        }
        self.len = entry_len(len);
    }
}

/// Where an actor's part of the log stood: restoring it undoes everything appended since.
#[derive(Clone, Debug)]
pub(crate) struct ActorMark {
    records: usize,
    last_len: u64,
    /// Where the last entry's characters ended, if it is a text insert.
    last_text_end: u32,
    others_len: usize,
}

/// The length of an entry of `len` ops. No run reaches 2^32 ops: their counters are
/// distinct and below 2^32 (see the module documentation).
fn entry_len(len: u64) -> u32 {
    u32::try_from(len).expect("no run of ops reaches 2^32 elements")
}

/// The objects the log's entries act on, each by its index here.
#[derive(Clone, Debug, Default)]
struct Objs {
    ids: Vec<Id>,
    index: FxHashMap<Id, u32>,
    /// The object interned last and its index: an edit's ops mostly act on the object the
    /// previous ones did, which then costs no hash lookup.
    last: Option<(Id, u32)>,
}

impl Objs {
    fn get(&self, i: u32) -> Id {
        self.ids[i as usize]
    }

    /// The index of `obj`, given one on first use.
    fn intern(&mut self, obj: Id) -> u32 {
        if let Some((id, i)) = self.last {
            if id == obj {
                return i;
            }
        }
        let i = *self.index.entry(obj).or_insert_with(|| {
            self.ids.push(obj);
            u32::try_from(self.ids.len() - 1).expect("fewer than 2^32 objects")
        });
        self.last = Some((obj, i));
        i
    }
}

/// The op log of a document.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpLog {
    /// The entries of each actor, in counter order. They grow with the document for as long
    /// as it lives, so they grow by chunks, never moving.
    by_actor: Vec<Chunked<Entry>>,
    /// The actions of each actor's [`Kind::Other`] entries.
    others: Vec<Vec<LogAction>>,
    objs: Objs,
}

impl OpLog {
    /// The entries of `actor`, created on first use.
    #[inline]
    fn actor_mut(&mut self, actor: ActorIdx) -> &mut Chunked<Entry> {
        let a = actor.index();
        if self.by_actor.len() <= a {
            self.add_actors(a + 1);
        }
        &mut self.by_actor[a]
    }

    /// Makes room for the entries of the first `n` actors.
    #[inline(never)]
    fn add_actors(&mut self, n: usize) {
        self.by_actor.resize_with(n, Chunked::default);
        self.others.resize_with(n, Vec::new);
    }

    /// Appends an entry of `actor` for an action of the rare kinds.
    fn push_other(&mut self, id: Id, obj: Id, len: u64, action: LogAction) {
        self.actor_mut(id.actor());
        let others = &mut self.others[id.actor().index()];
        let i = u32::try_from(others.len()).expect("fewer than 2^32 actions of one actor");
        others.push(action);
        let obj = self.objs.intern(obj);
        self.by_actor[id.actor().index()].push(Entry {
            start: id.counter32(),
            len: entry_len(len),
            obj,
            kind: Kind::Other(i),
        });
    }

    /// Appends an op (or a run of them), merging it into the actor's last record if it
    /// continues it.
    pub(crate) fn push(&mut self, record: Record) {
        let Record {
            id,
            obj,
            len,
            action,
        } = record;
        match action {
            LogAction::InsertText { bytes } => {
                self.push_text(id, obj, bytes, len);
            }
            LogAction::DeleteSpan { target, backward } => {
                self.push_delete(id, obj, len, (target, backward), false);
            }
            LogAction::Delete {
                key: RegKey::Elem(e),
                pred,
            } if pred.as_slice() == [e] => self.push_delete(id, obj, len, (e, false), true),
            LogAction::DeleteElems { target, backward } => {
                self.push_delete(id, obj, len, (target, backward), true);
            }
            LogAction::InsertList {
                left,
                right,
                values,
            } => {
                self.actor_mut(id.actor());
                let a = id.actor().index();
                let (entries, others) = (&mut self.by_actor[a], &mut self.others[a]);
                if let Some(last) = entries.last_mut() {
                    let last_id = last.id(id.actor(), last.len() - 1);
                    if let Kind::Other(i) = last.kind {
                        if let Some(LogAction::InsertList {
                            right: r,
                            values: v,
                            ..
                        }) = others.get_mut(i as usize)
                        {
                            if self.objs.get(last.obj) == obj
                                && last.end() == id.counter()
                                && left == Some(last_id)
                                && *r == right
                            {
                                last.grow(len);
                                v.extend(values);
                                return;
                            }
                        }
                    }
                }
                let action = LogAction::InsertList {
                    left,
                    right,
                    values,
                };
                self.push_other(id, obj, len, action);
            }
            action => self.push_other(id, obj, len, action),
        }
    }

    /// Appends deletes as ops `id .. id + len` of the elements from `target` (forward, or
    /// backward from it), text spans or list elements (`elems`), merged into the actor's last
    /// entry where they continue it.
    pub(crate) fn push_delete(
        &mut self,
        id: Id,
        obj: Id,
        len: u64,
        (target, backward): (Id, bool),
        elems: bool,
    ) {
        self.actor_mut(id.actor());
        let entries = &mut self.by_actor[id.actor().index()];
        if let Some(last) = entries.last_mut() {
            if self.objs.get(last.obj) == obj && last.end() == id.counter() && !backward {
                if let Some(back) = last.continues_delete(target, len, elems) {
                    last.grow(len);
                    if let Kind::DeleteSpan { backward, .. } | Kind::ElemDeletes { backward, .. } =
                        &mut last.kind
                    {
                        *backward = back;
                    }
                    return;
                }
            }
        }
        let kind = if elems {
            Kind::ElemDeletes { target, backward }
        } else {
            Kind::DeleteSpan { target, backward }
        };
        entries.push(Entry {
            start: id.counter32(),
            len: entry_len(len),
            obj: self.objs.intern(obj),
            kind,
        });
    }

    /// Appends an insert of `chars` characters as ops `id ..`, which took the bytes `bytes`
    /// of the actor's buffer in the store of the text `obj`; in place when it takes the next
    /// ids and bytes after the actor's last record, an insert into the same text: the common
    /// case of typing allocates nothing.
    pub(crate) fn push_text(&mut self, id: Id, obj: Id, bytes: Range<u32>, chars: u64) {
        self.actor_mut(id.actor());
        let entries = &mut self.by_actor[id.actor().index()];
        let (from, to) = (bytes.start, bytes.end);
        if let Some(last) = entries.last_mut() {
            let continues = self.objs.get(last.obj) == obj && last.end() == id.counter();
            if let (true, Kind::Text { bytes }) = (continues, &mut last.kind) {
                if bytes.end == from {
                    bytes.end = to;
                    last.len = entry_len(u64::from(last.len) + chars);
                    return;
                }
            }
        }
        entries.push(Entry {
            start: id.counter32(),
            len: entry_len(chars),
            obj: self.objs.intern(obj),
            kind: Kind::Text {
                bytes: ByteRange {
                    start: from,
                    end: to,
                },
            },
        });
    }

    pub(crate) fn mark(&self, actor: ActorIdx) -> ActorMark {
        let entries = self.by_actor.get(actor.index());
        let last = entries.and_then(Chunked::last);
        let last_text_end = match last.map(|r| &r.kind) {
            Some(Kind::Text { bytes, .. }) => bytes.end,
            _ => 0,
        };
        ActorMark {
            records: entries.map_or(0, Chunked::len),
            last_len: last.map_or(0, Entry::len),
            last_text_end,
            others_len: self.others.get(actor.index()).map_or(0, Vec::len),
        }
    }

    /// Forgets every op `actor` appended since `mark`.
    pub(crate) fn rollback(&mut self, actor: ActorIdx, mark: &ActorMark) {
        let a = actor.index();
        let (Some(entries), Some(others)) = (self.by_actor.get_mut(a), self.others.get_mut(a))
        else {
            return;
        };
        entries.truncate(mark.records);
        others.truncate(mark.others_len);
        if let Some(last) = entries.last_mut() {
            last.truncate(mark.last_len, mark.last_text_end, others);
        }
    }

    /// How many records the log keeps for `actor`.
    #[cfg(test)]
    pub(crate) fn records_of(&self, actor: ActorIdx) -> usize {
        self.by_actor.get(actor.index()).map_or(0, Chunked::len)
    }

    /// Drops the ops of actors from `actors` on (their table entries are being forgotten).
    pub(crate) fn truncate_actors(&mut self, actors: usize) {
        self.by_actor.truncate(actors);
        self.others.truncate(actors);
    }

    /// The elements of `obj` deleted by ops of version `clock`, as spans `(first, len)` of
    /// element ids (possibly overlapping, where concurrent deletes hit one element).
    pub(crate) fn deleted_in(&self, obj: Id, clock: &Clock) -> Vec<(Id, u64)> {
        let mut spans = Vec::new();
        let Some(&obj) = self.objs.index.get(&obj) else {
            return spans;
        };
        for (a, entries) in self.by_actor.iter().enumerate() {
            let actor = ActorIdx(a as u32);
            for r in entries.iter().filter(|r| r.obj == obj) {
                let Kind::DeleteSpan { target, backward } = r.kind else {
                    continue;
                };
                // The record's ops in the version are a prefix: counters grow along it.
                let max = clock.get(actor);
                if max < r.counter() {
                    continue;
                }
                let n = r.len().min(max - r.counter() + 1);
                let first = if backward {
                    Id::new(target.actor(), target.counter() + 1 - n)
                } else {
                    target
                };
                spans.push((first, n));
            }
        }
        spans
    }

    /// The ops of `actor` with counters in `start .. end`, in the public id space, in counter
    /// order. `export` renders internal ids; `texts` gives the characters and origins of text
    /// inserts.
    pub(crate) fn ops_in(
        &self,
        actor: ActorIdx,
        range: (u64, u64),
        export: impl Fn(Id) -> OpId,
        texts: &impl TextSource,
    ) -> Vec<Op> {
        // Nearly every change is a single op (a keystroke).
        let mut ops = Vec::with_capacity(1);
        self.view_ops_in(actor, range, export, texts, |op| ops.push(op.to_op()));
        ops
    }

    /// Calls `f` with each op of `actor` with counters in `start .. end`, as
    /// [`OpLog::ops_in`] returns them, borrowed from the log and from `texts`.
    pub(crate) fn view_ops_in<'a>(
        &'a self,
        actor: ActorIdx,
        (start, end): (u64, u64),
        export: impl Fn(Id) -> OpId,
        texts: &'a impl TextSource,
        mut f: impl FnMut(OpView<'a>),
    ) {
        let Some(entries) = self.by_actor.get(actor.index()) else {
            return;
        };
        let others = self.others.get(actor.index()).map_or(&[][..], |v| v);
        let first = entries.partition_point(|r| r.end() <= start);
        for r in entries.iter_from(first).take_while(|r| r.counter() < end) {
            let from = start.saturating_sub(r.counter());
            let to = (end - r.counter()).min(r.len());
            let obj = self.objs.get(r.obj);
            slice(
                (actor, obj),
                r,
                (texts, others),
                (from, to),
                &export,
                &mut f,
            );
        }
    }
}

/// What rebuilding a text insert reads from the text it went into.
pub(crate) trait TextSource {
    /// Every character `actor` inserted into the text `obj`, in counter order: the buffer
    /// whose byte ranges the log's entries name.
    fn inserted(&self, obj: Id, actor: ActorIdx) -> &str;
    /// The left and right origins of element `elem` of the text `obj`, and how many of the
    /// elements from `elem` on, at least one and at most `max`, make one insert with it: each
    /// after it has the next counter, the one before it as left origin, and its right origin.
    fn chain(&self, obj: Id, elem: Id, max: u64) -> (Option<Id>, Option<Id>, u64);
}

/// Calls `out` with the public ops of ops `from .. to` (offsets in entry `r` of `actor`, on
/// `obj`). `texts` gives the characters and origins of text inserts; `others` holds the
/// actor's actions of the rare kinds.
fn slice<'a>(
    (actor, obj_id): (ActorIdx, Id),
    r: &Entry,
    (texts, others): (&'a impl TextSource, &'a [LogAction]),
    (from, to): (u64, u64),
    export: &impl Fn(Id) -> OpId,
    out: &mut impl FnMut(OpView<'a>),
) {
    let obj = match obj_id {
        ROOT_ID => ObjId::Root,
        id => ObjId::Op(export(id)),
    };
    let key = |k: &'a RegKey| match k {
        RegKey::Map(s) => KeyView::Map(s),
        RegKey::Elem(e) => KeyView::Elem(export(*e)),
    };
    let ids = |p: &[Id]| p.iter().map(|&i| export(i)).collect::<Preds>();
    let left_of = |left: &Option<Id>| {
        if from == 0 {
            left.map(export)
        } else {
            Some(export(r.id(actor, from - 1)))
        }
    };
    let mut push = |action| out(OpView { obj, action });
    match &r.kind {
        Kind::Text { bytes } => {
            let all = &texts.inserted(obj_id, actor)[bytes.start as usize..bytes.end as usize];
            // The byte offset of each character boundary from `from` on, in turn: found by
            // arithmetic where each character is one byte.
            let ascii = all.len() as u64 == r.len();
            let mut bounds = all.char_indices().map(|(i, _)| i).chain([all.len()]);
            let mut next_bound = |skip: u64| match ascii {
                true => None,
                false => Some(bounds.nth(skip as usize).unwrap_or(all.len())),
            };
            let mut begin = next_bound(from).unwrap_or(from as usize);
            let mut at = from;
            while at < to {
                let (left, right, n) = texts.chain(obj_id, r.id(actor, at), to - at);
                let end = next_bound(n - 1).unwrap_or((at + n) as usize);
                push(ActionView::Insert {
                    left: left.map(export),
                    right: right.map(export),
                    values: ValuesView::Text {
                        text: &all[begin..end],
                        chars: n,
                    },
                });
                (at, begin) = (at + n, end);
            }
        }
        Kind::DeleteSpan {
            target,
            backward: false,
        } => push(ActionView::DeleteSpan {
            first: export(target.add(from)),
            len: to - from,
            backward: false,
        }),
        Kind::DeleteSpan {
            target,
            backward: true,
        } => push(ActionView::DeleteSpan {
            first: export(Id::new(target.actor(), target.counter() - from)),
            len: to - from,
            backward: to - from > 1,
        }),
        Kind::ElemDeletes { target, backward } => {
            for k in from..to {
                let e = if *backward {
                    Id::new(target.actor(), target.counter() - k)
                } else {
                    target.add(k)
                };
                let e = export(e);
                push(ActionView::Delete {
                    key: KeyView::Elem(e),
                    pred: smallvec::smallvec![e],
                });
            }
        }
        Kind::Other(i) => match &others[*i as usize] {
            LogAction::Put {
                key: k,
                value,
                pred,
            } => push(ActionView::Put {
                key: key(k),
                value,
                pred: ids(pred),
            }),
            LogAction::Delete { key: k, pred } => push(ActionView::Delete {
                key: key(k),
                pred: ids(pred),
            }),
            LogAction::Increment { key: k, by, pred } => push(ActionView::Increment {
                key: key(k),
                by: *by,
                pred: ids(pred),
            }),
            LogAction::InsertList {
                left,
                right,
                values,
            } => push(ActionView::Insert {
                left: left_of(left),
                right: right.map(export),
                values: ValuesView::List(&values[from as usize..to as usize]),
            }),
            LogAction::InsertText { .. }
            | LogAction::DeleteSpan { .. }
            | LogAction::DeleteElems { .. } => {
                unreachable!("text inserts and span deletes have their own entries")
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Action, InsertValues, Key};

    fn id(counter: u64) -> Id {
        Id::new(ActorIdx(0), counter)
    }

    /// A text as the log reads it back: one actor's buffer, and the inserts made into it,
    /// `(first counter, length, left origin, right origin)`, for the elements' origins.
    #[derive(Default)]
    struct Texts {
        buf: String,
        inserts: Vec<(u64, u64, Option<u64>, Option<u64>)>,
    }

    impl Texts {
        /// An insert of `s` between `left` and `right`, its characters appended to the buffer.
        fn insert(
            &mut self,
            at: u64,
            (left, right): (Option<u64>, Option<u64>),
            s: &str,
        ) -> Record {
            let from = self.buf.len() as u32;
            self.buf.push_str(s);
            let len = s.chars().count() as u64;
            self.inserts.push((at, len, left, right));
            Record {
                id: id(at),
                obj: id(1),
                len,
                action: LogAction::InsertText {
                    bytes: from..self.buf.len() as u32,
                },
            }
        }

        /// An insert of `s` after `left`, at the end of the text.
        fn text(&mut self, at: u64, left: Option<u64>, s: &str) -> Record {
            self.insert(at, (left, None), s)
        }
    }

    impl TextSource for Texts {
        fn inserted(&self, _: Id, _: ActorIdx) -> &str {
            &self.buf
        }

        fn chain(&self, _: Id, elem: Id, max: u64) -> (Option<Id>, Option<Id>, u64) {
            let origins = |c: u64| {
                let &(at, _, left, right) = self
                    .inserts
                    .iter()
                    .find(|&&(at, len, ..)| (at..at + len).contains(&c))?;
                Some((if c == at { left } else { Some(c - 1) }, right))
            };
            let c = elem.counter();
            let (left, right) = origins(c).expect("an inserted element");
            let n = (1..max)
                .take_while(|&k| origins(c + k) == Some((Some(c + k - 1), right)))
                .count() as u64;
            (left.map(id), right.map(id), n + 1)
        }
    }

    fn del(at: u64, target: u64) -> Record {
        Record {
            id: id(at),
            obj: id(1),
            len: 1,
            action: LogAction::DeleteSpan {
                target: id(target),
                backward: false,
            },
        }
    }

    fn export(i: Id) -> OpId {
        OpId::new(
            i.counter(),
            crate::ActorId::from_bytes([i.actor().0 as u8; 16]),
        )
    }

    #[test]
    fn entries_are_24_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 24);
    }

    #[test]
    fn typing_and_backspacing_make_one_record_each() {
        let (mut log, mut t) = (OpLog::default(), Texts::default());
        log.push(t.text(2, None, "h"));
        log.push(t.text(3, Some(2), "é"));
        log.push(t.text(4, Some(3), "llo"));
        // Backspace three times from the end, then type elsewhere.
        log.push(del(7, 6));
        log.push(del(8, 5));
        log.push(del(9, 4));
        log.push(t.text(10, Some(2), "x"));
        assert_eq!(log.by_actor[0].len(), 3);
        assert_eq!(log.by_actor[0].get(0).unwrap().len, 5);
        assert_eq!(log.by_actor[0].get(1).unwrap().len, 3);

        // Slicing gives one public op per record inside the range.
        let ops = log.ops_in(ActorIdx(0), (3, 9), export, &t);
        assert_eq!(ops.len(), 2);
        match &ops[0].action {
            Action::Insert { left, values, .. } => {
                assert_eq!(*left, Some(export(id(2))));
                assert_eq!(
                    values,
                    &InsertValues::Text {
                        text: "éllo".into(),
                        chars: 4
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        match &ops[1].action {
            Action::DeleteSpan {
                first,
                len: 2,
                backward: true,
            } => assert_eq!(first.counter(), 6),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn list_deletes_of_inserted_values_make_one_record() {
        let mut log = OpLog::default();
        let elem_del = |at: u64, e: u64, pred: u64| Record {
            id: id(at),
            obj: id(1),
            len: 1,
            action: LogAction::Delete {
                key: RegKey::Elem(id(e)),
                pred: smallvec::smallvec![id(pred)],
            },
        };
        // Backspacing over elements 5, 4, 3, then deleting forward from 6; then a delete of
        // an element overwritten since (its predecessor is another op), which stays apart.
        log.push(elem_del(10, 5, 5));
        log.push(elem_del(11, 4, 4));
        log.push(elem_del(12, 3, 3));
        log.push(elem_del(13, 6, 6));
        log.push(elem_del(14, 7, 7));
        log.push(elem_del(15, 8, 2));
        assert_eq!(log.by_actor[0].len(), 3);
        let ops = log.ops_in(ActorIdx(0), (10, 16), export, &Texts::default());
        let deleted: Vec<(u64, Vec<u64>)> = ops
            .iter()
            .map(|op| match &op.action {
                Action::Delete {
                    key: Key::Elem(e),
                    pred,
                } => (e.counter(), pred.iter().map(|p| p.counter()).collect()),
                other => panic!("{other:?}"),
            })
            .collect();
        let want = [(5, 5), (4, 4), (3, 3), (6, 6), (7, 7), (8, 2)];
        assert_eq!(deleted, want.map(|(e, p)| (e, vec![p])));
        // A slice inside the backward run.
        let ops = log.ops_in(ActorIdx(0), (11, 12), export, &Texts::default());
        assert!(
            matches!(&ops[..], [Op { action: Action::Delete { key: Key::Elem(e), .. }, .. }] if e.counter() == 4)
        );
    }

    #[test]
    fn rollback_restores_the_log() {
        let (mut log, mut t) = (OpLog::default(), Texts::default());
        log.push(t.text(2, None, "ab"));
        let mark = log.mark(ActorIdx(0));
        // "cd" and "e" (typed elsewhere) grow the record, the delete starts one; rolling back
        // restores the first record as it was.
        log.push(t.text(4, Some(3), "cd"));
        log.push(t.insert(6, (Some(1), Some(2)), "e"));
        log.push(del(7, 1));
        log.rollback(ActorIdx(0), &mark);
        // The text's store truncates its buffer when the inserts are undone.
        t.buf.truncate(2);
        t.inserts.truncate(1);
        assert_eq!(log.by_actor[0].len(), 1);
        let ops = log.ops_in(ActorIdx(0), (0, 100), export, &t);
        assert_eq!(ops.len(), 1);
        assert!(matches!(
            &ops[0].action,
            Action::Insert {
                values: InsertValues::Text { chars: 2, .. },
                ..
            }
        ));
        log.push(del(4, 2));
        log.push(del(5, 3));
        assert_eq!(log.by_actor[0].len(), 2);
    }

    /// Inserts into one text with the next ids make one entry wherever they go; the entry is
    /// cut back into the ops that made it where an element does not continue the one before.
    #[test]
    fn an_entry_holds_inserts_across_jumps_and_slices_at_them() {
        let (mut log, mut t) = (OpLog::default(), Texts::default());
        log.push(t.insert(2, (None, Some(1)), "ab"));
        // Next id, left origin the last element, but typed before another element.
        log.push(t.insert(4, (Some(3), Some(0)), "c"));
        log.push(t.insert(5, (Some(4), Some(0)), "d"));
        let mark = log.mark(ActorIdx(0));
        // A jump back into the text, typing on from there.
        log.push(t.insert(6, (Some(2), Some(3)), "é"));
        log.push(t.insert(7, (Some(6), Some(3)), "f"));
        assert_eq!(log.records_of(ActorIdx(0)), 1);
        let ops = |log: &OpLog, t: &Texts, range| {
            let ops = log.ops_in(ActorIdx(0), range, export, t);
            ops.iter()
                .map(|op| match &op.action {
                    Action::Insert {
                        left,
                        right,
                        values: InsertValues::Text { text, chars },
                    } => {
                        assert_eq!(text.chars().count() as u64, *chars);
                        let counter = |i: Option<OpId>| i.map(|i| i.counter());
                        (counter(*left), counter(*right), text.clone())
                    }
                    other => panic!("{other:?}"),
                })
                .collect::<Vec<_>>()
        };
        let want = |w: &[(Option<u64>, Option<u64>, &str)]| {
            w.iter()
                .map(|&(l, r, s)| (l, r, s.to_owned()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ops(&log, &t, (2, 8)),
            want(&[
                (None, Some(1), "ab"),
                (Some(3), Some(0), "cd"),
                (Some(2), Some(3), "éf")
            ])
        );
        assert_eq!(
            ops(&log, &t, (3, 7)),
            want(&[
                (Some(2), Some(1), "b"),
                (Some(3), Some(0), "cd"),
                (Some(2), Some(3), "é")
            ])
        );
        assert_eq!(ops(&log, &t, (7, 8)), want(&[(Some(6), Some(3), "f")]));
        // Rolled back, the entry ends where the mark found it, and grows again from there.
        log.rollback(ActorIdx(0), &mark);
        t.buf.truncate(4);
        t.inserts.truncate(3);
        assert_eq!(ops(&log, &t, (0, 100)).len(), 2);
        log.push(t.insert(6, (Some(5), Some(0)), "e"));
        assert_eq!(log.records_of(ActorIdx(0)), 1);
        assert_eq!(
            ops(&log, &t, (3, 7)),
            want(&[(Some(2), Some(1), "b"), (Some(3), Some(0), "cde")])
        );
    }
}
