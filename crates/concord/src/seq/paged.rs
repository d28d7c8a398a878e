//! Slot arrays that grow by whole pages, so that growing never copies what they hold. A batch
//! that builds a sequence keeps one per actor, a slot per counter: the flat id index names the
//! leaf of each element (`index.rs`), the list a batch starts with names its node (`batch.rs`).

/// `len` slots of `T`, in pages of `P`; slots past the ones written hold `empty`.
#[derive(Clone, Debug)]
pub(super) struct Paged<T, const P: usize> {
    pages: Vec<Box<[T; P]>>,
    len: usize,
    empty: T,
}

impl<T: Copy, const P: usize> Paged<T, P> {
    /// No slots; new ones hold `empty`.
    pub(super) fn new(empty: T) -> Self {
        Paged {
            pages: Vec::new(),
            len: 0,
            empty,
        }
    }

    /// How many slots are in use.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Slot `k`, if it is in use.
    pub(super) fn get(&self, k: usize) -> Option<T> {
        (k < self.len).then(|| self.pages[k / P][k % P])
    }

    /// Sets slots `from..to` to `v`, adding slots as needed.
    pub(super) fn fill(&mut self, from: usize, to: usize, v: T) {
        while self.pages.len() * P < to {
            self.pages.push(self.new_page());
        }
        self.len = self.len.max(to);
        let mut k = from;
        while k < to {
            let (p, o) = (k / P, k % P);
            let n = (P - o).min(to - k);
            self.pages[p][o..o + n].fill(v);
            k += n;
        }
    }

    /// A page of empty slots, filled where it is allocated: `Box::new([empty; P])` would
    /// build the page on the stack and copy it over.
    fn new_page(&self) -> Box<[T; P]> {
        let Ok(page) = vec![self.empty; P].into_boxed_slice().try_into() else {
            unreachable!("a boxed slice of P slots is a boxed array of P")
        };
        page
    }

    /// The slots in use, page by page, each with the index of its first slot.
    pub(super) fn chunks(&self) -> impl Iterator<Item = (usize, &[T])> + '_ {
        self.pages.iter().enumerate().map(|(p, page)| {
            let used = self.len.saturating_sub(p * P).min(P);
            (p * P, &page[..used])
        })
    }
}

/// The slots of one actor's counters, from the first counter given a slot on: what the flat
/// id index and the batch list each keep per actor.
#[derive(Clone, Debug)]
pub(super) struct CounterSlots<T, const P: usize> {
    /// The counter of slot 0: the first one filled.
    base: u64,
    slots: Paged<T, P>,
}

impl<T: Copy + PartialEq, const P: usize> CounterSlots<T, P> {
    /// No slots; new ones hold `empty`, which no counter reads back.
    pub(super) fn new(empty: T) -> Self {
        CounterSlots {
            base: 0,
            slots: Paged::new(empty),
        }
    }

    /// How many slots are held (for the counters `base .. base + len`).
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The slot offsets the counters `from..to` take, the first fill setting the base; `None`
    /// for counters before the base.
    pub(super) fn span(&self, from: u64, to: u64) -> Option<(u64, u64)> {
        let base = if self.len() == 0 { from } else { self.base };
        Some((from.checked_sub(base)?, to.checked_sub(base)?))
    }

    /// The value of `counter`'s slot, if it holds one.
    pub(super) fn get(&self, counter: u64) -> Option<T> {
        let k = usize::try_from(counter.checked_sub(self.base)?).ok()?;
        self.slots.get(k).filter(|&v| v != self.slots.empty)
    }

    /// Gives the counters `from..to` the value `v`, adding slots as needed. `from` is not
    /// before the base (see [`CounterSlots::span`]).
    pub(super) fn fill(&mut self, from: u64, to: u64, v: T) {
        if self.len() == 0 {
            self.base = from;
        }
        self.slots
            .fill((from - self.base) as usize, (to - self.base) as usize, v);
    }

    /// Empties the slots held of the counters `from..to`.
    pub(super) fn clear(&mut self, from: u64, to: u64) {
        let len = self.len() as u64;
        let from = from.saturating_sub(self.base).min(len) as usize;
        let to = to.saturating_sub(self.base).min(len) as usize;
        self.slots.fill(from, to, self.slots.empty);
    }

