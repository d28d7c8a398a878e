//! The change graph: the actor table, every applied change, the heads, and the queue of changes
//! waiting for their dependencies.
//!
//! Changes are stored as runs. A person typing makes one change per keystroke, each by the same
//! actor, each depending on the one before, with no message: kept one struct per change, that
//! metadata alone outweighs the document. So consecutive changes of one actor that form such a
//! chain share one [`ChangeRun`] (first sequence number, first op counter, run-length list of
//! change lengths, the first change's dependencies). Their ops live in the [`OpLog`], and a
//! [`Change`] is rebuilt from both only when someone asks for it (sync, save, `changes`).
//!
//! A run is a chain, so the causal past of change `k` of a run is changes `0 ..= k` of that run
//! plus the past of its first change's dependencies: walking the graph visits runs, not changes.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::change::{Change, ChangeHead, ChangeMeta, Group, OpView};
use crate::clock::Clock;
use crate::error::InvalidChange;
use crate::ids::{ActorIdx, Id};
use crate::room::clone_with_room;
use crate::{ActorId, DocError, ObjId, OpId};

use super::objects::{Objects, ROOT_ID};
use super::oplog::{ActorMark, OpLog};

/// What to do with an incoming change.
pub(crate) enum Readiness {
    /// Every dependency is here: apply it now.
    Ready,
    /// Something it depends on is missing: queue it.
    Waiting,
    /// It is already applied: ignore it.
    Duplicate,
}

/// A message and groups: rare, so kept out of line.
#[derive(Clone, Debug, PartialEq)]
struct Extra {
    message: Option<String>,
    groups: Vec<Group>,
}

/// Consecutive changes of a run that all have the same length (number of ops), placed
/// relative to the run: 12 bytes, where a run of keystrokes alternating between lengths
/// holds one group per switch. A run whose changes or ops pass 32 bits starts no new group
/// (the next change starts a new run); see [`ChangeRun::push_lens`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LenGroup {
    /// Ops per change; 0 for a change too long for 32 bits, which is its run's only change
    /// (its length is the run's).
    len: u32,
    /// The index in the run of the group's first change.
    first: u32,
    /// The first op counter of the group's first change, less the run's first.
    start: u32,
}

/// Consecutive changes of one actor, each depending exactly on the one before.
#[derive(Debug)]
struct ChangeRun {
    actor: ActorIdx,
    first_seq: u64,
    /// How many changes the run holds.
    count: u64,
    /// The first op counter of the first change.
    start_op: u64,
    /// One past the last op counter of the last change.
    end_op: u64,
    /// The changes' lengths, run-length encoded: each group of consecutive changes of one
    /// length, with where it starts, so a change is found by binary search.
    lens: SmallVec<[LenGroup; 1]>,
    /// The dependencies of the first change: a range of [`History::deps`].
    deps: (usize, usize),
    /// The time every change of the run records.
    time: i64,
    /// The message and groups of the run's only change.
    extra: Option<Box<Extra>>,
}

/// Written out because the derived clone copies `lens` element by element; forking a
/// document clones every run.
impl Clone for ChangeRun {
    fn clone(&self) -> Self {
        ChangeRun {
            lens: SmallVec::from_slice(&self.lens),
            extra: self.extra.clone(),
            ..*self
        }
    }
}

impl ChangeRun {
    /// The number of changes in length group `g`.
    fn group_count(&self, g: usize) -> u64 {
        let next = self.lens.get(g + 1).map_or(self.count, |n| n.first.into());
        next - u64::from(self.lens[g].first)
    }

    /// Length group `g` in absolute terms: ops per change, index of the first change, first
    /// op counter.
    fn group(&self, g: usize) -> (u64, u64, u64) {
        let l = self.lens[g];
        let len = match l.len {
            0 => self.end_op - self.start_op,
            n => n.into(),
        };
        (len, l.first.into(), self.start_op + u64::from(l.start))
    }

    /// The number of length groups starting at or before change `k`.
    fn groups_starting_by_change(&self, k: u64) -> usize {
        self.lens.partition_point(|l| u64::from(l.first) <= k)
    }

    /// The number of length groups starting at or below op counter `counter`.
    fn groups_starting_by_op(&self, counter: u64) -> usize {
        let Some(rel) = counter.checked_sub(self.start_op) else {
            return 0;
        };
        self.lens.partition_point(|l| u64::from(l.start) <= rel)
    }

    /// The op counter range of change `k`.
    fn ops_of(&self, k: u64) -> (u64, u64) {
        let (len, first, start) = self.group(self.groups_starting_by_change(k) - 1);
        let start = start + (k - first) * len;
        (start, start + len)
    }

