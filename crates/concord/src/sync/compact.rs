//! Changes in the compact form of sync messages, and the session context that form is
//! relative to (`docs/sync-protocol.md` specifies the bytes).
//!
//! A session's messages form chains: the first message of a chain stands alone, and each
//! later one is read in the context the earlier ones built. The context holds the actors
//! named so far (each sent in full once, then named by its index) and, per author, a
//! *trail*: its last change's seq and last op, and where its last op was (object, right
//! origin, last element inserted, last span deleted). Typing is a run of one-character
//! inserts into the same object, each after the previous character and before the same
//! right neighbour, each depending on the change before it: against the trail, such a change
//! is a flag byte, an op byte and its text.
//!
//! Writer and reader update the context the same way, so both ends of a chain hold equal
//! contexts after each message. The receiver checks that a message continues its chain
//! before reading it (`message.rs`); here the context is trusted, and everything else is
//! not: every reference to it is checked, and bad bytes are a [`DecodeError`].

use rustc_hash::FxHashMap;

use crate::change::{
    forward_spans, Action, Change, ChangeMeta, Group, InsertValues, Key, NewValue, Op, Preds,
};
use crate::encoding::changes::{read_value, start_base, write_value};
use crate::encoding::cursor::Cursor;
use crate::encoding::leb128::{write_i64, write_u64};
use crate::{ActorId, DecodeError, DecodeErrorKind, ObjId, OpId};

/// What both ends of a chain know after its messages so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Context {
    /// The actors named so far, by index.
    actors: Vec<ActorId>,
    index: FxHashMap<ActorId, u32>,
    /// Per actor index, the trail of the actor's last change in the chain.
    trails: Vec<Option<Trail>>,
    /// Per actor index, how many of its changes the sender last said it has.
    have: Vec<u64>,
    /// The heads of the last message.
    pub(super) heads: Vec<OpId>,
    /// The author of the last change in the chain.
    last_author: Option<u32>,
}

/// Where an author's last change left off.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Trail {
    seq: u64,
    /// The counter of the change's last op.
    last_op: u64,
    /// The object of its last op.
    obj: ObjId,
    /// The right origin of its last insert.
    right: Option<OpId>,
    /// The last element it inserted.
    ins: Option<OpId>,
    /// The first element and length of its last text delete.
    del: Option<(OpId, u64)>,
}

impl Trail {
    fn start() -> Self {
        Trail {
            seq: 0,
            last_op: 0,
            obj: ObjId::Root,
            right: None,
            ins: None,
            del: None,
        }
    }
}

// Change flags.
const AUTHOR_SAME: u8 = 1;
const SEQ_NEXT: u8 = 2;
const DEPS_BASE: u8 = 4;
const START_BASE: u8 = 8;
const EXTRA: u8 = 16;
const MANY_OPS: u8 = 32;
const CHANGE_FLAGS: u8 = 63;

// Op byte: the action in the low three bits, then flags.
const ACTION: u8 = 7;
const OBJ_SAME: u8 = 8;
// Inserts.
const LEFT_PREV: u8 = 16;
const RIGHT_SHIFT: u8 = 5;
const RIGHT_TRAIL: u8 = 0;
const RIGHT_NONE: u8 = 1;
const RIGHT_ID: u8 = 2;
const RIGHT_DEL: u8 = 3;
const LEFT_DEL: u8 = 128;
// Text deletes.
const TARGET_SHIFT: u8 = 4;
const TARGET_ID: u8 = 0;
const TARGET_INS: u8 = 1;
const TARGET_BACK: u8 = 2;
const TARGET_FORWARD: u8 = 3;
const LEN_ONE: u8 = 64;

// Actions, as in the changes chunk.
const PUT: u8 = 0;
const DELETE: u8 = 1;
const INCREMENT: u8 = 2;
const INSERT_LIST: u8 = 3;
const INSERT_TEXT: u8 = 4;
const DELETE_SPAN: u8 = 5;

