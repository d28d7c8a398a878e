//! The op log: every op of the document's history, per actor, in the internal id space, with
//! runs of ops merged into one record.
//!
//! A person typing makes one insert per keystroke, each right after the previous one, and
//! backspacing makes one delete per keystroke, each just before the previous one. Stored one
//! record per op, that history costs more than the document itself. So a record holds a run:
//! an insert record grows while each new insert continues it (next op id, left origin its last
//! element, same right origin), a delete record while each new delete targets the next element
//! (forward deletes) or the previous one (backspacing). Run boundaries need not match change
//! boundaries: one record may hold the ops of thousands of one-keystroke changes, and a change
//! is rebuilt by slicing records by op id ([`OpLog::ops_in`]).
//!
//! Records of one actor are kept in counter order (an actor's changes apply in sequence order
//! and its counters grow), so finding an op is a binary search in that actor's records.

use smallvec::SmallVec;

use crate::change::{Action, InsertValues, Key, NewValue, Op};
use crate::clock::Clock;
use crate::ids::{ActorIdx, Id};
use crate::{ObjId, OpId};

use super::objects::{RegKey, ROOT_ID};

/// What a record does; see [`Record`] for the ids it uses.
#[derive(Clone, Debug)]
pub(crate) enum LogAction {
    Put {
        key: RegKey,
        value: NewValue,
        pred: SmallVec<[Id; 1]>,
    },
    Delete {
        key: RegKey,
        pred: SmallVec<[Id; 1]>,
    },
    Increment {
        key: RegKey,
        by: i64,
        pred: SmallVec<[Id; 1]>,
    },
    /// Characters; op `k` inserts character `k`, after op `k - 1`'s (after `left` for `k = 0`).
    InsertText {
        left: Option<Id>,
        right: Option<Id>,
        text: String,
    },
    /// List values, as for text.
    InsertList {
        left: Option<Id>,
        right: Option<Id>,
        values: Vec<NewValue>,
    },
    /// Op `k` deletes element `target + k` (or `target - k` when `backward`).
    DeleteSpan { target: Id, backward: bool },
}

/// A run of ops with consecutive ids `id .. id + len`, all on object `obj`.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub(crate) id: Id,
    pub(crate) obj: Id,
    pub(crate) len: u64,
    pub(crate) action: LogAction,
}

impl Record {
    fn end(&self) -> u64 {
        self.id.counter + self.len
    }

    /// Extends this record with `next` if `next` continues its run; returns `next` otherwise.
    fn try_append(&mut self, next: Record) -> Option<Record> {
        if next.id.actor != self.id.actor || next.id.counter != self.end() || next.obj != self.obj {
            return Some(next);
        }
        let last = self.id.add(self.len - 1);
        match (&mut self.action, next.action) {
            (
                LogAction::InsertText { right, text, .. },
                LogAction::InsertText {
                    left: l2,
                    right: r2,
                    text: t2,
                },
            ) if l2 == Some(last) && r2 == *right => {
                text.push_str(&t2);
            }
            (
                LogAction::InsertList { right, values, .. },
                LogAction::InsertList {
                    left: l2,
                    right: r2,
                    values: v2,
                },
            ) if l2 == Some(last) && r2 == *right => {
                values.extend(v2);
            }
            (
                LogAction::DeleteSpan { target, backward },
                LogAction::DeleteSpan {
                    target: t2,
                    backward: false,
                },
            ) if t2.actor == target.actor => {
                let n = self.len;
                let forward = !*backward && Some(t2.counter) == target.counter.checked_add(n);
                let back = next.len == 1
                    && (*backward || n == 1)
                    && Some(t2.counter) == target.counter.checked_sub(n);
                if back && !forward {
                    *backward = true;
                } else if !forward {
                    let action = LogAction::DeleteSpan {
                        target: t2,
                        backward: false,
                    };
                    return Some(Record { action, ..next });
                }
            }
            (_, action) => return Some(Record { action, ..next }),
        }
        self.len += next.len;
        None
    }

    /// Shortens the record to its first `len` ops (undoing appends).
    fn truncate(&mut self, len: u64) {
        match &mut self.action {
            LogAction::InsertText { text, .. } => {
                let cut = text
                    .char_indices()
                    .nth(len as usize)
                    .map_or(text.len(), |(i, _)| i);
                text.truncate(cut);
            }
            LogAction::InsertList { values, .. } => values.truncate(len as usize),
            _ => {}
        }
        self.len = len;
    }
}

/// Where an actor's part of the log stood: restoring it undoes everything appended since.
#[derive(Clone, Debug)]
pub(crate) struct ActorMark {
    records: usize,
    last_len: u64,
}

