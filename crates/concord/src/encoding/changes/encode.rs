//! Writing a list of changes as the payload of a chunk.

use std::collections::HashMap;

use super::columns::{action, code, origins, Col, COUNT};
use super::{start_base, value};
use crate::change::{
    forward_parts, Action, ActionView, Change, ChangeHead, Key, KeyView, Op, OpView, ValuesView,
};
use crate::encoding::column::boolean::BoolEncoder;
use crate::encoding::column::compress;
use crate::encoding::column::delta::DeltaEncoder;
use crate::encoding::column::rle::RleEncoder;
use crate::encoding::frame::VERSION;
use crate::encoding::leb128;
use crate::{ActorId, ObjId, OpId};

/// The payload of a chunk holding `changes`, in the order given, in the format version this
/// build writes.
pub(crate) fn encode(changes: &[&Change]) -> Vec<u8> {
    encode_in(changes, VERSION)
}

/// The payload of a chunk holding `changes` in format `version`: this build's (which sync
/// messages pin), or version 2 (which tests write to check that older files still read).
pub(crate) fn encode_in(changes: &[&Change], version: u64) -> Vec<u8> {
    let actors = actor_table(changes);
    let mut w = Writer::new(&actors, version);
    let mut ops = Vec::new();
    for change in changes {
        ops.clear();
        ops.extend(change.ops.iter().map(Op::view));
        w.push(&change.head(), &change.deps, &ops);
    }
    w.finish()
}

/// Writes the payload of a chunk one change at a time, so that a writer of many changes
/// (a document's whole history) need not build them all first.
pub(crate) struct Writer<'a> {
    e: Encoder<'a>,
    actors: &'a [ActorId],
    /// Per actor, the seq of its last change written.
    seqs: Vec<u64>,
    ends: Ends,
    /// How many changes were written.
    count: usize,
}

impl<'a> Writer<'a> {
    /// A writer of changes in format `version`, naming actors by their place in `actors`:
    /// sorted, and holding every actor the changes name.
    pub(crate) fn new(actors: &'a [ActorId], version: u64) -> Self {
        debug_assert!((2..=VERSION).contains(&version));
        debug_assert!(
            actors.windows(2).all(|w| w[0] < w[1]),
            "a sorted actor table"
        );
        let e = Encoder {
            actors,
            version,
            origins: match version {
                2 => OriginsEncoder::LeftIsPrev(BoolEncoder::default()),
                _ => OriginsEncoder::Codes(RleEncoder::default()),
            },
            ..Encoder::default()
        };
        Writer {
            e,
            actors,
            seqs: vec![0; actors.len()],
            ends: Ends::Sorted(vec![Vec::new(); actors.len()]),
            count: 0,
        }
    }

    /// Appends the change `head` with dependencies `deps` and ops `ops` (in counter order).
    pub(crate) fn push(&mut self, head: &ChangeHead<'a>, deps: &[OpId], ops: &[OpView<'a>]) {
        let (e, i) = (&mut self.e, self.count);
        let actor = e.actor(head.actor);
        e.change_actor.append(actor);
        let last_seq = &mut self.seqs[actor as usize];
        e.change_seq.append(head.seq.wrapping_sub(*last_seq) as i64);
        *last_seq = head.seq;
        e.change_deps.append(deps.len() as u64);
        for dep in deps {
            match self.ends.get(e.actor(dep.actor()), *dep) {
                Some(j) => e.dep_ref.append((i - j) as u64),
                None => {
                    e.dep_ref.append(0);
                    e.dep_actor.append(e.actor(dep.actor()));
                    e.dep_counter.append(dep.counter());
                }
            }
        }
        let base = start_base(deps);
        e.change_start
            .append(head.start_op.wrapping_sub(base) as i64);
        e.change_time.append_signed(head.time);
        e.change_message.append_opt(head.message);
        if e.version < 4 {
            e.change_ops.append(ops.iter().map(encoded_ops).sum());
        }
        let mut counter = head.start_op;
        for op in ops {
            e.op(op, head.actor, counter);
            counter = counter.wrapping_add(op.len());
        }
        if let Some(last) = e.codes.last_mut() {
            *last |= 1;
        }
        e.change_groups.append(head.groups.len() as u64);
        for (g, group) in head.groups.iter().enumerate() {
            e.group_name.append(&group.name);
            e.group_parent
                .append_opt(group.parent.map(|p| g.wrapping_sub(p) as u64));
            e.group_start
                .append(group.ops.start.wrapping_sub(head.start_op));
            e.group_len
                .append(group.ops.end.wrapping_sub(group.ops.start));
        }
        if let Some(last) = head.last_op() {
            self.ends.insert(self.actors, actor, last, i);
        }
        self.count += 1;
    }

    /// The payload.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        leb128::write_u64(&mut out, self.count as u64);
        leb128::write_u64(&mut out, self.actors.len() as u64);
        for a in self.actors {
            out.extend_from_slice(a.as_bytes());
        }
        for column in self.e.finish() {
            compress::write(&mut out, &column);
        }
        out
    }
}

