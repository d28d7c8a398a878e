//! The object store: every object ever created, by the id of the op that created it, and the
//! mutation primitives that local edits and remote changes share.
//!
//! Every mutation pushes an [`Undo`] record, so that a transaction or a batch of changes that
//! fails half-way can be rolled back exactly, in reverse order, without copying the document
//! up front.

use std::cmp::Ordering;
use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::ops::Range;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::encoding::STREAMED_OPS;
use crate::ids::{ActorIdx, Id};
use crate::register::{Register, RegisterError, Stored};
use crate::seq::{SeqTree, TextSpan};
use crate::ObjType;

use super::oplog::TextSource;

/// The internal id of the root map (counters start at 1, so no op has this id).
pub(crate) const ROOT_ID: Id = Id::new(ActorIdx(0), 0);

/// The state of one object.
#[derive(Clone, Debug)]
pub(crate) enum ObjData {
    Map(BTreeMap<String, Register>),
    List(SeqTree<VecDeque<Register>>),
    /// Characters; which op deleted which is in the op log (for reads at past versions).
    Text(SeqTree<TextSpan>),
}

impl ObjData {
    /// An empty object of kind `t`; a sequence built by a batch of changes if `batch`.
    fn new(t: ObjType, batch: bool) -> Self {
        match (t, batch) {
            (ObjType::Map, _) => ObjData::Map(BTreeMap::new()),
            (ObjType::List, false) => ObjData::List(SeqTree::new()),
            (ObjType::List, true) => ObjData::List(SeqTree::for_batch()),
            (ObjType::Text, false) => ObjData::Text(SeqTree::new()),
            (ObjType::Text, true) => ObjData::Text(SeqTree::for_batch()),
        }
    }

    pub(crate) fn obj_type(&self) -> ObjType {
        match self {
            ObjData::Map(_) => ObjType::Map,
            ObjData::List(_) => ObjType::List,
            ObjData::Text(_) => ObjType::Text,
        }
    }
}

/// One write into a register: op `id` sets `value` (`None`: deletes), overwriting `pred`.
pub(crate) struct Write<'p> {
    pub(crate) id: Id,
    pub(crate) value: Option<Stored>,
    pub(crate) pred: &'p [Id],
}

/// A register's address inside its object.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RegKey {
    Map(String),
    Elem(Id),
}

/// How to reverse one mutation.
#[derive(Clone, Debug)]
pub(crate) enum Undo {
    Write {
        obj: Id,
        key: RegKey,
        id: Id,
    },
    Increment {
        obj: Id,
        key: RegKey,
        id: Id,
    },
    Create(Id),
    Insert {
        obj: Id,
        id: Id,
        len: usize,
    },
    Hide {
        obj: Id,
        id: Id,
        len: usize,
    },
    /// List elements `elem .. elem + len` deleted by ops `by .. by + len`, one each: element
    /// `elem + k` by op `by + k`, or, `backward`, by op `by + len - 1 - k`.
    DeleteElems {
        obj: Id,
        elem: Id,
        by: Id,
        len: usize,
        backward: bool,
    },
}

impl Undo {
    /// Appends the entry `make` builds to `undo`, building it in the log's room.
    ///
    /// `undo.push(entry)` builds the entry in a temporary, field by field (8 bytes at most at
    /// a time), then copies it into the log in 16-byte moves. A load that spans several
    /// recent stores cannot take its bytes from them and waits until they reach the cache:
    /// a stall on every keystroke. Here the room is made first and the entry built in it.
    #[inline]
    pub(crate) fn push(undo: &mut Vec<Undo>, make: impl FnMut() -> Undo) {
        undo.resize_with(undo.len() + 1, make);
    }
}

/// Why a primitive refused to mutate. Nothing was changed.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The register has no element with this id.
    NoElement(Id),
    Register(RegisterError),
}

impl From<RegisterError> for Refusal {
    fn from(e: RegisterError) -> Self {
        Refusal::Register(e)
    }
}

