//! The fuzz targets' harnesses, driven by seeded random bytes in `cargo test`, and every kept
//! crash input replayed.

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn random_inputs(seed: u64, count: usize, max_len: usize) -> Vec<Vec<u8>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let len = rng.gen_range(0..max_len);
            (0..len).map(|_| rng.gen()).collect()
        })
        .collect()
}

#[test]
fn convergence_harness_on_seeded_inputs() {
    let changes: usize = random_inputs(7, 300, 600)
        .iter()
        .map(|input| concord::fuzzing::convergence(input))
        .sum();
    // Random bytes must drive real work, not stop at the first byte.
    assert!(changes > 300 * 20, "only {changes} changes made");
}

/// Replays the kept crash inputs: each file's name starts with the harness it belongs to.
#[test]
fn kept_crash_inputs_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashers");
    for entry in std::fs::read_dir(&dir).expect("the crashers folder exists") {
        let path = entry.expect("readable folder").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let data = std::fs::read(&path).expect("readable crash input");
        match name.split('-').next() {
            Some("convergence") => drop(concord::fuzzing::convergence(&data)),
            Some("sync") => concord::fuzzing::sync(&data),
            Some("load") => concord::fuzzing::load(&data),
            _ => assert_eq!(name, "README.md", "unknown crash input {name}"),
        }
    }
}

#[test]
fn sync_harness_on_random_and_mutated_messages() {
    for input in random_inputs(11, 200, 300) {
        concord::fuzzing::sync(&input);
    }
    // Mutations of a real message reach deeper than random bytes.
    let mut a = concord::Doc::new();
    a.transact(|tx| tx.put(concord::ROOT, "k", 1)).unwrap();
    let real = a
        .generate_sync_message(&mut concord::SyncState::new())
        .unwrap()
        .encode();
    let mut rng = StdRng::seed_from_u64(12);
    for _ in 0..300 {
        let mut m = real.clone();
        let i = rng.gen_range(0..m.len());
        m[i] = rng.gen();
        concord::fuzzing::sync(&m);
    }
    // A message that continues a chain, as the harness's flags and body: the harness numbers
    // and checksums it as the next message of its own session, so mutations reach the
    // compact changes.
    let t = a
        .transact(|tx| tx.put_object(concord::ROOT, "t", concord::ObjType::Text))
        .unwrap();
    let mut state = concord::SyncState::new();
    let mut b = a.fork();
    let hello = a.generate_sync_message(&mut state).unwrap();
    let mut sb = concord::SyncState::new();
    b.receive_sync_message(&mut sb, hello).unwrap();
    let reply = b.generate_sync_message(&mut sb).unwrap();
    a.receive_sync_message(&mut state, reply).unwrap();
    let mut bodies = Vec::new();
    for (i, s) in ["h", "i", "!"].iter().enumerate() {
        a.transact(|tx| tx.splice_text(t, i, 0, s)).unwrap();
        let m = a.generate_sync_message(&mut state).unwrap().encode();
        // Tag, version, flags, number low byte, body, checksum.
        let mut body = vec![m[2]];
        body.extend_from_slice(&m[4..m.len() - 4]);
        bodies.push(body);
    }
    for _ in 0..300 {
        let mut m = bodies[rng.gen_range(0..bodies.len())].clone();
        let i = rng.gen_range(0..m.len());
        m[i] = rng.gen();
        concord::fuzzing::sync(&m);
    }
}
