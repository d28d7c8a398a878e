//! The change graph: the actor table, every applied change, the heads, and the queue of changes
//! waiting for their dependencies.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::change::Change;
use crate::clock::Clock;
use crate::error::InvalidChange;
use crate::ids::{ActorIdx, Id};
use crate::{ActorId, DocError, OpId};

/// What to do with an incoming change.
pub(crate) enum Readiness {
    /// Every dependency is here: apply it now.
    Ready,
    /// Something it depends on is missing: queue it.
    Waiting,
    /// It is already applied: ignore it.
    Duplicate,
}

/// The change graph of a document.
#[derive(Clone, Debug, Default)]
pub(crate) struct History {
    actors: Vec<ActorId>,
    actor_index: HashMap<ActorId, ActorIdx>,
    /// Every applied change, in the order applied (a topological order of the graph).
    changes: Vec<Change>,
    /// For each actor, the indexes in `changes` of its changes, in seq order.
    by_actor: Vec<Vec<usize>>,
    /// The last ops of the changes nothing depends on yet, sorted.
    heads: Vec<OpId>,
    /// The largest op counter seen.
    max_op: u64,
    /// Changes that wait for dependencies.
    pub(crate) queue: Vec<Change>,
}

/// What [`History::rollback`] needs to restore the graph as it was (the queue aside, which
/// only [`crate::Doc::apply_changes`] touches and restores itself).
pub(crate) struct Mark {
    changes: usize,
    actors: usize,
    heads: Vec<OpId>,
    max_op: u64,
}

impl History {
    pub(crate) fn actor_idx(&self, actor: &ActorId) -> Option<ActorIdx> {
        self.actor_index.get(actor).copied()
    }

    /// The index of `actor`, adding it to the table if it is new.
    pub(crate) fn intern(&mut self, actor: ActorId) -> ActorIdx {
        if let Some(&i) = self.actor_index.get(&actor) {
            return i;
        }
        let i = ActorIdx(self.actors.len() as u32);
        self.actors.push(actor);
        self.actor_index.insert(actor, i);
        self.by_actor.push(Vec::new());
        i
    }

    pub(crate) fn actor(&self, i: ActorIdx) -> ActorId {
        self.actors[i.index()]
    }

    /// The public form of an internal id.
    pub(crate) fn export(&self, id: Id) -> OpId {
        OpId::new(id.counter, self.actor(id.actor))
    }

    /// The internal form of a public id, if its actor is known.
    pub(crate) fn import(&self, id: OpId) -> Option<Id> {
        Some(Id::new(self.actor_idx(&id.actor())?, id.counter()))
    }

    /// Orders internal ids as their public forms are ordered: counter, then actor bytes.
    pub(crate) fn cmp_ids(&self, a: Id, b: Id) -> Ordering {
        a.counter
            .cmp(&b.counter)
            .then_with(|| self.cmp_actors(a.actor, b.actor))
    }

    pub(crate) fn cmp_actors(&self, a: ActorIdx, b: ActorIdx) -> Ordering {
        self.actors[a.index()].cmp(&self.actors[b.index()])
    }

    pub(crate) fn heads(&self) -> &[OpId] {
        &self.heads
    }

    pub(crate) fn max_op(&self) -> u64 {
        self.max_op
    }

    pub(crate) fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The sequence number the next change of `actor` takes.
    pub(crate) fn next_seq(&self, actor: ActorIdx) -> u64 {
        self.by_actor
            .get(actor.index())
            .map_or(1, |v| v.len() as u64 + 1)
    }

    /// The largest op counter of `actor` applied so far (0: none).
    fn last_counter(&self, actor: ActorIdx) -> u64 {
        self.by_actor[actor.index()].last().map_or(0, |&i| {
            let c = &self.changes[i];
            c.start_op + c.len - 1
        })
    }

    /// The index of the change whose last op is `id`.
    pub(crate) fn change_ending_at(&self, id: OpId) -> Option<usize> {
        let actor = self.actor_idx(&id.actor())?;
        let list = &self.by_actor[actor.index()];
        let k = list
            .binary_search_by(|&i| {
                let c = &self.changes[i];
                (c.start_op + c.len - 1).cmp(&id.counter())
            })
            .ok()?;
        Some(list[k])
    }

