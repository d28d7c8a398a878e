//! Reads, now or at a past version, shared by the document and an open transaction.

use crate::clock::{At, Clock};
use crate::error::Expected;
use crate::ids::Id;
use crate::register::Register;
use crate::seq::{SeqTree, TextSpan};
use crate::{DocError, ObjId, ObjType, OpId, Prop, ScalarValue, Value};

use super::history::History;
use super::objects::{ObjData, Objects, ROOT_ID};

/// Reading a document: the same methods serve a [`crate::Doc`] and an open
/// [`crate::Transaction`] (which sees its own writes).
///
/// The `_at` variants read the document as it was at `heads` (from [`ReadDoc::heads`] or
/// [`crate::Change::last_op`]): every change in their causal past applied, nothing else.
pub trait ReadDoc {
    /// The winning value of a map key or list slot, with the id of the op that wrote it.
    /// `None` if the key is absent. For a text, the character at that index.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`], [`DocError::WrongObjectType`] (a key on a list, an index on
    /// a map), [`DocError::IndexOutOfBounds`].
    fn get(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<Option<(Value, OpId)>, DocError>;

    /// Every concurrent value of a map key or list slot, in ascending op id order (the winner
    /// last): the conflicts that merge could not decide.
    ///
    /// # Errors
    /// As [`ReadDoc::get`].
    fn get_all(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<Vec<(Value, OpId)>, DocError>;

    /// The keys of a map that hold a value, sorted. Empty for anything else.
    fn keys(&self, obj: impl AsRef<ObjId>) -> Vec<String>;

    /// The number of keys of a map, elements of a list, or characters of a text (Unicode
    /// scalar values). 0 for an unknown object.
    fn length(&self, obj: impl AsRef<ObjId>) -> usize;

    /// The content of a text object.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`], [`DocError::WrongObjectType`] if it is not a text.
    fn text(&self, obj: impl AsRef<ObjId>) -> Result<String, DocError>;

    /// The winning values of an object in order: a list's elements, a text's characters, a
    /// map's values in key order.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`].
    fn values(&self, obj: impl AsRef<ObjId>) -> Result<Vec<(Value, OpId)>, DocError>;

    /// The elements of a list or text in order, each with its identity (the op that inserted
    /// it), its winning value and the op that wrote that value. Element ids never change and
    /// elements never move, so comparing the ids of two versions shows exactly what was
    /// inserted and deleted between them.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`], [`DocError::WrongObjectType`] if it is a map.
    fn elements(&self, obj: impl AsRef<ObjId>) -> Result<Vec<SeqElement>, DocError>;

    /// [`ReadDoc::elements`] at past heads.
    ///
    /// # Errors
    /// As [`ReadDoc::elements`], and [`DocError::UnknownHead`].
    fn elements_at(
        &self,
        obj: impl AsRef<ObjId>,
        heads: &[OpId],
    ) -> Result<Vec<SeqElement>, DocError>;

    /// The type of an object.
    ///
    /// # Errors
    /// [`DocError::NoSuchObject`].
    fn object_type(&self, obj: impl AsRef<ObjId>) -> Result<ObjType, DocError>;

    /// The current heads: the last ops of the changes nothing depends on yet, sorted.
    fn heads(&self) -> Vec<OpId>;

    /// [`ReadDoc::get`] at past heads.
    ///
    /// # Errors
    /// As [`ReadDoc::get`], and [`DocError::UnknownHead`].
    fn get_at(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        heads: &[OpId],
    ) -> Result<Option<(Value, OpId)>, DocError>;

    /// [`ReadDoc::get_all`] at past heads.
    ///
    /// # Errors
    /// As [`ReadDoc::get`], and [`DocError::UnknownHead`].
    fn get_all_at(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        heads: &[OpId],
    ) -> Result<Vec<(Value, OpId)>, DocError>;

    /// [`ReadDoc::keys`] at past heads.
    ///
    /// # Errors
    /// [`DocError::UnknownHead`].
    fn keys_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<Vec<String>, DocError>;

    /// [`ReadDoc::length`] at past heads.
    ///
    /// # Errors
    /// [`DocError::UnknownHead`].
    fn length_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<usize, DocError>;

    /// [`ReadDoc::text`] at past heads.
    ///
    /// # Errors
    /// As [`ReadDoc::text`], and [`DocError::UnknownHead`].
    fn text_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<String, DocError>;

    /// [`ReadDoc::values`] at past heads.
    ///
    /// # Errors
    /// As [`ReadDoc::values`], and [`DocError::UnknownHead`].
    fn values_at(
        &self,
        obj: impl AsRef<ObjId>,
        heads: &[OpId],
    ) -> Result<Vec<(Value, OpId)>, DocError>;
}

/// One element of a list or text, as [`ReadDoc::elements`] lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct SeqElement {
    /// The op that inserted the element: its identity, stable across versions.
    pub elem: OpId,
    /// Its winning value (for a text, the character as a string).
    pub value: Value,
    /// The op that wrote that value (the insert itself unless a `put` overwrote it).
    pub op: OpId,
}

/// A read view: the document's state at one version.
pub(crate) struct Reader<'a> {
    pub(crate) history: &'a History,
    pub(crate) objects: &'a Objects,
    pub(crate) at: At<'a>,
}