/// Every object of a document.
#[derive(Clone, Debug)]
pub(crate) struct Objects {
    objs: FxHashMap<Id, ObjData>,
    /// During a batch of changes ([`Objects::begin_batch`]), the objects it created.
    batch: Option<Vec<Id>>,
    /// An empty undo log with room, kept between transactions so that a keystroke's
    /// transaction does not allocate one.
    spare_undo: Vec<Undo>,
    /// During a batch, the strings of the text inserts applied since the loader last took
    /// them ([`Objects::give_spare_text`]), for the decoder to read the next ones into.
    spare_text: Vec<String>,
}

/// The most undo entries whose room a document keeps between transactions (12 KiB): far more
/// than a keystroke's transaction makes.
const SPARE_UNDO: usize = 256;

impl Default for Objects {
    fn default() -> Self {
        let mut objs = FxHashMap::default();
        objs.insert(ROOT_ID, ObjData::Map(BTreeMap::new()));
        Objects {
            objs,
            batch: None,
            spare_undo: Vec::new(),
            spare_text: Vec::new(),
        }
    }
}

/// The texts of the document are where the op log reads its text inserts back.
impl TextSource for Objects {
    /// Empty if `obj` is not a text.
    fn inserted(&self, obj: Id, actor: ActorIdx) -> &str {
        match self.objs.get(&obj) {
            Some(ObjData::Text(t)) => t.chars_of(actor),
            _ => "",
        }
    }

    /// # Panics
    /// If the text `obj` lacks `elem`: the log only names elements its inserts made, and
    /// elements leave a text only when their insert is rolled back, out of the log too.
    fn chain(&self, obj: Id, elem: Id, max: u64) -> (Option<Id>, Option<Id>, u64) {
        match self.objs.get(&obj) {
            Some(ObjData::Text(t)) => t.chain_of(elem, max),
            _ => None,
        }
        .expect("a text holds every element its logged inserts made")
    }
}

impl Objects {
    /// Starts a batch of changes (a load, an import): sequences created until
    /// [`Objects::end_batch`] are built for it (see [`SeqTree::for_batch`]).
    pub(crate) fn begin_batch(&mut self) {
        self.batch = Some(Vec::new());
    }

    /// Keeps the string of a text insert just applied, during a batch, for the decoder to
    /// reuse: a load reads a thousand ops at a time, each insert's characters in a string of
    /// its own, and reusing them spares an allocation and a free per insert. At most a
    /// block's worth ([`STREAMED_OPS`]) are kept: blocks applied at the end of a load, none
    /// of whose strings the loader takes back, keep no more.
    pub(crate) fn recycle_text(&mut self, text: String) {
        if self.batch.is_some() && self.spare_text.len() < STREAMED_OPS {
            self.spare_text.push(text);
        }
    }

    /// Moves the strings kept by [`Objects::recycle_text`] into `to`.
    pub(crate) fn give_spare_text(&mut self, to: &mut Vec<String>) {
        to.append(&mut self.spare_text);
    }

    /// Ends a batch: the sequences it created are made ready for editing.
    pub(crate) fn end_batch(&mut self) {
        self.spare_text = Vec::new();
        for id in self.batch.take().unwrap_or_default() {
            match self.objs.get_mut(&id) {
                Some(ObjData::List(tree)) => tree.end_batch(),
                Some(ObjData::Text(tree)) => tree.end_batch(),
                _ => {}
            }
        }
    }

    /// An empty undo log, reusing the room of the last one given back.
    pub(crate) fn take_undo(&mut self) -> Vec<Undo> {
        std::mem::take(&mut self.spare_undo)
    }

    /// Gives back an undo log that is no longer needed, for the next [`Objects::take_undo`].
    /// The room kept is capped at [`SPARE_UNDO`] entries: one large transaction (a paste
    /// over many runs) must not leave its undo log's room in the document for good.
    pub(crate) fn give_back_undo(&mut self, mut undo: Vec<Undo>) {
        undo.clear();
        if undo.capacity() > self.spare_undo.capacity() {
            undo.shrink_to(SPARE_UNDO);
            self.spare_undo = undo;
        }
    }