/// The op log of a document.
#[derive(Clone, Debug, Default)]
pub(crate) struct OpLog {
    by_actor: Vec<Vec<Record>>,
}

impl OpLog {
    /// Appends an op (or a run of them), merging it into the actor's last record if it
    /// continues it.
    pub(crate) fn push(&mut self, record: Record) {
        let a = record.id.actor.index();
        if self.by_actor.len() <= a {
            self.by_actor.resize_with(a + 1, Vec::new);
        }
        let records = &mut self.by_actor[a];
        let rest = match records.last_mut() {
            Some(last) => last.try_append(record),
            None => Some(record),
        };
        if let Some(r) = rest {
            records.push(r);
        }
    }

    /// Appends an insert of `text` (`chars` characters as ops `id ..`), in place when it
    /// continues the actor's last record: the common case of typing allocates nothing.
    pub(crate) fn push_text(
        &mut self,
        id: Id,
        obj: Id,
        left: Option<Id>,
        right: Option<Id>,
        text: &str,
        chars: u64,
    ) {
        if let Some(last) = self
            .by_actor
            .get_mut(id.actor.index())
            .and_then(|records| records.last_mut())
        {
            let continues = last.obj == obj
                && last.end() == id.counter
                && left == Some(last.id.add(last.len - 1));
            if let (
                true,
                LogAction::InsertText {
                    right: r, text: t, ..
                },
            ) = (continues, &mut last.action)
            {
                if *r == right {
                    t.push_str(text);
                    last.len += chars;
                    return;
                }
            }
        }
        self.push(Record {
            id,
            obj,
            len: chars,
            action: LogAction::InsertText {
                left,
                right,
                text: text.to_owned(),
            },
        });
    }

    pub(crate) fn mark(&self, actor: ActorIdx) -> ActorMark {
        let records = self.by_actor.get(actor.index()).map_or(&[][..], |v| v);
        ActorMark {
            records: records.len(),
            last_len: records.last().map_or(0, |r| r.len),
        }
    }

    /// Forgets every op `actor` appended since `mark`.
    pub(crate) fn rollback(&mut self, actor: ActorIdx, mark: &ActorMark) {
        let Some(records) = self.by_actor.get_mut(actor.index()) else {
            return;
        };
        records.truncate(mark.records);
        if let Some(last) = records.last_mut() {
            last.truncate(mark.last_len);
        }
    }

    /// Drops the ops of actors from `actors` on (their table entries are being forgotten).
    pub(crate) fn truncate_actors(&mut self, actors: usize) {
        self.by_actor.truncate(actors);
    }

    /// The elements of `obj` deleted by ops of version `clock`, as spans `(first, len)` of
    /// element ids (possibly overlapping, where concurrent deletes hit one element).
    pub(crate) fn deleted_in(&self, obj: Id, clock: &Clock) -> Vec<(Id, u64)> {
        let mut spans = Vec::new();
        for r in self.by_actor.iter().flatten().filter(|r| r.obj == obj) {
            let LogAction::DeleteSpan { target, backward } = r.action else {
                continue;
            };
            // The record's ops in the version are a prefix: counters grow along the record.
            let max = clock.get(r.id.actor);
            if max < r.id.counter {
                continue;
            }
            let n = r.len.min(max - r.id.counter + 1);
            let first = if backward {
                Id::new(target.actor, target.counter + 1 - n)
            } else {
                target
            };
            spans.push((first, n));
        }
        spans
    }

    /// The ops of `actor` with counters in `start .. end`, in the public id space, in counter
    /// order. `export` renders internal ids.
    pub(crate) fn ops_in(
        &self,
        actor: ActorIdx,
        start: u64,
        end: u64,
        export: impl Fn(Id) -> OpId,
    ) -> Vec<Op> {
        let records = self.by_actor.get(actor.index()).map_or(&[][..], |v| v);
        let first = records.partition_point(|r| r.end() <= start);
        let mut ops = Vec::new();
        for r in records[first..].iter().take_while(|r| r.id.counter < end) {
            let from = start.saturating_sub(r.id.counter);
            let to = (end - r.id.counter).min(r.len);
            slice(r, from, to, &export, &mut ops);
        }
        ops
    }
}

