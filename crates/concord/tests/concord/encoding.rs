//! Saving and loading: random documents round-trip, replicas save identical bytes, incremental
//! saves concatenate, bad bytes are refused without a panic and without touching a document,
//! the editing traces round-trip, and the golden files still load.

use std::time::Instant;

use concord::{
    decode_changes, encode_changes, Change, DecodeErrorKind, Doc, DocError, LoadError, ObjId,
    ObjType, ReadDoc, ScalarValue, ROOT,
};
use concord_testkit::{load_sequential, sequential_names, testdata_dir};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::common::{actor, render};

/// The changes of a document in an order that does not depend on how they arrived.
fn sorted(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| (c.start_op(), c.actor()));
    changes
}

/// Checks that `doc` saves to bytes that load back to the same document, and that its changes
/// survive `encode_changes` / `decode_changes`.
fn assert_round_trip(doc: &Doc, context: &str) {
    let bytes = doc.clone().save();
    let loaded = Doc::load(&bytes).unwrap_or_else(|e| panic!("{context}: {e}"));
    assert_eq!(render(&loaded), render(doc), "{context}");
    assert_eq!(loaded.heads(), doc.heads(), "{context}");
    assert_eq!(sorted(loaded.changes()), sorted(doc.changes()), "{context}");
    assert_eq!(loaded.pending_changes().len(), doc.pending_changes().len());
    assert_eq!(
        loaded.clone().save(),
        bytes,
        "{context}: saving is not stable"
    );
    let changes = doc.changes();
    assert_eq!(decode_changes(&encode_changes(&changes)), Ok(changes));
}

fn random_scalar(rng: &mut StdRng) -> ScalarValue {
    match rng.gen_range(0..9) {
        0 => ScalarValue::Null,
        1 => ScalarValue::Bool(rng.gen()),
        2 => ScalarValue::Int(rng.gen_range(-1000..1000)),
        3 => ScalarValue::Uint(rng.gen()),
        4 => ScalarValue::F64(rng.gen_range(-1e6..1e6)),
        5 => ScalarValue::Str(["", "a", "héllo", "😀"][rng.gen_range(0..4)].into()),
        6 => ScalarValue::Bytes((0..rng.gen_range(0..4)).map(|_| rng.gen()).collect()),
        7 => ScalarValue::Counter(rng.gen_range(-5..5)),
        _ => ScalarValue::Timestamp(rng.gen()),
    }
}

const TEXT: &[&str] = &["a", "bc", "é", "😀x", "hello ", ""];

/// One random edit of the shared structure (a map, a list, a text and a counter under the root,
/// plus a few root keys). Edits that turn out impossible (a counter overwritten concurrently)
/// fail, and the transaction they are in rolls back.
fn random_edit(
    tx: &mut concord::Transaction<'_>,
    rng: &mut StdRng,
    objs: &[ObjId; 3],
) -> Result<(), concord::DocError> {
    let [map, list, text] = objs;
    match rng.gen_range(0..10) {
        0 => tx.put(
            ROOT,
            ["a", "b", "c"][rng.gen_range(0..3)],
            random_scalar(rng),
        ),
        1 => {
            let key = ["x", "y"][rng.gen_range(0..2)];
            if rng.gen_bool(0.2) {
                let t = [ObjType::Map, ObjType::List, ObjType::Text][rng.gen_range(0..3)];
                tx.put_object(map, key, t).map(drop)
            } else {
                tx.put(map, key, random_scalar(rng))
            }
        }
        2 => tx.delete(ROOT, ["a", "b"][rng.gen_range(0..2)]),
        3 => tx.increment(ROOT, "count", rng.gen_range(-3..4)),
        4 | 5 => {
            let i = rng.gen_range(0..=tx.length(list));
            if rng.gen_bool(0.1) {
                tx.insert_object(list, i, ObjType::Map).map(drop)
            } else {
                tx.insert(list, i, random_scalar(rng))
            }
        }
        6 => match tx.length(list) {
            0 => Ok(()),
            n if rng.gen() => tx.put(list, rng.gen_range(0..n), random_scalar(rng)),
            n => tx.delete(list, rng.gen_range(0..n)),
        },
        _ => {
            let len = tx.length(text);
            let pos = rng.gen_range(0..=len);
            let del = rng.gen_range(0..=(len - pos).min(3));
            tx.splice_text(text, pos, del, TEXT[rng.gen_range(0..TEXT.len())])
        }
    }
}

