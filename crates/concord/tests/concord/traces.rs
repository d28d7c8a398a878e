//! The recorded editing traces replayed through the public API must give exactly the text
//! their authors ended with.

use std::collections::HashSet;

use concord::{Doc, OpId, ReadDoc};
use concord_testkit::{load_concurrent, load_sequential, sequential_names};

use crate::common::{actor, apply_patches, replay_sequential, text_doc};

#[test]
fn sequential_traces_replay_to_their_end_content() {
    for name in sequential_names() {
        let trace = load_sequential(name);
        let (doc, text) = replay_sequential(&trace);
        assert!(doc.text(text).unwrap() == trace.end_content, "{name}");
        assert_eq!(
            doc.length(text),
            trace.end_content.chars().count(),
            "{name}"
        );
    }
}

/// Collects the changes `replica` lacks to be at `heads` (and their missing dependencies).
fn missing(replica: &Doc, archive: &Doc, heads: &[OpId]) -> Vec<concord::Change> {
    let mut stack: Vec<OpId> = heads.to_vec();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    while let Some(h) = stack.pop() {
        if replica.change(h).is_some() || !seen.insert(h) {
            continue;
        }
        let change = archive.change(h).expect("the archive has every change");
        stack.extend_from_slice(change.deps());
        out.push(change.clone());
    }
    out
}

/// friendsforever: two people typing at once. One replica per agent; each transaction is made
/// on the state after merging exactly its parents. No two agents insert concurrently at the
/// same place, so the result must not depend on how the actors compare: run both orders.
#[test]
fn concurrent_trace_replays_with_one_replica_per_agent() {
    let trace = load_concurrent("friendsforever");
    replay_concurrent(&trace, |agent| actor(1 + agent as u8));
    replay_concurrent(&trace, |agent| actor(200 - agent as u8));
}

fn replay_concurrent(
    trace: &concord_testkit::ConcurrentTrace,
    actor_of: impl Fn(usize) -> concord::ActorId,
) {
    let (setup, text) = text_doc();
    let mut replicas: Vec<Doc> = (0..trace.num_agents)
        .map(|i| {
            let mut d = setup.fork();
            d.set_actor(actor_of(i));
            d
        })
        .collect();
    let mut archive = setup.clone();
    let mut heads_after: Vec<Vec<OpId>> = Vec::with_capacity(trace.txn_count());
    for txn in trace.txns() {
        let mut parents: Vec<OpId> = txn
            .parents
            .iter()
            .flat_map(|&p| heads_after[p].iter().copied())
            .collect();
        if parents.is_empty() {
            parents = setup.heads();
        }
        let replica = &mut replicas[txn.agent];
        let changes = missing(replica, &archive, &parents);
        replica.apply_changes(changes).unwrap();
        assert!(replica.pending_changes().is_empty());
        apply_patches(replica, text, txn.patches());
        let heads = replica.heads();
        let new = missing(&archive, replica, &heads);
        archive.apply_changes(new).unwrap();
        heads_after.push(heads);
    }
    assert!(archive.text(text).unwrap() == trace.end_content);
    for r in &mut replicas {
        r.merge(&archive).unwrap();
        assert_eq!(r.heads(), archive.heads());
        assert!(r.text(text).unwrap() == trace.end_content);
    }
}
