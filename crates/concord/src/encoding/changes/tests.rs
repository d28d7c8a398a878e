//! The chunk payload on its own: arbitrary well-formed changes round-trip, and each check the
//! decoder makes refuses the change it is there for.

use proptest::prelude::*;

use super::columns::{action, code, origins, Col, COUNT};
use super::{decode, decode_blocks, encode, encode_in};
use crate::change::{Action, Change, ChangeMeta, Group, InsertValues, Key, NewValue, Op, Preds};
use crate::encoding::cursor::Cursor;
use crate::encoding::error::{DecodeError, DecodeErrorKind};
use crate::encoding::frame::VERSION;
use crate::{ActorId, ObjId, ObjType, OpId, ScalarValue};

fn actor(b: u8) -> ActorId {
    ActorId::from_bytes([b; 16])
}

fn round_trip(changes: &[Change], document: bool) -> Result<Vec<Change>, DecodeError> {
    round_trip_in(changes, document, VERSION)
}

/// Encodes in format `version` and decodes the changes back, one by one and in blocks.
fn round_trip_in(
    changes: &[Change],
    document: bool,
    version: u64,
) -> Result<Vec<Change>, DecodeError> {
    let refs: Vec<&Change> = changes.iter().collect();
    let bytes = encode_in(&refs, version);
    let decoded = decode(Cursor::new(&bytes, 0), document, version);
    let blocks = decode_blocks(Cursor::new(&bytes, 0), document, version);
    let in_blocks = blocks.map(|b| {
        b.into_iter()
            .flat_map(|b| b.into_changes())
            .collect::<Vec<Change>>()
    });
    // The same changes, up to the ops that blocks merge (a change may hold ops that continue
    // each other) and how a one-element delete is flagged (which encodes alike).
    if let (Ok(a), Ok(b)) = (&decoded, &in_blocks) {
        let encoded = |c: &[Change]| {
            let merged = merge_continuing(c);
            encode_in(&merged.iter().collect::<Vec<_>>(), version)
        };
        assert!(
            encoded(a) == encoded(b),
            "version {version}: read one by one and in blocks"
        );
    }
    assert_eq!(
        decoded.is_ok(),
        in_blocks.is_ok(),
        "read one by one and in blocks"
    );
    decoded
}

/// `changes` with every op merged into the op before it in its change where it continues
/// it, by the rule blocks follow (written out again here, as the oracle): both on one object
/// and neither empty; an insert of the same kind whose left origin is the element just
/// before its first (the last op's last element) and whose right origin is the same; or a
/// delete of the elements right after a forward span, or, backspacing, of the one element
/// before the last one deleted.
fn merge_continuing(changes: &[Change]) -> Vec<Change> {
    changes
        .iter()
        .map(|c| {
            let mut ops: Vec<Op> = Vec::new();
            let mut counter = c.start_op;
            for op in &c.ops {
                let prev = counter.checked_sub(1).map(|p| OpId::new(p, c.actor));
                counter = counter.wrapping_add(op.len());
                let last = ops
                    .last_mut()
                    .filter(|l| l.obj == op.obj && l.len() > 0 && op.len() > 0);
                if let Some(last) = last {
                    if continue_op(last, op, prev) {
                        continue;
                    }
                }
                ops.push(op.clone());
            }
            let mut merged = c.clone();
            merged.ops = ops;
            merged
        })
        .collect()
}

/// Merges `op` into `last` if it continues it; `prev` is the id just before `op`'s first.
fn continue_op(last: &mut Op, op: &Op, prev: Option<OpId>) -> bool {
    match (&mut last.action, &op.action) {
        (
            Action::Insert {
                right: r, values, ..
            },
            Action::Insert {
                left,
                right,
                values: more,
            },
        ) if left.is_some() && *left == prev && r == right => match (values, more) {
            (InsertValues::Text { text, chars }, InsertValues::Text { text: t, chars: n }) => {
                text.push_str(t);
                *chars += n;
                true
            }
            (InsertValues::List(v), InsertValues::List(more)) => {
                v.extend(more.iter().cloned());
                true
            }
            _ => false,
        },
        (
            Action::DeleteSpan {
                first: f,
                len: l,
                backward,
            },
            &Action::DeleteSpan { first, len: n, .. },
        ) if f.actor() == first.actor() => {
            let forward = !*backward && f.counter().checked_add(*l) == Some(first.counter());
            let back = n == 1
                && (*backward || *l == 1)
                && f.counter().checked_sub(*l) == Some(first.counter());
            if forward || back {
                *backward = !forward;
                *l += n;
            }
            forward || back
        }
        _ => false,
    }
}