/// Replicas that made random transactions (with messages, times and nested groups) and synced
/// now and then, so that their histories fork, merge and conflict.
fn random_replicas(seed: u64, steps: usize) -> Vec<Doc> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut first = Doc::with_actor(actor(1));
    let objs = first
        .transact(|tx| {
            tx.put(ROOT, "count", ScalarValue::counter(0))?;
            Ok::<_, concord::DocError>([
                tx.put_object(ROOT, "map", ObjType::Map)?,
                tx.put_object(ROOT, "list", ObjType::List)?,
                tx.put_object(ROOT, "text", ObjType::Text)?,
            ])
        })
        .unwrap();
    let mut replicas = vec![first];
    for i in 2..=3 {
        let mut d = replicas[0].fork();
        d.set_actor(actor(i));
        replicas.push(d);
    }
    for _ in 0..steps {
        let r = rng.gen_range(0..replicas.len());
        if rng.gen_bool(0.2) {
            let other = replicas[rng.gen_range(0..replicas.len())].clone();
            replicas[r].merge(&other).unwrap();
            continue;
        }
        let doc = &mut replicas[r];
        let _ = doc.transact(|tx| {
            if rng.gen_bool(0.3) {
                tx.set_message(["fix", "", "tidy up ✓"][rng.gen_range(0..3)]);
            }
            if rng.gen_bool(0.5) {
                tx.set_time(rng.gen_range(0..2_000_000_000_000));
            }
            for _ in 0..rng.gen_range(1..4) {
                if rng.gen_bool(0.2) {
                    tx.group("outer", |tx| {
                        random_edit(tx, &mut rng, &objs)?;
                        tx.group("inner", |tx| random_edit(tx, &mut rng, &objs))
                    })?;
                } else {
                    random_edit(tx, &mut rng, &objs)?;
                }
            }
            Ok::<_, concord::DocError>(())
        });
    }
    replicas
}

#[test]
fn random_documents_round_trip() {
    let (mut conflicts, mut grouped, mut messages) = (0, 0, 0);
    for seed in 0..30 {
        let mut replicas = random_replicas(seed, 60);
        for (i, r) in replicas.iter().enumerate() {
            assert_round_trip(r, &format!("seed {seed} replica {i}"));
        }
        let others: Vec<Doc> = replicas[1..].to_vec();
        for other in &others {
            replicas[0].merge(other).unwrap();
        }
        let merged = &replicas[0];
        assert_round_trip(merged, &format!("seed {seed} merged"));
        conflicts += ["a", "b", "c"]
            .iter()
            .filter(|k| merged.get_all(ROOT, **k).unwrap().len() > 1)
            .count();
        grouped += merged
            .changes()
            .iter()
            .filter(|c| !c.groups().is_empty())
            .count();
        messages += merged
            .changes()
            .iter()
            .filter(|c| c.message().is_some())
            .count();
    }
    // The random documents do hold what the test is about.
    assert!(conflicts > 0 && grouped > 0 && messages > 0);
}

#[test]
fn groups_messages_and_times_survive() {
    let mut doc = Doc::with_actor(actor(1));
    doc.transact(|tx| {
        tx.set_message("all of it");
        tx.set_time(-42);
        tx.group("outer", |tx| {
            tx.put(ROOT, "a", 1)?;
            tx.group("inner", |tx| tx.put(ROOT, "b", 2))?;
            tx.group("empty", |_| Ok::<_, concord::DocError>(()))
        })
    })
    .unwrap();
    let loaded = Doc::load(&doc.save()).unwrap();
    let change = &loaded.changes()[0];
    assert_eq!(change.message(), Some("all of it"));
    assert_eq!(change.time(), -42);
    let groups: Vec<_> = change
        .groups()
        .iter()
        .map(|g| (g.name().to_owned(), g.parent(), g.op_counters()))
        .collect();
    assert_eq!(
        groups,
        [
            ("outer".to_owned(), None, 1..3),
            ("inner".to_owned(), Some(0), 2..3),
            ("empty".to_owned(), Some(0), 3..3)
        ]
    );
}

/// Replicas that received the same changes in different orders, some of them before their
/// dependencies, save identical bytes; at every step, replicas with the same changes agree.
#[test]
fn replicas_with_the_same_changes_save_the_same_bytes() {
    for seed in 0..10 {
        let mut replicas = random_replicas(seed, 50);
        let others: Vec<Doc> = replicas[1..].to_vec();
        for other in &others {
            replicas[0].merge(other).unwrap();
        }
        let all = replicas[0].changes();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut orders: Vec<Vec<Change>> = Vec::new();
        for _ in 0..3 {
            let mut order = all.clone();
            order.shuffle(&mut rng);
            orders.push(order);
        }
        // The same subset, delivered in two orders: equal bytes, queue included.
        let half: Vec<Change> = orders[0][..all.len() / 2].to_vec();
        let mut reversed = half.clone();
        reversed.reverse();
        let (mut a, mut b) = (Doc::new(), Doc::new());
        a.apply_changes(half).unwrap();
        b.apply_changes(reversed).unwrap();
        assert_eq!(a.save(), b.save(), "seed {seed}: half");
        let saved: Vec<Vec<u8>> = orders
            .into_iter()
            .map(|order| {
                let mut d = Doc::new();
                for c in order {
                    d.apply_changes([c]).unwrap();
                }
                assert!(d.pending_changes().is_empty());
                d.save()
            })
            .collect();
        let original = replicas[0].save();
        for s in &saved {
            assert!(
                *s == original,
                "seed {seed}: replicas saved different bytes"
            );
        }
    }
}

