//! Multi-value registers: what a map key or a list slot holds.
//!
//! A register keeps every value ever written to it, each with the ids of the ops that
//! overwrote it (its successors). A value is visible while nothing overwrote it; the visible
//! values are the concurrent ones, the winner is the one with the greatest op id. Keeping the
//! overwritten values too is what makes historical reads possible: a value is visible at a past
//! version if that version holds it but none of its successors.
//!
//! Entries are kept sorted by public op id order (counter, then actor bytes), so the winner is
//! the last visible entry. Almost every register holds one entry, hence the inline `SmallVec`.
//!
//! Counters are values too: an increment names the counters it adds to and does not overwrite
//! them, so concurrent increments add up, while a concurrent overwrite of the counter wins by
//! the ordinary rules.

use std::cmp::Ordering;

use smallvec::SmallVec;

use crate::clock::At;
use crate::ids::Id;
use crate::{ObjType, ScalarValue, Value};

/// A value as the register stores it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Stored {
    Scalar(ScalarValue),
    Object(ObjType),
}

/// One write into a register.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) id: Id,
    pub(crate) value: Stored,
    /// The ops that overwrote this value (puts and deletes, not increments).
    pub(crate) succ: SmallVec<[Id; 1]>,
    /// Increments applied to this value, if it is a counter.
    pub(crate) incs: Vec<(Id, i64)>,
}

impl Entry {
    fn visible_at(&self, at: At<'_>) -> bool {
        at.includes(self.id) && !self.succ.iter().any(|&s| at.includes(s))
    }

    /// The value as seen at `at` (a counter includes the increments of that version).
    pub(crate) fn value_at(&self, at: At<'_>) -> Value {
        match &self.value {
            Stored::Object(t) => Value::Object(*t),
            Stored::Scalar(ScalarValue::Counter(base)) => {
                let sum = self
                    .incs
                    .iter()
                    .filter(|(id, _)| at.includes(*id))
                    .fold(*base, |acc, (_, by)| acc.wrapping_add(*by));
                Value::Scalar(ScalarValue::Counter(sum))
            }
            Stored::Scalar(s) => Value::Scalar(s.clone()),
        }
    }

    fn is_counter(&self) -> bool {
        matches!(self.value, Stored::Scalar(ScalarValue::Counter(_)))
    }
}

/// Why a register refused a write: a predecessor it does not hold, or (for increments) one
/// that is not a counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegisterError {
    UnknownPred(Id),
    NotACounter(Id),
}

/// A multi-value register.
#[derive(Clone, Debug, Default)]
pub(crate) struct Register {
    entries: SmallVec<[Entry; 1]>,
    /// How many entries nothing overwrote. The visible values are nearly always the newest
    /// entries, so reads of the current state scan from the end and stop once they have
    /// found this many: a key overwritten thousands of times stays cheap to read and write.
    live: usize,
}

impl Register {
    /// A register holding one value (a list slot's inserted value).
    pub(crate) fn with_value(id: Id, value: Stored) -> Self {
        let mut entries = SmallVec::new();
        entries.push(Entry {
            id,
            value,
            succ: SmallVec::new(),
            incs: Vec::new(),
        });
        Register { entries, live: 1 }
    }

    /// The entries nothing overwrote, newest first.
    fn live_entries(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.entries
            .iter()
            .rev()
            .filter(|e| e.succ.is_empty())
            .take(self.live)
    }