    /// Whether `change` can be applied now, must wait, or is a duplicate; or why it is invalid.
    pub(crate) fn readiness(&self, change: &Change) -> Result<Readiness, InvalidChange> {
        if change.seq == 0 {
            return Err(InvalidChange::ZeroSeq);
        }
        if change.len == 0 {
            return Err(InvalidChange::Empty);
        }
        if change.start_op == 0 {
            return Err(InvalidChange::CounterTooLow {
                start_op: 0,
                min: 0,
            });
        }
        if change.start_op.checked_add(change.len).is_none() {
            return Err(InvalidChange::CounterOverflow);
        }
        let next = self
            .actor_idx(&change.actor)
            .map_or(1, |a| self.next_seq(a));
        if change.seq < next {
            return Ok(Readiness::Duplicate);
        }
        if change.seq > next {
            return Ok(Readiness::Waiting);
        }
        let mut min = self
            .actor_idx(&change.actor)
            .map_or(0, |a| self.last_counter(a));
        for dep in &change.deps {
            let known = self
                .actor_idx(&dep.actor())
                .is_some_and(|a| dep.counter() <= self.last_counter(a));
            if !known {
                return Ok(Readiness::Waiting);
            }
            if self.change_ending_at(*dep).is_none() {
                return Err(InvalidChange::BadDependency(*dep));
            }
            min = min.max(dep.counter());
        }
        if change.start_op <= min {
            return Err(InvalidChange::CounterTooLow {
                start_op: change.start_op,
                min,
            });
        }
        Ok(Readiness::Ready)
    }

    /// Records an applied change (its ops are already in the object store).
    pub(crate) fn record(&mut self, change: Change) {
        let actor = self.intern(change.actor);
        let last = change
            .last_op()
            .expect("only non-empty changes are recorded");
        self.heads.retain(|h| !change.deps.contains(h));
        self.heads.push(last);
        self.heads.sort_unstable();
        self.max_op = self.max_op.max(last.counter());
        self.by_actor[actor.index()].push(self.changes.len());
        self.changes.push(change);
    }

    /// Drops the newest actor of the table, which nothing refers to (a transaction that added
    /// its own actor and then made no change).
    pub(crate) fn forget_last_actor(&mut self) {
        if let Some(actor) = self.actors.pop() {
            self.actor_index.remove(&actor);
            self.by_actor.pop();
        }
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark {
            changes: self.changes.len(),
            actors: self.actors.len(),
            heads: self.heads.clone(),
            max_op: self.max_op,
        }
    }

    /// Forgets everything recorded since `mark`.
    pub(crate) fn rollback(&mut self, mark: Mark) {
        for i in (mark.changes..self.changes.len()).rev() {
            let actor = self.actor_index[&self.changes[i].actor];
            self.by_actor[actor.index()].pop();
        }
        self.changes.truncate(mark.changes);
        for actor in self.actors.drain(mark.actors..) {
            self.actor_index.remove(&actor);
        }
        self.by_actor.truncate(mark.actors);
        self.heads = mark.heads;
        self.max_op = mark.max_op;
    }

    /// The version made of `heads` and their causal past.
    ///
    /// # Errors
    /// [`DocError::UnknownHead`] if a head is not the last op of a change of this document.
    pub(crate) fn clock_at(&self, heads: &[OpId]) -> Result<Clock, DocError> {
        let mut clock = Clock::default();
        let mut visited = vec![false; self.changes.len()];
        let mut stack = Vec::with_capacity(heads.len());
        for &h in heads {
            stack.push(self.change_ending_at(h).ok_or(DocError::UnknownHead(h))?);
        }
        // A change can be in the clock's range for its actor (a later change of that actor was
        // seen) without its own dependencies having been walked yet, so track visits per change.
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut visited[i], true) {
                continue;
            }
            let c = &self.changes[i];
            let actor = self.actor_index[&c.actor];
            clock.include(actor, c.start_op + c.len - 1);
            stack.extend(c.deps.iter().filter_map(|&d| self.change_ending_at(d)));
        }
        Ok(clock)
    }

    /// The changes not in `clock`, in the order they were applied.
    pub(crate) fn changes_outside(&self, clock: &Clock) -> impl Iterator<Item = &Change> + '_ {
        let clock = clock.clone();
        self.changes.iter().filter(move |c| {
            let actor = self.actor_index[&c.actor];
            !clock.contains(Id::new(actor, c.start_op))
        })
    }

    /// The changes of `self` that `other` has not applied, in `self`'s order.
    pub(crate) fn changes_missing_from<'a>(
        &'a self,
        other: &'a History,
    ) -> impl Iterator<Item = &'a Change> + 'a {
        self.changes.iter().filter(move |c| {
            other
                .actor_idx(&c.actor)
                .is_none_or(|a| other.next_seq(a) <= c.seq)
        })
    }
}