fn kind(changes: &[Change], document: bool) -> DecodeErrorKind {
    round_trip(changes, document).unwrap_err().kind
}

fn change(a: u8, seq: u64, start_op: u64, deps: Vec<OpId>, ops: Vec<Op>) -> Change {
    Change::plain(actor(a), seq, start_op, deps, ops)
}

fn put(key: &str) -> Op {
    Op {
        obj: ObjId::Root,
        action: Action::Put {
            key: Key::Map(key.into()),
            value: NewValue::Scalar(ScalarValue::Int(1)),
            pred: Preds::new(),
        },
    }
}

fn id(counter: u64, a: u8) -> OpId {
    OpId::new(counter, actor(a))
}

#[test]
fn dependencies_inside_the_chunk_are_references() {
    let a = change(1, 1, 1, vec![], vec![put("x")]);
    let b = change(2, 1, 2, vec![id(1, 1)], vec![put("y")]);
    let c = change(1, 2, 3, vec![id(2, 2)], vec![put("z")]);
    let changes = vec![a, b, c];
    assert_eq!(round_trip(&changes, true), Ok(changes.clone()));
    // The same changes without the first: its op is now outside, which only a chunk of
    // changes may depend on.
    assert_eq!(round_trip(&changes[1..], false), Ok(changes[1..].to_vec()));
    assert_eq!(
        kind(&changes[1..], true),
        DecodeErrorKind::ExternalDependency { change: 0 }
    );
}

#[test]
fn changes_in_any_order_and_repeated_round_trip() {
    let a1 = change(1, 1, 1, vec![], vec![put("x")]);
    let a2 = change(1, 2, 2, vec![id(1, 1)], vec![put("y")]);
    let b1 = change(2, 1, 3, vec![id(2, 1)], vec![put("z")]);
    // a2 before a1, a1 twice, and b1's dependency (a2) is then an earlier change of the chunk.
    let changes = vec![a2.clone(), a1.clone(), a1, b1.clone(), a2, b1];
    assert_eq!(round_trip(&changes, false), Ok(changes));
}

#[test]
fn documents_must_be_canonical() {
    let a = change(1, 1, 1, vec![], vec![put("x")]);
    let b = change(2, 1, 1, vec![], vec![put("y")]);
    assert_eq!(
        kind(&[b.clone(), a.clone()], true),
        DecodeErrorKind::ChangeOrder { change: 1 }
    );
    assert!(round_trip(&[b.clone(), a.clone()], false).is_ok());
    let later = change(1, 2, 2, vec![id(1, 1), id(1, 2)], vec![put("z")]);
    let doc = vec![a, b, later];
    assert_eq!(round_trip(&doc, true), Ok(doc));
}

#[test]
fn document_seqs_count_from_one() {
    let a = change(1, 2, 1, vec![], vec![put("x")]);
    assert_eq!(
        kind(std::slice::from_ref(&a), true),
        DecodeErrorKind::SeqGap {
            change: 0,
            expected: 1,
            found: 2
        }
    );
    assert_eq!(round_trip(std::slice::from_ref(&a), false), Ok(vec![a]));
}

#[test]
fn malformed_changes_are_refused() {
    // A change without ops: version 3 says so in `change.ops`; version 4 cannot say it, and
    // its op codes end too few changes.
    let empty = [change(1, 1, 1, vec![], vec![])];
    let in_v3 = round_trip_in(&empty, false, 3).unwrap_err().kind;
    assert_eq!(in_v3, DecodeErrorKind::EmptyChange { change: 0 });
    assert_eq!(
        kind(&empty, false),
        DecodeErrorKind::ColumnTooShort {
            column: "op.action"
        }
    );
    let unsorted = change(1, 1, 9, vec![id(3, 2), id(2, 2)], vec![put("x")]);
    assert_eq!(
        kind(&[unsorted], false),
        DecodeErrorKind::UnsortedDependencies { change: 0 }
    );
    let zero = change(1, 1, 9, vec![id(0, 2)], vec![put("x")]);
    assert_eq!(
        kind(&[zero], false),
        DecodeErrorKind::ZeroCounter {
            column: "dep.counter"
        }
    );
    let overflow = change(1, 1, 5, vec![], vec![del(id(u64::MAX - 1, 1), 2)]);
    assert_eq!(
        kind(&[overflow], false),
        DecodeErrorKind::CounterOverflow { change: 0 }
    );
    let fits = change(1, 1, 5, vec![], vec![del(id(u64::MAX - 1, 1), 1)]);
    assert!(round_trip(&[fits], false).is_ok());
    let insert = |n| Op {
        obj: ObjId::Op(id(1, 1)),
        action: Action::Insert {
            left: None,
            right: None,
            values: InsertValues::Text {
                text: "a".repeat(n),
                chars: n as u64,
            },
        },
    };
    let past_the_end = change(1, 1, u64::MAX - 2, vec![], vec![insert(2), insert(2)]);
    assert_eq!(
        kind(&[past_the_end], false),
        DecodeErrorKind::CounterOverflow { change: 0 }
    );
}