#[test]
fn waiting_changes_are_saved_and_wait_again() {
    let mut a = Doc::with_actor(actor(1));
    a.transact(|tx| tx.put(ROOT, "x", 1)).unwrap();
    let first = a.changes();
    a.transact(|tx| tx.put(ROOT, "y", 2)).unwrap();
    let second = a.changes_since(&first[0].last_op().into_iter().collect::<Vec<_>>());
    let mut b = Doc::new();
    b.apply_changes(second.unwrap()).unwrap();
    assert_eq!(b.pending_changes().len(), 1);
    let mut loaded = Doc::load(&b.save()).unwrap();
    assert_eq!(loaded.pending_changes(), b.pending_changes());
    assert!(loaded.keys(ROOT).is_empty());
    loaded.apply_changes(first).unwrap();
    assert_eq!(loaded.keys(ROOT), ["x", "y"]);
    assert_eq!(loaded.save(), a.save());
}

#[test]
fn an_empty_document_saves_and_loads() {
    let mut empty = Doc::new();
    assert!(empty.save_incremental().is_empty());
    let loaded = Doc::load(&empty.save()).unwrap();
    assert!(loaded.heads().is_empty() && loaded.keys(ROOT).is_empty());
    // A header alone, or nothing, is not a document.
    for bytes in [&[][..], &[0x89, b'C', b'N', b'D', 1]] {
        assert!(matches!(
            Doc::load(bytes),
            Err(LoadError::Decode(e)) if e.kind == DecodeErrorKind::MissingDocument
        ));
    }
}

#[test]
fn incremental_saves_concatenate() {
    let mut doc = Doc::with_actor(actor(1));
    let text = doc
        .transact(|tx| tx.put_object(ROOT, "text", ObjType::Text))
        .unwrap();
    let mut file = doc.save();
    let base = file.clone();
    assert!(doc.save_incremental().is_empty());
    let mut increments = Vec::new();
    for word in ["hello", " world", "!"] {
        for ch in word.chars() {
            let at = doc.length(text);
            doc.transact(|tx| tx.splice_text(text, at, 0, &ch.to_string()))
                .unwrap();
        }
        let inc = doc.save_incremental();
        assert!(!inc.is_empty());
        file.extend_from_slice(&inc);
        increments.push(inc);
    }
    assert!(doc.save_incremental().is_empty());

    let loaded = Doc::load(&file).unwrap();
    assert_eq!(loaded.text(text).unwrap(), "hello world!");
    assert_eq!(loaded.heads(), doc.heads());

    // Onto the base document, the increments apply in one go and report what they applied.
    let mut other = Doc::load(&base).unwrap();
    let all: Vec<u8> = increments.concat();
    assert_eq!(other.load_incremental(&all), Ok(12));
    assert_eq!(other.text(text).unwrap(), "hello world!");
    // Again: everything is a duplicate.
    assert_eq!(other.load_incremental(&all), Ok(0));
    assert_eq!(other.load_incremental(&file), Ok(0));
    assert_eq!(other.load_incremental(&[]), Ok(0));
    // An incremental save made right after a load holds nothing.
    let mut reloaded = Doc::load(&file).unwrap();
    assert!(reloaded.save_incremental().is_empty());

    // Increments out of order: the later one waits for the earlier.
    let mut late = Doc::load(&base).unwrap();
    assert_eq!(late.load_incremental(&increments[1]), Ok(0));
    assert_eq!(late.pending_changes().len(), 6);
    assert_eq!(late.load_incremental(&increments[0]), Ok(11));
    assert_eq!(late.text(text).unwrap(), "hello world");

    // An increment is not a document.
    assert!(matches!(
        Doc::load(&increments[0]),
        Err(LoadError::Decode(e)) if e.kind == DecodeErrorKind::MissingDocument
    ));
}

/// A document of actor 1 with an empty text, and the random source [`type_keys`] types with.
fn typing_doc(seed: u64) -> (StdRng, Doc, ObjId) {
    let mut doc = Doc::with_actor(actor(1));
    let text = doc
        .transact(|tx| tx.put_object(ROOT, "text", ObjType::Text))
        .unwrap();
    (StdRng::seed_from_u64(seed), doc, text)
}

/// Types `n` random keystrokes into `text`, one change each: typing on, backspacing, a
/// forward delete in the middle, or a jump.
fn type_keys(rng: &mut StdRng, doc: &mut Doc, text: ObjId, n: usize) {
    for _ in 0..n {
        let len = doc.length(text);
        let (at, del, ins) = match rng.gen_range(0..10) {
            0..=5 => (len, 0, "ab"),
            6 | 7 if len > 0 => (len - 1, 1, ""),
            8 if len > 2 => (len / 2, 1, ""),
            _ => (rng.gen_range(0..=len), 0, "é"),
        };
        doc.transact(|tx| tx.splice_text(text, at, del, ins))
            .unwrap();
    }
}