/// For each change of the chunk so far, the op it ends at: to find the latest earlier change a
/// dependency names.
enum Ends {
    /// Per actor (by table index), the last op counters of its changes with their indexes in
    /// the chunk, increasing: an actor's changes come in counter order in every list a document
    /// makes, so a binary search finds a dependency without hashing.
    Sorted(Vec<Vec<(u64, usize)>>),
    /// Once a list has come with an actor's changes out of order.
    Map(HashMap<OpId, usize>),
}

impl Ends {
    fn get(&self, actor: u64, dep: OpId) -> Option<usize> {
        match self {
            Ends::Sorted(by_actor) => {
                let list = &by_actor[actor as usize];
                // Mostly, the dependency is the actor's latest change.
                if let Some(&(_, j)) = list.last().filter(|&&(c, _)| c == dep.counter()) {
                    return Some(j);
                }
                let k = list
                    .binary_search_by_key(&dep.counter(), |&(c, _)| c)
                    .ok()?;
                Some(list[k].1)
            }
            Ends::Map(map) => map.get(&dep).copied(),
        }
    }

    /// Records that change `i` of the chunk, by the actor at `actor` in the table `actors`,
    /// ends at `last`.
    fn insert(&mut self, actors: &[ActorId], actor: u64, last: OpId, i: usize) {
        match self {
            Ends::Sorted(by_actor) => {
                let list = &mut by_actor[actor as usize];
                if list.last().is_none_or(|&(c, _)| c < last.counter()) {
                    list.push((last.counter(), i));
                    return;
                }
                // Each list is in chunk order, so later changes overwrite earlier ones.
                let mut map: HashMap<OpId, usize> = by_actor
                    .iter()
                    .enumerate()
                    .flat_map(|(k, list)| {
                        list.iter().map(move |&(c, j)| (OpId::new(c, actors[k]), j))
                    })
                    .collect();
                map.insert(last, i);
                *self = Ends::Map(map);
            }
            Ends::Map(map) => {
                map.insert(last, i);
            }
        }
    }
}

/// Every actor the changes name, sorted by bytes.
fn actor_table(changes: &[&Change]) -> Vec<ActorId> {
    let mut actors = Vec::new();
    let mut last = None;
    let mut add = |a: ActorId| {
        // Runs of one actor are the common case; skip them before sorting.
        if last != Some(a) {
            actors.push(a);
            last = Some(a);
        }
    };
    for change in changes {
        add(change.actor);
        change.deps.iter().for_each(|d| add(d.actor()));
        for op in &change.ops {
            if let ObjId::Op(id) = op.obj {
                add(id.actor());
            }
            match &op.action {
                Action::Put { key, pred, .. }
                | Action::Delete { key, pred }
                | Action::Increment { key, pred, .. } => {
                    if let Key::Elem(e) = key {
                        add(e.actor());
                    }
                    pred.iter().for_each(|p| add(p.actor()));
                }
                Action::Insert { left, right, .. } => {
                    left.iter().chain(right).for_each(|e| add(e.actor()));
                }
                Action::DeleteSpan { first, .. } => add(first.actor()),
            }
        }
    }
    actors.sort_unstable();
    actors.dedup();
    actors
}

