//! Room in the vectors a document's history grows in.
//!
//! The op log and the text stores hold a vector per actor that grows with every run of
//! typing, for as long as the document lives. A `Vec` doubles when it is full, so such a
//! vector holds on average a third more than its items, and up to twice as much. These grow
//! by half instead ([`make_room`], [`make_str_room`]): at most half as much again, for a few
//! more copies while they grow.
//!
//! A cloned `Vec` has no spare capacity, so the first push after a clone copies the whole
//! vector again to grow it. A forked document goes on growing the vectors its history lives
//! in, so those are cloned with room for a quarter more instead: less than the push would
//! have taken, and without the second copy.

/// The capacity to grow to for `need` items, from a full `capacity`: half as much again (at
/// least a few, and at least `need`).
fn grown(capacity: usize, need: usize) -> usize {
    need.max(capacity + capacity / 2).max(4)
}

/// Makes room in `items` for `more` more, growing it by half when it is full.
pub(crate) fn make_room<T>(items: &mut Vec<T>, more: usize) {
    let need = items.len() + more;
    if need > items.capacity() {
        items.reserve_exact(grown(items.capacity(), need) - items.len());
    }
}

/// Makes room in `s` for `more` more bytes, growing it by half when it is full.
pub(crate) fn make_str_room(s: &mut String, more: usize) {
    let need = s.len() + more;
    if need > s.capacity() {
        s.reserve_exact(grown(s.capacity(), need) - s.len());
    }
}

/// A copy of `items` with spare capacity for a quarter more (and at least a few).
pub(crate) fn clone_with_room<T: Clone>(items: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len() + items.len() / 4 + 4);
    out.extend_from_slice(items);
    out
}

/// A copy of `s` with spare capacity for a quarter more (and at least a few bytes).
pub(crate) fn clone_str_with_room(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4 + 4);
    out.push_str(s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_keep_the_items_and_have_room() {
        let v: Vec<u32> = (0..100).collect();
        let c = clone_with_room(&v);
        assert_eq!(c, v);
        assert!(c.capacity() >= 125);
        let s = clone_str_with_room("héllo");
        assert_eq!(s, "héllo");
        assert!(s.capacity() > s.len());
        assert!(clone_with_room::<u8>(&[]).capacity() >= 4);
    }

    #[test]
    fn vectors_grow_by_half() {
        let mut v: Vec<u64> = Vec::new();
        let mut s = String::new();
        let mut grew = 0;
        for i in 0..10_000u64 {
            let before = v.capacity();
            make_room(&mut v, 1);
            v.push(i);
            make_str_room(&mut s, 3);
            s.push_str("abc");
            if v.capacity() != before {
                grew += 1;
                // Growing takes half as much again, never more (the allocator may round up
                // by a few).
                assert!(
                    v.capacity() <= (before + before / 2).max(4) + 4,
                    "{before} -> {}",
                    v.capacity()
                );
            }
            assert!(v.capacity() <= v.len() + v.len() / 2 + 4);
            assert!(s.capacity() <= s.len() + s.len() / 2 + 8);
        }
        assert_eq!(v, (0..10_000).collect::<Vec<_>>());
        assert_eq!(s.len(), 30_000);
        // Geometric growth: a few dozen times for ten thousand items, not once per item.
        assert!((10..40).contains(&grew), "grew {grew} times");
        // A push that needs more than half again gets what it needs.
        let mut big: Vec<u8> = Vec::new();
        make_room(&mut big, 100);
        assert!(big.capacity() >= 100);
    }
}