impl Context {
    /// Every actor with a count, and the count, sorted by actor: the sender's version vector.
    pub(super) fn have(&self) -> Vec<(ActorId, u64)> {
        let mut out: Vec<(ActorId, u64)> = self
            .actors
            .iter()
            .zip(&self.have)
            .filter(|&(_, &n)| n > 0)
            .map(|(&a, &n)| (a, n))
            .collect();
        out.sort_unstable();
        out
    }

    /// How many changes of `actor` the sender last said it has.
    pub(super) fn have_of(&self, actor: &ActorId) -> u64 {
        self.index.get(actor).map_or(0, |&i| self.have[i as usize])
    }

    fn push(&mut self, actor: ActorId) -> u32 {
        let i = self.actors.len() as u32;
        self.actors.push(actor);
        self.index.insert(actor, i);
        self.trails.push(None);
        self.have.push(0);
        i
    }
}

/// Writes into a message, advancing the sender's context.
pub(super) struct Writer<'a> {
    pub(super) ctx: &'a mut Context,
    pub(super) out: &'a mut Vec<u8>,
}

impl Writer<'_> {
    /// `changes` in the compact form, written against `ctx`, which they advance.
    pub(super) fn rows(ctx: &mut Context, changes: &[Change]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = Writer { ctx, out: &mut out };
        for c in changes {
            w.change(c);
        }
        out
    }

    /// An actor: its index plus `offset`; a new one gets the next index and its 16 bytes
    /// follow.
    pub(super) fn actor(&mut self, actor: ActorId, offset: u64) -> u32 {
        match self.ctx.index.get(&actor) {
            Some(&i) => {
                write_u64(self.out, u64::from(i) + offset);
                i
            }
            None => {
                let i = self.ctx.push(actor);
                write_u64(self.out, u64::from(i) + offset);
                self.out.extend_from_slice(actor.as_bytes());
                i
            }
        }
    }

    /// An op id: its actor, then its counter as a difference below `reference`.
    fn id(&mut self, id: OpId, reference: u64) {
        self.actor(id.actor(), 0);
        write_i64(self.out, reference.wrapping_sub(id.counter()) as i64);
    }

    /// An optional op id: 0 for none, else its actor plus one, then its counter.
    fn opt_id(&mut self, id: Option<OpId>, reference: u64) {
        match id {
            None => write_u64(self.out, 0),
            Some(id) => {
                self.actor(id.actor(), 1);
                write_i64(self.out, reference.wrapping_sub(id.counter()) as i64);
            }
        }
    }

    /// Records that the sender has `n` changes of the actor at `i`.
    pub(super) fn set_have(&mut self, i: u32, n: u64) {
        let have = &mut self.ctx.have[i as usize];
        *have = (*have).max(n);
    }

    /// A change, which the peer will read in the context so far.
    pub(super) fn change(&mut self, c: &Change) {
        // The compact form, like the columns, has forward spans only.
        let ops = forward_spans(&c.ops);
        let known = self.ctx.index.get(&c.actor).copied();
        let trail = known.and_then(|i| self.ctx.trails[i as usize]);
        let mut flags = 0;
        if known.is_some() && self.ctx.last_author == known {
            flags |= AUTHOR_SAME;
        }
        let seq_next = trail.is_some_and(|t| t.seq.checked_add(1) == Some(c.seq));
        if seq_next {
            flags |= SEQ_NEXT;
            if trail.is_some_and(|t| c.deps == [OpId::new(t.last_op, c.actor)]) {
                flags |= DEPS_BASE;
            }
        }
        let base = start_base(&c.deps);
        if c.start_op == base {
            flags |= START_BASE;
        }
        if c.time != 0 || c.message.is_some() || !c.groups.is_empty() {
            flags |= EXTRA;
        }
        if ops.len() != 1 {
            flags |= MANY_OPS;
        }
        self.out.push(flags);
        let author = match known {
            Some(i) if flags & AUTHOR_SAME != 0 => i,
            _ => self.actor(c.actor, 0),
        };
        if flags & SEQ_NEXT == 0 {
            write_u64(self.out, c.seq);
        }
        let reference = trail.map_or(0, |t| t.last_op);
        if flags & DEPS_BASE == 0 {
            write_u64(self.out, c.deps.len() as u64);
            for &d in &c.deps {
                self.id(d, reference);
            }
        }
        if flags & START_BASE == 0 {
            write_i64(self.out, c.start_op.wrapping_sub(base) as i64);
        }
        if flags & EXTRA != 0 {
            write_i64(self.out, c.time);
            match &c.message {
                None => write_u64(self.out, 0),
                Some(m) => {
                    write_u64(self.out, m.len() as u64 + 1);
                    self.out.extend_from_slice(m.as_bytes());
                }
            }
            write_u64(self.out, c.groups.len() as u64);
            for (g, group) in c.groups.iter().enumerate() {
                write_u64(self.out, group.name.len() as u64);
                self.out.extend_from_slice(group.name.as_bytes());
                write_u64(self.out, group.parent.map_or(0, |p| (g - p) as u64));
                write_u64(self.out, group.ops.start.wrapping_sub(c.start_op));
                write_u64(self.out, group.ops.end.wrapping_sub(group.ops.start));
            }
        }
        if flags & MANY_OPS != 0 {
            write_u64(self.out, ops.len() as u64);
        }
        let mut t = trail.unwrap_or_else(Trail::start);
        let mut counter = c.start_op;
        for op in ops.iter() {
            self.op(op, c.actor, counter, &mut t);
            counter = counter.wrapping_add(op.len());
        }
        t.seq = c.seq;
        t.last_op = counter.wrapping_sub(1);
        self.ctx.trails[author as usize] = Some(t);
        self.ctx.last_author = Some(author);
        self.set_have(author, c.seq);
    }

    /// An op whose first id is `counter@author`.
    fn op(&mut self, op: &Op, author: ActorId, counter: u64, t: &mut Trail) {
        let mut head = if op.obj == t.obj { OBJ_SAME } else { 0 };
        match &op.action {
            Action::Put { .. } => head |= PUT,
            Action::Delete { .. } => head |= DELETE,
            Action::Increment { .. } => head |= INCREMENT,
            Action::Insert {
                left,
                right,
                values,
            } => {
                head |= match values {
                    InsertValues::Text { .. } => INSERT_TEXT,
                    InsertValues::List(_) => INSERT_LIST,
                };
                if counter > 1 && *left == Some(OpId::new(counter - 1, author)) {
                    head |= LEFT_PREV;
                } else if left.is_some() && *left == before(t.del) {
                    head |= LEFT_DEL;
                }
                let mode = if *right == t.right {
                    RIGHT_TRAIL
                } else if right.is_none() {
                    RIGHT_NONE
                } else if *right == t.del.map(|(d, _)| d) {
                    RIGHT_DEL
                } else {
                    RIGHT_ID
                };
                head |= mode << RIGHT_SHIFT;
            }
            Action::DeleteSpan { first, len, .. } => {
                head |= DELETE_SPAN;
                if *len == 1 {
                    head |= LEN_ONE;
                }
                head |= target_mode(t, *first, *len) << TARGET_SHIFT;
            }
        }
        self.out.push(head);
        if head & OBJ_SAME == 0 {
            match op.obj {
                ObjId::Root => write_u64(self.out, 0),
                ObjId::Op(id) => self.opt_id(Some(id), counter),
            }
        }
        match &op.action {
            Action::Put { key, value, pred } => {
                self.register(key, pred, counter);
                write_value(value, self.out);
            }
            Action::Delete { key, pred } => self.register(key, pred, counter),
            Action::Increment { key, by, pred } => {
                self.register(key, pred, counter);
                write_i64(self.out, *by);
            }
            Action::Insert {
                left,
                right,
                values,
            } => {
                if head & (LEFT_PREV | LEFT_DEL) == 0 {
                    self.opt_id(*left, counter);
                }
                if (head >> RIGHT_SHIFT) & 3 == RIGHT_ID {
                    if let Some(r) = right {
                        self.id(*r, counter);
                    }
                }
                match values {
                    InsertValues::Text { text, .. } => {
                        write_u64(self.out, text.len() as u64);
                        self.out.extend_from_slice(text.as_bytes());
                    }
                    InsertValues::List(values) => {
                        write_u64(self.out, values.len() as u64);
                        for v in values {
                            write_value(v, self.out);
                        }
                    }
                }
                t.right = *right;
                t.ins = Some(OpId::new(
                    counter.wrapping_add(values.len()).wrapping_sub(1),
                    author,
                ));
            }
            Action::DeleteSpan { first, len, .. } => {
                if *len != 1 {
                    write_u64(self.out, *len);
                }
                if (head >> TARGET_SHIFT) & 3 == TARGET_ID {
                    self.id(*first, counter);
                }
                t.del = Some((*first, *len));
            }
        }
        t.obj = op.obj;
    }

    fn register(&mut self, key: &Key, pred: &[OpId], counter: u64) {
        match key {
            Key::Map(k) => {
                write_u64(self.out, k.len() as u64 + 1);
                self.out.extend_from_slice(k.as_bytes());
            }
            Key::Elem(e) => {
                write_u64(self.out, 0);
                self.id(*e, counter);
            }
        }
        write_u64(self.out, pred.len() as u64);
        for &p in pred {
            self.id(p, counter);
        }
    }
}