    pub(crate) fn get(&self, obj: Id) -> Option<&ObjData> {
        self.objs.get(&obj)
    }

    fn create(&mut self, id: Id, value: &Stored, undo: &mut Vec<Undo>) {
        if let Stored::Object(t) = value {
            let batch = self.batch.as_mut();
            self.objs.insert(id, ObjData::new(*t, batch.is_some()));
            if let Some(created) = batch {
                created.push(id);
            }
            Undo::push(undo, || Undo::Create(id));
        }
    }

    /// Writes `value` (or deletes, for `None`) into a register, overwriting `pred`.
    ///
    /// The caller has checked that `obj` exists and has the kind `key` addresses.
    pub(crate) fn write(
        &mut self,
        obj: Id,
        key: RegKey,
        write: Write<'_>,
        cmp: impl Fn(Id, Id) -> Ordering,
        undo: &mut Vec<Undo>,
    ) -> Result<(), Refusal> {
        let Write { id, value, pred } = write;
        let created = match &value {
            Some(v @ Stored::Object(_)) => Some(v.clone()),
            _ => None,
        };
        match (self.objs.get_mut(&obj), &key) {
            (Some(ObjData::Map(map)), RegKey::Map(k)) => {
                if !map.contains_key(k) {
                    if let Some(&p) = pred.first() {
                        return Err(RegisterError::UnknownPred(p).into());
                    }
                }
                map.entry(k.clone())
                    .or_default()
                    .write(id, value, pred, cmp)?;
            }
            (Some(ObjData::List(tree)), RegKey::Elem(e)) => tree
                .update(*e, |slots, i| {
                    slots[i].write(id, value, pred, cmp)?;
                    Ok::<_, RegisterError>(slots[i].is_visible())
                })
                .ok_or(Refusal::NoElement(*e))??,
            _ => unreachable!("the caller checks the object and key kinds"),
        }
        undo.push(Undo::Write { obj, key, id });
        if let Some(v) = created {
            self.create(id, &v, undo);
        }
        Ok(())
    }

    /// Adds `by` to the counters `pred` of a register.
    pub(crate) fn increment(
        &mut self,
        obj: Id,
        key: RegKey,
        id: Id,
        by: i64,
        pred: &[Id],
        undo: &mut Vec<Undo>,
    ) -> Result<(), Refusal> {
        match (self.objs.get_mut(&obj), &key) {
            (Some(ObjData::Map(map)), RegKey::Map(k)) => match map.get_mut(k) {
                Some(reg) => reg.increment(id, by, pred)?,
                None if pred.is_empty() => {}
                None => return Err(RegisterError::UnknownPred(pred[0]).into()),
            },
            (Some(ObjData::List(tree)), RegKey::Elem(e)) => tree
                .with_content_mut(*e, |slots, i| slots[i].increment(id, by, pred))
                .ok_or(Refusal::NoElement(*e))??,
            _ => unreachable!("the caller checks the object and key kinds"),
        }
        undo.push(Undo::Increment { obj, key, id });
        Ok(())
    }

    /// A local delete of the visible elements `pos .. pos + del` of a list, as ops `first ..`,
    /// one per element in document order, each overwriting its element's visible values.
    /// Returns each element's id and the values its op overwrote (the op's predecessors).
    ///
    /// The caller has checked that `obj` is a list and that the range is in it. The elements
    /// are found by position, a run at a time, and each stretch of them in one run is hidden
    /// at once.
    pub(crate) fn delete_list_local(
        &mut self,
        obj: Id,
        (pos, del): (usize, usize),
        first: Id,
        undo: &mut Vec<Undo>,
    ) -> Vec<(Id, SmallVec<[Id; 1]>)> {
        let Some(ObjData::List(tree)) = self.objs.get_mut(&obj) else {
            unreachable!("the caller checks the object kind")
        };
        let mut deleted = Vec::with_capacity(del);
        let mut by = first;
        let spans = tree.hide_local_with(pos, del, |slots, off, k, mut e| {
            for slot in slots.range_mut(off..off + k) {
                deleted.push((e, slot.delete_visible(by)));
                (e, by) = (e.add(1), by.add(1));
            }
        });
        let mut by = first;
        for (elem, len) in spans {
            let record = Undo::DeleteElems {
                obj,
                elem,
                by,
                len,
                backward: false,
            };
            undo.push(record);
            by = by.add(len as u64);
        }
        deleted
    }

