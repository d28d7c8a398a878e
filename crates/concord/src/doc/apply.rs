//! Applying changes from other replicas: causal delivery, validation and atomic rollback.

use std::collections::HashSet;

use crate::change::{
    seq_in_block, Action, Change, ChangeBlock, ChangeMeta, InsertValues, Key, NewValue, Op,
};
use crate::error::{Expected, InvalidChange};
use crate::ids::Id;
use crate::register::{RegisterError, Stored};
use crate::{ApplyError, ObjId, ObjType, OpId};

use super::history::Readiness;
use super::objects::{ObjData, Place, Refusal, RegKey, Undo, Write};
use super::oplog::{LogAction, Record};
use super::Doc;

/// What applying a batch of changes keeps to undo itself if one of them fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnError {
    /// Every mutation's undo record: a failed batch leaves the document exactly as it was.
    Rollback,
    /// Nothing: the caller throws the document away if the batch fails (it made the document
    /// to load into). A load keeps no undo records then, which it would fill by the megabyte.
    Discard,
}

/// What [`Doc::try_apply_block`] did with a block.
pub(crate) enum Taken {
    /// Applied it whole; this is its op list, emptied, for the next block to be read into.
    Applied(Vec<Op>),
    /// Skipped it: every change of it was here already.
    Skipped,
    /// Gave it back, applying nothing: it must wait, or part of it is here.
    Kept(ChangeBlock),
}

impl Doc {
    /// Applies changes from other replicas, in any order. A change whose dependencies are
    /// missing waits in a queue (see [`Doc::pending_changes`]) and applies when they arrive; a
    /// change already applied is ignored.
    ///
    /// # Errors
    /// [`ApplyError`] if a change is malformed (it names an object, element or value that does
    /// not exist, its counters go backwards, ...). Then none of the changes is applied, the
    /// queue included: the document is exactly as it was.
    pub fn apply_changes(
        &mut self,
        changes: impl IntoIterator<Item = Change>,
    ) -> Result<(), ApplyError> {
        let mark = self.history.mark();
        let queue = self.history.queue.clone();
        let mut undo = Vec::new();
        let result = self.apply_all(changes, &mut undo, OnError::Rollback);
        if result.is_err() {
            self.objects.rollback(undo);
            self.history.rollback(mark);
            self.history.queue = queue;
        }
        result
    }

    /// Applies blocks of changes ([`ChangeBlock`]) as [`Doc::apply_changes`] applies changes:
    /// a block that can apply whole applies its merged ops at once; any other (a duplicate in
    /// part, or one that must wait) is cut into its changes, which take the usual path.
    ///
    /// # Errors
    /// As [`Doc::apply_changes`]; then, with [`OnError::Rollback`], the document is exactly as
    /// it was; with [`OnError::Discard`], it is left half done, for the caller to throw away.
    pub(crate) fn apply_blocks(
        &mut self,
        blocks: Vec<ChangeBlock>,
        on_error: OnError,
    ) -> Result<(), ApplyError> {
        let mark = self.history.mark();
        let queue = match on_error {
            OnError::Rollback => self.history.queue.clone(),
            OnError::Discard => Vec::new(),
        };
        let mut undo = Vec::new();
        self.objects.begin_batch();
        let result = self.apply_all_blocks(blocks, &mut undo, on_error);
        if result.is_err() && on_error == OnError::Rollback {
            self.objects.rollback(undo);
            self.history.rollback(mark);
            self.history.queue = queue;
        }
        self.objects.end_batch();
        result
    }

    /// Applies `blocks` in order: each whole while no change before it had to wait, and the
    /// changes from the first one that cannot apply whole on, with the queue, one at a time.
    pub(crate) fn apply_all_blocks(
        &mut self,
        blocks: Vec<ChangeBlock>,
        undo: &mut Vec<Undo>,
        on_error: OnError,
    ) -> Result<(), ApplyError> {
        let mut rest: Vec<Change> = Vec::new();
        for block in blocks {
            self.apply_next_block(block, &mut rest, undo, on_error)?;
        }
        if rest.is_empty() && self.history.queue.is_empty() {
            return Ok(());
        }
        self.apply_all(rest, undo, on_error)
    }

