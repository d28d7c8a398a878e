//! Local replay: every transaction of a sequential trace applied as a local transaction to a
//! fresh document (the `local` figure of the trace tool), throughput in patches.
#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord_benches::{load_sequential, replay_local, sequential_names};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn local(c: &mut Criterion) {
    let mut group = c.benchmark_group("local");
    group.sample_size(10);
    for name in sequential_names() {
        let trace = load_sequential(name);
        let patches: usize = trace.txns.iter().map(|t| t.patches.len()).sum();
        group.throughput(Throughput::Elements(patches as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &trace, |b, t| {
            b.iter(|| replay_local(t))
        });
    }
    group.finish();
}

criterion_group!(benches, local);
criterion_main!(benches);
