//! The concurrent trace replayed two ways (throughput in transactions): one replica per agent
//! exchanging one encoded message per transaction (the `replicas` figure of the trace tool),
//! and one document per live branch, forked and merged as the transaction graph asks (the
//! `concurrent` figure). Then the import of the whole concurrent history, encoded as changes,
//! into a fresh document, plus a text read (`concurrent_import`, the trace tool's
//! `import_ms`).

#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use concord::{encode_changes, Doc, ReadDoc};
use concord_benches::{load_concurrent, replay_forked, replay_replicas, ConcurrentTrace};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn replicas(c: &mut Criterion) {
    let trace = load_concurrent("friendsforever");
    replay_group(c, "replicas", &trace, |t| {
        replay_replicas(t).expect("every message loads")
    });
    replay_group(c, "concurrent", &trace, |t| {
        replay_forked(t).expect("every merge applies")
    });
    let run = replay_forked(&trace).expect("every merge applies");
    let history = encode_changes(&run.doc.changes());
    replay_group(c, "concurrent_import", &trace, |_| {
        let mut fresh = Doc::new();
        fresh
            .load_incremental(&history)
            .expect("the history imports");
        fresh.text(run.text).expect("the text object exists")
    });
}

/// A group timing `replay` on the trace, throughput in transactions.
fn replay_group<R>(
    c: &mut Criterion,
    group: &str,
    trace: &ConcurrentTrace,
    replay: impl Fn(&ConcurrentTrace) -> R,
) {
    let mut group = c.benchmark_group(group);
    group.sample_size(10);
    group.throughput(Throughput::Elements(trace.txn_count() as u64));
    group.bench_function("friendsforever", |b| b.iter(|| replay(trace)));
    group.finish();
}

criterion_group!(benches, replicas);
criterion_main!(benches);
