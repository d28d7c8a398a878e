//! Several replicas edit concurrently, exchange their runs in random causal orders, and must
//! match the naive reference at every step and each other at the end.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::sim::{Net, Replica};

/// A random string of 1 to 3 characters, sometimes multi-byte.
pub(super) fn random_text(rng: &mut StdRng) -> String {
    const CHARS: [char; 8] = ['a', 'b', 'c', 'd', 'e', 'é', '€', '😀'];
    (0..rng.gen_range(1..=3))
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())])
        .collect()
}

/// One random session of `n` replicas and `steps` steps.
fn session<const L: usize, const F: usize>(seed: u64, n: usize, steps: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rank: Vec<u32> = (0..n as u32).collect();
    rank.shuffle(&mut rng);
    let mut net = Net {
        log: Vec::new(),
        rank,
    };
    let mut reps: Vec<Replica<L, F>> = (0..n as u32)
        .map(|a| {
            let mut decoys: Vec<u32> = (0..n as u32).filter(|&d| d != a).collect();
            decoys.shuffle(&mut rng);
            decoys.truncate(rng.gen_range(0..n));
            Replica::new(a, &decoys)
        })
        .collect();
    for _ in 0..steps {
        let rep = &mut reps[rng.gen_range(0..n)];
        let len = rep.tree.len();
        match rng.gen_range(0..10) {
            0..=3 => {
                let text = random_text(&mut rng);
                rep.insert(&mut net, rng.gen_range(0..=len), &text);
            }
            4 | 5 if len > 0 => {
                let pos = rng.gen_range(0..len);
                let k = rng.gen_range(1..=(len - pos).min(4));
                rep.delete(&mut net, pos, k);
            }
            6 => {
                let text = random_text(&mut rng);
                rep.insert_and_roll_back(rng.gen_range(0..=len), &text);
            }
            _ => {
                rep.deliver_random(&net, &mut rng);
            }
        }
        rep.check();
    }
    for rep in &mut reps {
        rep.deliver_all(&net, &mut rng);
        rep.check();
    }
    let first = reps[0].elements();
    for rep in &reps[1..] {
        assert_eq!(rep.elements(), first, "replicas diverged (seed {seed})");
    }
}

#[test]
fn replicas_converge_small_nodes() {
    for seed in 0..150 {
        session::<2, 2>(seed, 3, 250);
    }
}

#[test]
fn replicas_converge_medium_nodes() {
    for seed in 1000..1060 {
        session::<4, 3>(seed, 4, 400);
    }
}

#[test]
fn replicas_converge_default_nodes() {
    for seed in 2000..2004 {
        session::<32, 16>(seed, 3, 3000);
    }
}
