//! The JSON view of a document: JSON Patch applied to a large map, the patch between versions
//! of an edited text (and list), a document read as JSON, and a three-way merge of plain JSON.
#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord::{Doc, DocError, ObjType, ReadDoc, ROOT};
use concord_benches::{load_sequential, replay_local, text_doc, Txn};
use concord_json::{
    apply_patch, diff, merge3, to_json, write_json, JsonOptions, JsonPointer, MergeOptions, Patch,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::{json, Map, Value};

const KEYS: usize = 10_000;

fn key(i: usize) -> String {
    format!("k{i:05}")
}

/// `{"k00000": 0, ...}` with `KEYS` members.
fn keyed(n: usize) -> Value {
    Value::Object((0..n).map(|i| (key(i), json!(i))).collect::<Map<_, _>>())
}

/// 1,000 ops on a 10,000-key document: replaces, adds, removes and tests, spread over the keys.
fn apply(c: &mut Criterion) {
    let mut doc = Doc::new();
    doc.transact(|tx| write_json(tx, &JsonPointer::root(), &keyed(KEYS), &JsonOptions::new()))
        .expect("an object");
    let ops: Vec<Value> = (0..1000)
        .map(|i| {
            let path = format!("/{}", key(i * 7 % KEYS));
            match i % 4 {
                0 => json!({"op": "replace", "path": path, "value": {"n": i, "tags": ["a", "b"]}}),
                1 => json!({"op": "add", "path": format!("/new{i}"), "value": "x"}),
                2 => json!({"op": "remove", "path": path}),
                _ => json!({"op": "test", "path": path, "value": i * 7 % KEYS}),
            }
        })
        .collect();
    let patch: Patch = serde_json::from_value(Value::Array(ops)).expect("a patch");
    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Elements(patch.len() as u64));
    group.bench_function("apply_patch/10k-keys", |b| {
        b.iter_batched(
            || doc.clone(),
            |mut d| apply_patch(&mut d, &patch).expect("the patch applies"),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// The patch between consecutive checkpoints of the automerge-paper history: as a text (one
/// replace per checkpoint), and as a list of characters (inserts and removes by element id)
/// over the first 20,000 transactions.
fn diffs(c: &mut Criterion) {
    let trace = load_sequential("automerge-paper");
    let checkpoints = 10;
    let every = trace.txn_count() / checkpoints;

    let (mut text_doc_, text) = text_doc();
    let mut text_heads = vec![text_doc_.heads()];
    for (i, txn) in trace.txns().enumerate() {
        concord_benches::apply_patches(&mut text_doc_, text, txn.patches());
        if (i + 1) % every == 0 {
            text_heads.push(text_doc_.heads());
        }
    }

    let list_txns: Vec<Txn<'_>> = trace.txns().take(20_000).collect();
    let mut list_doc = Doc::new();
    let list = list_doc
        .transact(|tx| tx.put_object(ROOT, "chars", ObjType::List))
        .expect("a list");
    let mut list_heads = vec![list_doc.heads()];
    for (i, txn) in list_txns.iter().enumerate() {
        list_doc
            .transact(|tx| {
                for p in txn.patches() {
                    for _ in 0..p.del {
                        tx.delete(list, p.pos)?;
                    }
                    tx.splice(list, p.pos, 0, p.ins.chars())?;
                }
                Ok::<_, DocError>(())
            })
            .expect("trace patches stay within the list");
        if (i + 1) % (list_txns.len() / checkpoints) == 0 {
            list_heads.push(list_doc.heads());
        }
    }

    let mut group = c.benchmark_group("json");
    group.sample_size(10);
    let patches = |txns: &[Txn<'_>]| txns.iter().map(|t| t.patches().len()).sum::<usize>();
    group.throughput(Throughput::Elements(trace.patch_count() as u64));
    group.bench_function("diff/automerge-paper-text", |b| {
        b.iter(|| {
            text_heads
                .windows(2)
                .map(|w| diff(&text_doc_, &w[0], &w[1]).expect("known heads").len())
                .sum::<usize>()
        })
    });
    group.throughput(Throughput::Elements(patches(&list_txns) as u64));
    group.bench_function("diff/automerge-paper-list-20k", |b| {
        b.iter(|| {
            list_heads
                .windows(2)
                .map(|w| diff(&list_doc, &w[0], &w[1]).expect("known heads").len())
                .sum::<usize>()
        })
    });
    group.finish();
}

/// The automerge-paper document read as JSON, throughput in characters.
fn read(c: &mut Criterion) {
    let trace = load_sequential("automerge-paper");
    let (doc, _) = replay_local(&trace);
    let mut group = c.benchmark_group("json");
    group.throughput(Throughput::Elements(
        trace.end_content.chars().count() as u64
    ));
    group.bench_function("to_json/automerge-paper", |b| {
        b.iter(|| to_json(&doc).expect("readable"))
    });
    group.finish();
}

/// Two 10,000-key values, each changing 1% of the keys (half of them the same keys on both
/// sides, so some collide), merged against the snapshot.
fn merge(c: &mut Criterion) {
    let base = keyed(KEYS);
    let changed = |offset: usize| {
        let mut v = base.clone();
        for i in 0..KEYS / 100 {
            let k = key((i * 97 + offset * (i % 2)) % KEYS);
            v[&k] = json!(format!("changed {offset}"));
        }
        v
    };
    let (local, remote) = (changed(1), changed(2));
    let mut group = c.benchmark_group("json");
    group.sample_size(20);
    group.throughput(Throughput::Elements(KEYS as u64));
    group.bench_function("merge3/10k-keys-1pct", |b| {
        b.iter(|| merge3(&base, &local, &remote, &MergeOptions::new()).expect("shallow values"))
    });
    group.finish();
}

criterion_group!(benches, apply, diffs, read, merge);
criterion_main!(benches);