    /// Every change of the run in order: its index and its op counter range.
    fn spans(&self) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        self.spans_from(0)
    }

    /// The changes of the run from its change `from` on, in order: each one's index and op
    /// counter range.
    fn spans_from(&self, from: u64) -> impl Iterator<Item = (u64, u64, u64)> + '_ {
        let g0 = self.groups_starting_by_change(from).saturating_sub(1);
        (g0..self.lens.len()).flat_map(move |g| {
            let (len, first, start) = self.group(g);
            let skip = from.saturating_sub(first).min(self.group_count(g));
            (skip..self.group_count(g)).map(move |i| {
                let start = start + i * len;
                (first + i, start, start + len)
            })
        })
    }

    /// The index of the first change of the run whose first op counter is above `counter`
    /// (`count` if there is none).
    fn first_starting_after(&self, counter: u64) -> u64 {
        let Some(g) = self.groups_starting_by_op(counter).checked_sub(1) else {
            return 0;
        };
        let (len, first, start) = self.group(g);
        // Changes are never empty: `len` is at least 1.
        let i = (counter - start) / len + 1;
        first + i.min(self.group_count(g))
    }

    /// The index of the change whose last op has counter `counter`, if one does.
    fn change_ending_at(&self, counter: u64) -> Option<u64> {
        if counter < self.start_op || counter >= self.end_op {
            return None;
        }
        let (len, first, start) = self.group(self.groups_starting_by_op(counter) - 1);
        let offset = counter + 1 - start;
        (offset % len == 0).then(|| first + offset / len - 1)
    }

    /// Whether a change of the run's actor (`actor`), with ops from `start_op` and time `time`,
    /// no message or groups, depending only on `dep`, continues the run: the run has no extra
    /// either, the same time, and ends with `dep` just before `start_op`.
    #[inline]
    fn continued_by(&self, start_op: u64, time: i64, dep: OpId, actor: ActorId) -> bool {
        self.extra.is_none()
            && self.time == time
            && self.end_op == start_op
            && dep.counter().checked_add(1) == Some(start_op)
            && dep.actor() == actor
    }

    #[inline]
    fn push_len(&mut self, len: u64) -> bool {
        // A keystroke's change: as long as the run's last.
        if self
            .lens
            .last()
            .is_some_and(|l| l.len != 0 && u64::from(l.len) == len)
        {
            self.count += 1;
            self.end_op += len;
            return true;
        }
        self.push_lens(len, 1)
    }

    /// Appends `n` changes of `len` ops each; false, changing nothing, if they need a new
    /// length group that 32 bits cannot place (the run's changes or ops, or `len`, pass
    /// them), or the run holds a change that long already.
    fn push_lens(&mut self, len: u64, n: u64) -> bool {
        let last = self.lens.last().map(|l| l.len);
        if last == Some(0) {
            return false;
        }
        if last.is_none_or(|l| u64::from(l) != len) {
            let group = (
                u32::try_from(len),
                u32::try_from(self.count),
                u32::try_from(self.end_op - self.start_op),
            );
            let (Ok(len), Ok(first), Ok(start)) = group else {
                return false;
            };
            self.lens.push(LenGroup { len, first, start });
        }
        self.count += n;
        self.end_op += len * n;
        true
    }
}

/// Which of an actor's changes another side lacks.
#[derive(Clone, Copy, Debug)]
enum Lacks {
    /// Those whose sequence number is above this one.
    AfterSeq(u64),
    /// Those whose first op counter is above this one.
    StartingAfter(u64),
}

impl Lacks {
    /// The index of the first change of `run` (a run of the actor) that is lacked; `count`
    /// if none is.
    fn first_in(self, run: &ChangeRun) -> u64 {
        match self {
            Lacks::AfterSeq(seen) => seen
                .saturating_add(1)
                .saturating_sub(run.first_seq)
                .min(run.count),
            Lacks::StartingAfter(counter) => run.first_starting_after(counter),
        }
    }
}

/// Where one actor's last run stood, to undo extensions of it. Extending a run only adds
/// length groups (a group never changes once pushed), so the number of groups is enough:
/// marking costs the same however long the run.
#[derive(Clone, Debug)]
struct RunMark {
    run: usize,
    count: u64,
    end_op: u64,
    groups: usize,
}

/// What [`History::rollback`] needs to restore the graph as it was (the queue aside, which
/// only [`crate::Doc::apply_changes`] touches and restores itself).
pub(crate) struct Mark {
    runs: usize,
    deps: usize,
    actors: usize,
    heads: Vec<OpId>,
    max_op: u64,
    count: usize,
    last_runs: Vec<Option<RunMark>>,
    log: Vec<ActorMark>,
}

/// The change graph of a document.
#[derive(Debug, Default)]
pub(crate) struct History {
    actors: Vec<ActorId>,
    actor_index: FxHashMap<ActorId, ActorIdx>,
    /// The actors last looked up, tried before the hash map: the local actor, or the author
    /// of the change being applied, the creator of the object it edits and the authors of
    /// the elements it names. Checked against `actors`, so it is never stale.
    last_actor: ActorHint,
    /// Every applied change, in runs, in the order applied (a topological order).
    runs: Vec<ChangeRun>,
    /// For each actor, the indexes in `runs` of its runs, in seq order.
    by_actor: Vec<Vec<usize>>,
    /// The dependencies of the runs' first changes, one after the other: kept out of the runs
    /// so that a run holds no allocation of its own and copying a history (a fork) does not
    /// allocate once per run.
    deps: Vec<OpId>,
    /// The ops of every applied change.
    pub(crate) log: OpLog,
    /// The last ops of the changes nothing depends on yet, sorted.
    heads: Vec<OpId>,
    /// The largest op counter seen.
    max_op: u64,
    /// How many changes the runs hold.
    count: usize,
    /// Changes that wait for dependencies.
    pub(crate) queue: Vec<Change>,
}

