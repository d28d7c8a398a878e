//! The peer sync protocol: convergence in two round trips, and over a lossy channel.

use concord::{Doc, ObjId, ObjType, ReadDoc, SyncMessage, SyncState, ROOT};
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

/// Two replicas that have exchanged their opening messages, with a text.
fn in_session() -> (Doc, Doc, SyncState, SyncState, ObjId) {
    let mut a = doc(1);
    let t = a
        .transact(|tx| tx.put_object(ROOT, "t", ObjType::Text))
        .unwrap();
    let mut b = a.fork();
    let (mut sa, mut sb) = (SyncState::new(), SyncState::new());
    let m = a.generate_sync_message(&mut sa).unwrap();
    b.receive_sync_message(&mut sb, m).unwrap();
    let m = b.generate_sync_message(&mut sb).unwrap();
    a.receive_sync_message(&mut sa, m).unwrap();
    (a, b, sa, sb, t)
}

/// Types `text` into `t` one character per transaction, with a message after each.
fn type_text(d: &mut Doc, s: &mut SyncState, t: ObjId, text: &str) -> Vec<Vec<u8>> {
    text.chars()
        .map(|ch| {
            let at = d.length(t);
            d.transact(|tx| tx.splice_text(t, at, 0, &ch.to_string()))
                .unwrap();
            d.generate_sync_message(s).unwrap().encode()
        })
        .collect()
}

#[test]
fn a_keystroke_in_a_session_costs_a_few_bytes() {
    let (mut a, mut b, mut sa, mut sb, t) = in_session();
    let messages = type_text(&mut a, &mut sa, t, "hello world");
    // The first names the author in full; the others are written against it.
    assert!(messages[0].len() > 16);
    for m in &messages[1..] {
        assert!(m.len() <= 12, "{} bytes", m.len());
        assert!(SyncMessage::decode(m).is_err(), "needs the session");
    }
    for m in &messages {
        b.receive_sync_bytes(&mut sb, m).unwrap();
    }
    assert_eq!(b.text(t).unwrap(), "hello world");
    assert!(!sb.awaiting_resend());
}

/// Backspacing: the history holds the deletes as one backward span, which a message sends
/// one element at a time, alone or after typing in one batch.
#[test]
fn backspacing_syncs_keystroke_by_keystroke_and_in_batches() {
    let (mut a, mut b, mut sa, mut sb, t) = in_session();
    let mut messages = type_text(&mut a, &mut sa, t, "hello worlds");
    for _ in 0..3 {
        let at = a.length(t) - 1;
        a.transact(|tx| tx.splice_text(t, at, 1, "")).unwrap();
        messages.push(a.generate_sync_message(&mut sa).unwrap().encode());
    }
    for m in &messages {
        b.receive_sync_bytes(&mut sb, m).unwrap();
    }
    assert_eq!(b.text(t).unwrap(), "hello wor");
    assert_eq!(b.changes(), a.changes());

    // A peer that has nothing gets the whole history in one exchange.
    let mut c = Doc::new();
    let (mut s_ac, mut s_ca) = (SyncState::new(), SyncState::new());
    for _ in 0..4 {
        if let Some(m) = a.generate_sync_message(&mut s_ac) {
            c.receive_sync_message(&mut s_ca, m).unwrap();
        }
        if let Some(m) = c.generate_sync_message(&mut s_ca) {
            a.receive_sync_message(&mut s_ac, m).unwrap();
        }
    }
    assert_eq!(c.text(t).unwrap(), "hello wor");
    assert_eq!(c.changes(), a.changes());
}

/// A lost message: the next ones of its chain are set aside, never read against the wrong
/// context; the receiver asks, and the sender starts a new chain with what is missing.
#[test]
fn a_lost_message_is_asked_for_again() {
    let (mut a, mut b, mut sa, mut sb, t) = in_session();
    let messages = type_text(&mut a, &mut sa, t, "abcd");
    b.receive_sync_bytes(&mut sb, &messages[0]).unwrap();
    // messages[1] is lost.
    let before = render(&b);
    for m in &messages[2..] {
        b.receive_sync_bytes(&mut sb, m).unwrap();
        assert_eq!(render(&b), before, "set aside, not applied");
    }
    assert!(sb.awaiting_resend());
    let ask = b.generate_sync_message(&mut sb).unwrap();
    a.receive_sync_message(&mut sa, ask).unwrap();
    let again = a.generate_sync_message(&mut sa).unwrap();
    assert!(again.starts_chain());
    assert_eq!(again.changes().len(), 3);
    b.receive_sync_message(&mut sb, again).unwrap();
    assert_eq!(b.text(t).unwrap(), "abcd");
    // The new chain goes on in compact form.
    for m in type_text(&mut a, &mut sa, t, "ef") {
        assert!(m.len() <= 12, "{} bytes", m.len());
        b.receive_sync_bytes(&mut sb, &m).unwrap();
    }
    assert_eq!(b.text(t).unwrap(), "abcdef");
    assert_eq!(a.heads(), b.heads());
}