/// Loading reads a run of keystroke changes as one block. A block that is partly here
/// already, or that must wait for another, is cut back into its changes: every cut gives the
/// same document as applying the changes one by one.
#[test]
fn runs_of_keystrokes_load_whole_or_cut() {
    let (mut rng, mut doc, text) = typing_doc(7);
    type_keys(&mut rng, &mut doc, text, 300);
    let changes = doc.changes();
    let file = doc.save();
    for cut in [1, 2, 50, 151, changes.len() - 1] {
        // The first `cut` changes are here: the file's block is a duplicate in part.
        let mut partly = Doc::new();
        partly.apply_changes(changes[..cut].to_vec()).unwrap();
        partly.load_incremental(&file).unwrap();
        assert_eq!(partly.text(text).unwrap(), doc.text(text).unwrap());
        assert_eq!(partly.heads(), doc.heads());
        assert_eq!(partly.changes(), changes);

        // The changes from `cut` on arrive first and wait.
        let mut late = Doc::new();
        late.load_incremental(&encode_changes(&changes[cut..]))
            .unwrap();
        assert_eq!(late.pending_changes().len(), changes.len() - cut);
        late.load_incremental(&encode_changes(&changes[..cut]))
            .unwrap();
        assert!(late.pending_changes().is_empty());
        assert_eq!(late.text(text).unwrap(), doc.text(text).unwrap());
        assert_eq!(late.changes(), changes);
    }
    let loaded = Doc::load(&file).unwrap();
    assert_eq!(loaded.changes(), changes);
    assert_eq!(loaded.clone().save(), file);
}

/// A load applies a long history's blocks as it reads them, a bounded number of ops at a
/// time. Whatever order the chunks of a file come in, the document is the one that made them.
#[test]
fn long_histories_load_in_any_chunk_order() {
    let (mut rng, mut doc, text) = typing_doc(11);
    let base = doc.save();
    let mut increments = Vec::new();
    // Thousands of ops (typing, backspacing, jumps), saved in increments of a few hundred.
    for round in 0..12 {
        type_keys(&mut rng, &mut doc, text, 400);
        if round % 4 == 3 {
            // A change with a message ends a block.
            doc.transact(|tx| {
                tx.set_message("checkpoint");
                tx.splice_text(text, 0, 0, "#")
            })
            .unwrap();
        }
        if round == 5 {
            // One change of 1,500 ops (scattered inserts): a block larger than a load's
            // blocks, whose op list the next blocks are read into.
            doc.transact(|tx| {
                for _ in 0..1_500 {
                    let at = rng.gen_range(0..=tx.length(text));
                    tx.splice_text(text, at, 0, "x")?;
                }
                Ok::<_, DocError>(())
            })
            .unwrap();
        }
        increments.push(doc.save_incremental());
    }
    let changes = doc.changes();
    let file = doc.save();
    let expect = |d: &Doc| {
        assert_eq!(d.text(text).unwrap(), doc.text(text).unwrap());
        assert_eq!(d.heads(), doc.heads());
        assert!(d.pending_changes().is_empty());
        assert_eq!(d.changes(), changes);
        assert_eq!(d.clone().save(), file);
    };
    expect(&Doc::load(&file).unwrap());
    let mut appended = base.clone();
    appended.extend(increments.concat());
    expect(&Doc::load(&appended).unwrap());
    // Into an empty document, in order and last chunk first.
    let mut imported = Doc::new();
    imported.load_incremental(&appended).unwrap();
    expect(&imported);
    let mut reversed: Vec<u8> = increments.iter().rev().flatten().copied().collect();
    reversed.extend_from_slice(&base);
    let mut imported = Doc::new();
    imported.load_incremental(&reversed).unwrap();
    expect(&imported);

    // A change that does not apply, after thousands of ops that did: the load fails, and the
    // empty document that imported the file is a fresh one again. Two documents misuse actor
    // 9: an insert into one's list comes after the other's change, and names no object there.
    let mut a = Doc::with_actor(actor(9));
    let list = a
        .transact(|tx| tx.put_object(ROOT, "l", ObjType::List))
        .unwrap();
    let mut c = a.fork();
    c.transact(|tx| tx.insert(list, 0, 1)).unwrap();
    let insert = encode_changes(&c.changes_since(&a.heads()).unwrap());
    let mut b = doc.fork();
    b.set_actor(actor(9));
    b.transact(|tx| tx.put_object(ROOT, "l", ObjType::Map))
        .unwrap();
    let mut bad = b.save();
    bad.extend_from_slice(&insert);
    assert!(matches!(Doc::load(&bad), Err(LoadError::Apply(_))));
    let mut empty = Doc::with_actor(actor(5));
    assert!(matches!(
        empty.load_incremental(&bad),
        Err(LoadError::Apply(_))
    ));
    assert!(empty.changes().is_empty() && empty.pending_changes().is_empty());
    assert!(render(&empty) == render(&Doc::with_actor(actor(5))));
}