/// The actors last looked up, the newest first. Atomics rather than `Cell`s, so that a
/// document stays `Sync`: reads from several threads may race on the hint, which is only ever
/// a guess checked against the actor table.
///
/// It holds four: applying a change of two writers names up to four actors at a time (its
/// author, the other writer it depends on, the creator of the object it edits, and the
/// element it inserts after), and a hint of one missed on nearly each of them.
#[derive(Debug, Default)]
struct ActorHint([AtomicU32; 4]);

impl ActorHint {
    fn get(&self, k: usize) -> ActorIdx {
        ActorIdx(self.0[k].load(AtomicOrdering::Relaxed))
    }

    /// Makes `i` the newest, dropping the oldest.
    fn push(&self, i: ActorIdx) {
        for k in (1..self.0.len()).rev() {
            self.0[k].store(self.get(k - 1).0, AtomicOrdering::Relaxed);
        }
        self.0[0].store(i.0, AtomicOrdering::Relaxed);
    }
}

impl Clone for ActorHint {
    fn clone(&self) -> Self {
        ActorHint(std::array::from_fn(|k| AtomicU32::new(self.get(k).0)))
    }
}

/// Cloned with room to grow (a forked document goes on recording changes).
impl Clone for History {
    fn clone(&self) -> Self {
        History {
            actors: self.actors.clone(),
            actor_index: self.actor_index.clone(),
            last_actor: self.last_actor.clone(),
            runs: clone_with_room(&self.runs),
            by_actor: self.by_actor.iter().map(|v| clone_with_room(v)).collect(),
            deps: clone_with_room(&self.deps),
            log: self.log.clone(),
            heads: self.heads.clone(),
            max_op: self.max_op,
            count: self.count,
            queue: self.queue.clone(),
        }
    }
}

impl History {
    /// The index of `actor`, if it is in the table. The actor asked for last is answered
    /// inline, without hashing: edits and ops mostly come from the actor the last ones did.
    #[inline]
    pub(crate) fn actor_idx(&self, actor: &ActorId) -> Option<ActorIdx> {
        let last = self.last_actor.get(0);
        if self.actors.get(last.index()) == Some(actor) {
            return Some(last);
        }
        self.look_up_actor(actor)
    }

    /// [`History::actor_idx`] for an actor other than the last one asked for: one of the
    /// others the hint holds, or the hash map's.
    #[inline(never)]
    fn look_up_actor(&self, actor: &ActorId) -> Option<ActorIdx> {
        for k in 1..self.last_actor.0.len() {
            let i = self.last_actor.get(k);
            if self.actors.get(i.index()) == Some(actor) {
                return Some(i);
            }
        }
        let i = self.actor_index.get(actor).copied()?;
        self.last_actor.push(i);
        Some(i)
    }

    /// The index of `actor`, adding it to the table if it is new.
    pub(crate) fn intern(&mut self, actor: ActorId) -> ActorIdx {
        self.intern_new(actor).0
    }

    /// The index of `actor`, and whether it was added to the table just now.
    #[inline]
    pub(crate) fn intern_new(&mut self, actor: ActorId) -> (ActorIdx, bool) {
        match self.actor_idx(&actor) {
            Some(i) => (i, false),
            None => (self.add_actor(actor), true),
        }
    }

    /// Adds `actor`, which is not in the table, to it.
    #[inline(never)]
    fn add_actor(&mut self, actor: ActorId) -> ActorIdx {
        let i = u32::try_from(self.actors.len()).ok();
        let i = ActorIdx(
            i.filter(|&i| i < ActorIdx::LIMIT)
                .expect("fewer than 2^31 actors"),
        );
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
        OpId::new(id.counter(), self.actor(id.actor()))
    }

    /// The internal form of a public id, if its actor is known and its counter one a
    /// document's op may have (none has a larger one: see [`Id::MAX_COUNTER`]).
    #[inline]
    pub(crate) fn import(&self, id: OpId) -> Option<Id> {
        self.import_ref(&id)
    }

    /// [`History::import`] of an id the caller holds. It reads the counter and the actor in
    /// place: an edit's object id was most often just copied there by the caller, and
    /// copying it again whole would read across the caller's stores to it, which the CPU
    /// cannot forward (a stall on every keystroke).
    #[inline]
    fn import_ref(&self, id: &OpId) -> Option<Id> {
        let counter = Some(id.counter()).filter(|&c| c <= Id::MAX_COUNTER)?;
        Some(Id::new(self.actor_idx(id.actor_ref())?, counter))
    }

    /// The internal id of an object's public id, if its actor is known (the root always is).
    pub(crate) fn import_obj(&self, obj: &ObjId) -> Option<Id> {
        match obj {
            ObjId::Root => Some(ROOT_ID),
            ObjId::Op(op) => self.import_ref(op),
        }
    }