    /// Takes the next block of a batch: applies it whole if it is ready and no change before
    /// it had to wait, skips it if every change of it is here already, and else adds its
    /// changes to `rest`, which are applied one at a time at the end.
    fn apply_next_block(
        &mut self,
        block: ChangeBlock,
        rest: &mut Vec<Change>,
        undo: &mut Vec<Undo>,
        on_error: OnError,
    ) -> Result<(), ApplyError> {
        // Once a change waits, the ones after it may depend on it: they go the usual way.
        let taken = if rest.is_empty() {
            self.try_apply_block(block, undo, on_error)?
        } else {
            Taken::Kept(block)
        };
        if let Taken::Kept(block) = taken {
            rest.extend(block.into_changes());
        }
        Ok(())
    }

    /// Applies `block` whole if it is ready, and skips it if every change of it is here
    /// already. Else (it must wait, or part of it is here) gives it back, applying nothing.
    pub(crate) fn try_apply_block(
        &mut self,
        block: ChangeBlock,
        undo: &mut Vec<Undo>,
        on_error: OnError,
    ) -> Result<Taken, ApplyError> {
        let (actor, seq) = (block.change.actor, block.change.seq);
        let fail = |reason| ApplyError { actor, seq, reason };
        match self.history.readiness(&block.change).map_err(fail)? {
            Readiness::Ready => Ok(Taken::Applied(self.apply_block(block, undo, on_error)?)),
            Readiness::Duplicate => {
                let last = seq + block.count() - 1;
                let whole = last < self.history.next_seq_of(&actor);
                Ok(if whole {
                    Taken::Skipped
                } else {
                    Taken::Kept(block)
                })
            }
            Readiness::Waiting => Ok(Taken::Kept(block)),
        }
    }

    /// Applies a block whose first change is ready, and with it the whole block (a single
    /// change is a block of one). Returns the block's op list, emptied.
    fn apply_block(
        &mut self,
        block: ChangeBlock,
        undo: &mut Vec<Undo>,
        on_error: OnError,
    ) -> Result<Vec<Op>, ApplyError> {
        let ChangeBlock {
            mut change, lens, ..
        } = block;
        let actor = self.history.intern(change.actor);
        let mut counter = change.start_op;
        let mut ops = change.ops.drain(..);
        while let [first, rest @ ..] = ops.as_slice() {
            // Within the limit: the readiness check bounded the block's counters, and its
            // length is its ops' (`Change::new` and the decoder count it from them).
            let id = Id::new(actor, counter);
            let (run, backward) = elem_delete_run(first, rest);
            if run > 1 {
                if let Some(record) = self.apply_elem_deletes(id, first, (run, backward), undo) {
                    ops.nth(run - 1);
                    self.history.log.push(record);
                    if on_error == OnError::Discard {
                        undo.clear();
                    }
                    counter += run as u64;
                    continue;
                }
            }
            let Some(op) = ops.next() else { break };
            let len = op.len();
            let record = self.apply_op(id, op, undo).map_err(|reason| ApplyError {
                actor: change.actor,
                seq: seq_in_block(change.seq, change.start_op, &lens, counter),
                reason,
            })?;
            self.history.log.push(record);
            if on_error == OnError::Discard {
                undo.clear();
            }
            counter += len;
        }
        drop(ops);
        let meta = ChangeMeta {
            actor: change.actor,
            seq: change.seq,
            start_op: change.start_op,
            time: change.time,
            message: change.message,
            deps: change.deps,
            groups: change.groups,
        };
        self.history.record_block(meta, &lens);
        Ok(change.ops)
    }

