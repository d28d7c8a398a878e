//! Criterion benchmarks of Concord. The benches live in `benches/` beside this file, one file
//! per concern; this library holds what they and the `concord-trace` tool share.
//!
//! Run them with `cargo bench -p concord-benches`; CI only builds them (`cargo bench --no-run`).
//! A benchmark never asserts a time: the figures are read, compared and reported.

use std::time::Instant;

use concord::{
    ActorId, ApplyError, Doc, DocError, ObjId, ObjType, ReadDoc, SyncError, SyncState, ROOT,
};
pub use concord_testkit::trace::{
    load_concurrent, load_sequential, sequential_names, ConcurrentTrace, Patch, SequentialTrace,
    Txn,
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
pub fn apply_patches<'a>(doc: &mut Doc, text: ObjId, patches: impl IntoIterator<Item = Patch<'a>>) {
    doc.transact(|tx| {
        for p in patches {
            tx.splice_text(text, p.pos, p.del, p.ins)?;
        }
        Ok::<_, DocError>(())
    })
    .expect("trace patches stay within the text");
}

/// A fresh text document holding the trace's start content.
fn started(t: &SequentialTrace) -> (Doc, ObjId) {
    let (mut doc, text) = text_doc();
    if !t.start_content.is_empty() {
        doc.transact(|tx| tx.splice_text(text, 0, 0, &t.start_content))
            .expect("start content");
    }
    (doc, text)
}

/// Replays a sequential trace into a fresh document, one transaction per trace transaction.
pub fn replay_local(t: &SequentialTrace) -> (Doc, ObjId) {
    let (mut doc, text) = started(t);
    for txn in t.txns() {
        apply_patches(&mut doc, text, txn.patches());
    }
    (doc, text)
}

/// Replays a sequential trace as [`replay_local`] does, with a second replica following it:
/// after each transaction, the follower applies the changes the typist made since its heads
/// before it ([`Doc::changes_since`]), as an application shipping each edit to a peer would.
/// Returns both documents and the text.
pub fn replay_followed(t: &SequentialTrace) -> (Doc, Doc, ObjId) {
    let (mut doc, text) = started(t);
    let mut follower = doc.fork();
    let mut heads = follower.heads();
    for txn in t.txns() {
        apply_patches(&mut doc, text, txn.patches());
        let new = doc
            .changes_since(&heads)
            .expect("the heads are the document's");
        follower
            .apply_changes(new)
            .expect("the typist's changes apply");
        heads = doc.heads();
    }
    (doc, follower, text)
}

/// Replays a sequential trace into a list of scalars instead of a text: each character is
/// one element (its code point, an integer), each patch one `splice` of the list, each trace
/// transaction one local transaction. Lists and texts share the sequence tree; list elements
/// are registers, so a list delete is one op per element where a text delete is one span.
pub fn replay_local_list(t: &SequentialTrace) -> (Doc, ObjId) {
    let mut doc = Doc::new();
    let list = doc
        .transact(|tx| tx.put_object(ROOT, "list", ObjType::List))
        .expect("a fresh document takes a list");
    let codes = |s: &str| {
        s.chars()
            .map(|c| i64::from(u32::from(c)))
            .collect::<Vec<_>>()
    };
    if !t.start_content.is_empty() {
        doc.transact(|tx| tx.splice(list, 0, 0, codes(&t.start_content)))
            .expect("start content");
    }
    for txn in t.txns() {
        doc.transact(|tx| {
            for p in txn.patches() {
                tx.splice(list, p.pos, p.del, codes(p.ins))?;
            }
            Ok::<_, DocError>(())
        })
        .expect("trace patches stay within the list");
    }
    (doc, list)
}

/// The characters a list that [`replay_local_list`] made holds, as a string.
///
/// # Panics
/// If an element is not a code point.
pub fn list_text(doc: &Doc, list: ObjId) -> String {
    let values = doc.values(list).expect("the list exists");
    values
        .iter()
        .map(|(value, _)| {
            let code = value.as_i64().expect("an integer element");
            u32::try_from(code)
                .ok()
                .and_then(char::from_u32)
                .expect("a code point")
        })
        .collect()
}