/// An import into an empty document applies changes in the order it is given them, when that
/// is causal order: the document then lists its changes as the one they came from does.
#[test]
fn an_import_keeps_the_order_of_its_changes() {
    let mut doc = sample();
    let changes = doc.changes();
    let mut imported = Doc::new();
    imported
        .load_incremental(&encode_changes(&changes))
        .unwrap();
    assert_eq!(imported.changes(), changes);
    assert!(imported.pending_changes().is_empty());
    assert_eq!(imported.save(), doc.save());
}

/// A file whose changes decode but do not apply is a load error, not a panic, and an
/// incremental load of it changes nothing.
#[test]
fn changes_that_do_not_apply_are_an_apply_error() {
    // Two documents misuse one actor: the op ids of their first changes collide.
    let mut a = Doc::with_actor(actor(1));
    let list = a
        .transact(|tx| tx.put_object(ROOT, "l", ObjType::List))
        .unwrap();
    let mut b = Doc::with_actor(actor(1));
    b.transact(|tx| tx.put_object(ROOT, "l", ObjType::Map))
        .unwrap();
    // An insert into a's list depends on a's change, which b's change seems to be.
    let mut c = a.fork();
    c.transact(|tx| tx.insert(list, 0, 1)).unwrap();
    let insert = encode_changes(&c.changes_since(&a.heads()).unwrap());
    let mut file = b.save();
    file.extend_from_slice(&insert);
    assert!(matches!(Doc::load(&file), Err(LoadError::Apply(_))));
    let before = (b.clone().save(), render(&b));
    assert!(matches!(
        b.load_incremental(&insert),
        Err(LoadError::Apply(_))
    ));
    assert!((b.clone().save(), render(&b)) == before);
    // An empty document that imports the file applies b's change, fails on the insert, and
    // is empty again, as a fresh document of its actor.
    let mut empty = Doc::with_actor(actor(5));
    assert!(matches!(
        empty.load_incremental(&file),
        Err(LoadError::Apply(_))
    ));
    assert_eq!(empty.actor(), actor(5));
    assert!(empty.changes().is_empty() && empty.pending_changes().is_empty());
    assert!(render(&empty) == render(&Doc::with_actor(actor(5))));
    let mut fresh = Doc::with_actor(actor(5));
    for d in [&mut empty, &mut fresh] {
        d.transact(|tx| tx.put(ROOT, "k", 1)).unwrap();
    }
    assert_eq!(empty.save(), fresh.save());
}

/// A small document with every kind of op and value, used by the corruption tests.
fn sample() -> Doc {
    let mut replicas = random_replicas(7, 40);
    let others: Vec<Doc> = replicas[1..].to_vec();
    for other in &others {
        replicas[0].merge(other).unwrap();
    }
    replicas.swap_remove(0)
}

#[test]
fn every_truncation_is_an_error() {
    let mut doc = sample();
    let bytes = doc.save();
    let mut target = Doc::with_actor(actor(9));
    target.transact(|tx| tx.put(ROOT, "k", 1)).unwrap();
    let before = target.clone().save();
    for len in 0..bytes.len() {
        let cut = &bytes[..len];
        assert!(Doc::load(cut).is_err(), "a prefix of {len} bytes loaded");
        match target.load_incremental(cut) {
            // Nothing, or the header alone: a file with no chunks.
            Ok(n) => assert!(n == 0 && (len == 0 || len == 5), "{len} bytes applied"),
            Err(_) => assert!(target.clone().save() == before),
        }
    }
}

#[test]
fn single_byte_corruptions_are_errors() {
    let mut doc = sample();
    let bytes = doc.save();
    let mut target = Doc::with_actor(actor(9));
    target.transact(|tx| tx.put(ROOT, "k", 1)).unwrap();
    let before = (target.clone().save(), render(&target));
    for i in 0..bytes.len() {
        for flip in [0x01, 0x10, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[i] ^= flip;
            assert!(Doc::load(&bad).is_err(), "byte {i} ^ {flip:#x} loaded");
            assert!(target.load_incremental(&bad).is_err());
            assert!((target.clone().save(), render(&target)) == before);
        }
    }
}

