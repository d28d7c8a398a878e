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

    /// The slots in use, page by page, each with the index of its first slot.
    /// A page of empty slots, filled where it is allocated: `Box::new([empty; P])` would
    /// build the page on the stack and copy it over.
    fn new_page(&self) -> Box<[T; P]> {
        let Ok(page) = vec![self.empty; P].into_boxed_slice().try_into() else {
            unreachable!("a boxed slice of P slots is a boxed array of P")
        };
        page
    }

    pub(super) fn chunks(&self) -> impl Iterator<Item = (usize, &[T])> + '_ {
        self.pages.iter().enumerate().map(|(p, page)| {
            let used = self.len.saturating_sub(p * P).min(P);
            (p * P, &page[..used])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Paged;

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
}