    /// The values visible at `at`, in ascending op id order.
    pub(crate) fn visible<'a>(
        &'a self,
        at: At<'a>,
    ) -> impl DoubleEndedIterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.visible_at(at))
    }

    /// The winner at `at`: the visible value with the greatest op id.
    pub(crate) fn winner(&self, at: At<'_>) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.visible_at(at))
    }

    /// Whether any value is visible now.
    pub(crate) fn is_visible(&self) -> bool {
        self.live > 0
    }

    /// The ids of the values visible now, in ascending op id order: the predecessors of a new
    /// write.
    pub(crate) fn visible_ids(&self) -> Vec<Id> {
        let mut ids: Vec<Id> = self.live_entries().map(|e| e.id).collect();
        ids.reverse();
        ids
    }

    /// The ids of the visible counters, in ascending op id order: the predecessors of a new
    /// increment.
    pub(crate) fn visible_counter_ids(&self) -> Vec<Id> {
        let mut ids: Vec<Id> = self
            .live_entries()
            .filter(|e| e.is_counter())
            .map(|e| e.id)
            .collect();
        ids.reverse();
        ids
    }

    /// The index of entry `id`. Searched from the newest: predecessors and undone writes are
    /// almost always among the last entries, so a key overwritten many times stays cheap.
    fn position(&self, id: Id) -> Option<usize> {
        self.entries.iter().rposition(|e| e.id == id)
    }

    fn check_preds(&self, pred: &[Id]) -> Result<(), RegisterError> {
        match pred.iter().find(|&&p| self.position(p).is_none()) {
            Some(&p) => Err(RegisterError::UnknownPred(p)),
            None => Ok(()),
        }
    }

    /// Writes `value` (or nothing, for a delete) as op `id`, overwriting `pred`. Either
    /// everything is done or, on error, nothing.
    pub(crate) fn write(
        &mut self,
        id: Id,
        value: Option<Stored>,
        pred: &[Id],
        cmp: impl Fn(Id, Id) -> Ordering,
    ) -> Result<(), RegisterError> {
        self.check_preds(pred)?;
        self.overwrite(id, pred);
        if let Some(value) = value {
            self.live += 1;
            let at = self
                .entries
                .iter()
                .rposition(|e| cmp(e.id, id) == Ordering::Less)
                .map_or(0, |i| i + 1);
            self.entries.insert(
                at,
                Entry {
                    id,
                    value,
                    succ: SmallVec::new(),
                    incs: Vec::new(),
                },
            );
        }
        Ok(())
    }

    /// Overwrites every visible value with nothing, as the delete op `id`. Returns the ids of
    /// those values (the op's predecessors), in ascending op id order. [`Register::undo_write`]
    /// undoes it.
    pub(crate) fn delete_visible(&mut self, id: Id) -> SmallVec<[Id; 1]> {
        let mut pred = SmallVec::new();
        for entry in self.entries.iter_mut().rev() {
            if pred.len() == self.live {
                break;
            }
            if entry.succ.is_empty() {
                entry.succ.push(id);
                pred.push(entry.id);
            }
        }
        self.live = 0;
        pred.reverse();
        pred
    }

    /// Overwrites the value `pred` (which the register holds) with nothing, as the delete op
    /// `id`: a write of nothing over `[pred]`.
    pub(crate) fn delete_value(&mut self, id: Id, pred: Id) {
        self.overwrite(id, &[pred]);
    }

    /// Gives the values `pred` the successor `id`; the register holds them.
    fn overwrite(&mut self, id: Id, pred: &[Id]) {
        for &p in pred {
            if let Some(i) = self.position(p) {
                let entry = &mut self.entries[i];
                if entry.succ.is_empty() {
                    self.live -= 1;
                }
                entry.succ.push(id);
            }
        }
    }

    /// Whether the register holds the value written by `id`, overwritten or not.
    pub(crate) fn holds(&self, id: Id) -> bool {
        self.position(id).is_some()
    }

    /// Adds `by` to the counters `pred` as op `id`. All or nothing.
    pub(crate) fn increment(&mut self, id: Id, by: i64, pred: &[Id]) -> Result<(), RegisterError> {
        self.check_preds(pred)?;
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| pred.contains(&e.id) && !e.is_counter())
        {
            return Err(RegisterError::NotACounter(e.id));
        }
        for &p in pred {
            if let Some(i) = self.position(p) {
                self.entries[i].incs.push((id, by));
            }
        }
        Ok(())
    }

    /// Undoes the write `id` (the most recent one on this register).
    pub(crate) fn undo_write(&mut self, id: Id) {
        if let Some(i) = self.position(id) {
            if self.entries.remove(i).succ.is_empty() {
                self.live -= 1;
            }
        }
        for entry in &mut self.entries {
            let before = entry.succ.len();
            entry.succ.retain(|s| *s != id);
            if before > 0 && entry.succ.is_empty() {
                self.live += 1;
            }
        }
    }

    /// Undoes the increment `id` (the most recent one on this register).
    pub(crate) fn undo_increment(&mut self, id: Id) {
        for entry in &mut self.entries {
            entry.incs.retain(|(i, _)| *i != id);
        }
    }

    /// Every entry, overwritten ones included.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::ids::ActorIdx;

    fn id(counter: u64, actor: u32) -> Id {
        Id::new(ActorIdx(actor), counter)
    }

    fn cmp(a: Id, b: Id) -> Ordering {
        (a.counter(), a.actor()).cmp(&(b.counter(), b.actor()))
    }

    fn int(n: i64) -> Option<Stored> {
        Some(Stored::Scalar(ScalarValue::Int(n)))
    }

    #[test]
    fn concurrent_writes_stay_visible_until_a_write_sees_them_all() {
        let mut r = Register::default();
        r.write(id(1, 1), int(1), &[], cmp).unwrap();
        r.write(id(1, 0), int(2), &[], cmp).unwrap();
        assert_eq!(r.visible_ids(), vec![id(1, 0), id(1, 1)]);
        assert_eq!(r.winner(At::Now).unwrap().id, id(1, 1));
        r.write(id(2, 0), int(3), &r.visible_ids(), cmp).unwrap();
        assert_eq!(r.visible_ids(), vec![id(2, 0)]);

        let mut past = Clock::default();
        past.include(ActorIdx(0), 1);
        past.include(ActorIdx(1), 1);
        let old: Vec<Id> = r.visible(At::Version(&past)).map(|e| e.id).collect();
        assert_eq!(old, vec![id(1, 0), id(1, 1)]);
    }

    #[test]
    fn deleting_the_visible_values_is_a_write_of_nothing() {
        let mut r = Register::default();
        r.write(id(1, 1), int(1), &[], cmp).unwrap();
        r.write(id(1, 0), int(2), &[], cmp).unwrap();
        r.write(id(2, 1), int(3), &[id(1, 1)], cmp).unwrap();
        let mut by_write = r.clone();
        by_write
            .write(id(3, 0), None, &r.visible_ids(), cmp)
            .unwrap();
        let pred = r.delete_visible(id(3, 0));
        assert_eq!(pred.as_slice(), [id(1, 0), id(2, 1)]);
        assert!(!r.is_visible());
        let succs = |r: &Register| {
            r.entries()
                .iter()
                .map(|e| e.succ.to_vec())
                .collect::<Vec<_>>()
        };
        assert_eq!(succs(&r), succs(&by_write));
        r.undo_write(id(3, 0));
        assert_eq!(r.visible_ids(), vec![id(1, 0), id(2, 1)]);
    }

    #[test]
    fn refused_writes_change_nothing() {
        let mut r = Register::default();
        r.write(id(1, 0), int(1), &[], cmp).unwrap();
        let missing = id(9, 0);
        assert_eq!(
            r.write(id(2, 0), int(2), &[id(1, 0), missing], cmp),
            Err(RegisterError::UnknownPred(missing))
        );
        assert_eq!(
            r.increment(id(2, 0), 1, &[id(1, 0)]),
            Err(RegisterError::NotACounter(id(1, 0)))
        );
        assert_eq!(r.visible_ids(), vec![id(1, 0)]);
        assert!(r.entries()[0].succ.is_empty() && r.entries()[0].incs.is_empty());
    }

    #[test]
    fn increments_add_up_and_undo() {
        let mut r = Register::default();
        let c = Some(Stored::Scalar(ScalarValue::Counter(10)));
        r.write(id(1, 0), c, &[], cmp).unwrap();
        r.increment(id(2, 0), 5, &[id(1, 0)]).unwrap();
        r.increment(id(2, 1), -2, &[id(1, 0)]).unwrap();
        let total = r.winner(At::Now).unwrap().value_at(At::Now);
        assert_eq!(total, Value::Scalar(ScalarValue::Counter(13)));
        r.undo_increment(id(2, 1));
        r.write(id(3, 0), None, &[id(1, 0)], cmp).unwrap();
        assert!(!r.is_visible());
        r.undo_write(id(3, 0));
        let total = r.winner(At::Now).unwrap().value_at(At::Now);
        assert_eq!(total, Value::Scalar(ScalarValue::Counter(15)));
    }

    /// The live count that lets reads stop early always equals a recount, through random
    /// writes, deletes of some visible values, and undos.
    #[test]
    fn live_count_matches_a_recount() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(5);
        for _ in 0..200 {
            let mut r = Register::default();
            let mut next = 1;
            let mut undoable = Vec::new();
            for _ in 0..40 {
                let visible = r.visible_ids();
                match rng.gen_range(0..4) {
                    0 if !undoable.is_empty() => {
                        let last = undoable.pop().unwrap();
                        r.undo_write(last);
                    }
                    k => {
                        let pred: Vec<Id> = visible
                            .iter()
                            .copied()
                            .filter(|_| rng.gen_bool(0.7))
                            .collect();
                        let value = (k != 1).then(|| int(next as i64)).flatten();
                        let writer = id(next, rng.gen_range(0..3));
                        next += 1;
                        r.write(writer, value, &pred, cmp).unwrap();
                        undoable.push(writer);
                    }
                }
                let recount: Vec<Id> = r
                    .entries()
                    .iter()
                    .filter(|e| e.succ.is_empty())
                    .map(|e| e.id)
                    .collect();
                assert_eq!(r.visible_ids(), recount);
                assert_eq!(r.is_visible(), !recount.is_empty());
            }
        }
    }
}