/// The element just before the first one of a text delete: where typing resumes after a
/// backspace.
fn before(del: Option<(OpId, u64)>) -> Option<OpId> {
    let (d, _) = del?;
    let c = d.counter().checked_sub(1).filter(|&c| c > 0)?;
    Some(OpId::new(c, d.actor()))
}

/// How a text delete of `len` elements from `first` follows the author's trail.
fn target_mode(t: &Trail, first: OpId, len: u64) -> u8 {
    if t.ins == Some(first) {
        return TARGET_INS;
    }
    match t.del {
        Some((d, _)) if back(d, len) == Some(first) => TARGET_BACK,
        Some((d, n)) if forward(d, n) == Some(first) => TARGET_FORWARD,
        _ => TARGET_ID,
    }
}

/// The first element of a delete of `len` that ends where the delete from `d` starts
/// (backspace).
fn back(d: OpId, len: u64) -> Option<OpId> {
    let c = d.counter().checked_sub(len).filter(|&c| c > 0)?;
    Some(OpId::new(c, d.actor()))
}

/// The element just after a delete of `n` from `d` (the delete key).
fn forward(d: OpId, n: u64) -> Option<OpId> {
    Some(OpId::new(d.counter().checked_add(n)?, d.actor()))
}

/// Reads from a message, advancing the receiver's copy of the context.
pub(super) struct Reader<'a, 'b> {
    pub(super) ctx: &'b mut Context,
    pub(super) c: &'b mut Cursor<'a>,
}