/// What [`replay_replicas`] leaves: every replica, up to date, and what the exchange cost.
pub struct ReplicaRun {
    /// One replica per agent, each holding every change at the end.
    pub docs: Vec<Doc>,
    /// The text object they share.
    pub text: ObjId,
    /// The sum of the sizes of the messages, the opening ones included.
    pub message_bytes: usize,
    /// How many messages were made: one per transaction and other replica, and the opening
    /// one of each session.
    pub messages: usize,
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
/// replica keeps a sync session ([`SyncState`]) with every other one, opened by one message
/// each way. After each transaction its author makes the session's next message for every
/// other replica (`generate_sync_message`: the transaction's change, in the session's compact
/// form), which is delivered to that replica, in order, right before the first transaction
/// on it whose causal past holds the transaction. At the end every replica receives what it
/// still lacks.
///
/// # Errors
/// A message that is refused (a bug).
pub fn replay_replicas(t: &ConcurrentTrace) -> Result<ReplicaRun, SyncError> {
    let n = t.txn_count();
    let agents = t.num_agents.max(1);
    let (setup, text) = text_doc();
    let mut docs: Vec<Doc> = (0..agents).map(|_| setup.fork()).collect();
    // states[a * agents + x]: replica a's session with replica x.
    let mut states: Vec<SyncState> = (0..agents * agents).map(|_| SyncState::new()).collect();
    // past[i * agents + x]: how many transactions of agent x are in txn i's causal past.
    let mut past = vec![0u32; n * agents];
    let mut agent_txns: Vec<Vec<usize>> = vec![Vec::new(); agents];
    let mut have = vec![vec![0u32; agents]; agents];
    // messages[i * agents + x]: the message txn i's author made for replica x.
    let mut messages: Vec<Option<Vec<u8>>> = Vec::with_capacity(n * agents);
    let mut run = ReplicaRun {
        docs: Vec::new(),
        text,
        message_bytes: 0,
        messages: 0,
        deliveries: 0,
        local_ms: 0.0,
        receive_ms: 0.0,
    };
    for a in 0..agents {
        for x in (0..agents).filter(|&x| x != a) {
            if let Some(m) = docs[a].generate_sync_message(&mut states[a * agents + x]) {
                let bytes = m.encode();
                run.message_bytes += bytes.len();
                run.messages += 1;
                docs[x].receive_sync_bytes(&mut states[x * agents + a], &bytes)?;
            }
        }
    }
    let mut target = vec![0u32; agents];
    for (i, txn) in t.txns().enumerate() {
        let a = txn.agent;
        target.iter_mut().for_each(|v| *v = 0);
        for &p in txn.parents {
            for (x, v) in target.iter_mut().enumerate() {
                *v = (*v).max(past[p * agents + x]);
            }
        }
        let r0 = Instant::now();
        for x in 0..agents {
            for k in have[a][x]..target[x] {
                let j = agent_txns[x][k as usize];
                if let Some(m) = &messages[j * agents + a] {
                    docs[a].receive_sync_bytes(&mut states[a * agents + x], m)?;
                    run.deliveries += 1;
                }
            }
            have[a][x] = have[a][x].max(target[x]);
        }
        run.receive_ms += ms_since(r0);
        let l0 = Instant::now();
        let before = docs[a].heads();
        apply_patches(&mut docs[a], text, txn.patches());
        let changed = docs[a].heads() != before;
        for x in 0..agents {
            let message = (changed && x != a)
                .then(|| docs[a].generate_sync_message(&mut states[a * agents + x]))
                .flatten()
                .map(|m| m.encode());
            if let Some(m) = &message {
                run.message_bytes += m.len();
                run.messages += 1;
            }
            messages.push(message);
        }
        run.local_ms += ms_since(l0);
        target[a] += 1;
        past[i * agents..(i + 1) * agents].copy_from_slice(&target);
        agent_txns[a].push(i);
        have[a][a] = target[a];
    }
    for a in 0..agents {
        for x in 0..agents {
            for k in have[a][x]..agent_txns[x].len() as u32 {
                let j = agent_txns[x][k as usize];
                if let Some(m) = &messages[j * agents + a] {
                    docs[a].receive_sync_bytes(&mut states[a * agents + x], m)?;
                }
            }
        }
    }
    run.docs = docs;
    Ok(run)
}

/// What [`replay_forked`] leaves: the document of the last transaction, which holds every
/// transaction, and what the replay did.
pub struct ForkedRun {
    /// The last transaction's document.
    pub doc: Doc,
    /// The text object every branch shares.
    pub text: ObjId,
    /// How many documents were copied ([`Doc::fork`]) for a branch.
    pub forks: usize,
    /// How many times a parent's document was merged into a branch ([`Doc::merge`]).
    pub merges: usize,
    /// The most documents alive at once.
    pub max_live_docs: usize,
    /// Milliseconds spent forking.
    pub fork_ms: f64,
    /// Milliseconds spent merging.
    pub merge_ms: f64,
    /// Milliseconds spent making the transactions.
    pub apply_ms: f64,
}

/// Replays a concurrent trace with one document per live branch, as the peers' harness does
/// in its `concurrent` phase: a transaction takes over a parent's document when it is that
/// parent's last child (preferring one that already edits as its agent) and otherwise forks
/// one; every other parent is merged in; then the transaction's patches are made as its
/// agent. Each agent edits under one actor id throughout.
///
/// # Errors
/// A merge that is refused (a bug).
pub fn replay_forked(t: &ConcurrentTrace) -> Result<ForkedRun, ApplyError> {
    let n = t.txn_count();
    let (setup, text) = text_doc();
    let actors: Vec<ActorId> = (0..t.num_agents.max(1))
        .map(|_| ActorId::random())
        .collect();
    // How many later transactions still need each transaction's document.
    let mut remaining = vec![0u32; n];
    for txn in t.txns() {
        for &p in txn.parents {
            remaining[p] += 1;
        }
    }
    let mut docs: Vec<Option<Doc>> = (0..n).map(|_| None).collect();
    let mut run = ForkedRun {
        doc: Doc::new(),
        text,
        forks: 0,
        merges: 0,
        max_live_docs: 0,
        fork_ms: 0.0,
        merge_ms: 0.0,
        apply_ms: 0.0,
    };
    let mut live = 0usize;
    for (i, txn) in t.txns().enumerate() {
        let actor = actors[txn.agent];
        // A parent this transaction is the last child of, one of the same agent first.
        let movable = txn
            .parents
            .iter()
            .copied()
            .filter(|&p| remaining[p] == 1)
            .max_by_key(|&p| t.txn(p).agent == txn.agent);
        let (mut doc, base) = match (movable, txn.parents.first()) {
            (Some(p), _) => {
                live -= 1;
                (
                    docs[p].take().expect("a parent's document is alive"),
                    Some(p),
                )
            }
            (None, Some(&p)) => {
                let f0 = Instant::now();
                let doc = docs[p]
                    .as_ref()
                    .expect("a parent's document is alive")
                    .fork();
                run.fork_ms += ms_since(f0);
                run.forks += 1;
                (doc, Some(p))
            }
            (None, None) => (setup.clone(), None),
        };
        doc.set_actor(actor);
        for &p in txn.parents.iter().filter(|&&p| Some(p) != base) {
            let m0 = Instant::now();
            doc.merge(docs[p].as_ref().expect("a parent's document is alive"))?;
            run.merge_ms += ms_since(m0);
            run.merges += 1;
        }
        for &p in txn.parents {
            remaining[p] -= 1;
            if remaining[p] == 0 && docs[p].take().is_some() {
                live -= 1;
            }
        }
        let a0 = Instant::now();
        apply_patches(&mut doc, text, txn.patches());
        run.apply_ms += ms_since(a0);
        if i + 1 == n {
            run.doc = doc;
        } else if remaining[i] > 0 {
            docs[i] = Some(doc);
            live += 1;
            run.max_live_docs = run.max_live_docs.max(live);
        }
    }
    Ok(run)
}