/// CRC-32 (IEEE), written out from the specification, independently of the crate.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A file with one chunk, built by hand from the specification.
fn handmade(typ: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x89, b'C', b'N', b'D', 4, typ];
    let mut n = payload.len();
    loop {
        let low = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(low);
            break;
        }
        out.push(low | 0x80);
    }
    let mut covered = vec![typ];
    covered.extend_from_slice(payload);
    out.extend_from_slice(&crc32(&covered).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The worked example of `docs/format.md`, byte for byte.
#[test]
fn the_worked_example_of_the_specification() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    let mut doc = Doc::with_actor(actor(1));
    doc.transact(|tx| {
        tx.put(ROOT, "k", 1)?;
        let t = tx.put_object(ROOT, "t", ObjType::Text)?;
        tx.splice_text(t, 0, 0, "hi")
    })
    .unwrap();
    let mut payload = vec![0x01, 0x01];
    payload.extend([0x01; 16]);
    let columns: [&[u8]; 37] = [
        &[0x08, 0x01, 0x00],
        &[0x08, 0x01, 0x02],
        &[0x08, 0x01, 0x00],
        &[0x00],
        &[0x00],
        &[0x00],
        &[0x08, 0x01, 0x00],
        &[0x08, 0x01, 0x00],
        &[0x08, 0x00, 0x01],
        &[0x00],
        &[0x08, 0x01, 0x00],
        &[0x00],
        &[0x00],
        &[0x00],
        &[0x00],
        &[0x10, 0x00, 0x02, 0x01, 0x00],
        &[0x08, 0x01, 0x04],
        &[0x0c, 0x1a, 0x1a, 0x07],
        &[0x14, 0x03, 0x01, 0x6b, 0x01, 0x74],
        &[0x00],
        &[0x00],
        &[0x08, 0x04, 0x00],
        &[0x00],
        &[0x00],
        &[0x0c, 0x03, 0x14, 0x0c],
        &[0x04, 0x02],
        &[0x00],
        &[0x00],
        &[0x08, 0x00, 0x01],
        &[0x00],
        &[0x00],
        &[0x00],
        &[0x08, 0x01, 0x02],
        &[0x08, 0x68, 0x69],
        &[0x00],
        &[0x00],
        &[0x00],
    ];
    payload.extend(columns.concat());
    let file = handmade(0x01, &payload);
    let saved = doc.save();
    assert_eq!(saved, file);
    assert_eq!(file.len(), 106);
    assert_eq!(&file[6..12], &[0x5f, 0x4c, 0xbf, 0xb4, 0xe8, 0x01]);
}

#[test]
fn lengths_beyond_the_input_are_errors() {
    // A chunk that declares 2^40 bytes and has 3.
    let mut bytes = vec![0x89, b'C', b'N', b'D', 1, 0x02];
    bytes.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    bytes.extend_from_slice(&[0, 0, 0, 0, b'a', b'b', b'c']);
    let err = decode_changes(&bytes).unwrap_err();
    assert_eq!(
        err.kind,
        DecodeErrorKind::LengthBeyondInput {
            length: 1 << 40,
            remaining: 3
        }
    );
    assert_eq!(err.offset, 16);
    // Inside a chunk: no changes, then an actor table of 2^42 actors in a few bytes.
    let payload = [0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    let err = decode_changes(&handmade(0x02, &payload)).unwrap_err();
    assert!(matches!(
        err.kind,
        DecodeErrorKind::LengthBeyondInput { remaining: 0, .. }
    ));
    // An empty chunk of changes, written from the specification: no changes, no actors, and
    // 37 empty columns. Without its columns it is truncated.
    let mut payload = vec![0, 0];
    payload.extend([0; 37]);
    let mut empty = handmade(0x02, &payload);
    assert_eq!(empty, encode_changes(&[]));
    assert_eq!(decode_changes(&empty), Ok(vec![]));
    let err = decode_changes(&handmade(0x02, &[0, 0])).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::Truncated);
    // An unknown ancillary chunk is skipped, an unknown critical one is refused.
    empty.extend_from_slice(&handmade(0x41, b"a future snapshot")[5..]);
    assert_eq!(decode_changes(&empty), Ok(vec![]));
    let err = decode_changes(&handmade(0x03, b"?")).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::UnknownChunkType(3));
}

/// The seeded driver of the fuzzing harness: random bytes, and saved documents with bytes
/// flipped, inserted, removed and chunks spliced (the harness also retries each input with its
/// checksums fixed, which lets the mutations reach the decoder).
#[test]
fn fuzz_harness_on_random_and_mutated_inputs() {
    let mut rng = StdRng::seed_from_u64(0xc0c0);
    let mut seeds: Vec<Vec<u8>> = (0..4)
        .map(|s| random_replicas(s, 25).swap_remove(0).save())
        .collect();
    let mut inc = random_replicas(9, 10).swap_remove(1);
    seeds.push(inc.save());
    inc.transact(|tx| tx.put(ROOT, "z", "tail")).unwrap();
    seeds.push(inc.save_incremental());
    for _ in 0..300 {
        let len = rng.gen_range(0..64);
        let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        concord::fuzzing::load(&bytes);
    }
    for i in 0..3000 {
        let mut bytes = seeds[i % seeds.len()].clone();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..bytes.len());
            match rng.gen_range(0..5) {
                0 => bytes[at] = rng.gen(),
                1 => bytes[at] ^= 1 << rng.gen_range(0..8),
                2 => bytes.insert(at, rng.gen()),
                3 if bytes.len() > 1 => {
                    bytes.remove(at);
                }
                _ => {
                    let other = &seeds[rng.gen_range(0..seeds.len())];
                    let from = rng.gen_range(0..other.len());
                    let to = (from + rng.gen_range(1..16)).min(other.len());
                    bytes.splice(at..at, other[from..to].iter().copied());
                }
            }
        }
        concord::fuzzing::load(&bytes);
    }
}