impl Reader<'_, '_> {
    fn error(&self, offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError { offset, kind }
    }

    /// The actor at `index`, or a new one whose 16 bytes follow if `index` is the next one.
    fn actor_at(&mut self, index: u64, offset: usize) -> Result<u32, DecodeError> {
        let len = self.ctx.actors.len();
        if index < len as u64 {
            return Ok(index as u32);
        }
        if index > len as u64 || len >= u32::MAX as usize {
            return Err(self.error(
                offset,
                DecodeErrorKind::ActorOutOfRange {
                    column: "sync actor",
                    index,
                    actors: len,
                },
            ));
        }
        let at = self.c.offset();
        let actor = ActorId::from_bytes(self.c.array::<16>()?);
        if let Some(&i) = self.ctx.index.get(&actor) {
            return Err(self.error(at, DecodeErrorKind::RepeatedActor { index: i }));
        }
        Ok(self.ctx.push(actor))
    }

    /// An actor that [`Writer::actor`] wrote with offset 0.
    pub(super) fn actor(&mut self) -> Result<u32, DecodeError> {
        let offset = self.c.offset();
        let index = self.c.uleb()?;
        self.actor_at(index, offset)
    }

    pub(super) fn actor_id(&self, i: u32) -> ActorId {
        self.ctx.actors[i as usize]
    }

