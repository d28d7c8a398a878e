//! The concurrent trace with one replica per agent exchanging one encoded message per
//! transaction (the `replicas` figure of the trace tool). Throughput in transactions.

#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord_benches::{load_concurrent, replay_replicas};
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

criterion_group!(benches, replicas);
criterion_main!(benches);
