//! The error types, one per boundary.
//!
//! [`DocError`] is misuse of the local API (a bad object id, an index out of range, ...);
//! [`ApplyError`] is a change from elsewhere that cannot be applied. Both name the objects and
//! numbers involved as fields, so callers can react without parsing messages.

use std::fmt;

use crate::{ActorId, ObjId, ObjType, OpId, Prop};

/// What kind of object an operation needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A map.
    Map,
    /// A list.
    List,
    /// A text.
    Text,
    /// A list or a text.
    Sequence,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Map => "a map",
            Expected::List => "a list",
            Expected::Text => "a text",
            Expected::Sequence => "a list or a text",
        })
    }
}

/// A local read or edit that cannot be done. The document is unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DocError {
    /// No object has this id in the document (or at the requested heads).
    #[error("no object {0} in the document")]
    NoSuchObject(ObjId),
    /// An index is past the end of a list or text.
    #[error("index {index} is out of bounds for {obj} of length {len}")]
    IndexOutOfBounds {
        /// The list or text.
        obj: ObjId,
        /// The index asked for.
        index: usize,
        /// The length of the sequence.
        len: usize,
    },
    /// The object is of another type than the operation needs.
    #[error("{obj} is a {found}, the operation needs {expected}")]
    WrongObjectType {
        /// The object.
        obj: ObjId,
        /// What the operation needed.
        expected: Expected,
        /// What the object is.
        found: ObjType,
    },
    /// `increment` on a property that holds no counter.
    #[error("{prop} of {obj} holds no counter")]
    NotACounter {
        /// The object.
        obj: ObjId,
        /// The property.
        prop: Prop,
    },
    /// The edit's ops would pass the largest op counter a document holds, 2^32 - 2 (ids are
    /// kept in 32 bits). Only a document whose history reached the limit, made here or
    /// merged in, refuses edits so.
    #[error("the edit's op counters would pass the largest, 2^32 - 2")]
    CounterLimit,
    /// Heads that name no change of this document.
    #[error("{0} is not the last op of a change in this document")]
    UnknownHead(OpId),
}

/// A change that cannot be applied. The document is unchanged: a batch of changes applies
/// whole or not at all.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("change {seq} of actor {actor}: {reason}")]
pub struct ApplyError {
    /// The actor of the change that failed.
    pub actor: ActorId,
    /// Its sequence number.
    pub seq: u64,
    /// What was wrong with it.
    pub reason: InvalidChange,
}

/// Why a change is malformed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidChange {
    /// The change has no ops; every change has at least one.
    #[error("the change has no ops")]
    Empty,
    /// The change's sequence number is 0; they start at 1.
    #[error("sequence numbers start at 1")]
    ZeroSeq,
    /// The ops' counters do not come after those of everything the change depends on.
    #[error("its first op counter {start_op} is not above {min}")]
    CounterTooLow {
        /// The change's first op counter.
        start_op: u64,
        /// The counter it must exceed.
        min: u64,
    },
    /// The op counters run past the largest counter a document's ops may have, 2^32 - 2
    /// (ids are kept in 32 bits: see the format's limits).
    #[error("its op counters pass the largest, 2^32 - 2")]
    CounterOverflow,
    /// A dependency names an op of a known actor that ends no change.
    #[error("dependency {0} is not the last op of a change")]
    BadDependency(OpId),
    /// An insert or a deletion of no elements at all.
    #[error("op {0} inserts or deletes no elements")]
    EmptyOp(OpId),
    /// A text insert whose declared length is not the number of characters it carries.
    #[error("op {op} declares {declared} characters but carries {actual}")]
    TextLength {
        /// The failing op.
        op: OpId,
        /// The length the op declares (and the op ids it uses).
        declared: u64,
        /// The Unicode scalar values its text holds.
        actual: u64,
    },
    /// An op refers to an object that does not exist.
    #[error("op {op} refers to unknown object {obj}")]
    UnknownObject {
        /// The failing op.
        op: OpId,
        /// The object it names.
        obj: ObjId,
    },
    /// An op targets an object of the wrong type.
    #[error("op {op} needs {expected} but {obj} is a {found}")]
    WrongObjectType {
        /// The failing op.
        op: OpId,
        /// The object.
        obj: ObjId,
        /// What the op needs.
        expected: Expected,
        /// What the object is.
        found: ObjType,
    },
    /// An op refers to a list or text element that does not exist.
    #[error("op {op} refers to unknown element {elem} of {obj}")]
    UnknownElement {
        /// The failing op.
        op: OpId,
        /// The list or text.
        obj: ObjId,
        /// The element it names.
        elem: OpId,
    },
    /// An op overwrites or increments a value that is not in the register it addresses.
    #[error("op {op} names predecessor {pred}, which is not in that register")]
    UnknownPredecessor {
        /// The failing op.
        op: OpId,
        /// The missing predecessor.
        pred: OpId,
    },
    /// An increment names a predecessor that is not a counter.
    #[error("op {op} increments {pred}, which is not a counter")]
    NotACounter {
        /// The failing op.
        op: OpId,
        /// The predecessor that is no counter.
        pred: OpId,
    },
}