fn replay(name: &str) -> (Doc, ObjId, String) {
    let trace = load_sequential(name);
    let (doc, text) = crate::common::replay_sequential(&trace);
    (doc, text, trace.end_content)
}

/// The editing traces round-trip, history and all; their sizes are printed (`--nocapture`), not asserted.
#[test]
fn traces_round_trip() {
    for name in sequential_names() {
        let (mut doc, text, end) = replay(name);
        let bytes = doc.save();
        let loaded = Doc::load(&bytes).unwrap();
        assert!(loaded.text(text).unwrap() == end, "{name}");
        assert_eq!(loaded.heads(), doc.heads(), "{name}");
        // Loading reads the keystrokes in blocks: the history must come back change for change.
        let changes = doc.changes();
        assert!(loaded.changes() == changes, "{name}: the history differs");
        let changes = changes.len();
        println!(
            "{name}: {changes} changes, {} bytes, {:.2} bytes per change",
            bytes.len(),
            bytes.len() as f64 / changes as f64
        );
    }
}

/// How long saving and loading automerge-paper take:
/// `cargo test --release -p concord --test concord -- --ignored --nocapture save_and_load_time`.
#[test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
fn save_and_load_time() {
    let (mut doc, text, end) = replay("automerge-paper");
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap()
    };
    let mut bytes = Vec::new();
    let save = best(&mut || bytes = doc.save());
    let decode = best(&mut || drop(decode_changes(&bytes).unwrap()));
    let load = best(&mut || drop(Doc::load(&bytes).unwrap()));
    assert!(Doc::load(&bytes).unwrap().text(text).unwrap() == end);
    println!(
        "automerge-paper: {} bytes; save {save:?}, decode {decode:?}, load {load:?}",
        bytes.len()
    );
}

/// The document of the golden files: every kind of op and value, a conflict, a message, a time
/// and nested groups, by fixed actors.
fn golden_doc() -> (Doc, Doc) {
    let mut a = Doc::with_actor(actor(0xaa));
    a.transact(|tx| {
        tx.set_message("every kind of value");
        tx.set_time(1_700_000_000_000);
        tx.put(ROOT, "null", ())?;
        tx.put(ROOT, "true", true)?;
        tx.put(ROOT, "false", false)?;
        tx.put(ROOT, "int", -7)?;
        tx.put(ROOT, "uint", 7u64)?;
        tx.put(ROOT, "f64", 0.5)?;
        tx.put(ROOT, "str", "héllo")?;
        tx.put(ROOT, "bytes", vec![0u8, 1, 255])?;
        tx.put(ROOT, "counter", ScalarValue::counter(10))?;
        tx.put(ROOT, "time", ScalarValue::Timestamp(-1))?;
        tx.put(ROOT, "gone", "soon")?;
        let map = tx.put_object(ROOT, "map", ObjType::Map)?;
        tx.put(map, "inner", 1)?;
        let list = tx.put_object(ROOT, "list", ObjType::List)?;
        tx.splice(list, 0, 0, [1, 2, 3])?;
        tx.insert_object(list, 3, ObjType::Text)?;
        let text = tx.put_object(ROOT, "text", ObjType::Text)?;
        tx.splice_text(text, 0, 0, "hello wörld 😀")
    })
    .unwrap();
    let mut b = a.fork();
    b.set_actor(actor(0xbb));
    a.transact(|tx| {
        tx.set_message("edits in groups");
        tx.group("outer", |tx| {
            tx.put(ROOT, "str", "mine")?;
            tx.increment(ROOT, "counter", 5)?;
            tx.delete(ROOT, "gone")?;
            tx.group("inner", |tx| {
                let list = ObjId::from(tx.get(ROOT, "list")?.unwrap().1);
                tx.put(list, 1, "two")?;
                tx.delete(list, 0)
            })
        })
    })
    .unwrap();
    b.transact(|tx| {
        tx.put(ROOT, "str", "concurrent")?;
        let text = ObjId::from(tx.get(ROOT, "text")?.unwrap().1);
        tx.splice_text(text, 6, 5, "world")?;
        tx.increment(ROOT, "counter", -2)
    })
    .unwrap();
    a.merge(&b).unwrap();
    let before_tail = a.clone();
    a.transact(|tx| {
        tx.set_time(1_700_000_000_001);
        let text = ObjId::from(tx.get(ROOT, "text")?.unwrap().1);
        tx.splice_text(text, 0, 1, "H")
    })
    .unwrap();
    (before_tail, a)
}

