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

/// An op borrowed from where it is kept: from an [`Op`] ([`Op::view`]), or straight from a
/// document's history, so that writing a whole history builds no [`Op`] for it. Its strings
/// and values borrow from there; its ids are copies.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OpView<'a> {
    pub(crate) obj: ObjId,
    pub(crate) action: ActionView<'a>,
}

/// An [`Action`], borrowed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ActionView<'a> {
    Put {
        key: KeyView<'a>,
        value: &'a NewValue,
        pred: Preds,
    },
    Delete {
        key: KeyView<'a>,
        pred: Preds,
    },
    Increment {
        key: KeyView<'a>,
        by: i64,
        pred: Preds,
    },
    Insert {
        left: Option<OpId>,
        right: Option<OpId>,
        values: ValuesView<'a>,
    },
    DeleteSpan {
        first: OpId,
        len: u64,
        backward: bool,
    },
}

/// A [`Key`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum KeyView<'a> {
    Map(&'a str),
    Elem(OpId),
}

/// [`InsertValues`], borrowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ValuesView<'a> {
    Text { text: &'a str, chars: u64 },
    List(&'a [NewValue]),
}

impl Key {
    fn view(&self) -> KeyView<'_> {
        match self {
            Key::Map(s) => KeyView::Map(s),
            Key::Elem(e) => KeyView::Elem(*e),
        }
    }
}

impl Op {
    /// The op, borrowed.
    pub(crate) fn view(&self) -> OpView<'_> {
        let key = Key::view;
        let action = match &self.action {
            Action::Put {
                key: k,
                value,
                pred,
            } => ActionView::Put {
                key: key(k),
                value,
                pred: pred.clone(),
            },
            Action::Delete { key: k, pred } => ActionView::Delete {
                key: key(k),
                pred: pred.clone(),
            },
            Action::Increment { key: k, by, pred } => ActionView::Increment {
                key: key(k),
                by: *by,
                pred: pred.clone(),
            },
            Action::Insert {
                left,
                right,
                values,
            } => ActionView::Insert {
                left: *left,
                right: *right,
                values: match values {
                    InsertValues::Text { text, chars } => ValuesView::Text {
                        text,
                        chars: *chars,
                    },
                    InsertValues::List(v) => ValuesView::List(v),
                },
            },
            Action::DeleteSpan {
                first,
                len,
                backward,
            } => ActionView::DeleteSpan {
                first: *first,
                len: *len,
                backward: *backward,
            },
        };
        OpView {
            obj: self.obj,
            action,
        }
    }
}

impl ValuesView<'_> {
    pub(crate) fn len(&self) -> u64 {
        match self {
            ValuesView::Text { chars, .. } => *chars,
            ValuesView::List(v) => v.len() as u64,
        }
    }
}

impl OpView<'_> {
    /// How many op ids the op uses.
    pub(crate) fn len(&self) -> u64 {
        match &self.action {
            ActionView::Insert { values, .. } => values.len(),
            ActionView::DeleteSpan { len, .. } => *len,
            _ => 1,
        }
    }

    /// The op, owned.
    pub(crate) fn to_op(&self) -> Op {
        let key = |k: &KeyView<'_>| match *k {
            KeyView::Map(s) => Key::Map(s.to_owned()),
            KeyView::Elem(e) => Key::Elem(e),
        };
        let action = match &self.action {
            ActionView::Put {
                key: k,
                value,
                pred,
            } => Action::Put {
                key: key(k),
                value: (*value).clone(),
                pred: pred.clone(),
            },
            ActionView::Delete { key: k, pred } => Action::Delete {
                key: key(k),
                pred: pred.clone(),
            },
            ActionView::Increment { key: k, by, pred } => Action::Increment {
                key: key(k),
                by: *by,
                pred: pred.clone(),
            },
            ActionView::Insert {
                left,
                right,
                values,
            } => Action::Insert {
                left: *left,
                right: *right,
                values: match *values {
                    ValuesView::Text { text, chars } => InsertValues::Text {
                        text: text.to_owned(),
                        chars,
                    },
                    ValuesView::List(v) => InsertValues::List(v.to_vec()),
                },
            },
            ActionView::DeleteSpan {
                first,
                len,
                backward,
            } => Action::DeleteSpan {
                first: *first,
                len: *len,
                backward: *backward,
            },
        };
        Op {
            obj: self.obj,
            action,
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
