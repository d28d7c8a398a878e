//! A seeded, deterministic simulated network for convergence tests.
//!
//! [`Network`] connects `n` replicas (numbered `0..n`) and carries messages of any `Clone` type.
//! Messages wait "in flight" until the test asks for one to be delivered; [`Network::deliver_one`]
//! then picks one at random, so the delivery order is arbitrary. It can also
//!
//! - deliver a message more than once ([`Network::set_duplicate_probability`]): a delivered message
//!   sometimes stays in flight and is delivered again later;
//! - split the replicas into groups ([`Network::partition`]): messages between groups are held, not
//!   lost, until [`Network::heal`];
//! - lose messages ([`Network::set_drop_probability`]). Losing messages is only for protocols that
//!   retransmit (such as a sync protocol that resends what the peer is missing): a test that sends
//!   each change once and expects convergence must keep the drop probability at 0.
//!
//! All randomness comes from the `rng` the caller passes in, and the network itself holds no other
//! source of it, so a run with a seeded generator is reproducible.
//!
//! ```
//! use concord_testkit::Network;
//! use rand::SeedableRng;
//!
//! let mut rng = rand::rngs::StdRng::seed_from_u64(7);
//! let mut net = Network::new(3);
//! net.partition(&[vec![0, 1], vec![2]]);
//! net.broadcast(0, "hello");
//! let (to, from, msg) = net.deliver_one(&mut rng).unwrap();
//! assert_eq!((to, from, msg), (1, 0, "hello"));
//! assert!(net.deliver_one(&mut rng).is_none()); // the copy for replica 2 is held
//! net.heal();
//! let mut got = Vec::new();
//! net.drain(&mut rng, |_net, to, from, msg| got.push((to, from, msg)));
//! assert_eq!(got, vec![(2, 0, "hello")]);
//! ```

use rand::Rng;

/// A message in flight.
#[derive(Clone, Debug)]
struct Envelope<M> {
    from: usize,
    to: usize,
    msg: M,
}

/// Counts of what a [`Network`] did, for assertions and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Messages handed to [`Network::send`] (a broadcast counts once per recipient).
    pub sent: usize,
    /// Deliveries made, duplicates included.
    pub delivered: usize,
    /// Deliveries that left a copy in flight, to be delivered again.
    pub duplicated: usize,
    /// Messages lost.
    pub dropped: usize,
}

/// A simulated network between `n` replicas; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Network<M: Clone> {
    n: usize,
    in_flight: Vec<Envelope<M>>,
    /// The group of each replica while partitioned; `None` when healed.
    groups: Option<Vec<usize>>,
    duplicate_probability: f64,
    drop_probability: f64,
    stats: NetStats,
}

impl<M: Clone> Network<M> {
    /// A healed network between `n` replicas that neither duplicates nor loses messages.
    pub fn new(n: usize) -> Self {
        Network {
            n,
            in_flight: Vec::new(),
            groups: None,
            duplicate_probability: 0.0,
            drop_probability: 0.0,
            stats: NetStats::default(),
        }
    }

    /// Sets the probability that a delivery leaves a copy in flight (builder form).
    ///
    /// # Panics
    ///
    /// Unless `0.0 <= p < 1.0` (with 1.0 nothing would ever leave the network).
    pub fn with_duplicate_probability(mut self, p: f64) -> Self {
        self.set_duplicate_probability(p);
        self
    }

    /// Sets the probability that a message is lost (builder form); see
    /// [`set_drop_probability`](Self::set_drop_probability).
    ///
    /// # Panics
    ///
    /// Unless `0.0 <= p <= 1.0`.
    pub fn with_drop_probability(mut self, p: f64) -> Self {
        self.set_drop_probability(p);
        self
    }

