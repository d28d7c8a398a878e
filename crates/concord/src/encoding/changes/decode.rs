//! Reading the payload of a chunk of changes from untrusted bytes.

use super::columns::{action, code, origins, Col, COUNT};
use super::{start_base, value};
use smallvec::SmallVec;

use crate::change::{
    Action, Change, ChangeBlock, ChangeMeta, Group, InsertValues, Key, NewValue, Op, Preds,
};
use crate::encoding::column::boolean::BoolDecoder;
use crate::encoding::column::compress::{self, Stored};
use crate::encoding::column::delta::DeltaDecoder;
use crate::encoding::column::raw::{RawDecoder, TextDecoder};
use crate::encoding::column::rle::RleDecoder;
use crate::encoding::cursor::Cursor;
use crate::encoding::error::{DecodeError, DecodeErrorKind};
use crate::{ActorId, ObjId, OpId};

/// The changes of a chunk payload. A document chunk must also be complete and canonical: its
/// changes in canonical order, every actor's seqs 1, 2, 3, ..., every dependency inside it.
///
/// # Errors
/// A [`DecodeError`] for anything that is not a valid payload.
pub(crate) fn decode(
    c: Cursor<'_>,
    document: bool,
    version: u64,
) -> Result<Vec<Change>, DecodeError> {
    let mut changes = Vec::new();
    read(c, document, version, &mut changes)?;
    Ok(changes)
}

/// The changes of a chunk payload, as [`decode`] reads them, gathered into blocks: each run
/// of changes that [`ChangeBlock`] can hold becomes one, its ops merged as they are read, so
/// that a history of keystrokes costs an allocation per run of typing rather than per key.
/// Where the columns repeat (a stretch of typing or backspacing is a repeat run in every
/// column but the text), a block grows by whole runs at once.
///
/// # Errors
/// As [`decode`].
pub(crate) fn decode_blocks(
    c: Cursor<'_>,
    document: bool,
    version: u64,
) -> Result<Vec<ChangeBlock>, DecodeError> {
    let mut blocks = Vec::new();
    read(c, document, version, &mut blocks)?;
    Ok(blocks)
}

/// Where [`stream_blocks`] hands each block of changes once it is complete.
pub(crate) trait BlockSink {
    /// What stops the stream: a [`DecodeError`], or whatever taking a block can fail with.
    type Error: From<DecodeError>;

    /// Takes the next block of the payload. Returns the op list of a block it has applied,
    /// emptied, for the next block to be read into (or an empty list), and moves into `text`
    /// the strings of the text inserts it applied, whose contents are of no account. A load
    /// that applies each block as it comes then reads the whole history into one list and a
    /// few strings, instead of growing a fresh list, by doubling, for every block and
    /// allocating a string for every insert.
    fn block(&mut self, block: ChangeBlock, text: &mut Vec<String>)
        -> Result<Vec<Op>, Self::Error>;
}

/// The changes of a chunk payload in blocks, as [`decode_blocks`] reads them, each handed to
/// `out` as soon as it is complete instead of gathered into a list. A block is closed at the
/// end of a change once it holds [`STREAMED_OPS`] ops, so a load that applies each block as
/// it comes holds a few hundred kilobytes of decoded ops at a time, not the whole history's.
///
/// # Errors
/// As [`decode`], and whatever `out` returns, which stops the stream.
pub(crate) fn stream_blocks<B: BlockSink>(
    c: Cursor<'_>,
    document: bool,
    version: u64,
    out: &mut B,
) -> Result<(), B::Error> {
    let mut stream = Stream {
        open: None,
        out,
        spare: Vec::new(),
    };
    read(c, document, version, &mut stream)?;
    if let Some(block) = stream.open {
        stream.out.block(block, &mut Vec::new())?;
    }
    Ok(())
}

/// How many ops a streamed block grows to before it is handed on (at the end of a change):
/// with ops about 140 bytes each, about 140 KB, which stays in a core's cache while it is
/// applied; the next block is then read into the same list.
pub(crate) const STREAMED_OPS: usize = 1024;

/// Where a payload's changes go as they are read.
trait Sink {
    /// What stops the read.
    type Error: From<DecodeError>;

    /// Takes change `head` of a payload of `n`: reads its ops and groups, and returns the
    /// counter after its last op.
    fn change(&mut self, d: &mut Decoder<'_>, n: u64, head: Head<'_>) -> Result<u64, Self::Error>;

    /// Reads as many of the next `left` changes as can be taken in bulk; returns how many.
    fn bulk(&mut self, _d: &mut Decoder<'_>, _left: u64) -> Result<u64, Self::Error> {
        Ok(0)
    }
}

impl Sink for Vec<Change> {
    type Error = DecodeError;

    fn change(&mut self, d: &mut Decoder<'_>, n: u64, head: Head<'_>) -> Result<u64, DecodeError> {
        if self.is_empty() {
            self.reserve(capacity(n, d.budget));
        }
        let mut ops = Vec::with_capacity(capacity(head.ops.unwrap_or(1), d.budget));
        let end = d.ops(&head, &mut ops, false)?;
        let groups = d.groups(&head, end)?;
        self.push(Change::new(head.meta(groups), ops));
        Ok(end)
    }
}

impl Sink for Vec<ChangeBlock> {
    type Error = DecodeError;

    fn change(&mut self, d: &mut Decoder<'_>, _: u64, head: Head<'_>) -> Result<u64, DecodeError> {
        if let Some(block) = self.last_mut().filter(|b| head.continues(b)) {
            return d.extend_block(&head, block);
        }
        let (end, block) = d.new_block(head, Vec::new())?;
        self.push(block);
        Ok(end)
    }

    fn bulk(&mut self, d: &mut Decoder<'_>, left: u64) -> Result<u64, DecodeError> {
        match self.last_mut() {
            Some(block) => d.bulk(block, left),
            None => Ok(0),
        }
    }
}

/// The sink of [`stream_blocks`]: the block being read, and where complete ones go.
struct Stream<'o, B> {
    open: Option<ChangeBlock>,
    out: &'o mut B,
    /// The emptied op list `out` gave back, which the next block is read into.
    spare: Vec<Op>,
}

impl<B: BlockSink> Sink for Stream<'_, B> {
    type Error = B::Error;

    fn change(&mut self, d: &mut Decoder<'_>, _: u64, head: Head<'_>) -> Result<u64, B::Error> {
        let open = self.open.as_mut();
        if let Some(block) = open.filter(|b| room(b) > 0 && head.continues(b)) {
            return Ok(d.extend_block(&head, block)?);
        }
        if let Some(done) = self.open.take() {
            self.spare = self.out.block(done, &mut d.spare_text)?;
            // A block that its last change took past the size keeps no more room than a
            // block needs.
            self.spare.shrink_to(STREAMED_OPS);
        }
        let (end, block) = d.new_block(head, std::mem::take(&mut self.spare))?;
        self.open = Some(block);
        Ok(end)
    }

    fn bulk(&mut self, d: &mut Decoder<'_>, left: u64) -> Result<u64, B::Error> {
        match &mut self.open {
            // A change read in bulk adds one op at most.
            Some(block) if room(block) > 0 => Ok(d.bulk(block, left.min(room(block) as u64))?),
            _ => Ok(0),
        }
    }
}