    fn apply_all(
        &mut self,
        changes: impl IntoIterator<Item = Change>,
        undo: &mut Vec<Undo>,
        on_error: OnError,
    ) -> Result<(), ApplyError> {
        let mut pending = std::mem::take(&mut self.history.queue);
        pending.extend(changes);
        loop {
            let mut progress = false;
            let mut waiting = Vec::new();
            let mut seen = HashSet::new();
            for change in pending {
                let fail = |reason| ApplyError {
                    actor: change.actor,
                    seq: change.seq,
                    reason,
                };
                match self.history.readiness(&change).map_err(fail)? {
                    Readiness::Ready => {
                        self.apply_block(ChangeBlock::single(change), undo, on_error)?;
                        progress = true;
                    }
                    Readiness::Waiting => {
                        if seen.insert((change.actor, change.seq)) {
                            waiting.push(change);
                        }
                    }
                    Readiness::Duplicate => {}
                }
            }
            pending = waiting;
            if !progress || pending.is_empty() {
                break;
            }
        }
        self.history.queue = pending;
        Ok(())
    }

    /// Applies the `n` ops from `first` on, deletes of consecutive list elements (`backward`:
    /// each the element before the last one's) that each overwrite the value the element was
    /// inserted with, at once, and returns their record for the op log. `None`, having changed
    /// nothing, if they do not all apply: the caller applies them one by one, which finds the
    /// one that is wrong.
    fn apply_elem_deletes(
        &mut self,
        id: Id,
        first: &Op,
        (n, backward): (usize, bool),
        undo: &mut Vec<Undo>,
    ) -> Option<Record> {
        let ctx = OpContext {
            op_id: self.history.export(id),
            obj: first.obj,
        };
        let (obj, typ) = self.resolve_obj(&ctx).ok()?;
        if typ != ObjType::List {
            return None;
        }
        let e = elem_delete(first)?;
        let back = if backward { n as u64 - 1 } else { 0 };
        let lowest = self
            .history
            .import(OpId::new(e.counter() - back, e.actor()))?;
        if !self
            .objects
            .delete_elems(obj, (lowest, n, backward), id, undo)
        {
            return None;
        }
        let action = LogAction::DeleteElems {
            target: lowest.add(back),
            backward,
        };
        Some(record(id, obj, n as u64, action))
    }

    /// Applies one op and returns its record for the op log.
    fn apply_op(&mut self, id: Id, op: Op, undo: &mut Vec<Undo>) -> Result<Record, InvalidChange> {
        let op_id = self.history.export(id);
        let len = op.len();
        if len == 0 {
            return Err(InvalidChange::EmptyOp(op_id));
        }
        let ctx = OpContext { op_id, obj: op.obj };
        let (obj, typ) = self.resolve_obj(&ctx)?;
        let at = Target { id, ctx, obj, typ };
        let action = match op.action {
            Action::Insert {
                left,
                right,
                values,
            } => self.apply_insert(&at, left, right, values, undo)?,
            Action::DeleteSpan {
                first,
                len,
                backward,
            } => self.apply_delete_span(&at, first, len, backward, undo)?,
            Action::Put { key, value, pred } => {
                self.apply_register(&at, &key, &pred, RegisterOp::Put(value), undo)?
            }
            Action::Delete { key, pred } => {
                self.apply_register(&at, &key, &pred, RegisterOp::Delete, undo)?
            }
            Action::Increment { key, by, pred } => {
                self.apply_register(&at, &key, &pred, RegisterOp::Increment(by), undo)?
            }
        };
        Ok(record(id, obj, len, action))
    }

