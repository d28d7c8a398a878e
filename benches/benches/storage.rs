//! Storage over every sequential trace: `save` (encode), `Doc::load` plus a text read
//! (decode), and importing the whole history as encoded changes plus a text read (merge).
//! Throughput in the trace's patches.

#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord::{encode_changes, Doc, ReadDoc};
use concord_benches::{load_sequential, replay_local, sequential_names};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn storage(c: &mut Criterion) {
    for name in sequential_names() {
        let trace = load_sequential(name);
        let patches: usize = trace.txns.iter().map(|t| t.patches.len()).sum();
        let (mut doc, text) = replay_local(&trace);
        let saved = doc.save();
        let updates = encode_changes(&doc.changes());

        let mut group = c.benchmark_group("storage");
        group.sample_size(10);
        group.throughput(Throughput::Elements(patches as u64));
        group.bench_function(BenchmarkId::new("encode", name), |b| b.iter(|| doc.save()));
        group.bench_function(BenchmarkId::new("decode", name), |b| {
            b.iter(|| {
                let loaded = Doc::load(&saved).expect("a saved document loads");
                loaded.text(text).expect("the text object exists")
            })
        });
        group.bench_function(BenchmarkId::new("merge", name), |b| {
            b.iter(|| {
                let mut fresh = Doc::new();
                fresh
                    .load_incremental(&updates)
                    .expect("the history imports");
                fresh.text(text).expect("the text object exists")
            })
        });
        group.finish();
    }
}

criterion_group!(benches, storage);
criterion_main!(benches);