#[test]
fn groups_must_fit_their_change() {
    let group = |parent, ops| Group {
        name: "g".into(),
        parent,
        ops,
    };
    let with = |groups: Vec<Group>| {
        let mut c = change(1, 1, 10, vec![], vec![put("a"), put("b"), put("c")]);
        c.groups = groups;
        c
    };
    let fine = with(vec![
        group(None, 10..13),
        group(Some(0), 11..12),
        group(None, 13..13),
    ]);
    assert_eq!(
        round_trip(std::slice::from_ref(&fine), false),
        Ok(vec![fine])
    );
    let bad = [
        with(vec![group(None, 10..14)]),
        with(vec![group(None, 9..11)]),
        with(vec![group(Some(0), 10..11)]),
        with(vec![group(None, 10..11), group(Some(0), 10..12)]),
    ];
    for (i, c) in bad.into_iter().enumerate() {
        let group = usize::from(i == 3);
        assert_eq!(
            kind(&[c], false),
            DecodeErrorKind::BadGroup { change: 0, group },
            "case {i}"
        );
    }
}

#[test]
fn typing_is_a_flag() {
    // Inserting after one's own previous op stores no origin.
    let t = ObjId::Op(id(1, 1));
    let typed = |counter: u64| Op {
        obj: t,
        action: Action::Insert {
            left: Some(id(counter - 1, 1)),
            right: None,
            values: InsertValues::Text {
                text: "x".into(),
                chars: 1,
            },
        },
    };
    let mut changes = Vec::new();
    for k in 0..1000u64 {
        let deps = if k == 0 { vec![] } else { vec![id(k + 1, 1)] };
        changes.push(change(1, k + 1, k + 2, deps, vec![typed(k + 2)]));
    }
    let refs: Vec<&Change> = changes.iter().collect();
    let bytes = encode(&refs);
    assert!(bytes.len() < 150, "{} bytes", bytes.len());
    assert_eq!(decode(Cursor::new(&bytes, 0), false, VERSION), Ok(changes));
}

/// A text delete of `len` elements from `first`, in the text `1@1`.
fn del(first: OpId, len: u64) -> Op {
    Op {
        obj: ObjId::Op(id(1, 1)),
        action: Action::DeleteSpan {
            first,
            len,
            backward: false,
        },
    }
}

/// A text insert by actor 1 into the text `1@1`.
fn ins(left: Option<OpId>, right: Option<OpId>, text: &str) -> Op {
    Op {
        obj: ObjId::Op(id(1, 1)),
        action: Action::Insert {
            left,
            right,
            values: InsertValues::Text {
                text: text.into(),
                chars: text.chars().count() as u64,
            },
        },
    }
}

/// A payload split into what comes before its columns and each column's bytes (the columns
/// of these small chunks are stored raw).
fn split_columns(payload: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut c = Cursor::new(payload, 0);
    c.uleb().unwrap();
    let actors = c.uleb().unwrap();
    c.bytes(16 * actors).unwrap();
    let head = payload[..c.offset()].to_vec();
    let columns = (0..COUNT)
        .map(|_| {
            let header = c.uleb().unwrap();
            assert_eq!(header & 3, 0, "a raw column");
            c.bytes(header >> 2).unwrap().to_vec()
        })
        .collect();
    assert!(c.is_empty());
    (head, columns)
}

