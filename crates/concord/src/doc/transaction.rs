//! Local edits, grouped into a transaction that commits as one change or not at all.
//!
//! Every edit is applied to the document at once (so reads inside the transaction see it) and
//! leaves an undo record; a transaction that ends in `Err` replays the records backwards. Edits
//! check their arguments before they touch anything, so a refused edit needs no undo at all.

use smallvec::SmallVec;

use crate::change::{ChangeMeta, Group, NewValue};
use crate::clock::At;
use crate::error::Expected;
use crate::ids::{ActorIdx, Id};
use crate::register::Stored;
use crate::{DocError, ObjId, ObjType, OpId, Prop, ScalarValue, Value};

use super::objects::{ObjData, Place, RegKey, SpliceRefused, Undo, Write};
use super::oplog::{ActorMark, LogAction, Record};
use super::read::{ReadDoc, Reader, SeqElement};
use super::Doc;

/// An open transaction on a [`Doc`]: edit through it, read through [`ReadDoc`].
///
/// Made by [`Doc::transact`], which commits it if the closure returns `Ok` and rolls it back
/// otherwise.
///
/// Besides the errors each edit lists, every edit that makes ops fails with
/// [`DocError::CounterLimit`], changing nothing, if its ops would pass the largest op counter a
/// document holds (2^32 - 2): a limit only a document that has reached it meets.
pub struct Transaction<'a> {
    doc: &'a mut Doc,
    actor: ActorIdx,
    added_actor: bool,
    start_op: u64,
    next_op: u64,
    undo: Vec<Undo>,
    log_mark: ActorMark,
    time: Option<i64>,
    /// The message and groups, which most transactions (a keystroke's) do not have: out of
    /// line, so that such a transaction neither builds nor drops them.
    extra: Option<Box<Extra>>,
}

/// What a transaction records beyond its ops and time.
#[derive(Default)]
struct Extra {
    message: Option<String>,
    groups: Vec<Group>,
    /// The groups open around the current edit, innermost last, as indexes into `groups`.
    open_groups: Vec<usize>,
}

/// A resolved edit target: the object's internal id and type, and its public id.
struct Target {
    id: Id,
    obj: ObjId,
    typ: ObjType,
}

impl<'a> Transaction<'a> {
    #[inline]
    pub(super) fn new(doc: &'a mut Doc) -> Self {
        let (actor, added_actor) = doc.history.intern_new(doc.actor);
        let start_op = doc.history.max_op() + 1;
        let log_mark = doc.history.log.mark(actor);
        let undo = doc.objects.take_undo();
        Transaction {
            doc,
            actor,
            added_actor,
            start_op,
            next_op: start_op,
            undo,
            log_mark,
            time: None,
            extra: None,
        }
    }

    /// Records the transaction as a change (nothing, if it made no ops).
    pub(super) fn commit(self) {
        let doc = self.doc;
        doc.objects.give_back_undo(self.undo);
        let len = self.next_op - self.start_op;
        if len == 0 {
            if self.added_actor {
                doc.history.forget_last_actor();
            }
            return;
        }
        let time = self.time.unwrap_or(0);
        let Extra {
            message, groups, ..
        } = self.extra.map(|e| *e).unwrap_or_default();
        let plain = message.is_none() && groups.is_empty();
        if plain
            && doc
                .history
                .extend_local(self.actor, self.start_op, len, time)
        {
            return;
        }
        let meta = ChangeMeta {
            actor: doc.actor,
            seq: doc.history.next_seq(self.actor),
            start_op: self.start_op,
            time,
            message,
            deps: doc.history.heads().to_vec(),
            groups,
        };
        doc.history.record(meta, len);
    }

    /// Undoes every edit of the transaction.
    pub(super) fn rollback(self) {
        self.doc.objects.rollback(self.undo);
        self.doc.history.log.rollback(self.actor, &self.log_mark);
        if self.added_actor {
            self.doc.history.forget_last_actor();
        }
    }

    /// Sets the message recorded with the change.
    pub fn set_message(&mut self, message: impl Into<String>) {
        self.extra_mut().message = Some(message.into());
    }

    /// Sets the time recorded with the change, in milliseconds since the Unix epoch. The engine
    /// reads no clock: a change the application gives no time records 0.
    pub fn set_time(&mut self, millis: i64) {
        self.time = Some(millis);
    }

