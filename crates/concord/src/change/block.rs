//! Runs of changes read together: how a load or an import avoids handling a keystroke at a time.

use smallvec::SmallVec;

use super::{Action, Change, ChangeMeta, InsertValues, Op};
use crate::{ActorId, OpId};

/// Consecutive changes of one actor, each depending only on the one before it, with one time
/// and no message or groups (except a block of one change, which may have them): what a
/// person typing makes, one change per keystroke.
///
/// The block is held as one [`Change`] with the first change's metadata and every op of every
/// change, where an op that continues the op before it (the next character typed after the
/// last, the next element deleted) is merged into it; and the changes' lengths, so that the
/// changes can be told apart again. Applying a block applies its merged ops: a run of
/// characters typed one after the other integrates like one insert, because nothing can sit
/// between a character and the one typed right after it before that one arrives.
#[derive(Clone, Debug)]
pub(crate) struct ChangeBlock {
    /// The first change's metadata, with the ops of the whole block; its `len` is the block's.
    pub(crate) change: Change,
    /// The changes' lengths (number of op ids), run-length encoded as `(len, count)`.
    pub(crate) lens: SmallVec<[(u64, u64); 1]>,
    /// How many changes the block holds (the sum of the counts in `lens`).
    count: u64,
}

impl ChangeBlock {
    /// A block of the one change `change`.
    pub(crate) fn single(change: Change) -> Self {
        let mut lens = SmallVec::new();
        lens.push((change.len, 1));
        ChangeBlock {
            change,
            lens,
            count: 1,
        }
    }

    /// How many changes the block holds.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Appends a change `len` op ids long whose ops are already in `self.change.ops`.
    pub(crate) fn push_len(&mut self, len: u64) {
        self.push_lens(len, 1);
    }

    /// Appends `n` changes `len` op ids long each, whose ops are already in
    /// `self.change.ops`.
    pub(crate) fn push_lens(&mut self, len: u64, n: u64) {
        match self.lens.last_mut() {
            Some((l, count)) if *l == len => *count += n,
            _ => self.lens.push((len, n)),
        }
        self.count += n;
        self.change.len += len * n;
    }

    /// The changes of the block, each with its own ops, as they were made.
    pub(crate) fn into_changes(self) -> Vec<Change> {
        if self.count() == 1 {
            return vec![self.change];
        }
        let c = self.change;
        let actor = c.actor;
        let mut out = Vec::new();
        let mut ops = c.ops.into_iter();
        // The rest of an op cut at the end of the previous change.
        let mut current: Option<Op> = None;
        let mut start = c.start_op;
        let mut seq = c.seq;
        let mut deps = c.deps;
        for &(len, n) in &self.lens {
            for _ in 0..n {
                let end = start + len;
                let mut change_ops = Vec::new();
                let mut at = start;
                while at < end {
                    let Some(op) = current.take().or_else(|| ops.next()) else {
                        break;
                    };
                    let (head, tail) = split_op(op, at, end, actor);
                    at += head.len();
                    change_ops.push(head);
                    current = tail;
                }
                let meta = ChangeMeta {
                    actor,
                    seq,
                    start_op: start,
                    time: c.time,
                    message: None,
                    deps: std::mem::take(&mut deps),
                    groups: Vec::new(),
                };
                let change = Change::new(meta, change_ops);
                deps = vec![OpId::new(end - 1, actor)];
                out.push(change);
                // Past the last change this may leave the range of seqs; it is not read then.
                seq = seq.wrapping_add(1);
                start = end;
            }
        }
        if let Some(first) = out.first_mut() {
            first.message = c.message;
            first.groups = c.groups;
        }
        out
    }
}

/// Cuts `op`, whose first id is `at@actor`, at the id `end`: its ids before `end`, and the
/// rest if there is any.
fn split_op(op: Op, at: u64, end: u64, actor: ActorId) -> (Op, Option<Op>) {
    if at + op.len() <= end {
        return (op, None);
    }
    let cut = end - at;
    let obj = op.obj;
    match op.action {
        Action::Insert {
            left,
            right,
            values,
        } => {
            let (a, b) = match values {
                InsertValues::Text { text, chars } => {
                    let at_byte = text
                        .char_indices()
                        .nth(cut as usize)
                        .map_or(text.len(), |(i, _)| i);
                    let (x, y) = text.split_at(at_byte);
                    (
                        InsertValues::Text {
                            text: x.to_owned(),
                            chars: cut,
                        },
                        InsertValues::Text {
                            text: y.to_owned(),
                            chars: chars - cut,
                        },
                    )
                }
                InsertValues::List(mut v) => {
                    let rest = v.split_off(cut as usize);
                    (InsertValues::List(v), InsertValues::List(rest))
                }
            };
            let head = Op {
                obj,
                action: Action::Insert {
                    left,
                    right,
                    values: a,
                },
            };
            let tail = Op {
                obj,
                action: Action::Insert {
                    left: Some(OpId::new(end - 1, actor)),
                    right,
                    values: b,
                },
            };
            (head, Some(tail))
        }
        Action::DeleteSpan {
            first: target,
            len,
            backward,
        } => {
            let head = Op {
                obj,
                action: Action::DeleteSpan {
                    first: target,
                    len: cut,
                    backward,
                },
            };
            let rest = if backward {
                target.counter().wrapping_sub(cut)
            } else {
                target.counter().wrapping_add(cut)
            };
            let tail = Op {
                obj,
                action: Action::DeleteSpan {
                    first: OpId::new(rest, target.actor()),
                    len: len - cut,
                    backward,
                },
            };
            (head, Some(tail))
        }
        action => (Op { obj, action }, None),
    }
}

/// The seq of the change that holds the op with counter `counter`, in a block whose first
/// change has `seq` and `start_op` and whose changes have the lengths `lens` (as
/// [`ChangeBlock::lens`]).
pub(crate) fn seq_in_block(seq: u64, start_op: u64, lens: &[(u64, u64)], counter: u64) -> u64 {
    let (mut start, mut seq) = (start_op, seq);
    for &(len, n) in lens {
        let end = start + len * n;
        if counter < end {
            return seq + counter.saturating_sub(start) / len.max(1);
        }
        start = end;
        seq = seq.wrapping_add(n);
    }
    seq.saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::seq_in_block;

    #[test]
    fn the_change_holding_an_op() {
        // Three changes of one op from counter 10 (seqs 5, 6, 7), then two of two ops.
        let lens = [(1, 3), (2, 2)];
        let seqs: Vec<u64> = (10..17).map(|c| seq_in_block(5, 10, &lens, c)).collect();
        assert_eq!(seqs, [5, 6, 7, 8, 8, 9, 9]);
    }
}