fn join_columns(head: &[u8], columns: &[Vec<u8>]) -> Vec<u8> {
    let mut out = head.to_vec();
    for col in columns {
        crate::encoding::leb128::write_u64(&mut out, (col.len() as u64) << 2);
        out.extend_from_slice(col);
    }
    out
}

/// Every code of `op.origins`: the right origin the last insert had, the element after the
/// left origin, or given; the left origin the element before, or given.
#[test]
fn origins_are_coded_against_the_left_origin_and_the_last_insert() {
    use origins::*;
    // (left, right, the code expected), for inserts at counters 2, 3, ...
    let cases = [
        (None, None, code(LEFT_GIVEN, RIGHT_SAME)),
        (Some(id(2, 1)), None, code(LEFT_PREV, RIGHT_SAME)),
        (
            Some(id(2, 1)),
            Some(id(3, 1)),
            code(LEFT_GIVEN, RIGHT_AFTER_LEFT),
        ),
        (Some(id(4, 1)), Some(id(3, 1)), code(LEFT_PREV, RIGHT_SAME)),
        (
            Some(id(3, 1)),
            Some(id(9, 2)),
            code(LEFT_GIVEN, RIGHT_GIVEN),
        ),
        (Some(id(6, 1)), None, code(LEFT_PREV, RIGHT_GIVEN)),
        (
            Some(id(7, 1)),
            Some(id(8, 1)),
            code(LEFT_PREV, RIGHT_AFTER_LEFT),
        ),
        (
            Some(id(2, 2)),
            Some(id(3, 2)),
            code(LEFT_GIVEN, RIGHT_AFTER_LEFT),
        ),
        (None, Some(id(1, 2)), code(LEFT_GIVEN, RIGHT_GIVEN)),
    ];
    let changes: Vec<Change> = cases
        .iter()
        .enumerate()
        .map(|(k, &(left, right, _))| {
            let counter = k as u64 + 2;
            change(
                1,
                k as u64 + 1,
                counter,
                vec![],
                vec![ins(left, right, "x")],
            )
        })
        .collect();
    for version in [2, 3, VERSION] {
        assert_eq!(round_trip_in(&changes, false, version), Ok(changes.clone()));
    }
    let refs: Vec<&Change> = changes.iter().collect();
    let (_, v3) = split_columns(&encode_in(&refs, 3));
    let mut codes = super::super::column::rle::RleDecoder::<u64>::new(
        Cursor::new(&v3[Col::OpOrigins as usize], 0),
        "op.origins",
    );
    for (k, &(.., expected)) in cases.iter().enumerate() {
        assert_eq!(codes.value(), Ok(expected), "insert {k}");
    }
    // Version 4 says the same in its op codes, each the last op of its change, and leaves
    // `change.ops` and `op.origins` empty.
    let (_, columns) = split_columns(&encode(&refs));
    let op_codes: Vec<u8> = cases
        .iter()
        .map(|&(.., o)| code::of(action::INSERT_TEXT, Some(o)) | 1)
        .collect();
    assert_eq!(columns[Col::OpAction as usize], op_codes);
    assert!(columns[Col::ChangeOps as usize].is_empty());
    assert!(columns[Col::OpOrigins as usize].is_empty());
    // Only the given right origins are in the right columns: actor 2 (index 1), none, and
    // actor 2 again.
    assert_eq!(columns[Col::OpRightActor as usize], [1, 1, 0, 1, 1, 1]);
}

/// Left origins and delete targets are differences from the edit cursor: the last element
/// typed, or the element before the last one deleted.
#[test]
fn edits_are_placed_from_the_last_one() {
    // "hello" at counters 2..=6; "ll" deleted (4, 5); "LL" typed in their place, after "e" (3).
    let changes = vec![
        change(1, 1, 2, vec![], vec![ins(None, None, "hello")]),
        change(1, 2, 7, vec![id(6, 1)], vec![del(id(4, 1), 2)]),
        change(
            1,
            3,
            9,
            vec![id(8, 1)],
            vec![ins(Some(id(3, 1)), Some(id(4, 1)), "LL")],
        ),
        // A jump back to the start: after the cursor (10), 2 is 8 back.
        change(1, 4, 11, vec![id(10, 1)], vec![del(id(2, 1), 1)]),
    ];
    for version in [2, 3, VERSION] {
        assert_eq!(round_trip_in(&changes, false, version), Ok(changes.clone()));
    }
    let refs: Vec<&Change> = changes.iter().collect();
    let (_, columns) = split_columns(&encode(&refs));
    // A literal run of two: the delete of 4 comes after typing up to 6 (−2), the delete of 2
    // after typing up to 10 (−8).
    let sleb = |n: i64| ((n << 1) ^ (n >> 63)) as u8;
    assert_eq!(
        columns[Col::OpDelCounter as usize],
        [sleb(-2), sleb(-2), sleb(-8)]
    );
    // A literal run of one: the left origin 3 is where the delete left the cursor (4 − 1).
    assert_eq!(columns[Col::OpLeftCounter as usize], [sleb(-1), sleb(0)]);
}