/// How many more ops a streamed block takes before it is closed.
fn room(block: &ChangeBlock) -> usize {
    STREAMED_OPS.saturating_sub(block.change.ops.len())
}

/// Reads a payload of the format `version` into `sink`.
fn read<S: Sink>(
    mut c: Cursor<'_>,
    document: bool,
    version: u64,
    sink: &mut S,
) -> Result<(), S::Error> {
    let budget = c.remaining();
    let n = c.uleb()?;
    let actors = actor_table(&mut c)?;
    let mut stored = Vec::with_capacity(COUNT);
    for col in Col::ALL {
        stored.push(compress::read(&mut c, col.name_in(version), version)?);
    }
    if !c.is_empty() {
        return Err(c.error(DecodeErrorKind::TrailingBytes).into());
    }
    let mut d = Decoder::new(&stored, &actors, document, version, budget)?;
    let mut i = 0;
    while i < n {
        let head = d.head(i as usize)?;
        let (a, start_op) = (head.a, head.start_op);
        let end = sink.change(&mut d, n, head)?;
        d.ends.push_one(a, end - 1);
        d.prev = Some((start_op, a));
        i += 1;
        i += sink.bulk(&mut d, n - i)?;
    }
    Ok(d.finish()?)
}

/// The metadata of a change as read, before its ops and groups.
struct Head<'a> {
    /// Its index in the chunk.
    i: usize,
    /// Its actor's index in the chunk's table.
    a: usize,
    actor: ActorId,
    seq: u64,
    deps: SmallVec<[OpId; 2]>,
    start_op: u64,
    time: i64,
    message: Option<&'a str>,
    /// How many ops it has; `None` in format version 4, whose op codes flag a change's last.
    ops: Option<u64>,
    /// How many groups it has.
    groups: u64,
}

impl Head<'_> {
    fn meta(self, groups: Vec<Group>) -> ChangeMeta {
        ChangeMeta {
            actor: self.actor,
            seq: self.seq,
            start_op: self.start_op,
            time: self.time,
            message: self.message.map(str::to_owned),
            deps: self.deps.into_vec(),
            groups,
        }
    }

    /// Whether this change can join `block`: by its actor, next in seq, depending only on
    /// the block's last change, right after it in counters, at the same time, and plain, as
    /// the block is.
    fn continues(&self, block: &ChangeBlock) -> bool {
        let c = &block.change;
        let end = c.start_op + c.len;
        self.message.is_none()
            && self.groups == 0
            && c.message.is_none()
            && c.groups.is_empty()
            && c.actor == self.actor
            && c.seq.checked_add(block.count()) == Some(self.seq)
            && self.start_op == end
            && self.time == c.time
            && self.deps[..] == [OpId::new(end - 1, self.actor)]
    }
}

/// The bytes a text insert read into a block starts with room for: enough for the keystrokes
/// that follow it in most typing runs, few enough that a block of one keystroke wastes
/// little (blocks live only while a load or an import applies them).
const TYPING_ROOM: usize = 64;

/// A capacity to reserve for `n` items declared by a chunk of `budget` bytes: never more than
/// the chunk has bytes, whatever it declares.
fn capacity(n: u64, budget: usize) -> usize {
    usize::try_from(n).map_or(budget, |n| n.min(budget))
}

fn actor_table(c: &mut Cursor<'_>) -> Result<Vec<ActorId>, DecodeError> {
    let n = c.uleb()?;
    let mut table = c.split(n.saturating_mul(16))?;
    let mut actors: Vec<ActorId> = Vec::with_capacity(capacity(n, table.remaining()));
    while !table.is_empty() {
        let offset = table.offset();
        let actor = ActorId::from_bytes(table.array::<16>()?);
        if actors.last().is_some_and(|&last| last >= actor) {
            return Err(DecodeError {
                offset,
                kind: DecodeErrorKind::UnsortedActors,
            });
        }
        actors.push(actor);
    }
    Ok(actors)
}

/// The actor and last op counter of every change read, run-length encoded: a stretch of
/// changes of one actor whose ends are evenly spaced (a typist's one-op changes) is one entry,
/// so a history of keystrokes costs a few entries, not one per change.
#[derive(Default)]
struct Ends {
    /// `(first change, actor index, its end, step)`: change `first + k` of the entry ends at
    /// `end + k * step`, up to the next entry's first change.
    runs: Vec<(usize, usize, u64, u64)>,
    /// How many changes were pushed.
    len: usize,
}

impl Ends {
    /// How many changes were read.
    fn len(&self) -> usize {
        self.len
    }

    /// The actor index and end of the last change read.
    fn last(&self) -> Option<(usize, u64)> {
        let &(first, a, end, step) = self.runs.last()?;
        Some((
            a,
            end.wrapping_add(((self.len - 1 - first) as u64).wrapping_mul(step)),
        ))
    }

    /// The actor index and end of change `j`.
    fn get(&self, j: usize) -> Option<(usize, u64)> {
        if j >= self.len {
            return None;
        }
        let r = self.runs.partition_point(|&(first, ..)| first <= j) - 1;
        let (first, a, end, step) = self.runs[r];
        Some((a, end.wrapping_add(((j - first) as u64).wrapping_mul(step))))
    }

    /// Appends a change of actor `a` that ends at `end`.
    fn push_one(&mut self, a: usize, end: u64) {
        let len = self.len;
        match self.runs.last_mut() {
            Some(last) if last.1 == a => {
                let (first, _, end0, step) = *last;
                if len - first == 1 {
                    // The second change of the entry sets its step.
                    last.3 = end.wrapping_sub(end0);
                } else if end0.wrapping_add(((len - first) as u64).wrapping_mul(step)) != end {
                    self.runs.push((len, a, end, 0));
                }
            }
            _ => self.runs.push((len, a, end, 0)),
        }
        self.len += 1;
    }

    /// Appends `n` changes of actor `a`, the first ending at `end` and each next one `step`
    /// counters after the one before.
    fn push(&mut self, a: usize, end: u64, step: u64, n: usize) {
        if n == 0 {
            return;
        }
        self.push_one(a, end);
        if n > 1 {
            self.push_one(a, end.wrapping_add(step));
            let last = self.runs.last_mut().expect("a change was just pushed");
            // Either the entry already steps by `step`, or it holds one change and may.
            last.3 = step;
            self.len += n - 2;
        }
    }
}