/// The `op.origins` column: its codes, or in version 2 the `op.left_is_prev` booleans.
enum OriginsEncoder {
    LeftIsPrev(BoolEncoder),
    Codes(RleEncoder<u64>),
}

impl Default for OriginsEncoder {
    fn default() -> Self {
        OriginsEncoder::Codes(RleEncoder::default())
    }
}

/// An encoder per column.
#[derive(Default)]
struct Encoder<'a> {
    actors: &'a [ActorId],
    /// The format version written.
    version: u64,
    /// Version 4: the op codes ([`code`]) of `op.action`, which then also say what versions
    /// up to 3 wrote in `change.ops` and `op.origins`.
    codes: Vec<u8>,
    change_actor: RleEncoder<u64>,
    change_seq: RleEncoder<i64>,
    change_deps: RleEncoder<u64>,
    dep_ref: RleEncoder<u64>,
    dep_actor: RleEncoder<u64>,
    dep_counter: DeltaEncoder,
    change_start: RleEncoder<i64>,
    change_time: DeltaEncoder,
    change_message: RleEncoder<&'a str>,
    change_ops: RleEncoder<u64>,
    change_groups: RleEncoder<u64>,
    group_name: RleEncoder<&'a str>,
    group_parent: RleEncoder<u64>,
    group_start: RleEncoder<u64>,
    group_len: RleEncoder<u64>,
    obj_actor: RleEncoder<u64>,
    obj_counter: DeltaEncoder,
    action: RleEncoder<u64>,
    key: RleEncoder<&'a str>,
    key_actor: RleEncoder<u64>,
    key_counter: DeltaEncoder,
    preds: RleEncoder<u64>,
    pred_actor: RleEncoder<u64>,
    pred_counter: DeltaEncoder,
    value_meta: RleEncoder<u64>,
    value: Vec<u8>,
    inc: RleEncoder<i64>,
    origins: OriginsEncoder,
    /// The right origin of the last insert written (`op.origins` may refer to it).
    last_right: Option<OpId>,
    /// The counter of the last element an insert added, or of the element before the first
    /// one a delete removed: where the next edit most likely is.
    cursor: u64,
    left_actor: RleEncoder<u64>,
    left_counter: DeltaEncoder,
    right_actor: RleEncoder<u64>,
    right_counter: DeltaEncoder,
    insert_len: RleEncoder<u64>,
    text: Vec<u8>,
    del_actor: RleEncoder<u64>,
    del_counter: DeltaEncoder,
    del_len: RleEncoder<u64>,
}

impl<'a> Encoder<'a> {
    /// The index of an actor in the table.
    fn actor(&self, a: ActorId) -> u64 {
        let i = self
            .actors
            .binary_search(&a)
            .expect("the table holds every actor the changes name");
        i as u64
    }

    /// Whether this writes version 3 or later, which code origins and write left origins
    /// and delete targets from the edit cursor; version 2 does neither.
    fn v3(&self) -> bool {
        self.version >= 3
    }

    /// Records what an op is: its action `tag` and, for an insert, the code of its origins
    /// (`left × 3 + right`): as an op code (version 4), or in `op.action` and `op.origins`.
    fn kind(&mut self, tag: u64, origins: Option<u64>) {
        if self.version >= 4 {
            self.codes.push(code::of(tag, origins));
            return;
        }
        self.action.append(tag);
        match (&mut self.origins, origins) {
            (OriginsEncoder::LeftIsPrev(col), Some(o)) => col.append(o / 3 == origins::LEFT_PREV),
            (OriginsEncoder::Codes(col), Some(o)) => col.append(o),
            (_, None) => {}
        }
    }

