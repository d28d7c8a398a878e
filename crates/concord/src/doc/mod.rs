//! The document: the object store, the change graph, and the API over them.
//!
//! A document is two structures kept in step. [`History`] is the change graph (who did what,
//! on top of what); [`Objects`] is the current state of every object, each register and
//! sequence element still carrying the ids of the ops that wrote and overwrote it. Reads at the
//! current version look only at the state; reads at past heads filter the same state through a
//! version vector, so no read replays history.
//!
//! Local edits ([`Transaction`]) and remote changes ([`Doc::apply_changes`]) mutate the state
//! through the same primitives in `objects.rs`, which record undo entries: a transaction or a
//! batch of changes that fails half-way is rolled back exactly, and the document is as it was.

mod apply;
mod history;
mod objects;
mod oplog;
mod persist;
mod read;
mod transaction;

pub use read::{ReadDoc, SeqElement};
pub use transaction::Transaction;

use crate::change::Change;
use crate::clock::At;
use crate::{ActorId, ApplyError, DocError, ObjId, ObjType, OpId, Prop, Value};

use history::History;
use objects::Objects;
use read::Reader;

/// A document: a JSON-like tree of maps, lists, texts and scalars that replicas edit offline
/// and merge in any order to the same state.
///
/// ```
/// use concord::{Doc, ReadDoc, ROOT};
/// let mut doc = Doc::new();
/// doc.transact(|tx| tx.put(ROOT, "title", "Groceries"))?;
/// let (title, _) = doc.get(ROOT, "title")?.unwrap();
/// assert_eq!(title.as_str(), Some("Groceries"));
/// # Ok::<(), concord::DocError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Doc {
    actor: ActorId,
    history: History,
    objects: Objects,
    /// The heads at the last save or load: `save_incremental` writes what came after them.
    saved: Vec<OpId>,
}

impl Default for Doc {
    fn default() -> Self {
        Doc::new()
    }
}

impl Doc {
    /// An empty document with a random actor id.
    pub fn new() -> Self {
        Doc::with_actor(ActorId::random())
    }

    /// An empty document whose edits are made by `actor`.
    pub fn with_actor(actor: ActorId) -> Self {
        Doc {
            actor,
            history: History::default(),
            objects: Objects::default(),
            saved: Vec::new(),
        }
    }

    /// The actor this replica's edits are made by.
    pub fn actor(&self) -> ActorId {
        self.actor
    }

    /// Makes this replica's further edits with another actor id. Two replicas must never edit
    /// with the same actor id.
    pub fn set_actor(&mut self, actor: ActorId) {
        self.actor = actor;
    }

    /// Runs `f` in a transaction. If `f` returns `Ok`, its edits are committed as one change
    /// (none if it made no edits); if it returns `Err`, every edit it made is undone and the
    /// document, its heads and its op counter are exactly as they were.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn transact<T, E>(
        &mut self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut tx = Transaction::new(self);
        match f(&mut tx) {
            Ok(v) => {
                tx.commit();
                Ok(v)
            }
            Err(e) => {
                tx.rollback();
                Err(e)
            }
        }
    }

    /// Every change of the document, in an order where each comes after its dependencies.
    pub fn changes(&self) -> Vec<Change> {
        self.history.changes(&self.objects)
    }

    /// The changes that are not in the causal past of `heads`, dependencies first: what a
    /// replica at `heads` is missing.
    ///
    /// # Errors
    /// [`DocError::UnknownHead`] if a head is not the last op of a change of this document.
    pub fn changes_since(&self, heads: &[OpId]) -> Result<Vec<Change>, DocError> {
        let clock = self.history.clock_at(heads)?;
        Ok(self.history.changes_outside(&self.objects, &clock))
    }

    /// The change whose last op is `head`.
    pub fn change(&self, head: OpId) -> Option<Change> {
        self.history.change(head, &self.objects)
    }

    /// Changes that arrived before their dependencies and wait for them.
    pub fn pending_changes(&self) -> &[Change] {
        &self.history.queue
    }

    /// Applies everything `other` has that this document lacks.
    ///
    /// # Errors
    /// As [`Doc::apply_changes`].
    pub fn merge(&mut self, other: &Doc) -> Result<(), ApplyError> {
        let missing = other
            .history
            .changes_missing_from(&other.objects, &self.history);
        self.apply_changes(missing)
    }

    /// A copy of this document, with a new random actor.
    pub fn fork(&self) -> Doc {
        let mut doc = self.clone();
        doc.actor = ActorId::random();
        doc
    }

    /// A document holding only the changes in the causal past of `heads`, with a new random
    /// actor.
    ///
    /// # Errors
    /// [`DocError::UnknownHead`] if a head is not the last op of a change of this document.
    pub fn fork_at(&self, heads: &[OpId]) -> Result<Doc, DocError> {
        let clock = self.history.clock_at(heads)?;
        let mut doc = Doc::new();
        doc.apply_changes(self.history.changes_inside(&self.objects, &clock))
            .unwrap_or_else(|e| unreachable!("a document's own changes apply: {e}"));
        Ok(doc)
    }

    /// For every actor with applied changes, how many (the sync protocol's version vector).
    pub(crate) fn have(&self) -> Vec<(ActorId, u64)> {
        self.history.have()
    }

    /// The applied changes whose sequence number is above `have(actor)`.
    pub(crate) fn changes_after(&self, have: impl Fn(&ActorId) -> u64) -> Vec<Change> {
        self.history.changes_after(&self.objects, have)
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            history: &self.history,
            objects: &self.objects,
            at: At::Now,
        }
    }

    fn read_at<T>(
        &self,
        heads: &[OpId],
        f: impl FnOnce(Reader<'_>) -> Result<T, DocError>,
    ) -> Result<T, DocError> {
        Reader::with_clock(&self.history, &self.objects, heads, f)
    }
}