/// Appends the public ops of ops `from .. to` (offsets in the record) to `out`.
fn slice(r: &Record, from: u64, to: u64, export: &impl Fn(Id) -> OpId, out: &mut Vec<Op>) {
    let obj = if r.obj == ROOT_ID {
        ObjId::Root
    } else {
        ObjId::Op(export(r.obj))
    };
    let key = |k: &RegKey| match k {
        RegKey::Map(s) => Key::Map(s.clone()),
        RegKey::Elem(e) => Key::Elem(export(*e)),
    };
    let ids = |p: &[Id]| p.iter().map(|&i| export(i)).collect::<Vec<_>>();
    let left_of = |left: &Option<Id>| {
        if from == 0 {
            left.map(export)
        } else {
            Some(export(r.id.add(from - 1)))
        }
    };
    let mut push = |action| out.push(Op { obj, action });
    match &r.action {
        LogAction::Put {
            key: k,
            value,
            pred,
        } => push(Action::Put {
            key: key(k),
            value: value.clone(),
            pred: ids(pred),
        }),
        LogAction::Delete { key: k, pred } => push(Action::Delete {
            key: key(k),
            pred: ids(pred),
        }),
        LogAction::Increment { key: k, by, pred } => push(Action::Increment {
            key: key(k),
            by: *by,
            pred: ids(pred),
        }),
        LogAction::InsertText { left, right, text } => {
            let text: String = text
                .chars()
                .skip(from as usize)
                .take((to - from) as usize)
                .collect();
            push(Action::Insert {
                left: left_of(left),
                right: right.map(export),
                values: InsertValues::Text {
                    text,
                    chars: to - from,
                },
            })
        }
        LogAction::InsertList {
            left,
            right,
            values,
        } => push(Action::Insert {
            left: left_of(left),
            right: right.map(export),
            values: InsertValues::List(values[from as usize..to as usize].to_vec()),
        }),
        LogAction::DeleteSpan {
            target,
            backward: false,
        } => push(Action::DeleteSpan {
            first: export(target.add(from)),
            len: to - from,
            backward: false,
        }),
        LogAction::DeleteSpan {
            target,
            backward: true,
        } => push(Action::DeleteSpan {
            first: export(Id::new(target.actor, target.counter - from)),
            len: to - from,
            backward: to - from > 1,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(counter: u64) -> Id {
        Id::new(ActorIdx(0), counter)
    }

    fn text(at: u64, left: Option<u64>, s: &str) -> Record {
        Record {
            id: id(at),
            obj: id(1),
            len: s.chars().count() as u64,
            action: LogAction::InsertText {
                left: left.map(id),
                right: None,
                text: s.into(),
            },
        }
    }

    fn del(at: u64, target: u64) -> Record {
        Record {
            id: id(at),
            obj: id(1),
            len: 1,
            action: LogAction::DeleteSpan {
                target: id(target),
                backward: false,
            },
        }
    }

    fn export(i: Id) -> OpId {
        OpId::new(i.counter, crate::ActorId::from_bytes([i.actor.0 as u8; 16]))
    }

    #[test]
    fn typing_and_backspacing_make_one_record_each() {
        let mut log = OpLog::default();
        log.push(text(2, None, "h"));
        log.push(text(3, Some(2), "é"));
        log.push(text(4, Some(3), "llo"));
        // Backspace three times from the end, then type elsewhere.
        log.push(del(7, 6));
        log.push(del(8, 5));
        log.push(del(9, 4));
        log.push(text(10, Some(2), "x"));
        assert_eq!(log.by_actor[0].len(), 3);
        assert_eq!(log.by_actor[0][0].len, 5);
        assert_eq!(log.by_actor[0][1].len, 3);

        // Slicing gives one public op per record inside the range.
        let ops = log.ops_in(ActorIdx(0), 3, 9, export);
        assert_eq!(ops.len(), 2);
        match &ops[0].action {
            Action::Insert { left, values, .. } => {
                assert_eq!(*left, Some(export(id(2))));
                assert_eq!(
                    values,
                    &InsertValues::Text {
                        text: "éllo".into(),
                        chars: 4
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        match &ops[1].action {
            Action::DeleteSpan {
                first,
                len: 2,
                backward: true,
            } => assert_eq!(first.counter(), 6),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rollback_restores_the_log() {
        let mut log = OpLog::default();
        log.push(text(2, None, "ab"));
        let mark = log.mark(ActorIdx(0));
        log.push(text(4, Some(3), "cd"));
        log.push(del(6, 1));
        log.rollback(ActorIdx(0), &mark);
        assert_eq!(log.by_actor[0].len(), 1);
        let ops = log.ops_in(ActorIdx(0), 0, 100, export);
        assert_eq!(ops.len(), 1);
        assert!(matches!(
            &ops[0].action,
            Action::Insert {
                values: InsertValues::Text { chars: 2, .. },
                ..
            }
        ));
        log.push(del(4, 2));
        log.push(del(5, 3));
        assert_eq!(log.by_actor[0].len(), 2);
    }
}
