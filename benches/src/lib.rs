//! Criterion benchmarks of Concord. The benches live in `benches/` beside this file, one file
//! per concern; this library holds what they and the `concord-trace` tool share.
//!
//! Run them with `cargo bench -p concord-benches`; CI only builds them (`cargo bench --no-run`).
//! A benchmark never asserts a time: the figures are read, compared and reported.

use std::time::Instant;

use concord::{encode_changes, Doc, DocError, LoadError, ObjId, ObjType, ReadDoc, ROOT};
pub use concord_testkit::trace::{
    load_concurrent, load_sequential, sequential_names, ConcurrentTrace, Patch, SequentialTrace,
};

/// A fresh document holding one text object, and that object.
pub fn text_doc() -> (Doc, ObjId) {
    let mut doc = Doc::new();
    let text = doc
        .transact(|tx| tx.put_object(ROOT, "text", ObjType::Text))
        .expect("a fresh document takes a text");
    (doc, text)
}

/// Applies one trace transaction's patches as one local transaction.
pub fn apply_patches(doc: &mut Doc, text: ObjId, patches: &[Patch]) {
    doc.transact(|tx| {
        for p in patches {
            tx.splice_text(text, p.pos, p.del, &p.ins)?;
        }
        Ok::<_, DocError>(())
    })
    .expect("trace patches stay within the text");
}

/// Replays a sequential trace into a fresh document, one transaction per trace transaction.
pub fn replay_local(t: &SequentialTrace) -> (Doc, ObjId) {
    let (mut doc, text) = text_doc();
    if !t.start_content.is_empty() {
        doc.transact(|tx| tx.splice_text(text, 0, 0, &t.start_content))
            .expect("start content");
    }
    for txn in &t.txns {
        apply_patches(&mut doc, text, &txn.patches);
    }
    (doc, text)
}

/// What [`replay_replicas`] leaves: every replica, up to date, and what the exchange cost.
pub struct ReplicaRun {
    /// One replica per agent, each holding every change at the end.
    pub docs: Vec<Doc>,
    /// The text object they share.
    pub text: ObjId,
    /// The sum of the sizes of the messages.
    pub message_bytes: usize,
    /// How many messages replicas received before their transactions.
    pub deliveries: usize,
    /// Milliseconds spent making local transactions and their messages.
    pub local_ms: f64,
    /// Milliseconds spent receiving messages.
    pub receive_ms: f64,
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Replays a concurrent trace with one replica per agent, as the peers' harness does: each
/// transaction's change travels as an encoded message (`encode_changes`), delivered to a
/// replica, in order, right before the first transaction on it whose causal past holds it. At
/// the end every replica receives what it still lacks.
///
/// # Errors
/// A message that does not load (a bug).
pub fn replay_replicas(t: &ConcurrentTrace) -> Result<ReplicaRun, LoadError> {
    let n = t.txns.len();
    let agents = t.num_agents.max(1);
    let (setup, text) = text_doc();
    let mut docs: Vec<Doc> = (0..agents).map(|_| setup.fork()).collect();
    // past[i * agents + x]: how many transactions of agent x are in txn i's causal past.
    let mut past = vec![0u32; n * agents];
    let mut agent_txns: Vec<Vec<usize>> = vec![Vec::new(); agents];
    let mut have = vec![vec![0u32; agents]; agents];
    let mut messages: Vec<Option<Vec<u8>>> = Vec::with_capacity(n);
    let mut run = ReplicaRun {
        docs: Vec::new(),
        text,
        message_bytes: 0,
        deliveries: 0,
        local_ms: 0.0,
        receive_ms: 0.0,
    };
    let mut target = vec![0u32; agents];
    for (i, txn) in t.txns.iter().enumerate() {
        let a = txn.agent;
        target.iter_mut().for_each(|v| *v = 0);
        for &p in &txn.parents {
            for (x, v) in target.iter_mut().enumerate() {
                *v = (*v).max(past[p * agents + x]);
            }
        }
        let r0 = Instant::now();
        for x in 0..agents {
            for k in have[a][x]..target[x] {
                if let Some(m) = &messages[agent_txns[x][k as usize]] {
                    docs[a].load_incremental(m)?;
                    run.deliveries += 1;
                }
            }
            have[a][x] = have[a][x].max(target[x]);
        }
        run.receive_ms += ms_since(r0);
        let l0 = Instant::now();
        let before = docs[a].heads();
        apply_patches(&mut docs[a], text, &txn.patches);
        let after = docs[a].heads();
        let message = (after != before).then(|| {
            let change = docs[a].change(after[0]).expect("the new change");
            encode_changes(&[change])
        });
        run.local_ms += ms_since(l0);
        run.message_bytes += message.as_ref().map_or(0, Vec::len);
        messages.push(message);
        target[a] += 1;
        past[i * agents..(i + 1) * agents].copy_from_slice(&target);
        agent_txns[a].push(i);
        have[a][a] = target[a];
    }
    for (a, doc) in docs.iter_mut().enumerate() {
        for x in 0..agents {
            for k in have[a][x]..agent_txns[x].len() as u32 {
                if let Some(m) = &messages[agent_txns[x][k as usize]] {
                    doc.load_incremental(m)?;
                }
            }
        }
    }
    run.docs = docs;
    Ok(run)
}