/// Keystroke changes that backspace, and that delete forward, read in bulk in every version.
#[test]
fn deleting_key_by_key_reads_in_blocks() {
    let text: String = "abcdefghij".repeat(10);
    let mut changes = vec![change(1, 1, 2, vec![], vec![ins(None, None, &text)])];
    // Backspacing from the end (101, 100, ...), then deleting forward from 20 (20, 21, ...).
    let targets = (60..=101).rev().chain(20..50);
    for (counter, target) in (102..).zip(targets) {
        let seq = counter - 100;
        let deps = vec![id(counter - 1, 1)];
        changes.push(change(1, seq, counter, deps, vec![del(id(target, 1), 1)]));
    }
    for version in [2, 3, VERSION] {
        let refs: Vec<&Change> = changes.iter().collect();
        let bytes = encode_in(&refs, version);
        let blocks = decode_blocks(Cursor::new(&bytes, 0), true, version).unwrap();
        assert_eq!(blocks.len(), 1, "version {version}");
        assert_eq!(round_trip_in(&changes, true, version), Ok(changes.clone()));
    }
}

#[test]
fn bad_origins_are_refused() {
    use origins::*;
    let one = |left, right| {
        let c = change(1, 1, 5, vec![], vec![ins(left, right, "x")]);
        let (head, columns) = split_columns(&encode(&[&c]));
        (head, columns)
    };
    // The one insert's op code, with origins code `origins`.
    let with_code = |left, right, origins: u8| {
        let (head, mut columns) = one(left, right);
        assert_eq!(columns[Col::OpAction as usize].len(), 1);
        let op = code::of(action::INSERT_TEXT, Some(u64::from(origins))) | 1;
        columns[Col::OpAction as usize][0] = op;
        let bytes = join_columns(&head, &columns);
        decode(Cursor::new(&bytes, 0), false, VERSION).map_err(|e| e.kind)
    };
    // Version 3 kept origins codes in a column of their own, where any number may stand.
    let c = change(1, 1, 5, vec![], vec![ins(Some(id(2, 1)), None, "x")]);
    let (head, mut columns) = split_columns(&encode_in(&[&c], 3));
    assert_eq!(columns[Col::OpOrigins as usize].len(), 2);
    columns[Col::OpOrigins as usize][1] = 6;
    let bytes = join_columns(&head, &columns);
    assert_eq!(
        decode(Cursor::new(&bytes, 0), false, 3).map_err(|e| e.kind),
        Err(DecodeErrorKind::UnknownOrigins(6))
    );
    // The element after a left origin that is not there.
    assert_eq!(
        with_code(
            None,
            Some(id(2, 1)),
            code(LEFT_GIVEN, RIGHT_AFTER_LEFT) as u8
        ),
        Err(DecodeErrorKind::NoLeftOrigin { change: 0 })
    );
    // ... or after the last counter there is.
    let last = Some(id(u64::MAX, 1));
    assert_eq!(
        with_code(last, None, code(LEFT_GIVEN, RIGHT_AFTER_LEFT) as u8),
        Err(DecodeErrorKind::CounterOverflow { change: 0 })
    );
    // The unchanged bytes decode.
    let (head, columns) = one(last, None);
    let bytes = join_columns(&head, &columns);
    assert!(decode(Cursor::new(&bytes, 0), false, VERSION).is_ok());
}