    /// Runs `f` as a named compound operation: its ops are recorded as a group of the change
    /// (nested in the group open around this call, if any). If `f` returns `Err`, the ops it
    /// made are undone and the group is dropped; the transaction goes on.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn group<T, E>(
        &mut self,
        name: impl Into<String>,
        f: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, E> {
        let (undo_len, next_op) = (self.undo.len(), self.next_op);
        let extra = self.extra_mut();
        let index = extra.groups.len();
        extra.groups.push(Group {
            name: name.into(),
            parent: extra.open_groups.last().copied(),
            ops: next_op..next_op,
        });
        extra.open_groups.push(index);
        let log_mark = self.doc.history.log.mark(self.actor);
        let result = f(self);
        let end = self.next_op;
        let extra = self.extra_mut();
        extra.open_groups.pop();
        match result {
            Ok(v) => {
                extra.groups[index].ops.end = end;
                Ok(v)
            }
            Err(e) => {
                let undo = self.undo.split_off(undo_len);
                self.doc.objects.rollback(undo);
                self.doc.history.log.rollback(self.actor, &log_mark);
                self.next_op = next_op;
                self.extra_mut().groups.truncate(index);
                Err(e)
            }
        }
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            history: &self.doc.history,
            objects: &self.doc.objects,
            at: At::Now,
        }
    }

    fn target(&self, obj: &ObjId) -> Result<Target, DocError> {
        let (id, data) = self.reader().obj(obj)?;
        Ok(Target {
            id,
            obj: *obj,
            typ: data.obj_type(),
        })
    }

    fn wrong_type(t: &Target, expected: Expected) -> DocError {
        DocError::WrongObjectType {
            obj: t.obj,
            expected,
            found: t.typ,
        }
    }

    /// Checks, before an edit changes anything, that its `n` ops fit under the largest
    /// counter.
    fn room_for(&self, n: u64) -> Result<(), DocError> {
        match self.next_op.saturating_add(n) > Id::MAX_COUNTER + 1 {
            true => Err(DocError::CounterLimit),
            false => Ok(()),
        }
    }

    /// The ids of the next `n` ops, which [`Transaction::room_for`] has checked.
    fn take_ids(&mut self, n: u64) -> Id {
        let id = Id::new(self.actor, self.next_op);
        self.next_op += n;
        id
    }

    fn export(&self, id: Id) -> OpId {
        self.doc.history.export(id)
    }

    fn log(&mut self, id: Id, obj: Id, len: u64, action: LogAction) {
        self.doc.history.log.push(Record {
            id,
            obj,
            len,
            action,
        });
    }

    /// The register `prop` addresses in a map or list, with its visible values.
    fn register(&self, t: &Target, prop: Prop) -> Result<(RegKey, Vec<Id>, Vec<Id>), DocError> {
        match (self.doc.objects.get(t.id), prop) {
            (Some(ObjData::Map(map)), Prop::Map(k)) => {
                let (vis, counters) = map
                    .get(&k)
                    .map(|r| (r.visible_ids(), r.visible_counter_ids()))
                    .unwrap_or_default();
                Ok((RegKey::Map(k), vis, counters))
            }
            (Some(ObjData::List(tree)), Prop::Seq(index)) => {
                let (elem, slots, k) = tree.get(index).ok_or(DocError::IndexOutOfBounds {
                    obj: t.obj,
                    index,
                    len: tree.len(),
                })?;
                let slot = &slots[k];
                Ok((
                    RegKey::Elem(elem),
                    slot.visible_ids(),
                    slot.visible_counter_ids(),
                ))
            }
            (_, Prop::Map(_)) => Err(Self::wrong_type(t, Expected::Map)),
            (Some(ObjData::Text(_)), Prop::Seq(_)) => Err(Self::wrong_type(t, Expected::List)),
            (_, Prop::Seq(_)) => Err(Self::wrong_type(t, Expected::Sequence)),
        }
    }

    /// Writes a value into a register (or deletes, for `None`). Returns the op id, or `None`
    /// for a delete of an absent key (which makes no op).
    fn write(
        &mut self,
        obj: &ObjId,
        prop: Prop,
        value: Option<Stored>,
    ) -> Result<Option<Id>, DocError> {
        let t = self.target(obj)?;
        let (key, pred, _) = self.register(&t, prop)?;
        if value.is_none() && pred.is_empty() {
            return Ok(None);
        }
        self.room_for(1)?;
        let id = self.take_ids(1);
        let history = &self.doc.history;
        let write = Write {
            id,
            value: value.clone(),
            pred: &pred,
        };
        self.doc
            .objects
            .write(
                t.id,
                key.clone(),
                write,
                |a, b| history.cmp_ids(a, b),
                &mut self.undo,
            )
            .unwrap_or_else(|_| unreachable!("local predecessors are the visible values"));
        let pred = pred.into_iter().collect();
        let action = match value {
            Some(v) => LogAction::Put {
                key,
                value: new_value(v),
                pred,
            },
            None => LogAction::Delete { key, pred },
        };
        self.log(id, t.id, 1, action);
        Ok(Some(id))
    }

    /// Sets a map key or list slot to a scalar.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`], [`DocError::WrongObjectType`] (a key on a list, an index
    /// on a map or text), [`DocError::IndexOutOfBounds`].
    pub fn put(
        &mut self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        value: impl Into<ScalarValue>,
    ) -> Result<(), DocError> {
        let value = Stored::Scalar(value.into());
        self.write(obj.as_ref(), prop.into(), Some(value)).map(drop)
    }

    /// Creates a new object at a map key or list slot and returns its id.
    ///
    /// # Errors
    /// As [`Transaction::put`].
    pub fn put_object(
        &mut self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        typ: ObjType,
    ) -> Result<ObjId, DocError> {
        let id = self.write(obj.as_ref(), prop.into(), Some(Stored::Object(typ)))?;
        let id = id.expect("a put always makes an op");
        Ok(ObjId::Op(self.export(id)))
    }

    /// Deletes a map key (nothing happens if it is absent), a list element, or a character of
    /// a text.
    ///
    /// # Errors
    /// As [`Transaction::put`].
    pub fn delete(
        &mut self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<(), DocError> {
        let obj = obj.as_ref();
        match (self.target(obj)?.typ, prop.into()) {
            (ObjType::Text, Prop::Seq(i)) => self.splice_text(obj, i, 1, ""),
            (_, prop) => self.write(obj, prop, None).map(drop),
        }
    }

    /// Adds `by` to the counter at a map key or list slot (to every concurrent counter there).
    ///
    /// # Errors
    /// [`DocError::NotACounter`] if no counter is there, and those of [`Transaction::put`].
    pub fn increment(
        &mut self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        by: i64,
    ) -> Result<(), DocError> {
        let obj = obj.as_ref();
        let prop = prop.into();
        let t = self.target(obj)?;
        let (key, _, pred) = self.register(&t, prop.clone())?;
        if pred.is_empty() {
            return Err(DocError::NotACounter { obj: *obj, prop });
        }
        self.room_for(1)?;
        let id = self.take_ids(1);
        self.doc
            .objects
            .increment(t.id, key.clone(), id, by, &pred, &mut self.undo)
            .unwrap_or_else(|_| unreachable!("local predecessors are the visible counters"));
        let action = LogAction::Increment {
            key,
            by,
            pred: pred.into_iter().collect(),
        };
        self.log(id, t.id, 1, action);
        Ok(())
    }

    fn list_target(&self, obj: &ObjId, index: usize) -> Result<(Target, usize), DocError> {
        let t = self.target(obj)?;
        let Some(ObjData::List(tree)) = self.doc.objects.get(t.id) else {
            return Err(Self::wrong_type(&t, Expected::List));
        };
        let len = tree.len();
        if index > len {
            return Err(DocError::IndexOutOfBounds {
                obj: *obj,
                index,
                len,
            });
        }
        Ok((t, len))
    }

    fn insert_values(
        &mut self,
        obj: &ObjId,
        index: usize,
        values: Vec<Stored>,
    ) -> Result<Id, DocError> {
        let (t, _) = self.list_target(obj, index)?;
        self.room_for(values.len() as u64)?;
        Ok(self.insert_into(&t, index, values))
    }

    /// Inserts `values` into the list `t` at `index`, which the caller checked.
    fn insert_into(&mut self, t: &Target, index: usize, values: Vec<Stored>) -> Id {
        let id = self.take_ids(values.len() as u64);
        let history = &self.doc.history;
        let (left, right) = self.doc.objects.insert_list(
            t.id,
            id,
            Place::Local(index),
            &values,
            |a, b| history.cmp_actors(a, b),
            &mut self.undo,
        );
        let action = LogAction::InsertList {
            left,
            right,
            values: values.into_iter().map(new_value).collect(),
        };
        let len = self.next_op - id.counter();
        self.log(id, t.id, len, action);
        id
    }

    /// Logs the deletes of a list splice, ops `first ..`, one per element of `deleted` (with
    /// the values each overwrote): each stretch of elements with consecutive ids whose one
    /// predecessor is their own inserted value as one record, any other element alone.
    fn log_list_deletes(&mut self, obj: Id, first: Id, deleted: &[(Id, SmallVec<[Id; 1]>)]) {
        let mut by = first;
        let mut rest = deleted;
        while let Some(((elem, pred), _)) = rest.split_first() {
            let untouched = rest
                .iter()
                .zip(0..)
                .take_while(|((e, p), k)| *e == elem.add(*k) && p.as_slice() == [*e])
                .count();
            let (len, action) = match untouched {
                0 => {
                    let key = RegKey::Elem(*elem);
                    let pred = pred.clone();
                    (1, LogAction::Delete { key, pred })
                }
                n => {
                    let target = *elem;
                    let backward = false;
                    (n, LogAction::DeleteElems { target, backward })
                }
            };
            self.log(by, obj, len as u64, action);
            by = by.add(len as u64);
            rest = &rest[len..];
        }
    }

    /// Inserts a scalar into a list at `index` (0 ..= length).
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`], [`DocError::WrongObjectType`] if it is not a list,
    /// [`DocError::IndexOutOfBounds`] if `index` is past the end.
    pub fn insert(
        &mut self,
        obj: impl AsRef<ObjId>,
        index: usize,
        value: impl Into<ScalarValue>,
    ) -> Result<(), DocError> {
        let value = Stored::Scalar(value.into());
        self.insert_values(obj.as_ref(), index, vec![value])
            .map(drop)
    }

    /// Inserts a new object into a list at `index` and returns its id.
    ///
    /// # Errors
    /// As [`Transaction::insert`].
    pub fn insert_object(
        &mut self,
        obj: impl AsRef<ObjId>,
        index: usize,
        typ: ObjType,
    ) -> Result<ObjId, DocError> {
        let id = self.insert_values(obj.as_ref(), index, vec![Stored::Object(typ)])?;
        Ok(ObjId::Op(self.export(id)))
    }

    /// Deletes `del` elements of a list from `index` and inserts `values` there.
    ///
    /// # Errors
    /// As [`Transaction::insert`]; [`DocError::IndexOutOfBounds`] also if `index + del` is past
    /// the end.
    pub fn splice<V: Into<ScalarValue>>(
        &mut self,
        obj: impl AsRef<ObjId>,
        index: usize,
        del: usize,
        values: impl IntoIterator<Item = V>,
    ) -> Result<(), DocError> {
        let obj = obj.as_ref();
        let (t, len) = self.list_target(obj, index)?;
        check_range(obj, index, del, len)?;
        let values: Vec<Stored> = values
            .into_iter()
            .map(|v| Stored::Scalar(v.into()))
            .collect();
        self.room_for((del as u64).saturating_add(values.len() as u64))?;
        if del > 0 {
            let first = self.take_ids(del as u64);
            let deleted =
                self.doc
                    .objects
                    .delete_list_local(t.id, (index, del), first, &mut self.undo);
            self.log_list_deletes(t.id, first, &deleted);
        }
        if !values.is_empty() {
            self.insert_into(&t, index, values);
        }
        Ok(())
    }

    /// Deletes `del` characters of a text from `pos` and inserts `text` there. Positions count
    /// Unicode scalar values.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`], [`DocError::WrongObjectType`] if it is not a text,
    /// [`DocError::IndexOutOfBounds`] if `pos + del` is past the end.
    pub fn splice_text(
        &mut self,
        obj: impl AsRef<ObjId>,
        pos: usize,
        del: usize,
        text: &str,
    ) -> Result<(), DocError> {
        let obj = obj.as_ref();
        let obj_id = self
            .doc
            .history
            .import_obj(obj)
            .ok_or(DocError::NoSuchObject(*obj))?;
        let chars = text.chars().count();
        self.room_for((del as u64).saturating_add(chars as u64))?;
        let deletes = Id::new(self.actor, self.next_op);
        let id = deletes.add(del as u64);
        let Doc {
            objects, history, ..
        } = &mut *self.doc;
        let mut by = deletes;
        let spliced = objects.splice_text_local(
            obj_id,
            (pos, del),
            id,
            (text, chars),
            &mut self.undo,
            |target, n| {
                history
                    .log
                    .push_delete(by, obj_id, n as u64, (target, false), false);
                by = by.add(n as u64);
            },
        );
        let bytes = spliced.map_err(|refused| match refused {
            SpliceRefused::Missing => DocError::NoSuchObject(*obj),
            SpliceRefused::NotText(found) => DocError::WrongObjectType {
                obj: *obj,
                expected: Expected::Text,
                found,
            },
            SpliceRefused::OutOfRange(len) => DocError::IndexOutOfBounds {
                obj: *obj,
                index: pos.saturating_add(del),
                len,
            },
        })?;
        self.take_ids((del + chars) as u64);
        if chars > 0 {
            self.doc
                .history
                .log
                .push_text(id, obj_id, bytes, chars as u64);
        }
        Ok(())
    }
}

