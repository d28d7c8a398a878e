//! Changes: the unit in which history is made, stored and exchanged.
//!
//! A change is everything one actor did in one transaction: its ops, with the heads it was made
//! on (its dependencies), a sequence number, a time, an optional message and the named compound
//! operations (groups) it holds. Changes speak the public id space ([`OpId`],
//! [`ObjId`](crate::ObjId)) because they cross from one replica to another; a document
//! translates them to its internal ids when it applies them.
//!
//! A change is named by the id of its last op. Op counters are unique per actor, so that names
//! it uniquely, and heads are then a set of op ids, directly usable as a version: everything up
//! to and including those ops and their causal past.

mod block;
mod op;

pub(crate) use block::{seq_in_block, ChangeBlock};
pub(crate) use op::{
    forward_parts, forward_spans, Action, ActionView, InsertValues, Key, KeyView, NewValue, Op,
    OpView, Preds, ValuesView,
};

use std::ops::Range;

use crate::{ActorId, OpId};

/// A named compound operation inside a change: a contiguous range of its ops, possibly nested
/// inside another group of the same change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub(crate) name: String,
    pub(crate) parent: Option<usize>,
    pub(crate) ops: Range<u64>,
}

impl Group {
    /// The name given to the compound operation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The index (in [`Change::groups`]) of the group this one is nested in.
    pub fn parent(&self) -> Option<usize> {
        self.parent
    }

    /// The counters of the ops the group holds (empty if it made none).
    pub fn op_counters(&self) -> Range<u64> {
        self.ops.clone()
    }
}

/// The ops one actor made in one transaction, with their metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub(crate) actor: ActorId,
    pub(crate) seq: u64,
    pub(crate) start_op: u64,
    pub(crate) len: u64,
    pub(crate) time: i64,
    pub(crate) message: Option<String>,
    pub(crate) deps: Vec<OpId>,
    pub(crate) groups: Vec<Group>,
    pub(crate) ops: Vec<Op>,
}

/// The metadata of a change, apart from its ops.
pub(crate) struct ChangeMeta {
    pub(crate) actor: ActorId,
    pub(crate) seq: u64,
    pub(crate) start_op: u64,
    pub(crate) time: i64,
    pub(crate) message: Option<String>,
    pub(crate) deps: Vec<OpId>,
    pub(crate) groups: Vec<Group>,
}

impl ChangeMeta {
    /// The metadata of a change with no time, message or groups, for tests.
    #[cfg(test)]
    pub(crate) fn plain(actor: ActorId, seq: u64, start_op: u64, deps: Vec<OpId>) -> Self {
        ChangeMeta {
            actor,
            seq,
            start_op,
            time: 0,
            message: None,
            deps,
            groups: Vec::new(),
        }
    }
}

/// What a change is besides its dependencies and ops, borrowed: how a change is written
/// without being built ([`Change::head`], or straight from a document's history).
pub(crate) struct ChangeHead<'a> {
    pub(crate) actor: ActorId,
    pub(crate) seq: u64,
    pub(crate) start_op: u64,
    /// How many op ids its ops use.
    pub(crate) len: u64,
    pub(crate) time: i64,
    pub(crate) message: Option<&'a str>,
    pub(crate) groups: &'a [Group],
}

impl ChangeHead<'_> {
    /// The id of the change's last op (none if it has no ops).
    pub(crate) fn last_op(&self) -> Option<OpId> {
        let last = self.start_op.checked_add(self.len)?.checked_sub(1)?;
        (self.len > 0).then(|| OpId::new(last, self.actor))
    }
}

impl Change {
    /// The change's head, borrowed.
    pub(crate) fn head(&self) -> ChangeHead<'_> {
        ChangeHead {
            actor: self.actor,
            seq: self.seq,
            start_op: self.start_op,
            len: self.len,
            time: self.time,
            message: self.message.as_deref(),
            groups: &self.groups,
        }
    }

    pub(crate) fn new(meta: ChangeMeta, ops: Vec<Op>) -> Self {
        let len = ops.iter().map(Op::len).sum();
        Change {
            actor: meta.actor,
            seq: meta.seq,
            start_op: meta.start_op,
            len,
            time: meta.time,
            message: meta.message,
            deps: meta.deps,
            groups: meta.groups,
            ops,
        }
    }

    /// A change with no time, message or groups: how tests forge the changes a peer could
    /// send.
    #[cfg(test)]
    pub(crate) fn plain(
        actor: ActorId,
        seq: u64,
        start_op: u64,
        deps: Vec<OpId>,
        ops: Vec<Op>,
    ) -> Self {
        Change::new(ChangeMeta::plain(actor, seq, start_op, deps), ops)
    }

    /// The replica that made the change.
    pub fn actor(&self) -> ActorId {
        self.actor
    }

    /// Its sequence number: 1 for an actor's first change, then 2, 3, ...
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The counter of its first op.
    pub fn start_op(&self) -> u64 {
        self.start_op
    }

    /// How many op ids it uses (a text insert of n characters uses n).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it has no ops (never true of a change a document made or accepted).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The id of its last op, which names the change in heads and dependencies.
    ///
    /// Returns `None` only for an empty change, which no document makes or accepts.
    pub fn last_op(&self) -> Option<OpId> {
        self.head().last_op()
    }

    /// The heads of the document it was made on.
    pub fn deps(&self) -> &[OpId] {
        &self.deps
    }

    /// Milliseconds since the Unix epoch, as the transaction recorded it (0: none given).
    pub fn time(&self) -> i64 {
        self.time
    }

    /// The transaction's message, if it had one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The named compound operations, in the order they were opened.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }
}