    /// A counter written as a difference below `reference`; never 0.
    fn counter(&mut self, reference: u64, column: &'static str) -> Result<u64, DecodeError> {
        let offset = self.c.offset();
        let d = self.c.ileb()?;
        match reference.wrapping_sub(d as u64) {
            0 => Err(self.error(offset, DecodeErrorKind::ZeroCounter { column })),
            c => Ok(c),
        }
    }

    fn id(&mut self, reference: u64, column: &'static str) -> Result<OpId, DecodeError> {
        let a = self.actor()?;
        let counter = self.counter(reference, column)?;
        Ok(OpId::new(counter, self.actor_id(a)))
    }

    fn opt_id(
        &mut self,
        reference: u64,
        column: &'static str,
    ) -> Result<Option<OpId>, DecodeError> {
        let offset = self.c.offset();
        match self.c.uleb()? {
            0 => Ok(None),
            k => {
                let a = self.actor_at(k - 1, offset)?;
                let counter = self.counter(reference, column)?;
                Ok(Some(OpId::new(counter, self.actor_id(a))))
            }
        }
    }

    fn string(&mut self, len: u64) -> Result<String, DecodeError> {
        let offset = self.c.offset();
        let bytes = self.c.bytes(len)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(self.error(offset, DecodeErrorKind::InvalidUtf8)),
        }
    }

    /// Records that the sender has `n` changes of the actor at `i`.
    pub(super) fn set_have(&mut self, i: u32, n: u64) {
        let have = &mut self.ctx.have[i as usize];
        *have = (*have).max(n);
    }

    /// Adds `delta` to what the sender has of the actor at `i`.
    pub(super) fn add_have(
        &mut self,
        i: u32,
        delta: u64,
        offset: usize,
    ) -> Result<(), DecodeError> {
        let have = &mut self.ctx.have[i as usize];
        match have.checked_add(delta) {
            Some(n) => {
                *have = n;
                Ok(())
            }
            None => Err(DecodeError {
                offset,
                kind: DecodeErrorKind::Leb128Overflow,
            }),
        }
    }

    /// Change `i` of the message.
    pub(super) fn change(&mut self, i: usize) -> Result<Change, DecodeError> {
        let at = self.c.offset();
        let flags = self.c.u8()?;
        let bad = |r: &Self| r.error(at, DecodeErrorKind::BadSyncFlags { flags });
        if flags & !CHANGE_FLAGS != 0 {
            return Err(bad(self));
        }
        let author = if flags & AUTHOR_SAME != 0 {
            self.ctx.last_author.ok_or_else(|| bad(self))?
        } else {
            self.actor()?
        };
        let actor = self.actor_id(author);
        let trail = self.ctx.trails[author as usize];
        let seq = if flags & SEQ_NEXT != 0 {
            match trail.and_then(|t| t.seq.checked_add(1)) {
                Some(s) => s,
                None => return Err(bad(self)),
            }
        } else {
            self.c.uleb()?
        };
        let reference = trail.map_or(0, |t| t.last_op);
        let deps = if flags & DEPS_BASE != 0 {
            match trail {
                Some(t) if flags & SEQ_NEXT != 0 && t.last_op > 0 => {
                    vec![OpId::new(t.last_op, actor)]
                }
                _ => return Err(bad(self)),
            }
        } else {
            let n = self.c.count(1)?;
            let mut deps: Vec<OpId> = Vec::with_capacity(n);
            for _ in 0..n {
                let dep = self.id(reference, "sync dep")?;
                if deps.last().is_some_and(|&d| d >= dep) {
                    let kind = DecodeErrorKind::UnsortedDependencies { change: i };
                    return Err(self.error(at, kind));
                }
                deps.push(dep);
            }
            deps
        };
        let base = start_base(&deps);
        let start_op = if flags & START_BASE != 0 {
            base
        } else {
            base.wrapping_add(self.c.ileb()? as u64)
        };
        if start_op == 0 {
            let kind = DecodeErrorKind::ZeroCounter {
                column: "sync start",
            };
            return Err(self.error(at, kind));
        }
        let (mut time, mut message, mut groups) = (0, None, Vec::new());
        if flags & EXTRA != 0 {
            time = self.c.ileb()?;
            message = match self.c.uleb()? {
                0 => None,
                n => Some(self.string(n - 1)?),
            };
            let n = self.c.count(1)?;
            groups.reserve(n);
            for g in 0..n {
                let len = self.c.uleb()?;
                let name = self.string(len)?;
                let parent = self.c.uleb()?;
                let first = self.c.uleb()?;
                let len = self.c.uleb()?;
                let parent = match parent {
                    0 => Some(None),
                    d => usize::try_from(d)
                        .ok()
                        .and_then(|d| g.checked_sub(d))
                        .map(Some),
                };
                let ops = start_op
                    .checked_add(first)
                    .and_then(|s| Some(s..s.checked_add(len)?));
                match (parent, ops) {
                    (Some(parent), Some(ops)) => groups.push(Group { name, parent, ops }),
                    _ => {
                        let kind = DecodeErrorKind::BadGroup {
                            change: i,
                            group: g,
                        };
                        return Err(self.error(at, kind));
                    }
                }
            }
        }
        let n = if flags & MANY_OPS != 0 {
            self.c.count(1)?
        } else {
            1
        };
        if n == 0 {
            return Err(self.error(at, DecodeErrorKind::EmptyChange { change: i }));
        }
        let mut t = trail.unwrap_or_else(Trail::start);
        let mut ops = Vec::with_capacity(n);
        let mut counter = start_op;
        for _ in 0..n {
            let op = self.op(i, actor, counter, &mut t)?;
            counter = match counter.checked_add(op.len()) {
                Some(c) => c,
                None => return Err(self.error(at, DecodeErrorKind::CounterOverflow { change: i })),
            };
            ops.push(op);
        }
        let end = counter;
        let nested = groups.iter().enumerate().all(|(g, group)| {
            group.ops.end <= end
                && group.parent.is_none_or(|p| {
                    let outer = &groups[p].ops;
                    p < g && outer.start <= group.ops.start && group.ops.end <= outer.end
                })
        });
        if !nested {
            let group = groups.len().saturating_sub(1);
            return Err(self.error(at, DecodeErrorKind::BadGroup { change: i, group }));
        }
        if end == start_op {
            return Err(self.error(at, DecodeErrorKind::EmptyChange { change: i }));
        }
        t.seq = seq;
        t.last_op = end - 1;
        self.ctx.trails[author as usize] = Some(t);
        self.ctx.last_author = Some(author);
        self.set_have(author, seq);
        let meta = ChangeMeta {
            actor,
            seq,
            start_op,
            time,
            message,
            deps,
            groups,
        };
        Ok(Change::new(meta, ops))
    }

    /// An op whose first id is `counter@author`.
    fn op(
        &mut self,
        i: usize,
        author: ActorId,
        counter: u64,
        t: &mut Trail,
    ) -> Result<Op, DecodeError> {
        let at = self.c.offset();
        let head = self.c.u8()?;
        let bad = |r: &Self| r.error(at, DecodeErrorKind::BadSyncFlags { flags: head });
        let tag = head & ACTION;
        let obj = if head & OBJ_SAME != 0 {
            t.obj
        } else {
            match self.opt_id(counter, "sync obj")? {
                None => ObjId::Root,
                Some(id) => ObjId::Op(id),
            }
        };
        let extra_bits = head & !(ACTION | OBJ_SAME);
        let action = match tag {
            PUT | DELETE | INCREMENT => {
                if extra_bits != 0 {
                    return Err(bad(self));
                }
                let key = match self.c.uleb()? {
                    0 => Key::Elem(self.id(counter, "sync key")?),
                    n => Key::Map(self.string(n - 1)?),
                };
                let n = self.c.count(1)?;
                let mut pred = Preds::with_capacity(n);
                for _ in 0..n {
                    pred.push(self.id(counter, "sync pred")?);
                }
                match tag {
                    PUT => Action::Put {
                        key,
                        value: read_value(self.c)?,
                        pred,
                    },
                    DELETE => Action::Delete { key, pred },
                    _ => Action::Increment {
                        key,
                        by: self.c.ileb()?,
                        pred,
                    },
                }
            }
            INSERT_LIST | INSERT_TEXT => {
                let left = match (head & LEFT_PREV != 0, head & LEFT_DEL != 0) {
                    (true, true) => return Err(bad(self)),
                    (true, false) => match counter.checked_sub(1).filter(|&c| c > 0) {
                        Some(c) => Some(OpId::new(c, author)),
                        None => return Err(bad(self)),
                    },
                    (false, true) => Some(before(t.del).ok_or_else(|| bad(self))?),
                    (false, false) => self.opt_id(counter, "sync left")?,
                };
                let right = match (head >> RIGHT_SHIFT) & 3 {
                    RIGHT_TRAIL => t.right,
                    RIGHT_NONE => None,
                    RIGHT_DEL => Some(t.del.ok_or_else(|| bad(self))?.0),
                    _ => Some(self.id(counter, "sync right")?),
                };
                let values = if tag == INSERT_TEXT {
                    let len = self.c.uleb()?;
                    let text = self.string(len)?;
                    let chars = text.chars().count() as u64;
                    InsertValues::Text { text, chars }
                } else {
                    let n = self.c.count(1)?;
                    let mut values: Vec<NewValue> = Vec::with_capacity(n);
                    for _ in 0..n {
                        values.push(read_value(self.c)?);
                    }
                    InsertValues::List(values)
                };
                t.right = right;
                t.ins = Some(OpId::new(
                    counter.wrapping_add(values.len()).wrapping_sub(1),
                    author,
                ));
                Action::Insert {
                    left,
                    right,
                    values,
                }
            }
            DELETE_SPAN => {
                if head & 128 != 0 {
                    return Err(bad(self));
                }
                let len = if head & LEN_ONE != 0 {
                    1
                } else {
                    self.c.uleb()?
                };
                let first = match (head >> TARGET_SHIFT) & 3 {
                    TARGET_INS => t.ins,
                    TARGET_BACK => t.del.and_then(|(d, _)| back(d, len)),
                    TARGET_FORWARD => t.del.and_then(|(d, n)| forward(d, n)),
                    _ => Some(self.id(counter, "sync delete")?),
                };
                let first = first.ok_or_else(|| bad(self))?;
                if first.counter().checked_add(len).is_none() {
                    return Err(self.error(at, DecodeErrorKind::CounterOverflow { change: i }));
                }
                t.del = Some((first, len));
                Action::DeleteSpan {
                    first,
                    len,
                    backward: false,
                }
            }
            t => return Err(self.error(at, DecodeErrorKind::UnknownAction(u64::from(t)))),
        };
        t.obj = obj;
        Ok(Op { obj, action })
    }
}