    /// Sets the probability that a delivery leaves a copy of the message in flight, so that it is
    /// delivered again later (possibly again and again, each time with this probability).
    ///
    /// # Panics
    ///
    /// Unless `0.0 <= p < 1.0` (with 1.0 nothing would ever leave the network).
    pub fn set_duplicate_probability(&mut self, p: f64) {
        assert!(
            (0.0..1.0).contains(&p),
            "duplicate probability must be in [0, 1), got {p}"
        );
        self.duplicate_probability = p;
    }

    /// Sets the probability that a message picked for delivery is lost instead.
    ///
    /// Losing messages is only for protocols that retransmit: with a non-zero drop probability a
    /// message may never arrive, and nothing tells the sender.
    ///
    /// # Panics
    ///
    /// Unless `0.0 <= p <= 1.0`.
    pub fn set_drop_probability(&mut self, p: f64) {
        assert!(
            (0.0..=1.0).contains(&p),
            "drop probability must be in [0, 1], got {p}"
        );
        self.drop_probability = p;
    }

    /// How many replicas the network connects.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the network connects no replica at all.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Puts a message from replica `from` to replica `to` in flight.
    ///
    /// # Panics
    ///
    /// If either replica is out of range.
    pub fn send(&mut self, from: usize, to: usize, msg: M) {
        assert!(
            from < self.n && to < self.n,
            "send {from} -> {to} on a network of {} replicas",
            self.n
        );
        self.stats.sent += 1;
        self.in_flight.push(Envelope { from, to, msg });
    }

    /// Sends a copy of `msg` from replica `from` to every other replica.
    pub fn broadcast(&mut self, from: usize, msg: M) {
        for to in (0..self.n).filter(|&to| to != from) {
            self.send(from, to, msg.clone());
        }
    }

