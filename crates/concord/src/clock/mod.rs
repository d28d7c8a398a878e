//! Version vectors: a set of ops closed under causality, as one counter per actor.
//!
//! Every change of an actor depends on that actor's previous change, and an actor's op counters
//! grow with its changes, so the causal past of any set of heads holds, for each actor, exactly
//! the ops up to some counter. A [`Clock`] stores that counter per actor index, which makes
//! "is op X in this version?" one array lookup: the test every historical read runs per value.

use crate::ids::{ActorIdx, Id};

/// A version: for each actor (by index), the largest op counter it includes (0: none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Clock {
    max: Vec<u64>,
}

impl Clock {
    /// Whether the op `id` is in this version.
    pub(crate) fn contains(&self, id: Id) -> bool {
        self.max
            .get(id.actor().index())
            .is_some_and(|&max| id.counter() <= max)
    }

    /// The largest counter of `actor` this version includes (0: none).
    pub(crate) fn get(&self, actor: ActorIdx) -> u64 {
        self.max.get(actor.index()).copied().unwrap_or(0)
    }

    /// Raise `actor`'s counter to at least `counter`.
    pub(crate) fn include(&mut self, actor: ActorIdx, counter: u64) {
        let i = actor.index();
        if self.max.len() <= i {
            self.max.resize(i + 1, 0);
        }
        self.max[i] = self.max[i].max(counter);
    }
}

/// A view of the document's ops: all of them (the current state) or those of a past version.
#[derive(Clone, Copy, Debug)]
pub(crate) enum At<'a> {
    /// Every op applied so far.
    Now,
    /// The ops of a past version.
    Version(&'a Clock),
}

impl At<'_> {
    /// Whether the op `id` is part of this view.
    pub(crate) fn includes(self, id: Id) -> bool {
        match self {
            At::Now => true,
            At::Version(clock) => clock.contains(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_up_to_the_included_counter() {
        let mut c = Clock::default();
        let a = ActorIdx(2);
        assert!(!c.contains(Id::new(a, 1)));
        c.include(a, 5);
        c.include(a, 3);
        assert!(c.contains(Id::new(a, 5)));
        assert!(!c.contains(Id::new(a, 6)));
        assert!(!c.contains(Id::new(ActorIdx(0), 1)));
        assert_eq!(c.get(a), 5);
    }
}
