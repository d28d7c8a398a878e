//! Storage over every sequential trace: `save` (encode), `Doc::load` plus a text read
//! (decode), and importing the whole history as encoded changes plus a text read (merge).
//! Throughput in the trace's patches. The same for the trace replayed into a list of scalars
//! (`storage_list`, the list read back as a string).

#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord::{encode_changes, Doc, ReadDoc};
use concord_benches::{
    list_text, load_sequential, replay_local, replay_local_list, sequential_names,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn storage(c: &mut Criterion) {
    for name in sequential_names() {
        let trace = load_sequential(name);
        let patches: usize = trace.patch_count();
        let (doc, text) = replay_local(&trace);
        storage_group(c, ("storage", name, patches), doc, |d| {
            d.text(text).expect("the text object exists")
        });
        let (doc, list) = replay_local_list(&trace);
        storage_group(c, ("storage_list", name, patches), doc, |d| {
            list_text(d, list)
        });
    }
}

/// Times saving `doc`, loading it and importing its changes, each load followed by `read`.
fn storage_group(
    c: &mut Criterion,
    (group, name, patches): (&str, &str, usize),
    mut doc: Doc,
    read: impl Fn(&Doc) -> String,
) {
    let saved = doc.save();
    let updates = encode_changes(&doc.changes());
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    group.throughput(Throughput::Elements(patches as u64));
    group.bench_function(BenchmarkId::new("encode", name), |b| b.iter(|| doc.save()));
    group.bench_function(BenchmarkId::new("decode", name), |b| {
        b.iter(|| read(&Doc::load(&saved).expect("a saved document loads")))
    });
    group.bench_function(BenchmarkId::new("merge", name), |b| {
        b.iter(|| {
            let mut fresh = Doc::new();
            fresh
                .load_incremental(&updates)
                .expect("the history imports");
            read(&fresh)
        })
    });
    group.finish();
}

criterion_group!(benches, storage);
criterion_main!(benches);