    /// Remote deletes of list elements, each overwriting with nothing the value its element
    /// was inserted with: ops `by .. by + len` delete elements `elem .. elem + len`, in that
    /// order or (`backward`) the other way round. False, changing nothing, if an element is
    /// not in the list or its register has no value with the element's id: the caller then
    /// applies the deletes one by one, which says which is wrong.
    ///
    /// The caller has checked that `obj` is a list.
    pub(crate) fn delete_elems(
        &mut self,
        obj: Id,
        (elem, len, backward): (Id, usize, bool),
        by: Id,
        undo: &mut Vec<Undo>,
    ) -> bool {
        let Some(ObjData::List(tree)) = self.objs.get_mut(&obj) else {
            unreachable!("the caller checks the object kind")
        };
        let mut holds = true;
        let found = tree.for_contents_mut(elem, len, |slots, off, k, first| {
            holds &= (0..k).all(|i| slots[off + i].holds(first.add(i as u64)));
        });
        if found.is_none() || !holds {
            return false;
        }
        let by_of = deleter(elem, by, len, backward);
        write_elems(tree, (elem, len), |slot, e| {
            slot.delete_value(by_of(e), e);
        });
        Undo::push(undo, || Undo::DeleteElems {
            obj,
            elem,
            by,
            len,
            backward,
        });
        true
    }

    /// Inserts list values as ops `id ..`, between `left` and `right` (remote) or at `pos`
    /// (local). Returns the origins the insert was placed between.
    pub(crate) fn insert_list(
        &mut self,
        obj: Id,
        id: Id,
        place: Place,
        values: &[Stored],
        cmp_actors: impl Fn(ActorIdx, ActorIdx) -> Ordering,
        undo: &mut Vec<Undo>,
    ) -> (Option<Id>, Option<Id>) {
        let len = values.len();
        let slots: VecDeque<Register> = values
            .iter()
            .enumerate()
            .map(|(k, v)| Register::with_value(id.add(k as u64), v.clone()))
            .collect();
        let Some(ObjData::List(tree)) = self.objs.get_mut(&obj) else {
            unreachable!("the caller checks the object kind")
        };
        let origins = place.insert(tree, id, slots, cmp_actors);
        Undo::push(undo, || Undo::Insert { obj, id, len });
        for (k, v) in values.iter().enumerate() {
            self.create(id.add(k as u64), v, undo);
        }
        origins
    }