    /// Splits the replicas into groups: from now until [`heal`](Self::heal) (or the next
    /// `partition`), messages between replicas of different groups are held in flight, neither
    /// delivered nor lost. A replica listed in no group is cut off from every other replica.
    ///
    /// # Panics
    ///
    /// If a replica is out of range or listed twice.
    pub fn partition(&mut self, groups: &[Vec<usize>]) {
        // Replicas listed nowhere get a group of their own, numbered after the given ones.
        let mut group_of: Vec<Option<usize>> = vec![None; self.n];
        for (g, members) in groups.iter().enumerate() {
            for &r in members {
                assert!(r < self.n, "replica {r} out of range in partition");
                assert!(group_of[r].is_none(), "replica {r} is in two groups");
                group_of[r] = Some(g);
            }
        }
        let mut next = groups.len();
        let groups = group_of
            .into_iter()
            .map(|g| {
                g.unwrap_or_else(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        self.groups = Some(groups);
    }

    /// Ends any partition: every message in flight can be delivered again.
    pub fn heal(&mut self) {
        self.groups = None;
    }

    /// Whether a partition is in place.
    pub fn is_partitioned(&self) -> bool {
        self.groups.is_some()
    }

    fn can_deliver(&self, e: &Envelope<M>) -> bool {
        match &self.groups {
            None => true,
            Some(g) => g[e.from] == g[e.to],
        }
    }

    /// Messages in flight, deliverable or held.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Messages in flight that the current partition holds back.
    pub fn held(&self) -> usize {
        self.in_flight
            .iter()
            .filter(|e| !self.can_deliver(e))
            .count()
    }

    /// Whether nothing is in flight.
    pub fn is_quiet(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// What the network did so far.
    pub fn stats(&self) -> NetStats {
        self.stats
    }

    /// Delivers one message, chosen uniformly at random among those in flight that no partition
    /// holds, and returns it as `(to, from, msg)`.
    ///
    /// With the duplicate probability a copy stays in flight for a later delivery; with the drop
    /// probability the chosen message is lost and another one is chosen. Returns `None` when no
    /// message can be delivered (the network is quiet, everything left is held by a partition, or
    /// the last deliverable messages were lost).
    pub fn deliver_one<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<(usize, usize, M)> {
        loop {
            let deliverable: Vec<usize> = (0..self.in_flight.len())
                .filter(|&i| self.can_deliver(&self.in_flight[i]))
                .collect();
            if deliverable.is_empty() {
                return None;
            }
            let i = deliverable[rng.gen_range(0..deliverable.len())];
            if self.drop_probability > 0.0 && rng.gen_bool(self.drop_probability) {
                self.in_flight.remove(i);
                self.stats.dropped += 1;
                continue;
            }
            let envelope =
                if self.duplicate_probability > 0.0 && rng.gen_bool(self.duplicate_probability) {
                    self.stats.duplicated += 1;
                    self.in_flight[i].clone()
                } else {
                    self.in_flight.remove(i)
                };
            self.stats.delivered += 1;
            return Some((envelope.to, envelope.from, envelope.msg));
        }
    }

    /// Delivers messages one at a time with [`deliver_one`](Self::deliver_one), calling
    /// `f(network, to, from, msg)` for each, until no message can be delivered. Returns how many
    /// deliveries were made.
    ///
    /// `f` gets the network so that it can send replies, which are delivered in the same drain.
    /// After [`heal`](Self::heal) (and with no drops) this delivers every message sent, at least
    /// once, and leaves the network quiet; during a partition it stops with the held messages still
    /// in flight. It does not heal by itself. A protocol whose replies never stop would make it run
    /// forever.
    pub fn drain<R, F>(&mut self, rng: &mut R, mut f: F) -> usize
    where
        R: Rng + ?Sized,
        F: FnMut(&mut Self, usize, usize, M),
    {
        let mut count = 0;
        while let Some((to, from, msg)) = self.deliver_one(rng) {
            count += 1;
            f(self, to, from, msg);
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use std::collections::BTreeSet;

    /// Sends `k` numbered messages from every replica to every other one.
    fn flood(net: &mut Network<(usize, usize)>, k: usize) -> BTreeSet<(usize, usize)> {
        let mut sent = BTreeSet::new();
        for i in 0..k {
            for from in 0..net.len() {
                net.broadcast(from, (from, i));
                sent.insert((from, i));
            }
        }
        sent
    }

    #[test]
    fn every_message_arrives_at_least_once_after_heal() {
        for seed in 0..20 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut net = Network::new(4).with_duplicate_probability(0.3);
            net.partition(&[vec![0, 1], vec![2], vec![3]]);
            let sent = flood(&mut net, 10);
            let mut got: BTreeSet<(usize, (usize, usize))> = BTreeSet::new();
            // Deliver part of it during the partition, sending more meanwhile.
            for _ in 0..15 {
                if let Some((to, from, msg)) = net.deliver_one(&mut rng) {
                    assert_eq!(from, msg.0);
                    got.insert((to, msg));
                }
            }
            net.broadcast(3, (3, 99));
            net.heal();
            let n = net.drain(&mut rng, |_, to, from, msg| {
                assert_eq!(from, msg.0);
                got.insert((to, msg));
            });
            assert!(n > 0);
            assert!(net.is_quiet());
            let mut expected = BTreeSet::new();
            for &(from, i) in sent.iter().chain([(3, 99)].iter()) {
                for to in (0..4).filter(|&to| to != from) {
                    expected.insert((to, (from, i)));
                }
            }
            assert_eq!(got, expected, "seed {seed}");
            let stats = net.stats();
            assert_eq!(stats.dropped, 0);
            assert_eq!(stats.delivered, stats.sent + stats.duplicated);
        }
    }

    #[test]
    fn duplicates_happen_and_are_counted() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut net = Network::new(2).with_duplicate_probability(0.5);
        for i in 0..100 {
            net.send(0, 1, i);
        }
        let mut seen = vec![0usize; 100];
        net.drain(&mut rng, |_, to, from, msg| {
            assert_eq!((to, from), (1, 0));
            seen[msg] += 1;
        });
        assert!(seen.iter().all(|&c| c >= 1));
        assert!(seen.iter().any(|&c| c >= 2), "no duplicate in 100 messages");
        let stats = net.stats();
        assert_eq!(stats.delivered, seen.iter().sum::<usize>());
        assert_eq!(stats.duplicated, stats.delivered - 100);
    }

    #[test]
    fn partitions_hold_messages_until_heal() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut net = Network::new(3);
        net.partition(&[vec![0, 1], vec![2]]);
        assert!(net.is_partitioned());
        net.send(0, 2, "a");
        net.send(2, 0, "b");
        net.send(0, 1, "c");
        net.send(2, 2, "d");
        let mut got = Vec::new();
        net.drain(&mut rng, |_, to, from, msg| got.push((to, from, msg)));
        got.sort();
        assert_eq!(got, vec![(1, 0, "c"), (2, 2, "d")]);
        assert_eq!(net.held(), 2);
        assert_eq!(net.in_flight(), 2);
        // Held messages survive a change of partition that still separates them.
        net.partition(&[vec![0], vec![1, 2]]);
        assert!(net.deliver_one(&mut rng).is_none());
        net.heal();
        assert_eq!(net.held(), 0);
        let mut got = Vec::new();
        net.drain(&mut rng, |_, to, from, msg| got.push((to, from, msg)));
        got.sort();
        assert_eq!(got, vec![(0, 2, "b"), (2, 0, "a")]);
        assert!(net.is_quiet());
    }

    #[test]
    fn unlisted_replicas_are_isolated() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut net = Network::new(4);
        net.partition(&[vec![0, 1]]);
        net.send(2, 3, ());
        net.send(3, 2, ());
        net.send(1, 0, ());
        assert_eq!(net.drain(&mut rng, |_, _, _, _| {}), 1);
        assert_eq!(net.held(), 2);
    }

    #[test]
    fn seeded_runs_are_reproducible() {
        let run = |seed: u64| {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut net = Network::new(3)
                .with_duplicate_probability(0.2)
                .with_drop_probability(0.1);
            flood(&mut net, 20);
            let mut order = Vec::new();
            net.drain(&mut rng, |net, to, from, msg| {
                // Replies are part of the run too.
                if msg.1 < 3 {
                    net.send(to, from, (to, 100 + msg.1));
                }
                order.push((to, from, msg));
            });
            (order, net.stats())
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42).0, run(43).0);
    }

    #[test]
    fn lossy_network_loses_some_messages() {
        let mut rng = StdRng::seed_from_u64(4);
        let mut net = Network::new(2).with_drop_probability(0.5);
        for i in 0..200 {
            net.send(0, 1, i);
        }
        let delivered = net.drain(&mut rng, |_, _, _, _| {});
        let stats = net.stats();
        assert!(net.is_quiet());
        assert_eq!(delivered + stats.dropped, 200);
        assert!(stats.dropped > 50 && delivered > 50, "{stats:?}");

        let mut all_lost = Network::new(2).with_drop_probability(1.0);
        all_lost.send(0, 1, 0);
        assert!(all_lost.deliver_one(&mut rng).is_none());
        assert_eq!(all_lost.stats().dropped, 1);
    }

    #[test]
    fn broadcast_skips_the_sender() {
        let mut rng = StdRng::seed_from_u64(5);
        let mut net = Network::new(4);
        net.broadcast(2, 'x');
        let mut to: Vec<usize> = Vec::new();
        net.drain(&mut rng, |_, t, from, _| {
            assert_eq!(from, 2);
            to.push(t);
        });
        to.sort();
        assert_eq!(to, vec![0, 1, 3]);
    }

    #[test]
    #[should_panic(expected = "duplicate probability")]
    fn certain_duplication_is_refused() {
        let _ = Network::<()>::new(2).with_duplicate_probability(1.0);
    }
}