    /// Applies a put, delete or increment of the register `key`, over the values `pred`.
    fn apply_register(
        &mut self,
        at: &Target,
        key: &Key,
        pred: &[OpId],
        op: RegisterOp,
        undo: &mut Vec<Undo>,
    ) -> Result<LogAction, InvalidChange> {
        let (id, ctx, obj, typ) = (at.id, &at.ctx, at.obj, at.typ);
        let key = self.reg_key(ctx, obj, typ, key)?;
        let pred = pred
            .iter()
            .map(|&p| self.history.import(p).ok_or_else(|| ctx.unknown_pred(p)))
            .collect::<Result<Vec<Id>, _>>()?;
        if pred.is_empty() && !matches!(op, RegisterOp::Put(_)) {
            // A delete or increment of nothing would leave no trace in the state.
            return Err(InvalidChange::EmptyOp(ctx.op_id));
        }
        let history = &self.history;
        let result = match &op {
            RegisterOp::Increment(by) => {
                self.objects
                    .increment(obj, key.clone(), id, *by, &pred, undo)
            }
            RegisterOp::Put(_) | RegisterOp::Delete => {
                let value = match &op {
                    RegisterOp::Put(value) => Some(stored(value)),
                    _ => None,
                };
                let write = Write {
                    id,
                    value,
                    pred: &pred,
                };
                let cmp = |a, b| history.cmp_ids(a, b);
                self.objects.write(obj, key.clone(), write, cmp, undo)
            }
        };
        result.map_err(|r| ctx.refused(r, history))?;
        let pred = pred.into_iter().collect();
        Ok(match op {
            RegisterOp::Put(value) => LogAction::Put { key, value, pred },
            RegisterOp::Delete => LogAction::Delete { key, pred },
            RegisterOp::Increment(by) => LogAction::Increment { key, by, pred },
        })
    }

    /// Applies an insert of list values or characters between `left` and `right`.
    fn apply_insert(
        &mut self,
        at: &Target,
        left: Option<OpId>,
        right: Option<OpId>,
        values: InsertValues,
        undo: &mut Vec<Undo>,
    ) -> Result<LogAction, InvalidChange> {
        let (id, ctx, obj, typ) = (at.id, &at.ctx, at.obj, at.typ);
        let [left, right] = self.elems(ctx, obj, [left, right])?;
        let place = Place::Between(left, right);
        let history = &self.history;
        let cmp = |a, b| history.cmp_actors(a, b);
        match (typ, values) {
            (ObjType::List, InsertValues::List(values)) => {
                let stored_values: Vec<Stored> = values.iter().map(stored).collect();
                self.objects
                    .insert_list(obj, id, place, &stored_values, cmp, undo);
                Ok(LogAction::InsertList {
                    left,
                    right,
                    values,
                })
            }
            (ObjType::Text, InsertValues::Text { text, chars }) => {
                let actual = text.chars().count() as u64;
                if actual != chars {
                    return Err(InvalidChange::TextLength {
                        op: ctx.op_id,
                        declared: chars,
                        actual,
                    });
                }
                let bytes =
                    self.objects
                        .insert_str(obj, id, place, &text, chars as usize, cmp, undo);
                self.objects.recycle_text(text);
                Ok(LogAction::InsertText { bytes })
            }
            (found, InsertValues::List(_)) => Err(ctx.wrong(Expected::List, found)),
            (found, InsertValues::Text { .. }) => Err(ctx.wrong(Expected::Text, found)),
        }
    }

    /// Applies a delete of the text elements `first` and on (backward: and back).
    fn apply_delete_span(
        &mut self,
        at: &Target,
        first: OpId,
        len: u64,
        backward: bool,
        undo: &mut Vec<Undo>,
    ) -> Result<LogAction, InvalidChange> {
        let (ctx, obj, typ) = (&at.ctx, at.obj, at.typ);
        if typ != ObjType::Text {
            return Err(ctx.wrong(Expected::Text, typ));
        }
        let target = self
            .history
            .import(first)
            .ok_or_else(|| ctx.unknown_elem(first))?;
        // The span's elements in id order: a backward span ends at `first`.
        let low = match backward {
            false => Some(target),
            true => (target.counter())
                .checked_sub(len.saturating_sub(1))
                .filter(|&c| c > 0)
                .map(|c| Id::new(target.actor(), c)),
        };
        let low = low.ok_or_else(|| ctx.unknown_elem(first))?;
        // Every element of the span must exist (checked before anything is hidden).
        self.objects
            .delete_text(obj, (low, len), undo)
            .map_err(|missing| ctx.unknown_elem(self.history.export(missing)))?;
        Ok(LogAction::DeleteSpan {
            target,
            backward: backward && len > 1,
        })
    }

    /// The internal id of the op's object, checked to exist, and the object's type.
    #[inline]
    fn resolve_obj(&self, ctx: &OpContext) -> Result<(Id, ObjType), InvalidChange> {
        let id = self
            .history
            .import_obj(&ctx.obj)
            .ok_or_else(|| ctx.unknown_object())?;
        match self.objects.get(id) {
            Some(data) => Ok((id, data.obj_type())),
            None => Err(ctx.unknown_object()),
        }
    }