fn golden_path(name: &str) -> std::path::PathBuf {
    testdata_dir().join("golden").join(name)
}

/// Where the golden files of each format version are: version 1's at the top of the folder,
/// each later version's in its own folder.
const GOLDEN_VERSIONS: [&str; 4] = ["", "v2/", "v3/", "v4/"];

/// The folder of the version this build writes.
const GOLDEN_CURRENT: &str = "v4/";

/// A document with a long text, typed in a few transactions, whose text column is large
/// enough to be compressed.
fn golden_long_text() -> (Doc, String) {
    let mut doc = Doc::with_actor(actor(3));
    let text = doc
        .transact(|tx| tx.put_object(ROOT, "text", ObjType::Text))
        .unwrap();
    let mut expected = String::new();
    for i in 0..60 {
        let line = format!(
            "line {i}: the quick brown fox jumps over the lazy dog ({})\n",
            i * i
        );
        let at = doc.length(text);
        doc.transact(|tx| tx.splice_text(text, at, 0, &line))
            .unwrap();
        expected.push_str(&line);
    }
    (doc, expected)
}

#[test]
fn golden_files_still_load() {
    let read = |name: &str| std::fs::read(golden_path(name)).unwrap();
    // What the files must load to, in the rendering of `common::render`.
    let expected = |name| String::from_utf8(read(name)).unwrap();
    for dir in GOLDEN_VERSIONS {
        let document = read(&format!("{dir}document.concord"));
        let incremental = read(&format!("{dir}incremental.concord"));
        let loaded = Doc::load(&document).unwrap();
        assert_eq!(render(&loaded), expected("document.expected"), "{dir}");
        let mut both = document.clone();
        both.extend_from_slice(&incremental);
        let loaded = Doc::load(&both).unwrap();
        assert_eq!(render(&loaded), expected("incremental.expected"), "{dir}");
        let text = ObjId::from(loaded.get(ROOT, "text").unwrap().unwrap().1);
        assert_eq!(loaded.text(text).unwrap(), "Hello world 😀");
        assert_eq!(loaded.changes()[1].message(), Some("edits in groups"));
        assert_eq!(loaded.get_all(ROOT, "str").unwrap().len(), 2);
    }

    // Files saved by an older build, with an increment appended by a newer one.
    for (old, new) in [("", "v2/"), ("v2/", "v3/"), ("v3/", GOLDEN_CURRENT)] {
        let mut mixed = read(&format!("{old}document.concord"));
        mixed.extend(read(&format!("{new}incremental.concord")));
        let loaded = Doc::load(&mixed).unwrap();
        assert_eq!(render(&loaded), expected("incremental.expected"), "{new}");
    }

    // Today's encoder still writes exactly these bytes for the same document.
    let document = read(&format!("{GOLDEN_CURRENT}document.concord"));
    let incremental = read(&format!("{GOLDEN_CURRENT}incremental.concord"));
    let (mut base, full) = golden_doc();
    assert!(
        base.save() == document,
        "the encoding of the golden document changed"
    );
    let mut reloaded = Doc::load(&document).unwrap();
    reloaded.apply_changes(full.changes()).unwrap();
    assert!(reloaded.save_incremental() == incremental);

    // A compressed text column, in every version that has Brotli.
    let (mut doc, expected_text) = golden_long_text();
    for dir in ["v2/", "v3/", GOLDEN_CURRENT] {
        let long = read(&format!("{dir}long-text.concord"));
        let loaded = Doc::load(&long).unwrap();
        let text = ObjId::from(loaded.get(ROOT, "text").unwrap().unwrap().1);
        assert_eq!(loaded.text(text).unwrap(), expected_text, "{dir}");
        assert_eq!(loaded.changes(), doc.changes(), "{dir}");
    }
    let long = read(&format!("{GOLDEN_CURRENT}long-text.concord"));
    assert!(doc.save() == long, "the encoding of the long text changed");
}

#[test]
#[ignore = "writes missing golden files"]
fn write_missing_golden_files() {
    let (mut base, full) = golden_doc();
    let document = base.save();
    let mut loaded = Doc::load(&document).unwrap();
    loaded.apply_changes(full.changes()).unwrap();
    let incremental = loaded.save_incremental();
    let mut both = document.clone();
    both.extend_from_slice(&incremental);
    let current = |name: &str| format!("{GOLDEN_CURRENT}{name}");
    let files = [
        (current("document.concord"), document.clone()),
        (current("incremental.concord"), incremental),
        (current("long-text.concord"), golden_long_text().0.save()),
        ("document.expected".to_owned(), render(&base).into_bytes()),
        (
            "incremental.expected".to_owned(),
            render(&Doc::load(&both).unwrap()).into_bytes(),
        ),
    ];
    for (name, bytes) in files {
        let path = golden_path(&name);
        if !path.exists() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
}