/// The `op.origins` column, as a chunk of its format version holds it.
enum Origins<'a> {
    /// Versions 1 and 2: whether the left origin is the element before the op's first one;
    /// every right origin is given.
    LeftIsPrev(BoolDecoder<'a>),
    /// Version 3: the codes of [`origins`].
    Codes(RleDecoder<'a, u64>),
}

impl Origins<'_> {
    /// The left and right kinds ([`origins`]) of the next insert.
    fn next(&mut self) -> Result<(u64, u64), DecodeError> {
        match self {
            Origins::LeftIsPrev(col) => {
                let left = match col.value()? {
                    true => origins::LEFT_PREV,
                    false => origins::LEFT_GIVEN,
                };
                Ok((left, origins::RIGHT_GIVEN))
            }
            Origins::Codes(col) => {
                let code = col.value()?;
                origins::kinds(code).ok_or_else(|| DecodeError {
                    offset: col.offset(),
                    kind: DecodeErrorKind::UnknownOrigins(code),
                })
            }
        }
    }

    /// How many of the next inserts, at most, go on typing after the last insert read: their
    /// left origin is the element before, and (in version 3) their right origin the last
    /// insert's. In versions 1 and 2, their right origins are still to be compared in their
    /// columns. `None` if the column's run is not of such inserts.
    fn typing(&self) -> Option<u64> {
        let typing = origins::code(origins::LEFT_PREV, origins::RIGHT_SAME);
        match self {
            Origins::LeftIsPrev(col) => col.repeat().filter(|r| r.0).map(|r| r.1),
            Origins::Codes(col) => col.repeat().filter(|r| r.0 == Some(typing)).map(|r| r.1),
        }
    }

    /// The offset in the input of the next unread byte of the column.
    fn offset(&self) -> usize {
        match self {
            Origins::LeftIsPrev(col) => col.offset(),
            Origins::Codes(col) => col.offset(),
        }
    }

    /// The column's name in its version.
    fn column(&self) -> &'static str {
        match self {
            Origins::LeftIsPrev(col) => col.column(),
            Origins::Codes(col) => col.column(),
        }
    }

    /// Whether the chunk is of version 3 or later, which code origins and store left origins
    /// and delete targets from the edit cursor; versions 1 and 2 give every right origin and
    /// store plain deltas.
    fn v3(&self) -> bool {
        matches!(self, Origins::Codes(_))
    }

    /// Skips `k` rows that [`Origins::typing`] counted.
    fn skip(&mut self, k: u64) {
        match self {
            Origins::LeftIsPrev(col) => col.skip(k),
            Origins::Codes(col) => col.skip(k),
        }
    }

    fn finish(self) -> Result<(), DecodeError> {
        match self {
            Origins::LeftIsPrev(col) => col.finish(),
            Origins::Codes(col) => col.finish(),
        }
    }
}

/// The op codes of format version 4 ([`code`]): one byte per op.
struct OpCodes<'a> {
    c: Cursor<'a>,
    /// How many codes, from the next one on, equal it; and how many are each the last op of
    /// its change. Each is found once per stretch (0: not known yet), so that asking again as
    /// the stretch is read costs nothing.
    same: usize,
    ends: usize,
}

impl<'a> OpCodes<'a> {
    fn new(c: Cursor<'a>) -> Self {
        OpCodes {
            c,
            same: 0,
            ends: 0,
        }
    }

    fn offset(&self) -> usize {
        self.c.offset()
    }

    /// The next code.
    fn next(&mut self) -> Result<u8, DecodeError> {
        match self.c.rest().first() {
            Some(&b) => {
                self.skip(1);
                Ok(b)
            }
            None => Err(self.c.error(DecodeErrorKind::ColumnTooShort {
                column: Col::OpAction.name(),
            })),
        }
    }

    /// The next code and how many codes from it on equal it, if any is left.
    fn repeat(&mut self) -> Option<(u8, u64)> {
        let rest = self.c.rest();
        let &b = rest.first()?;
        if self.same == 0 {
            self.same = rest.iter().position(|&x| x != b).unwrap_or(rest.len());
        }
        Some((b, self.same as u64))
    }

    /// How many of the next ops are each a change of its own: their codes all flag the last
    /// op of a change.
    fn whole_changes(&mut self) -> u64 {
        if self.ends == 0 {
            let rest = self.c.rest();
            self.ends = rest.iter().position(|&x| x & 1 == 0).unwrap_or(rest.len());
        }
        self.ends as u64
    }

    /// Skips `k` codes, which must be there.
    fn skip(&mut self, k: u64) {
        let read = self.c.bytes(k);
        debug_assert!(read.is_ok(), "skipping codes past the end");
        self.same = self.same.saturating_sub(k as usize);
        self.ends = self.ends.saturating_sub(k as usize);
    }

    fn finish(self) -> Result<(), DecodeError> {
        if self.c.is_empty() {
            Ok(())
        } else {
            Err(self.c.error(DecodeErrorKind::ColumnTooLong {
                column: Col::OpAction.name(),
            }))
        }
    }
}

/// A decoder per column, and what the rows read so far imply.
struct Decoder<'a> {
    actors: &'a [ActorId],
    document: bool,
    /// The payload's size, which bounds every capacity reserved.
    budget: usize,
    /// Per actor, the seq of its last change read.
    seqs: Vec<u64>,
    /// Per change read, its actor's index in the table and its last op counter.
    ends: Ends,
    /// The first op counter and actor index of the last change read.
    prev: Option<(u64, usize)>,
    /// Strings a [`BlockSink`] gave back, which text inserts are read into before new ones
    /// are made.
    spare_text: Vec<String>,
    change_actor: RleDecoder<'a, u64>,
    change_seq: RleDecoder<'a, i64>,
    change_deps: RleDecoder<'a, u64>,
    dep_ref: RleDecoder<'a, u64>,
    dep_actor: RleDecoder<'a, u64>,
    dep_counter: DeltaDecoder<'a>,
    change_start: RleDecoder<'a, i64>,
    change_time: DeltaDecoder<'a>,
    change_message: RleDecoder<'a, &'a str>,
    change_ops: RleDecoder<'a, u64>,
    change_groups: RleDecoder<'a, u64>,
    group_name: RleDecoder<'a, &'a str>,
    group_parent: RleDecoder<'a, u64>,
    group_start: RleDecoder<'a, u64>,
    group_len: RleDecoder<'a, u64>,
    obj_actor: RleDecoder<'a, u64>,
    obj_counter: DeltaDecoder<'a>,
    action: RleDecoder<'a, u64>,
    key: RleDecoder<'a, &'a str>,
    key_actor: RleDecoder<'a, u64>,
    key_counter: DeltaDecoder<'a>,
    preds: RleDecoder<'a, u64>,
    pred_actor: RleDecoder<'a, u64>,
    pred_counter: DeltaDecoder<'a>,
    value_meta: RleDecoder<'a, u64>,
    value: RawDecoder<'a>,
    inc: RleDecoder<'a, i64>,
    origins: Origins<'a>,
    /// Format version 4: the op codes ([`code`]) of `op.action`, which say what `change.ops`,
    /// `op.action` and `op.origins` say in earlier versions (those are then empty).
    codes: Option<OpCodes<'a>>,
    /// The origins code of the last op code read (an insert's).
    code_origins: u64,
    /// The right origin of the last insert read (`op.origins` may refer to it).
    last_right: Option<OpId>,
    /// The counter of the last element an insert added, or of the element before the first
    /// one a delete removed.
    cursor: u64,
    left_actor: RleDecoder<'a, u64>,
    left_counter: DeltaDecoder<'a>,
    right_actor: RleDecoder<'a, u64>,
    right_counter: DeltaDecoder<'a>,
    insert_len: RleDecoder<'a, u64>,
    text: TextDecoder<'a>,
    del_actor: RleDecoder<'a, u64>,
    del_counter: DeltaDecoder<'a>,
    del_len: RleDecoder<'a, u64>,
}

