//! Copies of growing vectors that can grow.
//!
//! A cloned `Vec` has no spare capacity, so the first push after a clone copies the whole
//! vector again to double it. A forked document goes on growing the vectors its history lives
//! in, so those are cloned with room for a quarter more instead: less than the push would
//! have taken, and without the second copy.

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
}