/// Version 4's op codes: a kind that does not exist, ops left over after the last change or
/// missing from it, and rows in the columns the codes replace are refused where they are.
#[test]
fn op_codes_are_checked() {
    let changes = [
        change(1, 1, 1, vec![], vec![put("a"), put("b")]),
        change(1, 2, 3, vec![id(2, 1)], vec![put("c")]),
    ];
    let refs: Vec<&Change> = changes.iter().collect();
    let (head, columns) = split_columns(&encode(&refs));
    let put = code::of(action::PUT, None);
    assert_eq!(columns[Col::OpAction as usize], [put, put | 1, put | 1]);
    // The offset of the op codes' first byte in the payload.
    let codes_at = head.len()
        + columns[..Col::OpAction as usize]
            .iter()
            .map(|c| c.len() + 1)
            .sum::<usize>()
        + 1;
    let with = |col: Col, bytes: &[u8]| {
        let mut columns = columns.clone();
        columns[col as usize] = bytes.to_vec();
        let bytes = join_columns(&head, &columns);
        decode(Cursor::new(&bytes, 0), false, VERSION).map_err(|e| (e.offset, e.kind))
    };
    assert_eq!(
        with(Col::OpAction, &[put, 40, put | 1]),
        Err((codes_at + 1, DecodeErrorKind::UnknownAction(20)))
    );
    // A fourth op, for no change; the second change's op not ending it.
    let too_long = DecodeErrorKind::ColumnTooLong {
        column: "op.action",
    };
    assert_eq!(
        with(Col::OpAction, &[put, put | 1, put | 1, put | 1]),
        Err((codes_at + 3, too_long.clone()))
    );
    assert_eq!(
        with(Col::OpAction, &[put, put | 1, put | 1, put]),
        Err((codes_at + 3, too_long))
    );
    assert_eq!(
        with(Col::OpAction, &[put, put | 1, put]),
        Err((
            codes_at + 3,
            DecodeErrorKind::ColumnTooShort {
                column: "op.action"
            }
        ))
    );
    for col in [Col::ChangeOps, Col::OpOrigins] {
        let got = with(col, &[2, 2]).map_err(|e| e.1);
        let expected = DecodeErrorKind::ColumnTooLong { column: col.name() };
        assert_eq!(got, Err(expected));
    }
    assert_eq!(
        with(Col::OpAction, &[put, put | 1, put | 1]),
        Ok(changes.to_vec())
    );
}

/// A chain of keystroke changes whose seqs run past the largest one (as a chunk of changes
/// may say): the blocks stop at it, and cut back into the changes read.
#[test]
fn blocks_never_pass_the_largest_seq() {
    let seqs = [u64::MAX - 1, u64::MAX, 0, 1];
    let changes: Vec<Change> = seqs
        .iter()
        .enumerate()
        .map(|(k, &seq)| {
            let counter = k as u64 + 1;
            let deps = if k == 0 {
                vec![]
            } else {
                vec![id(counter - 1, 1)]
            };
            change(1, seq, counter, deps, vec![put("k")])
        })
        .collect();
    let refs: Vec<&Change> = changes.iter().collect();
    let bytes = encode(&refs);
    let blocks = decode_blocks(Cursor::new(&bytes, 0), false, VERSION).unwrap();
    assert_eq!(blocks.len(), 2);
    let back: Vec<Change> = blocks.into_iter().flat_map(|b| b.into_changes()).collect();
    assert_eq!(back, changes);
}

fn op_id() -> impl Strategy<Value = OpId> {
    (1..40u64, 1..4u8).prop_map(|(c, a)| id(c, a))
}

fn new_value() -> impl Strategy<Value = NewValue> {
    prop_oneof![
        Just(NewValue::Scalar(ScalarValue::Null)),
        any::<bool>().prop_map(|b| NewValue::Scalar(ScalarValue::Bool(b))),
        any::<i64>().prop_map(|n| NewValue::Scalar(ScalarValue::Int(n))),
        any::<u64>().prop_map(|n| NewValue::Scalar(ScalarValue::Uint(n))),
        (-1e9..1e9f64).prop_map(|x| NewValue::Scalar(ScalarValue::F64(x))),
        "[a-c]{0,3}".prop_map(|s| NewValue::Scalar(ScalarValue::Str(s))),
        any::<Vec<u8>>().prop_map(|b| NewValue::Scalar(ScalarValue::Bytes(b))),
        any::<i64>().prop_map(|n| NewValue::Scalar(ScalarValue::Counter(n))),
        any::<i64>().prop_map(|n| NewValue::Scalar(ScalarValue::Timestamp(n))),
        prop_oneof![Just(ObjType::Map), Just(ObjType::List), Just(ObjType::Text)]
            .prop_map(NewValue::Object),
    ]
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof!["[a-c]{0,2}".prop_map(Key::Map), op_id().prop_map(Key::Elem)]
}