impl<'a> Decoder<'a> {
    fn new(
        stored: &'a [Stored<'_>],
        actors: &'a [ActorId],
        document: bool,
        version: u64,
        budget: usize,
    ) -> Result<Self, DecodeError> {
        let c = |col: Col| stored[col as usize].cursor();
        let rle_u = |col: Col| RleDecoder::<u64>::new(c(col), col.name());
        let rle_i = |col: Col| RleDecoder::<i64>::new(c(col), col.name());
        let rle_s = |col: Col| RleDecoder::<&str>::new(c(col), col.name());
        let delta = |col: Col| DeltaDecoder::new(c(col), col.name());
        Ok(Decoder {
            actors,
            document,
            budget,
            spare_text: Vec::new(),
            seqs: vec![0; actors.len()],
            ends: Ends::default(),
            prev: None,
            change_actor: rle_u(Col::ChangeActor),
            change_seq: rle_i(Col::ChangeSeq),
            change_deps: rle_u(Col::ChangeDeps),
            dep_ref: rle_u(Col::DepRef),
            dep_actor: rle_u(Col::DepActor),
            dep_counter: delta(Col::DepCounter),
            change_start: rle_i(Col::ChangeStart),
            change_time: delta(Col::ChangeTime),
            change_message: rle_s(Col::ChangeMessage),
            change_ops: rle_u(Col::ChangeOps),
            change_groups: rle_u(Col::ChangeGroups),
            group_name: rle_s(Col::GroupName),
            group_parent: rle_u(Col::GroupParent),
            group_start: rle_u(Col::GroupStart),
            group_len: rle_u(Col::GroupLen),
            obj_actor: rle_u(Col::OpObjActor),
            obj_counter: delta(Col::OpObjCounter),
            action: match version {
                4.. => RleDecoder::new(Cursor::new(&[], 0), Col::OpAction.name()),
                _ => rle_u(Col::OpAction),
            },
            key: rle_s(Col::OpKey),
            key_actor: rle_u(Col::OpKeyActor),
            key_counter: delta(Col::OpKeyCounter),
            preds: rle_u(Col::OpPreds),
            pred_actor: rle_u(Col::PredActor),
            pred_counter: delta(Col::PredCounter),
            value_meta: rle_u(Col::OpValueMeta),
            value: RawDecoder::new(c(Col::OpValue), Col::OpValue.name()),
            inc: rle_i(Col::OpInc),
            origins: if version < 3 {
                let name = Col::OpOrigins.name_in(version);
                Origins::LeftIsPrev(BoolDecoder::new(c(Col::OpOrigins), name))
            } else {
                Origins::Codes(rle_u(Col::OpOrigins))
            },
            codes: (version >= 4).then(|| OpCodes::new(c(Col::OpAction))),
            code_origins: 0,
            last_right: None,
            cursor: 0,
            left_actor: rle_u(Col::OpLeftActor),
            left_counter: delta(Col::OpLeftCounter),
            right_actor: rle_u(Col::OpRightActor),
            right_counter: delta(Col::OpRightCounter),
            insert_len: rle_u(Col::OpInsertLen),
            text: TextDecoder::new(c(Col::OpText), Col::OpText.name())?,
            del_actor: rle_u(Col::OpDelActor),
            del_counter: delta(Col::OpDelCounter),
            del_len: rle_u(Col::OpDelLen),
        })
    }

    /// Reads the metadata of change `i`: everything but its ops and groups.
    fn head(&mut self, i: usize) -> Result<Head<'a>, DecodeError> {
        let err = |col_offset: usize, kind| DecodeError {
            offset: col_offset,
            kind,
        };
        let (a, actor) = actor(self.actors, &mut self.change_actor)?;
        let gap = self.change_seq.value()?;
        let last = &mut self.seqs[a];
        let seq = last.wrapping_add(gap as u64);
        if self.document && gap != 1 {
            let kind = DecodeErrorKind::SeqGap {
                change: i,
                expected: last.wrapping_add(1),
                found: seq,
            };
            return Err(err(self.change_seq.offset(), kind));
        }
        *last = seq;

        let n = self.change_deps.value()?;
        let mut deps: SmallVec<[OpId; 2]> = SmallVec::with_capacity(capacity(n, self.budget));
        for _ in 0..n {
            let r = self.dep_ref.value()?;
            let dep = if r == 0 {
                if self.document {
                    let kind = DecodeErrorKind::ExternalDependency { change: i };
                    return Err(err(self.dep_ref.offset(), kind));
                }
                op_id(self.actors, &mut self.dep_actor, &mut self.dep_counter)?
            } else {
                let target = usize::try_from(r)
                    .ok()
                    .and_then(|r| i.checked_sub(r))
                    .and_then(|j| self.ends.get(j));
                match target {
                    Some((actor, counter)) => OpId::new(counter, self.actors[actor]),
                    None => {
                        let kind = DecodeErrorKind::DependencyOutOfRange {
                            change: i,
                            distance: r,
                        };
                        return Err(err(self.dep_ref.offset(), kind));
                    }
                }
            };
            if deps.last().is_some_and(|&d| d >= dep) {
                let kind = DecodeErrorKind::UnsortedDependencies { change: i };
                return Err(err(self.dep_ref.offset(), kind));
            }
            deps.push(dep);
        }

        let start_op = start_base(&deps).wrapping_add(self.change_start.value()? as u64);
        if start_op == 0 {
            let kind = DecodeErrorKind::ZeroCounter {
                column: Col::ChangeStart.name(),
            };
            return Err(err(self.change_start.offset(), kind));
        }
        if self.document && self.prev.is_some_and(|p| p >= (start_op, a)) {
            let kind = DecodeErrorKind::ChangeOrder { change: i };
            return Err(err(self.change_start.offset(), kind));
        }
        let time = self.change_time.signed()?;
        let message = self.change_message.next()?;
        let ops = match self.codes {
            Some(_) => None,
            None => match self.change_ops.value()? {
                0 => {
                    let kind = DecodeErrorKind::EmptyChange { change: i };
                    return Err(err(self.change_ops.offset(), kind));
                }
                n => Some(n),
            },
        };
        let groups = self.change_groups.value()?;
        Ok(Head {
            i,
            a,
            actor,
            seq,
            deps,
            start_op,
            time,
            message,
            ops,
            groups,
        })
    }

    /// Reads change `head` as the first of a new block, into `ops` (empty, perhaps with room);
    /// returns the counter after its last op.
    fn new_block(
        &mut self,
        head: Head<'_>,
        mut ops: Vec<Op>,
    ) -> Result<(u64, ChangeBlock), DecodeError> {
        debug_assert!(ops.is_empty(), "a block is read into an empty list");
        let end = self.ops(&head, &mut ops, true)?;
        let groups = self.groups(&head, end)?;
        let block = ChangeBlock::single(Change::new(head.meta(groups), ops));
        Ok((end, block))
    }

    /// Reads change `head`, which [`Head::continues`] `block`, into it; returns the counter
    /// after its last op.
    fn extend_block(
        &mut self,
        head: &Head<'_>,
        block: &mut ChangeBlock,
    ) -> Result<u64, DecodeError> {
        let end = self.ops(head, &mut block.change.ops, true)?;
        block.push_len(end - head.start_op);
        Ok(end)
    }

    /// Reads the ops of the change `head` describes into `out`, merging each into the op
    /// before it where it continues it if `merge` is set; returns the counter after the last.
    fn ops(&mut self, head: &Head<'_>, out: &mut Vec<Op>, merge: bool) -> Result<u64, DecodeError> {
        let mut counter = head.start_op;
        let mut read = 0;
        while head.ops.is_none_or(|n| read < n) {
            let (len, last) = self.op(head.i, head.actor, counter, out, merge)?;
            read += 1;
            counter = match counter.checked_add(len) {
                Some(c) => c,
                None => {
                    let kind = DecodeErrorKind::CounterOverflow { change: head.i };
                    return Err(DecodeError {
                        offset: self.ops_offset(),
                        kind,
                    });
                }
            };
            if last {
                break;
            }
        }
        Ok(counter)
    }

    /// Where the column saying how many ops a change has is: `change.ops`, or the op codes.
    fn ops_offset(&self) -> usize {
        match &self.codes {
            Some(codes) => codes.offset(),
            None => self.change_ops.offset(),
        }
    }

    /// Where the column saying what an op is is: `op.action`, or the op codes.
    fn action_offset(&self) -> usize {
        match &self.codes {
            Some(codes) => codes.offset(),
            None => self.action.offset(),
        }
    }

    /// The column the origins of the insert being read are in, and where it is.
    fn origins_column(&self) -> &'static str {
        match self.codes {
            Some(_) => Col::OpAction.name(),
            None => self.origins.column(),
        }
    }

    fn origins_offset(&self) -> usize {
        match &self.codes {
            Some(codes) => codes.offset(),
            None => self.origins.offset(),
        }
    }

    /// The left and right kinds ([`origins`]) of the insert being read.
    fn origin_kinds(&mut self) -> Result<(u64, u64), DecodeError> {
        match self.codes {
            Some(_) => Ok(origins::kinds(self.code_origins).expect("op codes hold valid origins")),
            None => self.origins.next(),
        }
    }

    /// Reads, in bulk, changes that continue `block` with one op each, for as long as every
    /// change column repeats what such a change has (by the block's actor, the next seq, one
    /// dependency on the change before, no gap in counters, the same time, no message or
    /// groups): at most `left` of them. Returns how many it read.
    fn bulk(&mut self, block: &mut ChangeBlock, left: u64) -> Result<u64, DecodeError> {
        fn run<T: PartialEq>(r: Option<(Option<T>, u64)>, want: T) -> Option<u64> {
            r.filter(|(v, _)| *v == Some(want)).map(|(_, n)| n)
        }
        // Changes of one op each, ahead.
        let single = match &mut self.codes {
            Some(codes) => Some(codes.whole_changes()).filter(|&n| n > 0),
            None => run(self.change_ops.repeat(), 1),
        };
        let c = &block.change;
        let Some((a, last)) = self.ends.last() else {
            return Ok(0);
        };
        if left == 0 || c.message.is_some() || !c.groups.is_empty() {
            return Ok(0);
        }
        let runs = [
            run(self.change_actor.repeat(), a as u64),
            run(self.change_seq.repeat(), 1),
            run(self.change_deps.repeat(), 1),
            run(self.dep_ref.repeat(), 1),
            run(self.change_start.repeat(), 0),
            self.change_time.repeat().filter(|r| r.0 == 0).map(|r| r.1),
            self.change_message
                .repeat()
                .filter(|r| r.0.is_none())
                .map(|r| r.1),
            single,
            run(self.change_groups.repeat(), 0),
        ];
        // A block's seqs never pass the largest one.
        let seq_room = u64::MAX - (c.seq + (block.count() - 1));
        let Some(k) = runs
            .into_iter()
            .try_fold(left.min(seq_room), |k, n| n.map(|n| k.min(n)))
            .filter(|&k| k > 0)
        else {
            return Ok(0);
        };
        self.change_actor.skip(k);
        self.change_seq.skip(k);
        self.change_deps.skip(k);
        self.dep_ref.skip(k);
        self.change_start.skip(k);
        self.change_time.skip(k);
        self.change_message.skip(k);
        if self.codes.is_none() {
            self.change_ops.skip(k);
        }
        self.change_groups.skip(k);
        self.seqs[a] = self.seqs[a].wrapping_add(k);

        let actor = self.actors[a];
        let mut counter = last.wrapping_add(1);
        let mut done = 0;
        while done < k {
            let i = self.ends.len();
            let ops = &mut block.change.ops;
            let (m, len) = match self.bulk_ops(ops, k - done)? {
                0 => (1, self.op(i, actor, counter, ops, true)?.0),
                m => (m, 1),
            };
            let Some(end) = len.checked_mul(m).and_then(|n| counter.checked_add(n)) else {
                return Err(DecodeError {
                    offset: self.ops_offset(),
                    kind: DecodeErrorKind::CounterOverflow { change: i },
                });
            };
            if len == 0 && self.document && done + 1 < k {
                // The next change would start where this one does.
                return Err(DecodeError {
                    offset: self.change_start.offset(),
                    kind: DecodeErrorKind::ChangeOrder { change: i + 1 },
                });
            }
            self.ends
                .push(a, (counter + len).wrapping_sub(1), len, m as usize);
            block.push_lens(len, m);
            self.prev = Some((end - len, a));
            counter = end;
            done += m;
        }
        Ok(k)
    }

    /// Reads in bulk the ops, one per change of the block `ops` holds, that continue the
    /// block's last op (typing on, deleting forward, backspacing) while every op column
    /// repeats; at most `max` of them. Returns how many it read.
    fn bulk_ops(&mut self, ops: &mut [Op], max: u64) -> Result<u64, DecodeError> {
        // An empty op uses no id: nothing continues it.
        let Some(last) = ops.last_mut().filter(|op| op.len() > 0) else {
            return Ok(0);
        };
        let actors = self.actors;
        let is = |i: Option<u64>, actor: ActorId| {
            i.and_then(|i| usize::try_from(i).ok())
                .and_then(|i| actors.get(i))
                == Some(&actor)
        };
        // Rows of the same object as the last op.
        let same_obj = match last.obj {
            ObjId::Root => self
                .obj_actor
                .repeat()
                .filter(|r| r.0.is_none())
                .map(|r| r.1),
            ObjId::Op(id) => {
                let at = self.obj_counter.last() == id.counter();
                let a = self.obj_actor.repeat().filter(|r| is(r.0, id.actor()));
                let c = self.obj_counter.repeat().filter(|r| r.0 == 0 && at);
                a.zip(c).map(|(a, c)| a.1.min(c.1))
            }
        };
        let Some(mut m) = same_obj.map(|n| n.min(max)) else {
            return Ok(0);
        };
        // The action of the ops ahead, how many have it, and (in version 4) their origins.
        let (tag, n, code_origins) = match &mut self.codes {
            Some(codes) => match codes.repeat().map(|(c, n)| (code::parts(c), n)) {
                Some((Ok((tag, o, true)), n)) => (tag, n, o),
                _ => return Ok(0),
            },
            None => match self.action.repeat() {
                Some((Some(tag), n)) => (tag, n, None),
                _ => return Ok(0),
            },
        };
        m = m.min(n);
        match (&mut last.action, tag) {
            (
                Action::Insert {
                    right,
                    values: InsertValues::Text { text, chars },
                    ..
                },
                action::INSERT_TEXT,
            ) => {
                let typing = match self.codes {
                    Some(_) => code_origins
                        .filter(|&o| o == origins::code(origins::LEFT_PREV, origins::RIGHT_SAME))
                        .map(|_| u64::MAX),
                    None => self.origins.typing(),
                };
                debug_assert_eq!(
                    *right, self.last_right,
                    "the last op is the last insert read"
                );
                let right_n = match right {
                    _ if self.origins.v3() => Some(u64::MAX),
                    None => self
                        .right_actor
                        .repeat()
                        .filter(|r| r.0.is_none())
                        .map(|r| r.1),
                    Some(r) => {
                        let at = self.right_counter.last() == r.counter();
                        let a = self.right_actor.repeat().filter(|x| is(x.0, r.actor()));
                        let c = self.right_counter.repeat().filter(|x| x.0 == 0 && at);
                        a.zip(c).map(|(a, c)| a.1.min(c.1))
                    }
                };
                let ones = self
                    .insert_len
                    .repeat()
                    .filter(|r| r.0 == Some(1))
                    .map(|r| r.1);
                let (Some(t), Some(r), Some(o)) = (typing, right_n, ones) else {
                    return Ok(0);
                };
                m = m.min(t).min(r).min(o);
                text.push_str(self.text.chars(m)?);
                *chars += m;
                self.cursor = self.cursor.wrapping_add(m);
                if self.codes.is_none() {
                    self.origins.skip(m);
                }
                if !self.origins.v3() {
                    self.right_actor.skip(m);
                    if right.is_some() {
                        self.right_counter.skip(m);
                    }
                }
                self.insert_len.skip(m);
            }
            (
                Action::DeleteSpan {
                    first,
                    len,
                    backward,
                },
                action::DELETE_SPAN,
            ) => {
                // The last target read.
                let at = match self.origins.v3() {
                    true => self.cursor.wrapping_add(1),
                    false => self.del_counter.last(),
                };
                let actor = self.del_actor.repeat().filter(|r| is(r.0, first.actor()));
                let ones = self.del_len.repeat().filter(|r| r.0 == Some(1));
                let (Some(actor), Some(ones), Some((d, n))) =
                    (actor, ones, self.del_counter.repeat())
                else {
                    return Ok(0);
                };
                // From one target to the next: the difference read, or one less when it is
                // from the cursor (which a delete leaves just before its target).
                let step = match self.origins.v3() {
                    true => d.wrapping_sub(1),
                    false => d,
                };
                let f = first.counter();
                // The targets go on from the last one read, without reaching 0 or overflowing.
                let room = match step {
                    1 if !*backward && f.checked_add(*len - 1) == Some(at) => u64::MAX - at,
                    -1 if (*backward || *len == 1) && f.checked_sub(*len - 1) == Some(at) => {
                        at.saturating_sub(1)
                    }
                    _ => return Ok(0),
                };
                m = m.min(actor.1).min(ones.1).min(n).min(room);
                if m == 0 {
                    return Ok(0);
                }
                *backward = step == -1;
                *len += m;
                let last = at.wrapping_add((step as u64).wrapping_mul(m));
                self.cursor = last.wrapping_sub(1);
                self.del_actor.skip(m);
                self.del_counter.skip(m);
                self.del_len.skip(m);
            }
            _ => return Ok(0),
        }
        self.obj_actor.skip(m);
        if last.obj != ObjId::Root {
            self.obj_counter.skip(m);
        }
        match &mut self.codes {
            Some(codes) => codes.skip(m),
            None => self.action.skip(m),
        }
        Ok(m)
    }

    /// Reads the groups of the change `head` describes, whose ops end before `end`.
    fn groups(&mut self, head: &Head<'_>, end: u64) -> Result<Vec<Group>, DecodeError> {
        let (i, n, start) = (head.i, head.groups, head.start_op);
        let mut groups: Vec<Group> = Vec::with_capacity(capacity(n, self.budget));
        for g in 0..n as usize {
            let name = self.group_name.value()?.to_owned();
            let parent = match self.group_parent.next()? {
                None => Ok(None),
                Some(d) => usize::try_from(d)
                    .ok()
                    .filter(|&d| d >= 1)
                    .and_then(|d| g.checked_sub(d))
                    .map(Some)
                    .ok_or(()),
            };
            let first = self.group_start.value()?;
            let len = self.group_len.value()?;
            let ops = start
                .checked_add(first)
                .and_then(|s| Some(s..s.checked_add(len)?))
                .filter(|r| r.end <= end);
            let nested = |p: Option<usize>, r: &std::ops::Range<u64>| {
                p.is_none_or(|p| {
                    let outer = &groups[p].ops;
                    outer.start <= r.start && r.end <= outer.end
                })
            };
            match (parent, ops) {
                (Ok(parent), Some(ops)) if nested(parent, &ops) => {
                    groups.push(Group { name, parent, ops });
                }
                _ => {
                    return Err(DecodeError {
                        offset: self.group_start.offset(),
                        kind: DecodeErrorKind::BadGroup {
                            change: i,
                            group: g,
                        },
                    })
                }
            }
        }
        Ok(groups)
    }

    /// Reads an op of change `i` whose first id is `counter@actor` into `out` (merged into
    /// the last op there if `merge` is set and it continues that op); returns its length, and
    /// whether its op code says it is the last of its change (never before version 4).
    fn op(
        &mut self,
        i: usize,
        actor: ActorId,
        counter: u64,
        out: &mut Vec<Op>,
        merge: bool,
    ) -> Result<(u64, bool), DecodeError> {
        let (tag, ends_change) = match &mut self.codes {
            Some(codes) => {
                let at = codes.offset();
                let (tag, o, ends) = code::parts(codes.next()?).map_err(|kind| DecodeError {
                    offset: at,
                    kind: DecodeErrorKind::UnknownAction(kind),
                })?;
                self.code_origins = o.unwrap_or(0);
                (tag, ends)
            }
            None => (self.action.value()?, false),
        };
        let obj = match op_id_opt(self.actors, &mut self.obj_actor, &mut self.obj_counter)? {
            None => ObjId::Root,
            Some(id) => ObjId::Op(id),
        };
        let action = match tag {
            action::PUT | action::DELETE | action::INCREMENT => {
                let key = match self.key.next()? {
                    Some(k) => Key::Map(k.to_owned()),
                    None => Key::Elem(op_id(
                        self.actors,
                        &mut self.key_actor,
                        &mut self.key_counter,
                    )?),
                };
                let n = self.preds.value()?;
                let mut pred = Preds::with_capacity(capacity(n, self.budget));
                for _ in 0..n {
                    pred.push(op_id(
                        self.actors,
                        &mut self.pred_actor,
                        &mut self.pred_counter,
                    )?);
                }
                match tag {
                    action::PUT => Action::Put {
                        key,
                        value: value::read(&mut self.value_meta, &mut self.value)?,
                        pred,
                    },
                    action::DELETE => Action::Delete { key, pred },
                    _ => Action::Increment {
                        key,
                        by: self.inc.value()?,
                        pred,
                    },
                }
            }
            action::INSERT_LIST | action::INSERT_TEXT => {
                let (left_kind, right_kind) = self.origin_kinds()?;
                let left = if left_kind == origins::LEFT_PREV {
                    match counter.checked_sub(1).filter(|&c| c > 0) {
                        Some(prev) => Some(OpId::new(prev, actor)),
                        None => {
                            return Err(DecodeError {
                                offset: self.action_offset(),
                                kind: DecodeErrorKind::ZeroCounter {
                                    column: self.origins_column(),
                                },
                            })
                        }
                    }
                } else {
                    if self.origins.v3() {
                        self.left_counter.rebase(self.cursor);
                    }
                    op_id_opt(self.actors, &mut self.left_actor, &mut self.left_counter)?
                };
                let right = match right_kind {
                    origins::RIGHT_SAME => self.last_right,
                    origins::RIGHT_AFTER_LEFT => {
                        let Some(l) = left else {
                            return Err(DecodeError {
                                offset: self.origins_offset(),
                                kind: DecodeErrorKind::NoLeftOrigin { change: i },
                            });
                        };
                        match l.counter().checked_add(1) {
                            Some(c) => Some(OpId::new(c, l.actor())),
                            None => {
                                return Err(DecodeError {
                                    offset: self.action_offset(),
                                    kind: DecodeErrorKind::CounterOverflow { change: i },
                                })
                            }
                        }
                    }
                    _ => op_id_opt(self.actors, &mut self.right_actor, &mut self.right_counter)?,
                };
                self.last_right = right;
                let n = self.insert_len.value()?;
                self.cursor = counter.wrapping_add(n).wrapping_sub(1);
                let prev = counter.checked_sub(1).map(|c| OpId::new(c, actor));
                let last = out.last_mut().filter(|last| {
                    merge
                        && n > 0
                        && last.len() > 0
                        && last.obj == obj
                        && left.is_some()
                        && left == prev
                });
                if let Some(Op {
                    action:
                        Action::Insert {
                            right: r, values, ..
                        },
                    ..
                }) = last
                {
                    match values {
                        InsertValues::Text { text, chars }
                            if *r == right && tag == action::INSERT_TEXT =>
                        {
                            text.push_str(self.text.chars(n)?);
                            *chars += n;
                            return Ok((n, ends_change));
                        }
                        InsertValues::List(values) if *r == right && tag == action::INSERT_LIST => {
                            for _ in 0..n {
                                values.push(value::read(&mut self.value_meta, &mut self.value)?);
                            }
                            return Ok((n, ends_change));
                        }
                        _ => {}
                    }
                }
                let values = if tag == action::INSERT_TEXT {
                    let chars = self.text.chars(n)?;
                    // An insert that later keystrokes of its block may continue (see
                    // `bulk_ops`) starts with room for them, so that they need not move it:
                    // a string the sink gave back has room, or a new one is made with it.
                    let room = if merge { TYPING_ROOM } else { 0 };
                    let mut text = match self.spare_text.pop() {
                        Some(mut spare) => {
                            spare.clear();
                            spare
                        }
                        None => String::with_capacity(chars.len().max(room)),
                    };
                    text.push_str(chars);
                    InsertValues::Text { text, chars: n }
                } else {
                    let mut values: Vec<NewValue> = Vec::with_capacity(capacity(n, self.budget));
                    for _ in 0..n {
                        values.push(value::read(&mut self.value_meta, &mut self.value)?);
                    }
                    InsertValues::List(values)
                };
                Action::Insert {
                    left,
                    right,
                    values,
                }
            }
            action::DELETE_SPAN => {
                if self.origins.v3() {
                    self.del_counter.rebase(self.cursor);
                }
                let first = op_id(self.actors, &mut self.del_actor, &mut self.del_counter)?;
                self.cursor = first.counter().wrapping_sub(1);
                let len = self.del_len.value()?;
                if first.counter().checked_add(len).is_none() {
                    return Err(DecodeError {
                        offset: self.del_len.offset(),
                        kind: DecodeErrorKind::CounterOverflow { change: i },
                    });
                }
                if let Some(Op {
                    action:
                        Action::DeleteSpan {
                            first: f,
                            len: l,
                            backward,
                        },
                    ..
                }) = out
                    .last_mut()
                    .filter(|last| merge && len > 0 && last.len() > 0 && last.obj == obj)
                {
                    let same = f.actor() == first.actor();
                    let forward =
                        !*backward && f.counter().checked_add(*l) == Some(first.counter());
                    // Backspacing: single deletes, each of the element before the last.
                    let back = len == 1
                        && (*backward || *l == 1)
                        && f.counter().checked_sub(*l) == Some(first.counter());
                    if same && (forward || back) {
                        *backward = !forward;
                        *l += len;
                        return Ok((len, ends_change));
                    }
                }
                Action::DeleteSpan {
                    first,
                    len,
                    backward: false,
                }
            }
            t => {
                return Err(DecodeError {
                    offset: self.action_offset(),
                    kind: DecodeErrorKind::UnknownAction(t),
                })
            }
        };
        let op = Op { obj, action };
        let len = op.len();
        out.push(op);
        Ok((len, ends_change))
    }
    /// Checks that every column has been read to its end.
    fn finish(self) -> Result<(), DecodeError> {
        self.change_actor.finish()?;
        self.change_seq.finish()?;
        self.change_deps.finish()?;
        self.dep_ref.finish()?;
        self.dep_actor.finish()?;
        self.dep_counter.finish()?;
        self.change_start.finish()?;
        self.change_time.finish()?;
        self.change_message.finish()?;
        self.change_ops.finish()?;
        self.change_groups.finish()?;
        self.group_name.finish()?;
        self.group_parent.finish()?;
        self.group_start.finish()?;
        self.group_len.finish()?;
        self.obj_actor.finish()?;
        self.obj_counter.finish()?;
        self.action.finish()?;
        if let Some(codes) = self.codes {
            codes.finish()?;
        }
        self.key.finish()?;
        self.key_actor.finish()?;
        self.key_counter.finish()?;
        self.preds.finish()?;
        self.pred_actor.finish()?;
        self.pred_counter.finish()?;
        self.value_meta.finish()?;
        self.value.finish()?;
        self.inc.finish()?;
        self.origins.finish()?;
        self.left_actor.finish()?;
        self.left_counter.finish()?;
        self.right_actor.finish()?;
        self.right_counter.finish()?;
        self.insert_len.finish()?;
        self.text.finish()?;
        self.del_actor.finish()?;
        self.del_counter.finish()?;
        self.del_len.finish()
    }
}