/// Duplicated and reordered messages: old ones are ignored, ones that overtook their chain
/// are set aside; nothing is read in the wrong context.
#[test]
fn duplicated_and_reordered_messages_are_never_misread() {
    for seed in 0..20 {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mut a, mut b, mut sa, mut sb, t) = in_session();
        let mut pending = type_text(&mut a, &mut sa, t, "the quick brown fox");
        let dups: Vec<Vec<u8>> = pending
            .iter()
            .filter(|_| rng.gen_bool(0.3))
            .cloned()
            .collect();
        pending.extend(dups);
        while !pending.is_empty() {
            let m = pending.swap_remove(rng.gen_range(0..pending.len()));
            b.receive_sync_bytes(&mut sb, &m).unwrap();
            // Whatever b holds is a prefix of what a typed, and b never holds garbage.
            assert!("the quick brown fox".starts_with(&b.text(t).unwrap()));
        }
        // Ask for whatever was set aside.
        for _ in 0..3 {
            if let Some(m) = b.generate_sync_message(&mut sb) {
                a.receive_sync_message(&mut sa, m).unwrap();
            }
            if let Some(m) = a.generate_sync_message(&mut sa) {
                b.receive_sync_message(&mut sb, m).unwrap();
            }
        }
        assert_eq!(b.text(t).unwrap(), "the quick brown fox", "seed {seed}");
        assert_eq!(render(&a), render(&b));
    }
}

/// One side starts a new session while the other keeps its own: the other side's compact
/// messages are set aside (the new state has no context for them), and the peers fall back to
/// a new chain.
#[test]
fn a_new_state_on_one_side_falls_back_to_a_new_chain() {
    let (mut a, mut b, mut sa, _, t) = in_session();
    let mut sb = SyncState::new();
    let m = type_text(&mut a, &mut sa, t, "xy");
    for m in &m {
        b.receive_sync_bytes(&mut sb, m).unwrap();
    }
    assert_eq!(b.text(t).unwrap(), "");
    assert!(sb.awaiting_resend());
    let ask = b.generate_sync_message(&mut sb).unwrap();
    a.receive_sync_message(&mut sa, ask).unwrap();
    let again = a.generate_sync_message(&mut sa).unwrap();
    assert!(again.starts_chain());
    b.receive_sync_message(&mut sb, again).unwrap();
    assert_eq!(b.text(t).unwrap(), "xy");
    for m in type_text(&mut a, &mut sa, t, "z") {
        b.receive_sync_bytes(&mut sb, &m).unwrap();
    }
    assert_eq!(b.text(t).unwrap(), "xyz");
}

/// A message of another session fails its checksum, like a corrupt one, even where its
/// number is the one expected.
#[test]
fn a_message_of_another_session_is_refused() {
    let (mut a, mut b, mut sa, mut sb, t) = in_session();
    // A second session of the same replica with a copy of b.
    let mut b2 = b.clone();
    let (mut sa2, mut sb2) = (SyncState::new(), SyncState::new());
    let m = a.generate_sync_message(&mut sa2).unwrap();
    b2.receive_sync_message(&mut sb2, m).unwrap();
    let m = b2.generate_sync_message(&mut sb2).unwrap();
    a.receive_sync_message(&mut sa2, m).unwrap();
    a.transact(|tx| tx.splice_text(t, 0, 0, "q")).unwrap();
    let ours = a.generate_sync_message(&mut sa).unwrap().encode();
    let theirs = a.generate_sync_message(&mut sa2).unwrap().encode();
    assert_eq!(ours.len(), theirs.len());
    let before = format!("{sb:?}");
    assert!(matches!(
        b.receive_sync_bytes(&mut sb, &theirs),
        Err(concord::SyncError::Decode(_))
    ));
    assert_eq!(format!("{sb:?}"), before);
    assert_eq!(b.text(t).unwrap(), "");
    b.receive_sync_bytes(&mut sb, &ours).unwrap();
    assert_eq!(b.text(t).unwrap(), "q");
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

#[test]
fn corrupt_compact_messages_are_refused_and_change_nothing() {
    let (mut a, mut b, mut sa, mut sb, t) = in_session();
    for m in type_text(&mut a, &mut sa, t, "ab") {
        b.receive_sync_bytes(&mut sb, &m).unwrap();
    }
    let bytes = type_text(&mut a, &mut sa, t, "c").remove(0);
    b.clone()
        .receive_sync_bytes(&mut sb.clone(), &bytes)
        .unwrap();
    let mut rng = StdRng::seed_from_u64(4);
    let truncations = (0..bytes.len()).map(|n| bytes[..n].to_vec());
    let flips = (0..300).map(|_| {
        let mut m = bytes.clone();
        let i = rng.gen_range(0..m.len());
        m[i] ^= 1 << rng.gen_range(0..8);
        m
    });
    for corrupt in truncations.chain(flips) {
        let (mut doc, mut state) = (b.clone(), sb.clone());
        let before = format!("{state:?}");
        assert!(doc.receive_sync_bytes(&mut state, &corrupt).is_err());
        assert_eq!(format!("{state:?}"), before);
        assert_eq!(render(&doc), render(&b));
    }
}