/// Origins, the right one often the element after the left one (an insert inside a stretch
/// typed earlier), which `op.origins` codes.
fn origins() -> impl Strategy<Value = (Option<OpId>, Option<OpId>)> {
    let origin = || proptest::option::of(op_id());
    (origin(), origin(), any::<bool>()).prop_map(|(left, right, after)| match left {
        Some(l) if after => (left, Some(OpId::new(l.counter() + 1, l.actor()))),
        _ => (left, right),
    })
}

fn action() -> impl Strategy<Value = Action> {
    let preds = || proptest::collection::vec(op_id(), 0..3).prop_map(Preds::from_vec);
    prop_oneof![
        (key(), new_value(), preds()).prop_map(|(key, value, pred)| Action::Put {
            key,
            value,
            pred
        }),
        (key(), preds()).prop_map(|(key, pred)| Action::Delete { key, pred }),
        (key(), any::<i64>(), preds()).prop_map(|(key, by, pred)| Action::Increment {
            key,
            by,
            pred
        }),
        (origins(), "\\PC{0,4}").prop_map(|((left, right), text)| Action::Insert {
            left,
            right,
            values: InsertValues::Text {
                chars: text.chars().count() as u64,
                text
            },
        }),
        (origins(), proptest::collection::vec(new_value(), 0..3)).prop_map(
            |((left, right), values)| Action::Insert {
                left,
                right,
                values: InsertValues::List(values),
            }
        ),
        (op_id(), 0..4u64).prop_map(|(first, len)| Action::DeleteSpan {
            first,
            len,
            backward: false,
        }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    (proptest::option::of(op_id()), action()).prop_map(|(obj, action)| Op {
        obj: obj.map_or(ObjId::Root, ObjId::Op),
        action,
    })
}

/// Well-formed groups over `len` ops from `start`: each nested in its parent's range.
fn groups(start: u64, len: u64) -> impl Strategy<Value = Vec<Group>> {
    proptest::collection::vec((any::<prop::sample::Index>(), 0..=len, 0..=len), 0..4).prop_map(
        move |picks| {
            let mut groups: Vec<Group> = Vec::new();
            for (parent, a, b) in picks {
                let parent = (!groups.is_empty() && a % 2 == 0).then(|| parent.index(groups.len()));
                let outer = parent.map_or(start..start + len, |p| groups[p].ops.clone());
                let width = outer.end - outer.start;
                let (lo, hi) = (a.min(b).min(width), a.max(b).min(width));
                groups.push(Group {
                    name: format!("g{}", groups.len()),
                    parent,
                    ops: outer.start + lo..outer.start + hi,
                });
            }
            groups
        },
    )
}

fn a_change() -> impl Strategy<Value = Change> {
    (
        1..4u8,
        any::<u64>(),
        proptest::collection::btree_set(op_id(), 0..3),
        0..3u64,
        any::<i64>(),
        proptest::option::of("\\PC{0,5}"),
        proptest::collection::vec(op(), 1..5),
    )
        .prop_flat_map(|(a, seq, deps, gap, time, message, ops)| {
            let deps: Vec<OpId> = deps.into_iter().collect();
            let start_op = deps.iter().map(OpId::counter).max().unwrap_or(0) + 1 + gap;
            let meta = ChangeMeta {
                actor: actor(a),
                seq,
                start_op,
                time,
                message,
                deps,
                groups: Vec::new(),
            };
            let change = Change::new(meta, ops);
            groups(change.start_op, change.len).prop_map(move |groups| Change {
                groups,
                ..change.clone()
            })
        })
}

proptest! {
    #[test]
    fn any_changes_round_trip(changes in proptest::collection::vec(a_change(), 0..6)) {
        prop_assert_eq!(round_trip(&changes, false), Ok(changes.clone()));
        prop_assert_eq!(round_trip_in(&changes, false, 2), Ok(changes));
    }

    #[test]
    fn any_bytes_decode_or_fail(bytes: Vec<u8>) {
        let _ = decode(Cursor::new(&bytes, 0), false, VERSION);
        let _ = decode(Cursor::new(&bytes, 0), true, VERSION);
        for document in [false, true] {
            if let Ok(blocks) = decode_blocks(Cursor::new(&bytes, 0), document, VERSION) {
                blocks.into_iter().for_each(|b| drop(b.into_changes()));
            }
        }
    }
}