    /// Inserts the characters of `text` (`chars` of them) as ops `id ..`. Returns the bytes
    /// its characters took in the object's buffer of its actor (which the op log names them
    /// by).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_str(
        &mut self,
        obj: Id,
        id: Id,
        place: Place,
        text: &str,
        chars: usize,
        cmp_actors: impl Fn(ActorIdx, ActorIdx) -> Ordering,
        undo: &mut Vec<Undo>,
    ) -> Range<u32> {
        let Some(ObjData::Text(t)) = self.objs.get_mut(&obj) else {
            unreachable!("the caller checks the object kind")
        };
        let content = t.push_text(id.actor(), text, chars);
        let len = crate::seq::Content::len(&content);
        let bytes = content.bytes();
        place.insert(t, id, content, cmp_actors);
        Undo::push(undo, || Undo::Insert { obj, id, len });
        bytes
    }

    /// A local splice of a text: hides the visible characters `pos .. pos + del`, then
    /// inserts `text` (`chars` characters, as ops `id ..`) at `pos`. Calls `hidden` with each
    /// id span of the hidden characters, in document order (the caller logs their deletes);
    /// returns the bytes the inserted characters took, as [`Objects::insert_str`] (none if
    /// `text` is empty).
    ///
    /// # Errors
    /// Before anything changes, if `obj` is not a text or the range is not in it: one lookup
    /// of the object serves both the checks and the edit, as typing is the hottest path.
    pub(crate) fn splice_text_local(
        &mut self,
        obj: Id,
        (pos, del): (usize, usize),
        id: Id,
        (text, chars): (&str, usize),
        undo: &mut Vec<Undo>,
        mut hidden: impl FnMut(Id, usize),
    ) -> Result<Range<u32>, SpliceRefused> {
        let t = match self.objs.get_mut(&obj) {
            Some(ObjData::Text(t)) => t,
            Some(other) => return Err(SpliceRefused::NotText(other.obj_type())),
            None => return Err(SpliceRefused::Missing),
        };
        if pos.checked_add(del).is_none_or(|end| end > t.len()) {
            return Err(SpliceRefused::OutOfRange(t.len()));
        }
        if del > 0 {
            for (id, len) in t.hide_local(pos, del) {
                Undo::push(undo, || Undo::Hide { obj, id, len });
                hidden(id, len);
            }
        }
        if chars == 0 {
            return Ok(0..0);
        }
        let content = t.push_text(id.actor(), text, chars);
        let bytes = content.bytes();
        t.insert_local(pos, id, content);
        Undo::push(undo, || Undo::Insert {
            obj,
            id,
            len: chars,
        });
        Ok(bytes)
    }

    /// Hides the text elements `id .. id + len` of the text `obj` (a delete op the caller
    /// logs); or, changing nothing, returns the first of them that is not in the text.
    pub(crate) fn delete_text(
        &mut self,
        obj: Id,
        (id, len): (Id, u64),
        undo: &mut Vec<Undo>,
    ) -> Result<(), Id> {
        let Some(ObjData::Text(t)) = self.objs.get_mut(&obj) else {
            unreachable!("the caller checks the object kind")
        };
        for (id, len) in t.hide_ids(id, len)? {
            Undo::push(undo, || Undo::Hide { obj, id, len });
        }
        Ok(())
    }

    /// Reverses the mutations in `undo`, newest first.
    pub(crate) fn rollback(&mut self, undo: Vec<Undo>) {
        for u in undo.into_iter().rev() {
            match u {
                Undo::Create(id) => {
                    self.objs.remove(&id);
                }
                Undo::Write { obj, key, id } => {
                    self.undo_register(obj, key, |r| r.undo_write(id));
                }
                Undo::Increment { obj, key, id } => {
                    self.undo_register(obj, key, |r| r.undo_increment(id));
                }
                Undo::Insert { obj, id, len } => match self.objs.get_mut(&obj) {
                    Some(ObjData::List(tree)) => tree.remove(id, len),
                    Some(ObjData::Text(t)) => t.remove(id, len),
                    _ => unreachable!("undo records name existing sequences"),
                },
                Undo::DeleteElems {
                    obj,
                    elem,
                    by,
                    len,
                    backward,
                } => {
                    let Some(ObjData::List(tree)) = self.objs.get_mut(&obj) else {
                        unreachable!("undo records name existing lists")
                    };
                    let by_of = deleter(elem, by, len, backward);
                    write_elems(tree, (elem, len), |slot, e| slot.undo_write(by_of(e)));
                }
                Undo::Hide { obj, id, len } => {
                    let Some(ObjData::Text(t)) = self.objs.get_mut(&obj) else {
                        unreachable!("undo records name existing texts")
                    };
                    t.set_visible(id, len, true);
                }
            }
        }
    }

    fn undo_register(&mut self, obj: Id, key: RegKey, f: impl FnOnce(&mut Register)) {
        match (self.objs.get_mut(&obj), key) {
            (Some(ObjData::Map(map)), RegKey::Map(k)) => {
                if let Some(reg) = map.get_mut(&k) {
                    f(reg);
                    if reg.entries().is_empty() {
                        map.remove(&k);
                    }
                }
            }
            (Some(ObjData::List(tree)), RegKey::Elem(e)) => {
                tree.update(e, |slots, i| {
                    f(&mut slots[i]);
                    Ok::<_, Infallible>(slots[i].is_visible())
                });
            }
            _ => unreachable!("undo records name existing registers"),
        }
    }
}