fn check_range(obj: &ObjId, index: usize, del: usize, len: usize) -> Result<(), DocError> {
    match index.checked_add(del) {
        Some(end) if end <= len => Ok(()),
        _ => Err(DocError::IndexOutOfBounds {
            obj: *obj,
            index: index.saturating_add(del),
            len,
        }),
    }
}

fn new_value(v: Stored) -> NewValue {
    match v {
        Stored::Scalar(s) => NewValue::Scalar(s),
        Stored::Object(t) => NewValue::Object(t),
    }
}

impl ReadDoc for Transaction<'_> {
    fn get(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<Option<(Value, OpId)>, DocError> {
        self.doc.get(obj, prop)
    }

    fn get_all(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<Vec<(Value, OpId)>, DocError> {
        self.doc.get_all(obj, prop)
    }

    fn keys(&self, obj: impl AsRef<ObjId>) -> Vec<String> {
        self.doc.keys(obj)
    }

    fn length(&self, obj: impl AsRef<ObjId>) -> usize {
        self.doc.length(obj)
    }

    fn text(&self, obj: impl AsRef<ObjId>) -> Result<String, DocError> {
        self.doc.text(obj)
    }

    fn values(&self, obj: impl AsRef<ObjId>) -> Result<Vec<(Value, OpId)>, DocError> {
        self.doc.values(obj)
    }

    fn elements(&self, obj: impl AsRef<ObjId>) -> Result<Vec<SeqElement>, DocError> {
        self.doc.elements(obj)
    }

    fn elements_at(
        &self,
        obj: impl AsRef<ObjId>,
        heads: &[OpId],
    ) -> Result<Vec<SeqElement>, DocError> {
        self.doc.elements_at(obj, heads)
    }

    fn object_type(&self, obj: impl AsRef<ObjId>) -> Result<ObjType, DocError> {
        self.doc.object_type(obj)
    }

    fn heads(&self) -> Vec<OpId> {
        self.doc.heads()
    }

    fn get_at(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        heads: &[OpId],
    ) -> Result<Option<(Value, OpId)>, DocError> {
        self.doc.get_at(obj, prop, heads)
    }

    fn get_all_at(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        heads: &[OpId],
    ) -> Result<Vec<(Value, OpId)>, DocError> {
        self.doc.get_all_at(obj, prop, heads)
    }

    fn keys_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<Vec<String>, DocError> {
        self.doc.keys_at(obj, heads)
    }

    fn length_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<usize, DocError> {
        self.doc.length_at(obj, heads)
    }

    fn text_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<String, DocError> {
        self.doc.text_at(obj, heads)
    }

    fn values_at(
        &self,
        obj: impl AsRef<ObjId>,
        heads: &[OpId],
    ) -> Result<Vec<(Value, OpId)>, DocError> {
        self.doc.values_at(obj, heads)
    }
}