/// Reads an actor index and looks it up in the table.
fn actor(
    actors: &[ActorId],
    col: &mut RleDecoder<'_, u64>,
) -> Result<(usize, ActorId), DecodeError> {
    let index = col.value()?;
    lookup(actors, col, index)
}

fn lookup(
    actors: &[ActorId],
    col: &RleDecoder<'_, u64>,
    index: u64,
) -> Result<(usize, ActorId), DecodeError> {
    match usize::try_from(index)
        .ok()
        .and_then(|i| Some((i, *actors.get(i)?)))
    {
        Some(found) => Ok(found),
        None => Err(DecodeError {
            offset: col.offset(),
            kind: DecodeErrorKind::ActorOutOfRange {
                column: col.column(),
                index,
                actors: actors.len(),
            },
        }),
    }
}

/// Reads an op id from an actor column and a counter column.
#[inline]
fn op_id(
    actors: &[ActorId],
    actor_col: &mut RleDecoder<'_, u64>,
    counter_col: &mut DeltaDecoder<'_>,
) -> Result<OpId, DecodeError> {
    let index = actor_col.value()?;
    resolve(actors, actor_col, index, counter_col)
}

/// Reads an optional op id: a null in the actor column is `None`, and takes no counter.
///
/// Inlined, as [`op_id`] and [`resolve`] are: called, they return the 32-byte result through
/// memory, stored 8 bytes at a time and read back 16 at a time, which the CPU cannot forward
/// (a stall on every op a load decodes).
#[inline]
fn op_id_opt(
    actors: &[ActorId],
    actor_col: &mut RleDecoder<'_, u64>,
    counter_col: &mut DeltaDecoder<'_>,
) -> Result<Option<OpId>, DecodeError> {
    match actor_col.next()? {
        None => Ok(None),
        Some(index) => resolve(actors, actor_col, index, counter_col).map(Some),
    }
}