/// Why [`Objects::splice_text_local`] refused a splice.
pub(crate) enum SpliceRefused {
    /// There is no such object.
    Missing,
    /// The object is of this other type.
    NotText(ObjType),
    /// The range passes the end of the text, which is this long.
    OutOfRange(usize),
}

/// Where an insert goes: a visible position (a local edit) or between two elements (a remote
/// op, placed by the sequence CRDT's integration rule).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Place {
    Local(usize),
    Between(Option<Id>, Option<Id>),
}

impl Place {
    fn insert<C: crate::seq::Content>(
        self,
        tree: &mut SeqTree<C>,
        id: Id,
        content: C,
        cmp_actors: impl Fn(ActorIdx, ActorIdx) -> Ordering,
    ) -> (Option<Id>, Option<Id>) {
        match self {
            Place::Local(pos) => tree.insert_local(pos, id, content),
            Place::Between(left, right) => {
                tree.integrate(id, left, right, content, cmp_actors);
                (left, right)
            }
        }
    }
}

/// The op that deletes each of the list elements `elem .. elem + len`, given the first of the
/// ops `by ..` that delete them, in id order or (`backward`) the other way round.
fn deleter(elem: Id, by: Id, len: usize, backward: bool) -> impl Fn(Id) -> Id {
    move |e: Id| {
        let k = e.counter() - elem.counter();
        by.add(if backward { len as u64 - 1 - k } else { k })
    }
}

/// Calls `write` on the register of each of the list elements `elem .. elem + len` (all
/// present) with its id, then gives each element the visibility its register now has, a
/// stretch of consecutive elements at a time.
fn write_elems(
    tree: &mut SeqTree<VecDeque<Register>>,
    (elem, len): (Id, usize),
    mut write: impl FnMut(&mut Register, Id),
) {
    let mut stretches: SmallVec<[(Id, usize, bool); 2]> = SmallVec::new();
    let found = tree.for_contents_mut(elem, len, |slots, off, k, first| {
        for (i, slot) in slots.range_mut(off..off + k).enumerate() {
            let e = first.add(i as u64);
            write(slot, e);
            let visible = slot.is_visible();
            match stretches.last_mut() {
                Some((_, n, v)) if *v == visible => *n += 1,
                _ => stretches.push((e, 1, visible)),
            }
        }
    });
    debug_assert!(found.is_some(), "the elements are in the list");
    for (first, n, visible) in stretches {
        tree.set_visible(first, n, visible);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spare_undo_log_keeps_little_room_after_a_large_transaction() {
        let mut objects = Objects::default();
        let mut undo = objects.take_undo();
        undo.extend((0..10_000).map(|_| Undo::Create(ROOT_ID)));
        objects.give_back_undo(undo);
        let spare = objects.take_undo();
        assert!(spare.is_empty());
        assert!(spare.capacity() >= SPARE_UNDO);
        assert!(
            spare.capacity() < 10_000,
            "kept room for {}",
            spare.capacity()
        );

        // A smaller log does not replace a spare with more room.
        let mut small = Vec::with_capacity(8);
        small.push(Undo::Create(ROOT_ID));
        objects.give_back_undo(spare);
        objects.give_back_undo(small);
        assert!(objects.take_undo().capacity() >= SPARE_UNDO);
    }
}
