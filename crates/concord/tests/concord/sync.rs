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

/// Peers edit while syncing over a channel that loses, duplicates and reorders messages (as
/// bytes).
/// When the channel goes quiet before they agree, each side retries (a transport timeout).
#[test]
fn lossy_channel_delays_but_never_corrupts() {
    for seed in 0..30 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (a, b) = diverged();
        let mut docs = [a, b];
        let mut states = [SyncState::new(), SyncState::new()];
        let mut net: Network<Vec<u8>> = Network::new(2)
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
                        net.send(i, 1 - i, m.encode());
                    }
                }
                _ => {
                    if let Some((to, _, bytes)) = net.deliver_one(&mut rng) {
                        docs[to]
                            .receive_sync_bytes(&mut states[to], &bytes)
                            .unwrap();
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

#[test]
fn messages_round_trip_through_bytes_with_a_small_overhead() {
    let (mut a, b) = diverged();
    let (mut sa, mut sb) = (SyncState::new(), SyncState::new());
    let hello = b.clone().generate_sync_message(&mut sb).unwrap();
    a.receive_sync_message(&mut sa, hello).unwrap();
    let m = a.generate_sync_message(&mut sa).unwrap();
    assert_eq!(m.changes().len(), 20);
    let bytes = m.encode();
    assert_eq!(SyncMessage::decode(&bytes).unwrap(), m);
    // The overhead beyond the encoded changes: a tag, a version, and per head and per actor
    // 16 bytes and a number.
    let changes = concord::encode_changes(m.changes());
    let overhead = bytes.len() - changes.len();
    let entries = m.heads().len() + m.have().len();
    println!(
        "{} {} {} {}",
        bytes.len(),
        changes.len(),
        m.heads().len(),
        m.have().len()
    );
    assert!(overhead <= 4 + entries * 20, "{overhead} bytes of overhead");
    println!(
        "sync message: {} bytes for 20 changes encoded in {} bytes ({} bytes overhead)",
        bytes.len(),
        changes.len(),
        overhead
    );
}

#[test]
fn corrupt_messages_are_refused_and_change_nothing() {
    let (a, b) = diverged();
    let mut a = a;
    let mut sa = SyncState::new();
    let hello = b
        .clone()
        .generate_sync_message(&mut SyncState::new())
        .unwrap();
    a.receive_sync_message(&mut sa, hello).unwrap();
    let bytes = a.generate_sync_message(&mut sa).unwrap().encode();
    let before = render(&b);
    let mut rng = StdRng::seed_from_u64(3);
    let mut refused = 0;
    let truncations = (0..bytes.len()).map(|n| bytes[..n].to_vec());
    let flips = (0..500).map(|_| {
        let mut m = bytes.clone();
        let i = rng.gen_range(0..m.len());
        m[i] ^= 1 << rng.gen_range(0..8);
        m
    });
    for corrupt in truncations.chain(flips) {
        let mut doc = b.clone();
        let mut state = SyncState::new();
        match doc.receive_sync_bytes(&mut state, &corrupt) {
            Err(concord::SyncError::Decode(_) | concord::SyncError::Apply(_)) => {
                refused += 1;
                assert_eq!(render(&doc), before);
                assert_eq!(doc.heads(), b.heads());
            }
            Err(e) => panic!("{e}"),
            Ok(()) => {}
        }
    }
    // Every truncation but the whole message, and nearly every flip (the checksum guards the
    // changes), is refused.
    assert!(refused >= bytes.len() + 400, "{refused} refused");
}