    fn reg_key(
        &self,
        ctx: &OpContext,
        obj: Id,
        typ: ObjType,
        key: &Key,
    ) -> Result<RegKey, InvalidChange> {
        match (typ, key) {
            (ObjType::Map, Key::Map(k)) => Ok(RegKey::Map(k.clone())),
            (ObjType::List, Key::Elem(e)) => {
                let [e] = self.elems(ctx, obj, [Some(*e)])?;
                Ok(RegKey::Elem(e.expect("an element was given")))
            }
            (found, Key::Map(_)) => Err(ctx.wrong(Expected::Map, found)),
            (found, Key::Elem(_)) => Err(ctx.wrong(Expected::List, found)),
        }
    }

    /// The internal ids of elements of a list or text, each checked to exist (the object
    /// is looked up once for all of them).
    fn elems<const N: usize>(
        &self,
        ctx: &OpContext,
        obj: Id,
        elems: [Option<OpId>; N],
    ) -> Result<[Option<Id>; N], InvalidChange> {
        let data = self.objects.get(obj);
        let exists = |id| match data {
            Some(ObjData::List(tree)) => tree.contains(id),
            Some(ObjData::Text(text)) => text.contains(id),
            _ => false,
        };
        let mut out = [None; N];
        for (slot, elem) in out.iter_mut().zip(elems) {
            let Some(elem) = elem else { continue };
            match self.history.import(elem).filter(|&id| exists(id)) {
                Some(id) => *slot = Some(id),
                None => return Err(ctx.unknown_elem(elem)),
            }
        }
        Ok(out)
    }
}

/// Where an op applies: its id, its object (resolved and checked to exist) and the object's
/// type.
struct Target {
    id: Id,
    ctx: OpContext,
    obj: Id,
    typ: ObjType,
}

/// What an op does to a register.
enum RegisterOp {
    Put(NewValue),
    Delete,
    Increment(i64),
}

/// The op being applied, for error reports.
struct OpContext {
    op_id: OpId,
    obj: ObjId,
}

impl OpContext {
    fn unknown_object(&self) -> InvalidChange {
        InvalidChange::UnknownObject {
            op: self.op_id,
            obj: self.obj,
        }
    }

    fn unknown_elem(&self, elem: OpId) -> InvalidChange {
        InvalidChange::UnknownElement {
            op: self.op_id,
            obj: self.obj,
            elem,
        }
    }

    fn unknown_pred(&self, pred: OpId) -> InvalidChange {
        InvalidChange::UnknownPredecessor {
            op: self.op_id,
            pred,
        }
    }

    fn wrong(&self, expected: Expected, found: ObjType) -> InvalidChange {
        InvalidChange::WrongObjectType {
            op: self.op_id,
            obj: self.obj,
            expected,
            found,
        }
    }

    fn refused(&self, r: Refusal, history: &super::history::History) -> InvalidChange {
        match r {
            Refusal::NoElement(e) => self.unknown_elem(history.export(e)),
            Refusal::Register(RegisterError::UnknownPred(p)) => {
                self.unknown_pred(history.export(p))
            }
            Refusal::Register(RegisterError::NotACounter(p)) => InvalidChange::NotACounter {
                op: self.op_id,
                pred: history.export(p),
            },
        }
    }
}

/// The list element a delete removes, if it is a delete of one whose one predecessor is the
/// element's own value (nothing was written to it since its insert, as far as the delete saw).
fn elem_delete(op: &Op) -> Option<OpId> {
    match &op.action {
        Action::Delete {
            key: Key::Elem(e),
            pred,
        } if pred.as_slice() == [*e] => Some(*e),
        _ => None,
    }
}

