//! Ops in the public id space, as they travel inside a [`super::Change`].

use crate::{ObjId, ObjType, OpId, ScalarValue};

/// The register an op writes: a map key, or a list element named by the op that inserted it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Key {
    Map(String),
    Elem(OpId),
}

/// A value written into a register: a scalar, or a new object whose id is the op's id.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NewValue {
    Scalar(ScalarValue),
    Object(ObjType),
}

/// The elements one insert op adds: op `k` of the run inserts element `k`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InsertValues {
    /// Characters, with their count in Unicode scalar values.
    Text { text: String, chars: u64 },
    /// List values.
    List(Vec<NewValue>),
}

impl InsertValues {
    pub(crate) fn len(&self) -> u64 {
        match self {
            InsertValues::Text { chars, .. } => *chars,
            InsertValues::List(v) => v.len() as u64,
        }
    }
}

/// The values a register op overwrites or increments: nearly always one, kept inline.
pub(crate) type Preds = smallvec::SmallVec<[OpId; 1]>;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Action {
    /// Write a value into a register, overwriting the values `pred` it saw there.
    Put {
        key: Key,
        value: NewValue,
        pred: Preds,
    },
    /// Overwrite the values `pred` of a register with nothing.
    Delete { key: Key, pred: Preds },
    /// Add `by` to the counters `pred`.
    Increment { key: Key, by: i64, pred: Preds },
    /// Insert a run of elements between the elements `left` and `right` (None: the ends).
    Insert {
        left: Option<OpId>,
        right: Option<OpId>,
        values: InsertValues,
    },
    /// Delete text elements with ids of one actor: op `k` of this run deletes element
    /// `first + k`, or `first - k` if `backward` (backspacing). The binary format holds forward
    /// spans only, and writes a backward one as spans of one element.
    DeleteSpan {
        first: OpId,
        len: u64,
        backward: bool,
    },
}

/// One op of a change (several op ids for inserts and span deletes).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Op {
    pub(crate) obj: ObjId,
    pub(crate) action: Action,
}

impl Op {
    /// How many op ids this op uses.
    pub(crate) fn len(&self) -> u64 {
        match &self.action {
            Action::Insert { values, .. } => values.len(),
            Action::DeleteSpan { len, .. } => *len,
            _ => 1,
        }
    }
}

/// The forward spans `(first, len)` the binary formats write for a delete span: the span
/// itself, or, for a backward one, each of its elements on its own (`first`, `first - 1`, ...).
pub(crate) fn forward_parts(
    first: OpId,
    len: u64,
    backward: bool,
) -> impl Iterator<Item = (OpId, u64)> {
    let parts = if backward { len } else { 1 };
    (0..parts).map(move |k| match backward {
        true => (OpId::new(first.counter().wrapping_sub(k), first.actor()), 1),
        false => (first, len),
    })
}

/// `ops` with every backward span written as its [`forward_parts`] (borrowed when there is
/// none).
pub(crate) fn forward_spans(ops: &[Op]) -> std::borrow::Cow<'_, [Op]> {
    let backward = |op: &Op| matches!(op.action, Action::DeleteSpan { backward: true, .. });
    if !ops.iter().any(backward) {
        return std::borrow::Cow::Borrowed(ops);
    }
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        match op.action {
            Action::DeleteSpan {
                first,
                len,
                backward,
            } => out.extend(forward_parts(first, len, backward).map(|(first, len)| Op {
                obj: op.obj,
                action: Action::DeleteSpan {
                    first,
                    len,
                    backward: false,
                },
            })),
            _ => out.push(op.clone()),
        }
    }
    std::borrow::Cow::Owned(out)
}