impl<'a> Reader<'a> {
    pub(crate) fn with_clock<T>(
        history: &'a History,
        objects: &'a Objects,
        heads: &[OpId],
        f: impl FnOnce(Reader<'_>) -> Result<T, DocError>,
    ) -> Result<T, DocError> {
        let clock: Clock = history.clock_at(heads)?;
        f(Reader {
            history,
            objects,
            at: At::Version(&clock),
        })
    }

    /// The internal id and state of an object that exists in this view.
    pub(crate) fn obj(&self, obj: &ObjId) -> Result<(Id, &'a ObjData), DocError> {
        let id = match obj {
            ObjId::Root => ROOT_ID,
            ObjId::Op(op) => self
                .history
                .import(*op)
                .filter(|&id| self.at.includes(id))
                .ok_or(DocError::NoSuchObject(*obj))?,
        };
        let data = self.objects.get(id).ok_or(DocError::NoSuchObject(*obj))?;
        Ok((id, data))
    }

    fn entries(&self, reg: &Register) -> Vec<(Value, OpId)> {
        reg.visible(self.at)
            .map(|e| (e.value_at(self.at), self.history.export(e.id)))
            .collect()
    }

    pub(crate) fn get_all(&self, obj: &ObjId, prop: &Prop) -> Result<Vec<(Value, OpId)>, DocError> {
        let (id, data) = self.obj(obj)?;
        match (data, prop) {
            (ObjData::Map(map), Prop::Map(k)) => {
                Ok(map.get(k).map(|r| self.entries(r)).unwrap_or_default())
            }
            (ObjData::List(tree), Prop::Seq(i)) => {
                let slot = match self.at {
                    At::Now => tree.get(*i).map(|(_, slots, k)| &slots[k]),
                    At::Version(_) => self.list_slots(tree).nth(*i).map(|(_, s)| s),
                };
                match slot {
                    Some(slot) => Ok(self.entries(slot)),
                    None => Err(self.out_of_bounds(obj, *i)),
                }
            }
            (ObjData::Text(text), Prop::Seq(i)) => match self.char_at(id, text, *i) {
                Some((id, c)) => Ok(vec![(
                    Value::Scalar(ScalarValue::Str(c.to_string())),
                    self.history.export(id),
                )]),
                None => Err(self.out_of_bounds(obj, *i)),
            },
            (data, Prop::Map(_)) => Err(wrong_type(obj, Expected::Map, data)),
            (data, Prop::Seq(_)) => Err(wrong_type(obj, Expected::Sequence, data)),
        }
    }

    fn out_of_bounds(&self, obj: &ObjId, index: usize) -> DocError {
        DocError::IndexOutOfBounds {
            obj: *obj,
            index,
            len: self.length(obj).unwrap_or(0),
        }
    }

    pub(crate) fn keys(&self, obj: &ObjId) -> Result<Vec<String>, DocError> {
        Ok(match self.obj(obj)?.1 {
            ObjData::Map(map) => map
                .iter()
                .filter(|(_, r)| r.winner(self.at).is_some())
                .map(|(k, _)| k.clone())
                .collect(),
            _ => Vec::new(),
        })
    }

    pub(crate) fn length(&self, obj: &ObjId) -> Result<usize, DocError> {
        let (id, data) = self.obj(obj)?;
        Ok(match (data, self.at) {
            (ObjData::Map(map), _) => map.values().filter(|r| r.winner(self.at).is_some()).count(),
            (ObjData::List(tree), At::Now) => tree.len(),
            (ObjData::Text(text), At::Now) => text.len(),
            (ObjData::List(tree), At::Version(_)) => self.list_slots(tree).count(),
            (ObjData::Text(text), At::Version(_)) => self.chars(id, text).len(),
        })
    }

    pub(crate) fn text(&self, obj: &ObjId) -> Result<String, DocError> {
        let (id, data) = self.obj(obj)?;
        match data {
            ObjData::Text(text) => Ok(match self.at {
                At::Now => text
                    .iter()
                    .filter(|run| run.visible())
                    .map(|run| text.run_text(run))
                    .collect(),
                At::Version(_) => self.chars(id, text).into_iter().map(|(_, c)| c).collect(),
            }),
            data => Err(wrong_type(obj, Expected::Text, data)),
        }
    }

    pub(crate) fn values(&self, obj: &ObjId) -> Result<Vec<(Value, OpId)>, DocError> {
        let winner = |reg: &Register| {
            reg.winner(self.at)
                .map(|e| (e.value_at(self.at), self.history.export(e.id)))
        };
        let (id, data) = self.obj(obj)?;
        Ok(match data {
            ObjData::Map(map) => map.values().filter_map(winner).collect(),
            ObjData::List(tree) => self
                .list_slots(tree)
                .filter_map(|(_, s)| winner(s))
                .collect(),
            ObjData::Text(text) => self
                .chars(id, text)
                .into_iter()
                .map(|(id, c)| {
                    (
                        Value::Scalar(ScalarValue::Str(c.to_string())),
                        self.history.export(id),
                    )
                })
                .collect(),
        })
    }

    pub(crate) fn elements(&self, obj: &ObjId) -> Result<Vec<SeqElement>, DocError> {
        let export = |id| self.history.export(id);
        let (id, data) = self.obj(obj)?;
        match data {
            ObjData::List(tree) => Ok(self
                .list_slots(tree)
                .filter_map(|(elem, slot)| {
                    let e = slot.winner(self.at)?;
                    Some(SeqElement {
                        elem: export(elem),
                        value: e.value_at(self.at),
                        op: export(e.id),
                    })
                })
                .collect()),
            ObjData::Text(text) => Ok(self
                .chars(id, text)
                .into_iter()
                .map(|(id, c)| SeqElement {
                    elem: export(id),
                    value: Value::Scalar(ScalarValue::Str(c.to_string())),
                    op: export(id),
                })
                .collect()),
            data => Err(wrong_type(obj, Expected::Sequence, data)),
        }
    }

    /// The visible slots of a list in this view, with their element ids.
    fn list_slots(
        &self,
        tree: &'a crate::seq::SeqTree<std::collections::VecDeque<Register>>,
    ) -> impl Iterator<Item = (Id, &'a Register)> + 'a {
        let at = self.at;
        tree.iter()
            .filter(move |run| !matches!(at, At::Now) || run.visible())
            .flat_map(move |run| {
                run.content
                    .iter()
                    .enumerate()
                    .filter(move |(_, slot)| matches!(at, At::Now) || slot.winner(at).is_some())
                    .map(move |(k, slot)| (run.id.add(k as u64), slot))
            })
    }

    /// The character at index `i` of a text in this view, with its element id.
    fn char_at(&self, obj: Id, text: &SeqTree<TextSpan>, i: usize) -> Option<(Id, char)> {
        match self.at {
            At::Now => {
                let (id, content, k) = text.get(i)?;
                Some((id, text.str_of(id.actor(), content).chars().nth(k)?))
            }
            At::Version(_) => self.chars(obj, text).into_iter().nth(i),
        }
    }

    /// The visible characters of a text in this view, with their element ids.
    fn chars(&self, obj: Id, text: &SeqTree<TextSpan>) -> Vec<(Id, char)> {
        let visible_runs = text.iter().filter(|run| match self.at {
            At::Now => run.visible(),
            At::Version(clock) => clock.contains(run.id),
        });
        let all = visible_runs.flat_map(|run| {
            text.run_text(run)
                .chars()
                .enumerate()
                .map(move |(k, c)| (run.id.add(k as u64), c))
        });
        let At::Version(clock) = self.at else {
            return all.collect();
        };
        let mut deleted = self.history.log.deleted_in(obj, clock);
        deleted.sort_unstable_by_key(|(id, _)| (id.actor(), id.counter()));
        // Coalesce overlapping spans (concurrent deletes of one element) so that the span
        // starting last at or before an id is the only one that can hold it.
        let mut spans: Vec<(Id, u64)> = Vec::with_capacity(deleted.len());
        for (id, len) in deleted {
            match spans.last_mut() {
                Some((last, n))
                    if last.actor() == id.actor() && id.counter() <= last.counter() + *n =>
                {
                    *n = (*n).max(id.counter() + len - last.counter());
                }
                _ => spans.push((id, len)),
            }
        }
        let is_deleted = |id: Id| {
            let i = spans
                .partition_point(|(d, _)| (d.actor(), d.counter()) <= (id.actor(), id.counter()));
            i > 0 && {
                let (d, len) = spans[i - 1];
                d.actor() == id.actor() && id.counter() < d.counter() + len
            }
        };
        all.filter(|&(id, _)| clock.contains(id) && !is_deleted(id))
            .collect()
    }
}

fn wrong_type(obj: &ObjId, expected: Expected, data: &ObjData) -> DocError {
    DocError::WrongObjectType {
        obj: *obj,
        expected,
        found: data.obj_type(),
    }
}