/// How many ops, `first` and those of `rest` right after it, are such deletes of consecutive
/// elements of one list, in id order or (`true`) the other way round: what deleting forward
/// through a list, or backspacing, makes.
fn elem_delete_run(first: &Op, rest: &[Op]) -> (usize, bool) {
    let Some(e0) = elem_delete(first) else {
        return (1, false);
    };
    let elem = |op: &Op| elem_delete(op).filter(|e| op.obj == first.obj && e.actor() == e0.actor());
    let backward = match rest.first().and_then(elem) {
        Some(e1) if Some(e1.counter()) == e0.counter().checked_add(1) => false,
        Some(e1) if Some(e1.counter()) == e0.counter().checked_sub(1) => true,
        _ => return (1, false),
    };
    let n = rest
        .iter()
        .map_while(elem)
        .zip(1..)
        .take_while(|&(e, k)| {
            let want = if backward {
                e0.counter().checked_sub(k)
            } else {
                e0.counter().checked_add(k)
            };
            Some(e.counter()) == want
        })
        .count();
    (1 + n, backward)
}

fn record(id: Id, obj: Id, len: u64, action: LogAction) -> Record {
    Record {
        id,
        obj,
        len,
        action,
    }
}

fn stored(v: &NewValue) -> Stored {
    match v {
        NewValue::Scalar(s) => Stored::Scalar(s.clone()),
        NewValue::Object(t) => Stored::Object(*t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActorId, ApplyError, Doc, ReadDoc, ScalarValue, ROOT};

    fn forged(actor: ActorId, seq: u64, start_op: u64, deps: Vec<OpId>, ops: Vec<Op>) -> Change {
        Change::plain(actor, seq, start_op, deps, ops)
    }

    fn put(obj: ObjId, key: &str, pred: Vec<OpId>) -> Op {
        Op {
            obj,
            action: Action::Put {
                key: Key::Map(key.into()),
                value: NewValue::Scalar(ScalarValue::Int(1)),
                pred: pred.into(),
            },
        }
    }

    /// Op counters stop at `Id::MAX_COUNTER` (ids keep them in 32 bits): a change past it is
    /// refused, a reference past it names nothing, and once a merged change has reached it,
    /// local edits are refused. Each refusal leaves the document as it was.
    #[test]
    fn counters_past_the_32_bit_limit_are_refused() {
        let max = Id::MAX_COUNTER;
        let mut d = Doc::with_actor(ActorId::from_bytes([1; 16]));
        d.transact(|tx| tx.put(ROOT, "x", 1)).unwrap();
        let heads = d.heads();
        let other = ActorId::from_bytes([2; 16]);
        let two = || vec![put(ROOT, "y", vec![]), put(ROOT, "z", vec![])];
        let before = d.save();
        for start in [max, max + 1, u64::MAX - 1] {
            let past = forged(other, 1, start, heads.clone(), two());
            let bytes = crate::encode_changes(std::slice::from_ref(&past));
            let err = d.apply_changes(vec![past]).unwrap_err();
            assert_eq!(err.reason, InvalidChange::CounterOverflow);
            // Loaded from bytes, in a whole file or an update, the same change is refused.
            assert!(d.load_incremental(&bytes).is_err());
            assert!(Doc::load(&bytes).is_err());
            assert_eq!(d.save(), before);
        }
        // An op id past the limit is no op of the document.
        let far = OpId::new(max + 1, ActorId::from_bytes([1; 16]));
        let bad_pred = forged(other, 1, 5, heads.clone(), vec![put(ROOT, "x", vec![far])]);
        let err = d.apply_changes(vec![bad_pred]).unwrap_err();
        assert!(matches!(
            err.reason,
            InvalidChange::UnknownPredecessor { .. }
        ));

        // The last two counters are taken by a merged change; then no local edit fits.
        let last = forged(other, 1, max - 1, heads, two());
        d.apply_changes(vec![last]).unwrap();
        assert_eq!(d.get(ROOT, "z").unwrap().unwrap().1, OpId::new(max, other));
        let at_limit = d.save();
        let err = d.transact(|tx| tx.put(ROOT, "w", 1)).unwrap_err();
        assert_eq!(err, crate::DocError::CounterLimit);
        let err = d
            .transact(|tx| tx.put_object(ROOT, "t", ObjType::Text).map(|_| ()))
            .unwrap_err();
        assert_eq!(err, crate::DocError::CounterLimit);
        assert_eq!(d.save(), at_limit);
        // What the document holds still loads.
        let loaded = Doc::load(&at_limit).unwrap();
        assert_eq!(
            loaded.get(ROOT, "z").unwrap().unwrap().1,
            OpId::new(max, other)
        );
    }

    /// Deletes of consecutive list elements apply at once, forward or backward; a run in
    /// which one delete names an element that does not hold its value is refused with the
    /// error that delete gets alone, and changes nothing.
    #[test]
    fn runs_of_list_deletes_apply_at_once_or_not_at_all() {
        let mut d = Doc::with_actor(ActorId::from_bytes([1; 16]));
        let l = d
            .transact(|tx| {
                let l = tx.put_object(ROOT, "l", ObjType::List)?;
                tx.splice(l, 0, 0, [1, 2, 3, 4, 5, 6])?;
                Ok::<_, crate::DocError>(l)
            })
            .unwrap();
        let a1 = ActorId::from_bytes([1; 16]);
        let elem = |c: u64| OpId::new(c, a1);
        let del = |e: OpId, p: OpId| Op {
            obj: l,
            action: Action::Delete {
                key: Key::Elem(e),
                pred: smallvec::smallvec![p],
            },
        };
        let other = ActorId::from_bytes([2; 16]);
        let heads = d.heads();
        // The elements are ops 2 to 7. The second delete names element 4 with the value of 5.
        let bad = vec![
            del(elem(3), elem(3)),
            del(elem(4), elem(5)),
            del(elem(5), elem(5)),
        ];
        let before = d.changes();
        let err = d
            .apply_changes(vec![forged(other, 1, 10, heads.clone(), bad)])
            .unwrap_err();
        assert_eq!(
            err.reason,
            InvalidChange::UnknownPredecessor {
                op: OpId::new(11, other),
                pred: elem(5)
            }
        );
        assert_eq!(d.changes(), before);
        assert_eq!(d.length(l), 6);
        // Forward over elements 3, 4, 5, then backward over 7, 6.
        let ops = vec![
            del(elem(3), elem(3)),
            del(elem(4), elem(4)),
            del(elem(5), elem(5)),
            del(elem(7), elem(7)),
            del(elem(6), elem(6)),
        ];
        let change = forged(other, 1, 10, heads, ops);
        d.apply_changes(vec![change.clone()]).unwrap();
        let values: Vec<i64> = d
            .values(l)
            .unwrap()
            .iter()
            .map(|(v, _)| v.as_i64().unwrap())
            .collect();
        assert_eq!(values, [1]);
        assert_eq!(d.changes().last(), Some(&change));
        // The log holds the two runs as two records, one of them backward.
        let actor = d.history.import(OpId::new(10, other)).unwrap().actor();
        assert_eq!(d.history.log.records_of(actor), 2);
    }

    /// A batch whose second change is malformed applies nothing: not the good change before
    /// it, not the queue.
    #[test]
    fn a_bad_change_rolls_back_the_whole_batch() {
        let mut d = Doc::with_actor(ActorId::from_bytes([1; 16]));
        d.transact(|tx| {
            let t = tx.put_object(ROOT, "t", ObjType::Text)?;
            tx.splice_text(t, 0, 0, "abc")
        })
        .unwrap();
        let before = d.changes();
        let heads = d.heads();
        let other = ActorId::from_bytes([2; 16]);
        let good = forged(other, 1, 10, heads.clone(), vec![put(ROOT, "ok", vec![])]);
        let good_head = good.last_op().unwrap();
        let ghost = ObjId::Op(OpId::new(3, ActorId::from_bytes([5; 16])));
        let bad = forged(other, 2, 11, vec![good_head], vec![put(ghost, "k", vec![])]);
        let waiting = forged(
            ActorId::from_bytes([3; 16]),
            2,
            50,
            vec![],
            vec![put(ROOT, "w", vec![])],
        );
        let err = d.apply_changes(vec![waiting, good, bad]).unwrap_err();
        assert_eq!(
            err,
            ApplyError {
                actor: other,
                seq: 2,
                reason: InvalidChange::UnknownObject {
                    op: OpId::new(11, other),
                    obj: ghost
                }
            }
        );
        assert_eq!(d.changes(), before);
        assert_eq!(d.heads(), heads);
        assert!(d.pending_changes().is_empty());
        assert_eq!(d.keys(ROOT), vec!["t"]);
    }

    #[test]
    fn malformed_changes_get_precise_errors() {
        let mut d = Doc::with_actor(ActorId::from_bytes([1; 16]));
        d.transact(|tx| tx.put(ROOT, "x", 1)).unwrap();
        let x = d.get(ROOT, "x").unwrap().unwrap().1;
        let heads = d.heads();
        let other = ActorId::from_bytes([2; 16]);
        let reason = |c: Change, d: &mut Doc| d.apply_changes(vec![c]).unwrap_err().reason;

        let empty = forged(other, 1, 5, heads.clone(), vec![]);
        assert_eq!(reason(empty, &mut d), InvalidChange::Empty);
        let low = forged(other, 1, 1, heads.clone(), vec![put(ROOT, "y", vec![])]);
        assert_eq!(
            reason(low, &mut d),
            InvalidChange::CounterTooLow {
                start_op: 1,
                min: 1
            }
        );
        let stranger = OpId::new(3, ActorId::from_bytes([1; 16]));
        let bad_pred = forged(
            other,
            1,
            5,
            heads.clone(),
            vec![put(ROOT, "x", vec![stranger])],
        );
        assert_eq!(
            reason(bad_pred, &mut d),
            InvalidChange::UnknownPredecessor {
                op: OpId::new(5, other),
                pred: stranger
            }
        );
        let inc = Op {
            obj: ROOT,
            action: Action::Increment {
                key: Key::Map("x".into()),
                by: 1,
                pred: smallvec::smallvec![x],
            },
        };
        let not_counter = forged(other, 1, 5, heads.clone(), vec![inc]);
        assert_eq!(
            reason(not_counter, &mut d),
            InvalidChange::NotACounter {
                op: OpId::new(5, other),
                pred: x
            }
        );
        let del = Op {
            obj: ROOT,
            action: Action::DeleteSpan {
                first: x,
                len: 1,
                backward: false,
            },
        };
        let wrong = forged(other, 1, 5, heads.clone(), vec![del]);
        assert!(matches!(
            reason(wrong, &mut d),
            InvalidChange::WrongObjectType {
                expected: Expected::Text,
                found: ObjType::Map,
                ..
            }
        ));
        let t = d
            .transact(|tx| tx.put_object(ROOT, "t", ObjType::Text))
            .unwrap();
        let heads = d.heads();
        let insert = |values| Op {
            obj: t,
            action: Action::Insert {
                left: None,
                right: None,
                values,
            },
        };
        let liar = insert(InsertValues::Text {
            text: "ab".into(),
            chars: 5,
        });
        assert_eq!(
            reason(forged(other, 1, 9, heads.clone(), vec![liar]), &mut d),
            InvalidChange::TextLength {
                op: OpId::new(9, other),
                declared: 5,
                actual: 2
            }
        );
        let nothing = insert(InsertValues::List(vec![]));
        let ok = put(ROOT, "fine", vec![]);
        assert_eq!(
            reason(
                forged(other, 1, 9, heads.clone(), vec![ok, nothing]),
                &mut d
            ),
            InvalidChange::EmptyOp(OpId::new(10, other))
        );
        let mid = OpId::new(1, ActorId::from_bytes([1; 16]));
        let dep_mid = forged(
            other,
            1,
            5,
            vec![OpId::new(0, mid.actor())],
            vec![put(ROOT, "y", vec![])],
        );
        assert!(matches!(
            reason(dep_mid, &mut d),
            InvalidChange::BadDependency(_)
        ));
        assert_eq!(d.heads(), heads);
        assert_eq!(d.changes().len(), 2);
        assert_eq!(d.keys(ROOT), vec!["t", "x"]);
    }
}