    /// Orders internal ids as their public forms are ordered: counter, then actor bytes.
    pub(crate) fn cmp_ids(&self, a: Id, b: Id) -> Ordering {
        let (ca, cb) = (a.counter(), b.counter());
        ca.cmp(&cb)
            .then_with(|| self.cmp_actors(a.actor(), b.actor()))
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

    /// The sequence number the next change of `actor` takes.
    pub(crate) fn next_seq(&self, actor: ActorIdx) -> u64 {
        self.by_actor
            .get(actor.index())
            .and_then(|v| v.last())
            .map_or(1, |&r| self.runs[r].first_seq + self.runs[r].count)
    }

    /// The seq the next change of `actor` must have.
    pub(crate) fn next_seq_of(&self, actor: &ActorId) -> u64 {
        self.actor_idx(actor).map_or(1, |a| self.next_seq(a))
    }

    /// The largest op counter of `actor` applied so far (0: none).
    fn last_counter(&self, actor: ActorIdx) -> u64 {
        self.by_actor[actor.index()]
            .last()
            .map_or(0, |&r| self.runs[r].end_op - 1)
    }

    /// The change whose last op is `id`: its run and its index in the run.
    fn find(&self, id: OpId) -> Option<(usize, u64)> {
        let actor = self.actor_idx(&id.actor())?;
        let list = &self.by_actor[actor.index()];
        // Most lookups (a new change's dependencies) name the actor's newest run.
        let r = match list.last() {
            Some(&r) if self.runs[r].start_op <= id.counter() => r,
            _ => {
                let i = list.partition_point(|&r| self.runs[r].end_op <= id.counter());
                *list.get(i)?
            }
        };
        let k = self.runs[r].change_ending_at(id.counter())?;
        Some((r, k))
    }

    /// Whether a change of this document ends with op `id`.
    pub(crate) fn has_change(&self, id: OpId) -> bool {
        self.find(id).is_some()
    }

    /// The change whose last op is `id`. `objects` is the document's object store, which
    /// holds the characters of text inserts (as every method that rebuilds changes).
    pub(crate) fn change(&self, id: OpId, objects: &Objects) -> Option<Change> {
        let (r, k) = self.find(id)?;
        let (start, end) = self.runs[r].ops_of(k);
        Some(self.materialize_span(objects, r, k, (start, end)))
    }

    /// Rebuilds change `k` of run `r`, whose ops are `start .. end`.
    fn materialize_span(
        &self,
        objects: &Objects,
        r: usize,
        k: u64,
        (start, end): (u64, u64),
    ) -> Change {
        let run = &self.runs[r];
        let actor = self.actor(run.actor);
        let deps = if k == 0 {
            self.deps_of(run).to_vec()
        } else {
            vec![OpId::new(start - 1, actor)]
        };
        let extra = run.extra.as_deref();
        let meta = ChangeMeta {
            actor,
            seq: run.first_seq + k,
            start_op: start,
            time: run.time,
            message: extra.and_then(|e| e.message.clone()),
            deps,
            groups: extra.map(|e| e.groups.clone()).unwrap_or_default(),
        };
        let ops = self
            .log
            .ops_in(run.actor, (start, end), |id| self.export(id), objects);
        Change::new(meta, ops)
    }

    /// Every applied change for which `keep(actor, first op counter)` holds, each after its
    /// dependencies, in a vector with room for `room` changes to start with.
    fn collect(
        &self,
        objects: &Objects,
        room: usize,
        keep: impl Fn(ActorIdx, u64) -> bool,
    ) -> Vec<Change> {
        let mut out = Vec::with_capacity(room);
        for (r, run) in self.runs.iter().enumerate() {
            for (k, start, end) in run.spans() {
                if keep(run.actor, start) {
                    out.push(self.materialize_span(objects, r, k, (start, end)));
                }
            }
        }
        out
    }

    /// The actors with an applied change, sorted: every actor the applied changes name (an
    /// op only names ops of applied changes), as the writer of a chunk of them wants.
    pub(crate) fn change_actors(&self) -> Vec<ActorId> {
        let mut actors: Vec<ActorId> = (self.by_actor.iter().zip(&self.actors))
            .filter(|(runs, _)| !runs.is_empty())
            .map(|(_, &a)| a)
            .collect();
        actors.sort_unstable();
        actors
    }

    /// Calls `f` with every applied change, in the order of their first op counters (ties
    /// broken by actor): its head, dependencies and ops, borrowed from the history and from
    /// `objects`. Each change's ops come after those of its dependencies, so the order is
    /// topological, and every replica with these changes makes the same one. Builds no
    /// [`Change`]: saving a long history this way allocates next to nothing per change.
    pub(crate) fn view_changes_by_start<'a>(
        &'a self,
        objects: &'a Objects,
        mut f: impl FnMut(&ChangeHead<'a>, &[OpId], &[OpView<'a>]),
    ) {
        // Each actor's changes, in seq order, have increasing first op counters: merge the
        // actors' lists by it.
        let mut lists: Vec<_> = self
            .by_actor
            .iter()
            .map(|runs| {
                runs.iter()
                    .flat_map(|&r| self.runs[r].spans().map(move |(k, s, e)| (r, k, s, e)))
                    .peekable()
            })
            .collect();
        let key = |a: usize, start: u64| Reverse((start, self.actors[a], a));
        let mut next: BinaryHeap<_> = lists
            .iter_mut()
            .enumerate()
            .filter_map(|(a, list)| list.peek().map(|&(_, _, start, _)| key(a, start)))
            .collect();
        let mut ops = Vec::new();
        while let Some(Reverse((_, _, a))) = next.pop() {
            let Some((r, k, start, end)) = lists[a].next() else {
                continue;
            };
            if let Some(&(_, _, start, _)) = lists[a].peek() {
                next.push(key(a, start));
            }
            let run = &self.runs[r];
            let actor = self.actor(run.actor);
            let extra = run.extra.as_deref();
            let head = ChangeHead {
                actor,
                seq: run.first_seq + k,
                start_op: start,
                len: end - start,
                time: run.time,
                message: extra.and_then(|e| e.message.as_deref()),
                groups: extra.map_or(&[], |e| &e.groups),
            };
            let dep = [OpId::new(start.wrapping_sub(1), actor)];
            let deps = if k == 0 { self.deps_of(run) } else { &dep };
            ops.clear();
            let export = |id| self.export(id);
            self.log
                .view_ops_in(run.actor, (start, end), export, objects, |op| ops.push(op));
            f(&head, deps, &ops);
        }
    }

    /// How many changes are applied.
    pub(crate) fn change_count(&self) -> usize {
        self.count
    }

    /// Every applied change, each after its dependencies.
    pub(crate) fn changes(&self, objects: &Objects) -> Vec<Change> {
        self.collect(objects, self.count, |_, _| true)
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
        // The last op's counter (the change has ops: checked above).
        let last = change.start_op.checked_add(change.len - 1);
        if last.is_none_or(|last| last > Id::MAX_COUNTER) {
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
            if !self.has_change(*dep) {
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

    /// Records the metadata of an applied change whose ops are already in the log; returns
    /// its actor.
    pub(crate) fn record(&mut self, meta: ChangeMeta, len: u64) -> ActorIdx {
        let actor = self.intern(meta.actor);
        if self.extends_last_run(actor, &meta, len) {
            return actor;
        }
        let last = OpId::new(meta.start_op + len - 1, meta.actor);
        self.heads.retain(|h| !meta.deps.contains(h));
        self.heads.push(last);
        self.heads.sort_unstable();
        self.max_op = self.max_op.max(last.counter());
        let plain = meta.message.is_none() && meta.groups.is_empty();
        let extra = (!plain).then(|| {
            Box::new(Extra {
                message: meta.message,
                groups: meta.groups,
            })
        });
        let mut lens = SmallVec::new();
        lens.push(LenGroup {
            len: u32::try_from(len).unwrap_or(0),
            first: 0,
            start: 0,
        });
        self.count += 1;
        self.by_actor[actor.index()].push(self.runs.len());
        let deps = (self.deps.len(), self.deps.len() + meta.deps.len());
        self.deps.extend_from_slice(&meta.deps);
        self.runs.push(ChangeRun {
            actor,
            first_seq: meta.seq,
            count: 1,
            start_op: meta.start_op,
            end_op: meta.start_op + len,
            lens,
            deps,
            time: meta.time,
            extra,
        });
        actor
    }

    /// Records the metadata of an applied block of changes ([`crate::change::ChangeBlock`]):
    /// the first change, described by `meta`, then the others, whose lengths `lens` gives
    /// (with the first), each continuing the one before.
    pub(crate) fn record_block(&mut self, meta: ChangeMeta, lens: &[(u64, u64)]) {
        let Some(&(first_len, first_count)) = lens.first() else {
            return;
        };
        let actor_id = meta.actor;
        let actor = self.record(meta, first_len);
        let rest = std::iter::once((first_len, first_count - 1)).chain(lens[1..].iter().copied());
        for (len, mut n) in rest.filter(|&(_, n)| n > 0) {
            while n > 0 {
                let r = *self.by_actor[actor.index()]
                    .last()
                    .expect("the first change was just recorded");
                let run = &mut self.runs[r];
                debug_assert!(run.extra.is_none());
                let prev = OpId::new(run.end_op - 1, actor_id);
                if run.push_lens(len, n) {
                    self.count += n as usize;
                    let last = OpId::new(run.end_op - 1, actor_id);
                    self.advance_head(prev, last);
                    break;
                }
                // The run is full: the next change starts one.
                let meta = ChangeMeta {
                    actor: actor_id,
                    seq: run.first_seq + run.count,
                    start_op: run.end_op,
                    time: run.time,
                    message: None,
                    deps: vec![prev],
                    groups: Vec::new(),
                };
                self.record(meta, len);
                n -= 1;
            }
        }
    }

    /// Moves the head `prev` on to `last`, the last op of a change just appended on top of
    /// it (adding `last` as a head if `prev` no longer is one).
    #[inline]
    fn advance_head(&mut self, prev: OpId, last: OpId) {
        match self.heads.iter_mut().find(|h| **h == prev) {
            Some(h) => *h = last,
            None => self.heads.push(last),
        }
        self.heads.sort_unstable();
        self.max_op = self.max_op.max(last.counter());
    }

    /// Appends a change to its actor's last run if it continues that chain (and moves the
    /// heads accordingly).
    fn extends_last_run(&mut self, actor: ActorIdx, meta: &ChangeMeta, len: u64) -> bool {
        let plain = meta.message.is_none() && meta.groups.is_empty();
        let (&[dep], true) = (&meta.deps[..], plain) else {
            return false;
        };
        if !self.extend_run(actor, meta.seq, meta.start_op, meta.time, dep, len) {
            return false;
        }
        self.advance_head(dep, OpId::new(meta.start_op + len - 1, dep.actor()));
        true
    }

    /// Records a local change made on the current heads, with no message or groups, if it
    /// continues its actor's last run. A keystroke takes this path, which allocates nothing.
    pub(crate) fn extend_local(
        &mut self,
        actor: ActorIdx,
        start_op: u64,
        len: u64,
        time: i64,
    ) -> bool {
        let ([head], Some(&r)) = (&mut self.heads[..], self.by_actor[actor.index()].last()) else {
            return false;
        };
        let run = &mut self.runs[r];
        // The change depends on the one head only: it continues the run if that head is the
        // run's last op (its seq follows then, the run being its actor's last).
        let actor_id = self.actors[actor.index()];
        if !run.continued_by(start_op, time, *head, actor_id) || !run.push_len(len) {
            return false;
        }
        self.count += 1;
        *head = OpId::new(start_op + len - 1, head.actor());
        self.max_op = self.max_op.max(start_op + len - 1);
        true
    }

    /// Appends change `seq` (ops `start_op .. start_op + len`, depending only on `dep`) to
    /// `actor`'s last run if it continues it. The caller moves the heads on.
    #[inline]
    fn extend_run(
        &mut self,
        actor: ActorIdx,
        seq: u64,
        start_op: u64,
        time: i64,
        dep: OpId,
        len: u64,
    ) -> bool {
        let Some(&r) = self.by_actor[actor.index()].last() else {
            return false;
        };
        let actor_id = self.actors[actor.index()];
        let run = &mut self.runs[r];
        let continues =
            run.first_seq + run.count == seq && run.continued_by(start_op, time, dep, actor_id);
        if !continues || !run.push_len(len) {
            return false;
        }
        self.count += 1;
        true
    }

    /// Drops the newest actor of the table, which nothing refers to (a transaction that added
    /// its own actor and then made no change).
    pub(crate) fn forget_last_actor(&mut self) {
        if let Some(actor) = self.actors.pop() {
            self.actor_index.remove(&actor);
            self.by_actor.pop();
            self.log.truncate_actors(self.actors.len());
        }
    }

    pub(crate) fn mark(&self) -> Mark {
        let last_runs = self
            .by_actor
            .iter()
            .map(|list| {
                list.last().map(|&r| RunMark {
                    run: r,
                    count: self.runs[r].count,
                    end_op: self.runs[r].end_op,
                    groups: self.runs[r].lens.len(),
                })
            })
            .collect();
        let log = (0..self.actors.len())
            .map(|a| self.log.mark(ActorIdx(a as u32)))
            .collect();
        Mark {
            runs: self.runs.len(),
            deps: self.deps.len(),
            actors: self.actors.len(),
            heads: self.heads.clone(),
            max_op: self.max_op,
            count: self.count,
            last_runs,
            log,
        }
    }

    /// Forgets everything recorded since `mark`.
    pub(crate) fn rollback(&mut self, mark: Mark) {
        self.runs.truncate(mark.runs);
        self.deps.truncate(mark.deps);
        for list in &mut self.by_actor {
            while list.last().is_some_and(|&r| r >= mark.runs) {
                list.pop();
            }
        }
        for m in mark.last_runs.into_iter().flatten() {
            let run = &mut self.runs[m.run];
            run.count = m.count;
            run.end_op = m.end_op;
            run.lens.truncate(m.groups);
        }
        for (a, m) in mark.log.iter().enumerate() {
            self.log.rollback(ActorIdx(a as u32), m);
        }
        for actor in self.actors.drain(mark.actors..) {
            self.actor_index.remove(&actor);
        }
        self.by_actor.truncate(mark.actors);
        self.log.truncate_actors(mark.actors);
        self.heads = mark.heads;
        self.max_op = mark.max_op;
        self.count = mark.count;
    }

    /// The version made of `heads` and their causal past.
    ///
    /// # Errors
    /// [`DocError::UnknownHead`] if a head is not the last op of a change of this document.
    pub(crate) fn clock_at(&self, heads: &[OpId]) -> Result<Clock, DocError> {
        let mut clock = Clock::default();
        // How far into each run the walk has been (runs are chains: change k brings 0..=k).
        let mut reached: Vec<Option<u64>> = vec![None; self.runs.len()];
        let mut stack = Vec::with_capacity(heads.len());
        for &h in heads {
            stack.push(self.find(h).ok_or(DocError::UnknownHead(h))?);
        }
        while let Some((r, k)) = stack.pop() {
            let first_visit = match reached[r] {
                Some(done) if done >= k => continue,
                Some(_) => false,
                None => true,
            };
            reached[r] = Some(k);
            let run = &self.runs[r];
            clock.include(run.actor, run.ops_of(k).1 - 1);
            if first_visit {
                stack.extend(self.deps_of(run).iter().filter_map(|&d| self.find(d)));
            }
        }
        Ok(clock)
    }

    /// The changes not in `clock`, each after its dependencies.
    ///
    /// A change is in a version when its first op is, so an actor's changes outside it are
    /// those that start after the version's counter for the actor: found by binary search, as
    /// in [`History::changes_after`].
    pub(crate) fn changes_outside(&self, objects: &Objects, clock: &Clock) -> Vec<Change> {
        self.changes_from(objects, |a| Lacks::StartingAfter(clock.get(a)))
    }

    /// The changes in `clock`, each after its dependencies.
    pub(crate) fn changes_inside(&self, objects: &Objects, clock: &Clock) -> Vec<Change> {
        self.collect(objects, 0, |actor, start| {
            clock.contains(Id::new(actor, start))
        })
    }

    /// The changes of `self` that `other` has not applied, each after its dependencies.
    pub(crate) fn changes_missing_from(&self, objects: &Objects, other: &History) -> Vec<Change> {
        self.changes_from(objects, |a| {
            let actor = &self.actors[a.index()];
            Lacks::AfterSeq(other.actor_idx(actor).map_or(0, |a| other.next_seq(a) - 1))
        })
    }

    /// The dependencies of `run`'s first change.
    fn deps_of(&self, run: &ChangeRun) -> &[OpId] {
        &self.deps[run.deps.0..run.deps.1]
    }

    /// The changes whose sequence number is above `have(actor)`, each after its dependencies.
    pub(crate) fn changes_after(
        &self,
        objects: &Objects,
        have: impl Fn(&ActorId) -> u64,
    ) -> Vec<Change> {
        self.changes_from(objects, |a| Lacks::AfterSeq(have(&self.actors[a.index()])))
    }

    /// The changes of every actor `a` from the first one `lacks(a)` names on, each after its
    /// dependencies.
    ///
    /// The runs holding such changes are found per actor by binary search, so a peer that
    /// lacks a few changes costs a search per actor, not a pass over the whole history.
    fn changes_from(&self, objects: &Objects, lacks: impl Fn(ActorIdx) -> Lacks) -> Vec<Change> {
        // (run, its first change the other side lacks), from every actor.
        let mut wanted: Vec<(usize, u64)> = Vec::new();
        for (a, list) in self.by_actor.iter().enumerate() {
            let lacks = lacks(ActorIdx(a as u32));
            let first = list.partition_point(|&r| {
                let run = &self.runs[r];
                lacks.first_in(run) >= run.count
            });
            wanted.extend(
                list[first..]
                    .iter()
                    .map(|&r| (r, lacks.first_in(&self.runs[r]))),
            );
        }
        // Runs in the order applied, which is a topological order.
        wanted.sort_unstable_by_key(|&(r, _)| r);
        let mut out = Vec::new();
        for (r, from) in wanted {
            for (k, start, end) in self.runs[r].spans_from(from) {
                out.push(self.materialize_span(objects, r, k, (start, end)));
            }
        }
        out
    }

    /// For every actor with applied changes, how many: a version vector by sequence number.
    pub(crate) fn have(&self) -> Vec<(ActorId, u64)> {
        (0..self.actors.len())
            .map(|i| ActorIdx(i as u32))
            .map(|a| (self.actor(a), self.next_seq(a) - 1))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run starting at op 10 whose changes have these `(length, how many)` groups, built
    /// the way records extend it.
    fn run(lens: &[(u64, u64)]) -> ChangeRun {
        let mut run = ChangeRun {
            actor: ActorIdx(0),
            first_seq: 1,
            count: 0,
            start_op: 10,
            end_op: 10,
            lens: SmallVec::new(),
            deps: (0, 0),
            time: 0,
            extra: None,
        };
        for &(len, n) in lens {
            for _ in 0..n {
                assert!(run.push_len(len));
            }
        }
        run
    }

    #[test]
    fn actor_lookups_through_the_hint_stay_right() {
        let mut history = History::default();
        let actors: Vec<ActorId> = (1..=6u8).map(|b| ActorId::from_bytes([b; 16])).collect();
        let idx: Vec<ActorIdx> = actors.iter().map(|&a| history.intern(a)).collect();
        // Cycling through more actors than the hint holds, and back through fewer.
        for k in [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 3, 2, 1, 0, 5, 0, 5, 4] {
            assert_eq!(history.actor_idx(&actors[k]), Some(idx[k]), "actor {k}");
        }
        // A forgotten actor is no longer found, though the hint named it; a new one that
        // takes its index is found as itself.
        history.forget_last_actor();
        assert_eq!(history.actor_idx(&actors[5]), None);
        let other = ActorId::from_bytes([9; 16]);
        assert_eq!(history.intern(other), idx[5]);
        assert_eq!(history.actor_idx(&other), Some(idx[5]));
        assert_eq!(history.actor_idx(&actors[5]), None);
        assert_eq!(history.actor_idx(&actors[4]), Some(idx[4]));
    }

    #[test]
    fn change_ranges_in_a_run() {
        // Changes of lengths 1, 1, 3, 3, 2: ops 10, 11, 12-14, 15-17, 18-19.
        let r = run(&[(1, 2), (3, 2), (2, 1)]);
        assert_eq!(r.ops_of(0), (10, 11));
        assert_eq!(r.ops_of(2), (12, 15));
        assert_eq!(r.ops_of(4), (18, 20));
        assert_eq!(r.change_ending_at(11), Some(1));
        assert_eq!(r.change_ending_at(14), Some(2));
        assert_eq!(r.change_ending_at(13), None);
        assert_eq!(r.change_ending_at(19), Some(4));
        assert_eq!(r.change_ending_at(20), None);
        for k in 0..r.count {
            assert_eq!(r.change_ending_at(r.ops_of(k).1 - 1), Some(k));
        }
        let spans: Vec<_> = r.spans().collect();
        assert_eq!(spans.len() as u64, r.count);
        for &(k, start, end) in &spans {
            assert_eq!(r.ops_of(k), (start, end));
        }
        for from in 0..=r.count + 1 {
            let tail: Vec<_> = r.spans_from(from).collect();
            assert_eq!(tail, spans[(from.min(r.count) as usize)..], "from {from}");
        }
        // The first change starting after each counter, against a scan.
        for counter in 0..25 {
            let scan = spans
                .iter()
                .find(|&&(_, start, _)| start > counter)
                .map_or(r.count, |&(k, ..)| k);
            assert_eq!(r.first_starting_after(counter), scan, "after {counter}");
        }
    }

    #[test]
    fn extensions_of_a_run_roll_back_to_its_length_groups() {
        let a = ActorId::from_bytes([1; 16]);
        let meta = ChangeMeta::plain;
        let mut h = History::default();
        // Changes 1 and 2 of two ops each: one run, one length group.
        h.record(meta(a, 1, 1, vec![]), 2);
        h.record(meta(a, 2, 3, vec![OpId::new(2, a)]), 2);
        let mark = h.mark();
        // Changes of other lengths add groups to the run.
        h.record(meta(a, 3, 5, vec![OpId::new(4, a)]), 3);
        h.record(meta(a, 4, 8, vec![OpId::new(7, a)]), 1);
        assert_eq!((h.runs.len(), h.runs[0].lens.len()), (1, 3));
        h.rollback(mark);
        let run = &h.runs[0];
        assert_eq!((run.count, run.end_op, run.lens.len()), (2, 5, 1));
        assert_eq!((run.ops_of(0), run.ops_of(1)), ((1, 3), (3, 5)));
        // The run grows again from where it stood.
        h.record(meta(a, 3, 5, vec![OpId::new(4, a)]), 1);
        let run = &h.runs[0];
        assert_eq!((run.count, run.lens.len(), run.ops_of(2)), (3, 2, (5, 6)));
    }

    #[test]
    fn a_run_past_32_bits_of_ops_ends_and_a_longer_change_stands_alone() {
        let a = ActorId::from_bytes([1; 16]);
        let meta = ChangeMeta::plain;
        let (big, half) = (4_000_000_000, 500_000_000);
        let spans = |h: &History| -> Vec<Vec<(u64, u64, u64)>> {
            h.runs.iter().map(|r| r.spans().collect()).collect()
        };
        let mut h = History::default();
        // The second change's group starts below 2^32 ops into the run, the third's would
        // not: it starts a run.
        h.record(meta(a, 1, 1, vec![]), big);
        h.record(meta(a, 2, 1 + big, vec![OpId::new(big, a)]), half);
        h.record(
            meta(a, 3, 1 + big + half, vec![OpId::new(big + half, a)]),
            1,
        );
        let want = vec![
            vec![(0, 1, 1 + big), (1, 1 + big, 1 + big + half)],
            vec![(0, 1 + big + half, 2 + big + half)],
        ];
        assert_eq!(spans(&h), want);
        assert_eq!(h.heads(), [OpId::new(1 + big + half, a)]);
        // A change longer than 32 bits of ops takes a run of its own, which takes no other.
        let (huge, at) = (5_000_000_000, 2 + big + half);
        h.record(meta(a, 4, at, vec![OpId::new(at - 1, a)]), huge);
        h.record(meta(a, 5, at + huge, vec![OpId::new(at + huge - 1, a)]), 1);
        assert_eq!(h.runs.len(), 4);
        let wide = &h.runs[2];
        assert_eq!(wide.ops_of(0), (at, at + huge));
        assert_eq!(wide.change_ending_at(at + huge - 1), Some(0));
        assert_eq!(wide.first_starting_after(at), 1);
        assert_eq!(h.heads(), [OpId::new(at + huge, a)]);
        assert_eq!(h.count, 5);

        // A block of changes splits into runs the same way.
        let mut b = History::default();
        b.record_block(meta(a, 1, 1, vec![]), &[(big, 1), (half, 1), (1, 3)]);
        assert_eq!(spans(&b)[0], want[0]);
        assert_eq!(spans(&b)[1].len(), 3);
        assert_eq!(b.heads(), [OpId::new(3 + big + half, a)]);
        assert_eq!(b.count, 5);
    }

    #[test]
    fn dependencies_roll_back_with_their_runs_and_are_copied_with_them() {
        let (a, b) = (ActorId::from_bytes([1; 16]), ActorId::from_bytes([2; 16]));
        let meta = ChangeMeta::plain;
        let deps_of_runs = |h: &History| -> Vec<Vec<OpId>> {
            h.runs.iter().map(|r| h.deps_of(r).to_vec()).collect()
        };
        let mut h = History::default();
        h.record(meta(a, 1, 1, vec![]), 2);
        h.record(meta(b, 1, 3, vec![OpId::new(2, a)]), 1);
        let mark = h.mark();
        // A change of `a` on top of `b`'s starts a run of its own; then it is rolled back.
        h.record(meta(a, 2, 4, vec![OpId::new(3, b)]), 1);
        assert_eq!(h.runs.len(), 3);
        h.rollback(mark);
        assert_eq!(deps_of_runs(&h), vec![vec![], vec![OpId::new(2, a)]]);
        // The rolled-back run's dependencies are gone from the shared vector too.
        assert_eq!(h.deps, [OpId::new(2, a)]);
        h.record(meta(a, 2, 5, vec![OpId::new(2, a), OpId::new(3, b)]), 1);
        let want = vec![
            vec![],
            vec![OpId::new(2, a)],
            vec![OpId::new(2, a), OpId::new(3, b)],
        ];
        assert_eq!(deps_of_runs(&h), want);
        let mut copy = h.clone();
        assert_eq!(deps_of_runs(&copy), want);
        // The copy grows on its own.
        copy.record(meta(b, 2, 6, vec![OpId::new(5, a)]), 1);
        assert_eq!(deps_of_runs(&copy).len(), 4);
        assert_eq!(deps_of_runs(&h), want);
    }
}