    /// Appends an op whose first id is `counter@actor`.
    fn op(&mut self, op: &OpView<'a>, actor: ActorId, counter: u64) {
        if let ActionView::DeleteSpan {
            first,
            len,
            backward: true,
        } = op.action
        {
            for (first, len) in forward_parts(first, len, true) {
                self.obj(op.obj);
                self.delete_span(first, len);
            }
            return;
        }
        self.obj(op.obj);
        match &op.action {
            ActionView::Put { key, value, pred } => {
                self.register(action::PUT, *key, pred);
                value::write(value, &mut self.value_meta, &mut self.value);
            }
            ActionView::Delete { key, pred } => self.register(action::DELETE, *key, pred),
            ActionView::Increment { key, by, pred } => {
                self.register(action::INCREMENT, *key, pred);
                self.inc.append(*by);
            }
            ActionView::Insert {
                left,
                right,
                values,
            } => {
                let prev = counter
                    .checked_sub(1)
                    .filter(|&c| c > 0)
                    .map(|c| OpId::new(c, actor));
                let left_kind = if prev.is_some() && *left == prev {
                    origins::LEFT_PREV
                } else {
                    origins::LEFT_GIVEN
                };
                let after_left =
                    left.and_then(|l| Some(OpId::new(l.counter().checked_add(1)?, l.actor())));
                let right_kind = if !self.v3() {
                    origins::RIGHT_GIVEN
                } else if *right == self.last_right {
                    origins::RIGHT_SAME
                } else if right.is_some() && *right == after_left {
                    origins::RIGHT_AFTER_LEFT
                } else {
                    origins::RIGHT_GIVEN
                };
                let code = origins::code(left_kind, right_kind);
                if left_kind == origins::LEFT_GIVEN {
                    if self.v3() {
                        self.left_counter.rebase(self.cursor);
                    }
                    self.elem_opt(*left, true);
                }
                if right_kind == origins::RIGHT_GIVEN {
                    self.elem_opt(*right, false);
                }
                self.last_right = *right;
                self.cursor = counter.wrapping_add(values.len()).wrapping_sub(1);
                match *values {
                    ValuesView::Text { text, chars } => {
                        debug_assert_eq!(text.chars().count() as u64, chars);
                        self.kind(action::INSERT_TEXT, Some(code));
                        self.insert_len.append(chars);
                        self.text.extend_from_slice(text.as_bytes());
                    }
                    ValuesView::List(values) => {
                        self.kind(action::INSERT_LIST, Some(code));
                        self.insert_len.append(values.len() as u64);
                        for v in values {
                            value::write(v, &mut self.value_meta, &mut self.value);
                        }
                    }
                }
            }
            ActionView::DeleteSpan { first, len, .. } => self.delete_span(*first, *len),
        }
    }

    fn obj(&mut self, obj: ObjId) {
        match obj {
            ObjId::Root => self.obj_actor.append_null(),
            ObjId::Op(id) => {
                self.obj_actor.append(self.actor(id.actor()));
                self.obj_counter.append(id.counter());
            }
        }
    }

    fn delete_span(&mut self, first: OpId, len: u64) {
        self.kind(action::DELETE_SPAN, None);
        self.del_actor.append(self.actor(first.actor()));
        if self.v3() {
            self.del_counter.rebase(self.cursor);
        }
        self.del_counter.append(first.counter());
        self.cursor = first.counter().wrapping_sub(1);
        self.del_len.append(len);
    }

