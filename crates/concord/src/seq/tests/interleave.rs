//! Concurrent typing at one spot never interleaves, and inserts land between their origins
//! even when those were deleted concurrently.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::sim::{Net, Replica};

/// How a replica types its block.
#[derive(Clone, Copy, Debug)]
enum Typing {
    /// Left to right, each character after the previous one.
    Forward,
    /// Right to left, each character at the same position (before the previous one).
    Backward,
}

/// Replica 0 types `prefix`, everyone receives it; then replica `k` types `blocks[k]` at
/// visible position `at` one character per op, concurrently; everything is exchanged in a
/// random order. The blocks must come out whole, in some order, at `at`.
fn concurrent_blocks(seed: u64, prefix: &str, at: usize, blocks: &[(&str, Typing)]) {
    let mut rng = StdRng::seed_from_u64(seed);
    let n = blocks.len();
    let mut rank: Vec<u32> = (0..n as u32).collect();
    rank.shuffle(&mut rng);
    let mut net = Net {
        log: Vec::new(),
        rank,
    };
    let mut reps: Vec<Replica<2, 2>> = (0..n as u32).map(|a| Replica::new(a, &[])).collect();
    if !prefix.is_empty() {
        reps[0].insert(&mut net, 0, prefix);
    }
    for rep in &mut reps[1..] {
        rep.deliver_all(&net, &mut rng);
    }
    for (rep, &(block, typing)) in reps.iter_mut().zip(blocks) {
        match typing {
            Typing::Forward => {
                for (j, ch) in block.chars().enumerate() {
                    rep.insert(&mut net, at + j, &ch.to_string());
                }
            }
            Typing::Backward => {
                for ch in block.chars().rev() {
                    rep.insert(&mut net, at, &ch.to_string());
                }
            }
        }
    }
    for rep in &mut reps {
        rep.deliver_all(&net, &mut rng);
        rep.check();
    }
    let text = reps[0].text();
    for rep in &reps[1..] {
        assert_eq!(rep.text(), text, "replicas diverged");
    }
    let (before, after) = prefix.split_at(at);
    let middle = text
        .strip_prefix(before)
        .and_then(|t| t.strip_suffix(after))
        .expect("the prefix stays around the blocks");
    let mut order: Vec<usize> = (0..n).collect();
    let whole = permutations(&mut order, 0)
        .iter()
        .any(|p| p.iter().map(|&k| blocks[k].0).collect::<String>() == middle);
    assert!(whole, "blocks interleaved: {text:?} (seed {seed})");
}

/// Every permutation of `v[k..]` (with `v[..k]` fixed).
fn permutations(v: &mut Vec<usize>, k: usize) -> Vec<Vec<usize>> {
    if k == v.len() {
        return vec![v.clone()];
    }
    let mut out = Vec::new();
    for i in k..v.len() {
        v.swap(k, i);
        out.extend(permutations(v, k + 1));
        v.swap(k, i);
    }
    out
}

#[test]
fn forward_typing_does_not_interleave() {
    use Typing::Forward as F;
    for seed in 0..20 {
        for (prefix, at) in [("", 0), ("XY", 0), ("XY", 1), ("XY", 2)] {
            concurrent_blocks(seed, prefix, at, &[("abc", F), ("xyz", F)]);
            concurrent_blocks(seed, prefix, at, &[("abc", F), ("xyz", F), ("123", F)]);
        }
    }
}

#[test]
fn backward_typing_does_not_interleave() {
    use Typing::{Backward as B, Forward as F};
    for seed in 0..20 {
        for (prefix, at) in [("", 0), ("XY", 0), ("XY", 1), ("XY", 2)] {
            concurrent_blocks(seed, prefix, at, &[("abc", B), ("xyz", B)]);
            concurrent_blocks(seed, prefix, at, &[("abc", B), ("xyz", B), ("123", B)]);
            concurrent_blocks(seed, prefix, at, &[("abc", F), ("xyz", B), ("123", F)]);
        }
    }
}

#[test]
fn insert_between_deleted_neighbours() {
    for seed in 0..10 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut rank = vec![0, 1];
        rank.shuffle(&mut rng);
        let mut net = Net {
            log: Vec::new(),
            rank,
        };
        let mut a: Replica<2, 2> = Replica::new(0, &[]);
        let mut b: Replica<2, 2> = Replica::new(1, &[0]);
        a.insert(&mut net, 0, "ab");
        b.deliver_all(&net, &mut rng);
        a.delete(&mut net, 0, 2);
        a.insert(&mut net, 0, "Q");
        b.insert(&mut net, 1, "x");
        a.deliver_all(&net, &mut rng);
        b.deliver_all(&net, &mut rng);
        for rep in [&a, &b] {
            rep.check();
            // Q, typed at the start after "ab" was deleted, goes before the tombstones.
            assert_eq!(rep.text(), "Qx");
            let order: String = rep.elements().iter().map(|e| e.ch).collect();
            assert_eq!(order, "Qaxb", "x stays between its deleted neighbours");
        }
    }
}

#[test]
fn worked_example_of_the_module_doc() {
    for x_first in [true, false] {
        let mut rng = StdRng::seed_from_u64(7);
        // Actors: A = 0, X = 1, Y = 2; ranks give X < Y or Y < X.
        let rank = if x_first {
            vec![0, 1, 2]
        } else {
            vec![0, 2, 1]
        };
        let mut net = Net {
            log: Vec::new(),
            rank,
        };
        let mut a: Replica<2, 2> = Replica::new(0, &[]);
        let mut x: Replica<2, 2> = Replica::new(1, &[2]);
        let mut y: Replica<2, 2> = Replica::new(2, &[]);
        a.insert(&mut net, 0, "ab");
        x.deliver_all(&net, &mut rng);
        y.deliver_all(&net, &mut rng);
        x.insert(&mut net, 1, "x");
        x.insert(&mut net, 1, "w");
        y.insert(&mut net, 1, "y");
        let expect = if x_first { "awxyb" } else { "aywxb" };
        for rep in [&mut a, &mut x, &mut y] {
            rep.deliver_all(&net, &mut rng);
            rep.check();
            assert_eq!(rep.text(), expect);
        }
    }
}
