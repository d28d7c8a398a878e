//! Local replay: every transaction of a sequential trace applied as a local transaction to a
//! fresh document (the `local` figure of the trace tool), throughput in patches; and the same
//! replay into a list of scalars (`local_list`), one element per character; and the text
//! replay with a second replica that applies each transaction's changes as they are made
//! (`local_followed`).
#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord_benches::{
    load_sequential, replay_followed, replay_local, replay_local_list, sequential_names,
    SequentialTrace,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn local(c: &mut Criterion) {
    let traces: Vec<_> = sequential_names()
        .into_iter()
        .map(|name| (name, load_sequential(name)))
        .collect();
    replay_group(c, "local", &traces, replay_local);
    replay_group(c, "local_list", &traces, replay_local_list);
    replay_group(c, "local_followed", &traces, replay_followed);
}

/// A group timing `replay` on every trace, throughput in patches.
fn replay_group<R>(
    c: &mut Criterion,
    group: &str,
    traces: &[(&str, SequentialTrace)],
    replay: impl Fn(&SequentialTrace) -> R,
) {
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    for (name, trace) in traces {
        let patches: usize = trace.patch_count();
        group.throughput(Throughput::Elements(patches as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), trace, |b, t| {
            b.iter(|| replay(t))
        });
    }
    group.finish();
}

criterion_group!(benches, local);
criterion_main!(benches);
