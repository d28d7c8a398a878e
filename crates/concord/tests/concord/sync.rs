//! The peer sync protocol: convergence in two round trips, and over a lossy channel.

use concord::{Doc, ObjType, ReadDoc, SyncMessage, SyncState, ROOT};
use concord_testkit::Network;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::{doc, render};

/// Two replicas that share a text and then diverge.
fn diverged() -> (Doc, Doc) {
    let mut a = doc(1);
    let t = a
        .transact(|tx| {
            let t = tx.put_object(ROOT, "t", ObjType::Text)?;
            tx.splice_text(t, 0, 0, "shared").map(|_| t)
        })
        .unwrap();
    let mut b = a.fork();
    for i in 0..20 {
        a.transact(|tx| tx.splice_text(t, 0, 0, "a")).unwrap();
        b.transact(|tx| tx.put(ROOT, format!("k{i}"), i as i64))
            .unwrap();
    }
    (a, b)
}

#[test]
fn divergent_peers_converge_in_two_round_trips() {
    let (mut a, mut b) = diverged();
    let (mut sa, mut sb) = (SyncState::new(), SyncState::new());
    let mut messages: Vec<SyncMessage> = Vec::new();
    // Alternate: A speaks, then B, until neither has anything to say.
    for turn in 0..10 {
        let (from, to, sf, st) = if turn % 2 == 0 {
            (&mut a, &mut b, &mut sa, &mut sb)
        } else {
            (&mut b, &mut a, &mut sb, &mut sa)
        };
        match from.generate_sync_message(sf) {
            Some(m) => {
                messages.push(m.clone());
                to.receive_sync_message(st, m).unwrap();
            }
            None if from.generate_sync_message(sf).is_none()
                && to.generate_sync_message(st).is_none() =>
            {
                break
            }
            None => {}
        }
    }
    assert_eq!(a.heads(), b.heads());
    assert_eq!(render(&a), render(&b));
    // A: "here is what I have"; B: "here is what you lack"; A: "here is what you lack".
    // Only those three carry changes; at most one more acknowledges the final heads.
    assert!(messages[0].changes().is_empty());
    assert_eq!(messages[1].changes().len(), 20);
    assert_eq!(messages[2].changes().len(), 20);
    assert!(messages[3..].iter().all(|m| m.changes().is_empty()));
    assert!(messages.len() <= 4, "{} messages", messages.len());
}

#[test]
fn in_sync_peers_say_nothing_after_the_handshake() {
    let (a, _) = diverged();
    let mut b = a.fork();
    let mut a = a;
    let (mut sa, mut sb) = (SyncState::new(), SyncState::new());
    // Each side speaks once, so that each learns what the other has; then both are quiet.
    let m = a.generate_sync_message(&mut sa).unwrap();
    b.receive_sync_message(&mut sb, m).unwrap();
    let ack = b.generate_sync_message(&mut sb).unwrap();
    assert!(ack.changes().is_empty());
    a.receive_sync_message(&mut sa, ack).unwrap();
    assert!(b.generate_sync_message(&mut sb).is_none());
    assert!(a.generate_sync_message(&mut sa).is_none());
    // A new edit is announced with the change itself.
    let before = a.heads();
    a.transact(|tx| tx.put(ROOT, "new", 1)).unwrap();
    let m = a.generate_sync_message(&mut sa).unwrap();
    assert_eq!(m.changes().len(), 1);
    assert_eq!(m.changes()[0].deps(), &before[..]);
    b.receive_sync_message(&mut sb, m).unwrap();
    assert_eq!(b.heads(), a.heads());
}

/// Peers edit while syncing over a channel that loses, duplicates and reorders messages.
/// When the channel goes quiet before they agree, each side retries (a transport timeout).
#[test]
fn lossy_channel_delays_but_never_corrupts() {
    for seed in 0..30 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (a, b) = diverged();
        let mut docs = [a, b];
        let mut states = [SyncState::new(), SyncState::new()];
        let mut net: Network<SyncMessage> = Network::new(2)
            .with_drop_probability(0.3)
            .with_duplicate_probability(0.2);
        let mut edits = 0;
        let mut rounds = 0;
        loop {
            rounds += 1;
            assert!(rounds < 10_000, "seed {seed}: no convergence");
            let i = rng.gen_range(0..2);
            match rng.gen_range(0..10) {
                0 if edits < 30 => {
                    edits += 1;
                    docs[i]
                        .transact(|tx| tx.put(ROOT, format!("e{edits}"), i as i64))
                        .unwrap();
                }
                1..=4 => {
                    if let Some(m) = docs[i].generate_sync_message(&mut states[i]) {
                        net.send(i, 1 - i, m);
                    }
                }
                _ => {
                    if let Some((to, _, m)) = net.deliver_one(&mut rng) {
                        docs[to].receive_sync_message(&mut states[to], m).unwrap();
                    }
                }
            }
            if net.is_quiet() && edits >= 30 {
                let quiet = (0..2).all(|k| {
                    docs[k]
                        .generate_sync_message(&mut states[k].clone())
                        .is_none()
                });
                if quiet && docs[0].heads() == docs[1].heads() {
                    break;
                }
                if quiet {
                    states.iter_mut().for_each(SyncState::retry);
                }
            }
        }
        assert_eq!(render(&docs[0]), render(&docs[1]), "seed {seed}");
        assert!(docs.iter().all(|d| d.pending_changes().is_empty()));
    }
}