    /// Calls `f` with each stretch of equal values, in counter order, as `(first counter,
    /// length, value)`; a stretch ends at the end of a page (the next one may go on with the
    /// same value).
    pub(super) fn for_each_run(&self, mut f: impl FnMut(u64, usize, T)) {
        for (first, used) in self.slots.chunks() {
            let mut k = 0;
            while let Some(&v) = used.get(k) {
                let n = same(&used[k..], v);
                if v != self.slots.empty {
                    f(self.base + (first + k) as u64, n, v);
                }
                k += n;
            }
        }
    }
}

/// How many slots at the start of `slots` hold `v`. The first block of 32 is scanned one by
/// one (most stretches end there); past it, whole blocks are each checked by a fixed-length
/// loop with no early exit, which the compiler can vectorize; then the rest one by one.
fn same<T: Copy + PartialEq>(slots: &[T], v: T) -> usize {
    const BLOCK: usize = 32;
    let head = slots.len().min(BLOCK);
    if let Some(k) = slots[..head].iter().position(|&s| s != v) {
        return k;
    }
    let rest = &slots[head..];
    let whole = rest
        .chunks_exact(BLOCK)
        .take_while(|block| block.iter().fold(true, |same, &s| same & (s == v)))
        .count()
        * BLOCK;
    head + whole
        + rest[whole..]
            .iter()
            .position(|&s| s != v)
            .unwrap_or(rest.len() - whole)
}

#[cfg(test)]
mod tests {
    use super::{same, CounterSlots, Paged};

    proptest::proptest! {
        /// `same` counts as a scan one slot at a time does, whether the stretch ends
        /// inside a block, at its edge or with the slots.
        #[test]
        fn same_counts_as_a_scan_does(
            stretch in 0..140usize,
            after in proptest::collection::vec(0..3u16, 0..40),
        ) {
            let mut slots = vec![2; stretch];
            slots.extend(after);
            let want = slots.iter().position(|&l| l != 2).unwrap_or(slots.len());
            proptest::prop_assert_eq!(same(&slots, 2), want);
        }
    }

    #[test]
    fn fills_across_pages_and_reads_back() {
        let mut slots: Paged<u16, 4> = Paged::new(u16::MAX);
        slots.fill(2, 9, 7);
        assert_eq!(slots.len(), 9);
        let all: Vec<Option<u16>> = (0..10).map(|k| slots.get(k)).collect();
        let mut want = vec![Some(u16::MAX); 2];
        want.extend([Some(7); 7]);
        want.push(None);
        assert_eq!(all, want);
        let chunks: Vec<(usize, usize)> = slots.chunks().map(|(k, c)| (k, c.len())).collect();
        assert_eq!(chunks, [(0, 4), (4, 4), (8, 1)]);
        slots.fill(3, 5, 1);
        assert_eq!(slots.get(2), Some(7));
        assert_eq!(
            (slots.get(3), slots.get(4), slots.get(5)),
            (Some(1), Some(1), Some(7))
        );
    }

    #[test]
    fn counter_slots_start_at_the_first_counter_filled() {
        let mut slots: CounterSlots<u16, 4> = CounterSlots::new(u16::MAX);
        assert_eq!(slots.span(100, 103), Some((0, 3)));
        slots.fill(100, 103, 7);
        slots.fill(105, 111, 7);
        assert_eq!(slots.len(), 11);
        assert_eq!(slots.span(99, 101), None);
        assert_eq!(slots.span(104, 112), Some((4, 12)));
        let got: Vec<Option<u16>> = [99, 100, 102, 103, 104, 105, 110, 111]
            .into_iter()
            .map(|c| slots.get(c))
            .collect();
        let want = [None, Some(7), Some(7), None, None, Some(7), Some(7), None];
        assert_eq!(got, want);
        // A stretch ends at a page's end: counters 100..104 are slots 0..4, page 0.
        let runs = |slots: &CounterSlots<u16, 4>| {
            let mut out: Vec<(u64, usize, u16)> = Vec::new();
            slots.for_each_run(|c, n, v| out.push((c, n, v)));
            out
        };
        assert_eq!(runs(&slots), [(100, 3, 7), (105, 3, 7), (108, 3, 7)]);
        slots.clear(109, 200);
        slots.clear(0, 101);
        assert_eq!(runs(&slots), [(101, 2, 7), (105, 3, 7), (108, 1, 7)]);
    }
}
