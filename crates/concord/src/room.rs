//! Room in the vectors a document's history grows in.
//!
//! The text stores hold a buffer per actor that grows with every run of typing, for as long
//! as the document lives. A `String` doubles when it is full, so such a buffer holds on
//! average a third more than its bytes, and up to twice as much. These grow by half instead
//! ([`make_str_room`]): at most half as much again, for a few more copies while they grow.
//! (The op log's records, which need no contiguous buffer, grow by chunks instead:
//! [`crate::chunked`].)
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
    fn buffers_grow_by_half() {
        let mut s = String::new();
        let mut grew = 0;
        for _ in 0..10_000 {
            let before = s.capacity();
            make_str_room(&mut s, 3);
            s.push_str("abc");
            if s.capacity() != before {
                grew += 1;
                // Growing takes half as much again, never more (the allocator may round up
                // by a few).
                assert!(
                    s.capacity() <= (before + before / 2).max(4) + 8,
                    "{before} -> {}",
                    s.capacity()
                );
            }
            assert!(s.capacity() <= s.len() + s.len() / 2 + 8);
        }
        assert_eq!(s.len(), 30_000);
        // Geometric growth: a few dozen times for thirty thousand bytes, not once per push.
        assert!((10..40).contains(&grew), "grew {grew} times");
        // A push that needs more than half again gets what it needs.
        let mut big = String::new();
        make_str_room(&mut big, 100);
        assert!(big.capacity() >= 100);
    }
}