#[inline]
fn resolve(
    actors: &[ActorId],
    actor_col: &RleDecoder<'_, u64>,
    index: u64,
    counter_col: &mut DeltaDecoder<'_>,
) -> Result<OpId, DecodeError> {
    let (_, actor) = lookup(actors, actor_col, index)?;
    let counter = counter_col.value()?;
    if counter == 0 {
        return Err(DecodeError {
            offset: counter_col.offset(),
            kind: DecodeErrorKind::ZeroCounter {
                column: counter_col.column(),
            },
        });
    }
    Ok(OpId::new(counter, actor))
}

#[cfg(test)]
mod tests {
    use super::Ends;

    #[test]
    fn ends_are_run_length_encoded_and_read_back() {
        let mut ends = Ends::default();
        let mut plain: Vec<(usize, u64)> = Vec::new();
        let mut push = |ends: &mut Ends, a: usize, end: u64, step: u64, n: usize| {
            ends.push(a, end, step, n);
            plain.extend((0..n as u64).map(|k| (a, end.wrapping_add(k.wrapping_mul(step)))));
            plain.clone()
        };
        push(&mut ends, 0, 5, 1, 1);
        push(&mut ends, 0, 6, 1, 1);
        push(&mut ends, 0, 7, 1, 100);
        push(&mut ends, 1, 3, 0, 1);
        push(&mut ends, 0, 200, 2, 3);
        push(&mut ends, 0, 206, 2, 1);
        push(&mut ends, 0, 300, 5, 1);
        push(&mut ends, 2, 1, 1, 2);
        // Ends going down (as counters of a malformed chunk may): the step wraps.
        let plain = push(&mut ends, 3, 100, u64::MAX - 49, 3);
        assert_eq!(ends.len(), plain.len());
        for (j, &e) in plain.iter().enumerate() {
            assert_eq!(ends.get(j), Some(e), "change {j}");
        }
        assert_eq!(ends.get(plain.len()), None);
        assert_eq!(ends.last(), plain.last().copied());
        // Typing on makes one entry, whatever the number of changes.
        assert_eq!(ends.runs.len(), 6, "{:?}", ends.runs);
    }
}
