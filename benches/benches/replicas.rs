//! The concurrent trace replayed two ways (throughput in transactions): one replica per agent
//! exchanging one encoded message per transaction (the `replicas` figure of the trace tool),
//! and one document per live branch, forked and merged as the transaction graph asks (the
//! `concurrent` figure).

#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord_benches::{load_concurrent, replay_forked, replay_replicas};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn replicas(c: &mut Criterion) {
    let trace = load_concurrent("friendsforever");
    let mut group = c.benchmark_group("replicas");
    group.sample_size(10);
    group.throughput(Throughput::Elements(trace.txns.len() as u64));
    group.bench_function("friendsforever", |b| {
        b.iter(|| replay_replicas(&trace).expect("every message loads"))
    });
    group.finish();
}

fn concurrent(c: &mut Criterion) {
    let trace = load_concurrent("friendsforever");
    let mut group = c.benchmark_group("concurrent");
    group.sample_size(10);
    group.throughput(Throughput::Elements(trace.txns.len() as u64));
    group.bench_function("friendsforever", |b| {
        b.iter(|| replay_forked(&trace).expect("every merge applies"))
    });
    group.finish();
}

criterion_group!(benches, replicas, concurrent);
criterion_main!(benches);