impl ReadDoc for Doc {
    fn get(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<Option<(Value, OpId)>, DocError> {
        Ok(self.get_all(obj, prop)?.pop())
    }

    fn get_all(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
    ) -> Result<Vec<(Value, OpId)>, DocError> {
        self.reader().get_all(obj.as_ref(), &prop.into())
    }

    fn keys(&self, obj: impl AsRef<ObjId>) -> Vec<String> {
        self.reader().keys(obj.as_ref()).unwrap_or_default()
    }

    fn length(&self, obj: impl AsRef<ObjId>) -> usize {
        self.reader().length(obj.as_ref()).unwrap_or(0)
    }

    fn text(&self, obj: impl AsRef<ObjId>) -> Result<String, DocError> {
        self.reader().text(obj.as_ref())
    }

    fn values(&self, obj: impl AsRef<ObjId>) -> Result<Vec<(Value, OpId)>, DocError> {
        self.reader().values(obj.as_ref())
    }

    fn elements(&self, obj: impl AsRef<ObjId>) -> Result<Vec<SeqElement>, DocError> {
        self.reader().elements(obj.as_ref())
    }

    fn elements_at(
        &self,
        obj: impl AsRef<ObjId>,
        heads: &[OpId],
    ) -> Result<Vec<SeqElement>, DocError> {
        self.read_at(heads, |r| r.elements(obj.as_ref()))
    }

    fn object_type(&self, obj: impl AsRef<ObjId>) -> Result<ObjType, DocError> {
        Ok(self.reader().obj(obj.as_ref())?.1.obj_type())
    }

    fn heads(&self) -> Vec<OpId> {
        self.history.heads().to_vec()
    }

    fn get_at(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        heads: &[OpId],
    ) -> Result<Option<(Value, OpId)>, DocError> {
        Ok(self.get_all_at(obj, prop, heads)?.pop())
    }

    fn get_all_at(
        &self,
        obj: impl AsRef<ObjId>,
        prop: impl Into<Prop>,
        heads: &[OpId],
    ) -> Result<Vec<(Value, OpId)>, DocError> {
        let prop = prop.into();
        self.read_at(heads, |r| r.get_all(obj.as_ref(), &prop))
    }

    fn keys_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<Vec<String>, DocError> {
        self.read_at(heads, |r| r.keys(obj.as_ref()))
    }

    fn length_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<usize, DocError> {
        self.read_at(heads, |r| r.length(obj.as_ref()))
    }

    fn text_at(&self, obj: impl AsRef<ObjId>, heads: &[OpId]) -> Result<String, DocError> {
        self.read_at(heads, |r| r.text(obj.as_ref()))
    }

    fn values_at(
        &self,
        obj: impl AsRef<ObjId>,
        heads: &[OpId],
    ) -> Result<Vec<(Value, OpId)>, DocError> {
        self.read_at(heads, |r| r.values(obj.as_ref()))
    }
}