    fn register(&mut self, tag: u64, key: KeyView<'a>, pred: &[OpId]) {
        self.kind(tag, None);
        match key {
            KeyView::Map(k) => self.key.append(k),
            KeyView::Elem(e) => {
                self.key.append_null();
                self.key_actor.append(self.actor(e.actor()));
                self.key_counter.append(e.counter());
            }
        }
        self.preds.append(pred.len() as u64);
        for p in pred {
            self.pred_actor.append(self.actor(p.actor()));
            self.pred_counter.append(p.counter());
        }
    }

    /// An insert's left (`left`) or right origin.
    fn elem_opt(&mut self, elem: Option<OpId>, left: bool) {
        let (actors, counters) = if left {
            (&mut self.left_actor, &mut self.left_counter)
        } else {
            (&mut self.right_actor, &mut self.right_counter)
        };
        match elem {
            None => actors.append_null(),
            Some(e) => {
                let i = self
                    .actors
                    .binary_search(&e.actor())
                    .expect("the table holds every actor the changes name");
                actors.append(i as u64);
                counters.append(e.counter());
            }
        }
    }

    /// The bytes of every column, in the order of [`Col::ALL`].
    fn finish(self) -> [Vec<u8>; COUNT] {
        let mut out: [Vec<u8>; COUNT] = std::array::from_fn(|_| Vec::new());
        let mut put = |c: Col, bytes: Vec<u8>| out[c as usize] = bytes;
        put(Col::ChangeActor, self.change_actor.finish());
        put(Col::ChangeSeq, self.change_seq.finish());
        put(Col::ChangeDeps, self.change_deps.finish());
        put(Col::DepRef, self.dep_ref.finish());
        put(Col::DepActor, self.dep_actor.finish());
        put(Col::DepCounter, self.dep_counter.finish());
        put(Col::ChangeStart, self.change_start.finish());
        put(Col::ChangeTime, self.change_time.finish());
        put(Col::ChangeMessage, self.change_message.finish());
        put(Col::ChangeOps, self.change_ops.finish());
        put(Col::ChangeGroups, self.change_groups.finish());
        put(Col::GroupName, self.group_name.finish());
        put(Col::GroupParent, self.group_parent.finish());
        put(Col::GroupStart, self.group_start.finish());
        put(Col::GroupLen, self.group_len.finish());
        put(Col::OpObjActor, self.obj_actor.finish());
        put(Col::OpObjCounter, self.obj_counter.finish());
        put(
            Col::OpAction,
            match self.version {
                4.. => self.codes,
                _ => self.action.finish(),
            },
        );
        put(Col::OpKey, self.key.finish());
        put(Col::OpKeyActor, self.key_actor.finish());
        put(Col::OpKeyCounter, self.key_counter.finish());
        put(Col::OpPreds, self.preds.finish());
        put(Col::PredActor, self.pred_actor.finish());
        put(Col::PredCounter, self.pred_counter.finish());
        put(Col::OpValueMeta, self.value_meta.finish());
        put(Col::OpValue, self.value);
        put(Col::OpInc, self.inc.finish());
        put(
            Col::OpOrigins,
            match self.origins {
                OriginsEncoder::LeftIsPrev(col) => col.finish(),
                OriginsEncoder::Codes(col) => col.finish(),
            },
        );
        put(Col::OpLeftActor, self.left_actor.finish());
        put(Col::OpLeftCounter, self.left_counter.finish());
        put(Col::OpRightActor, self.right_actor.finish());
        put(Col::OpRightCounter, self.right_counter.finish());
        put(Col::OpInsertLen, self.insert_len.finish());
        put(Col::OpText, self.text);
        put(Col::OpDelActor, self.del_actor.finish());
        put(Col::OpDelCounter, self.del_counter.finish());
        put(Col::OpDelLen, self.del_len.finish());
        out
    }
}

/// How many ops of the format `op` is written as (see [`forward_parts`]).
fn encoded_ops(op: &OpView<'_>) -> u64 {
    match op.action {
        ActionView::DeleteSpan {
            first,
            len,
            backward,
        } => forward_parts(first, len, backward).count() as u64,
        _ => 1,
    }
}
