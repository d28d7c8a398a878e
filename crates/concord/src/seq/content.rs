//! The two kinds of run payload: list slots (`Vec<T>`) and text ([`TextContent`]).

use std::fmt::Debug;

use super::Content;

/// List slots: one value per element.
impl<T: Clone + Debug> Content for Vec<T> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn split_off(&mut self, at: usize) -> Self {
        Vec::split_off(self, at)
    }

    fn append(&mut self, mut other: Self) {
        Vec::append(self, &mut other);
    }
}

/// Text: a string and its length in Unicode scalar values, the unit of text positions.
///
/// The length is kept beside the string so that counting a run's elements never walks it, and
/// so that ASCII text (as many bytes as chars) is split at a char index without a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TextContent {
    /// The characters.
    text: String,
    /// `text.chars().count()`.
    chars: usize,
}

impl TextContent {
    /// The characters as a string slice.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The byte offset of char `at` (`at <= chars`).
    fn byte_offset(&self, at: usize) -> usize {
        if self.text.len() == self.chars {
            return at;
        }
        self.text
            .char_indices()
            .nth(at)
            .map_or(self.text.len(), |(b, _)| b)
    }
}

impl From<String> for TextContent {
    fn from(text: String) -> Self {
        let chars = text.chars().count();
        TextContent { text, chars }
    }
}

impl From<&str> for TextContent {
    fn from(text: &str) -> Self {
        TextContent::from(text.to_owned())
    }
}

impl Content for TextContent {
    fn len(&self) -> usize {
        self.chars
    }

    fn split_off(&mut self, at: usize) -> Self {
        assert!(
            at <= self.chars,
            "split_off({at}) past {} chars",
            self.chars
        );
        let byte = self.byte_offset(at);
        let tail = self.text.split_off(byte);
        let tail_chars = self.chars - at;
        self.chars = at;
        TextContent {
            text: tail,
            chars: tail_chars,
        }
    }

    fn append(&mut self, other: Self) {
        self.text.push_str(&other.text);
        self.chars += other.chars;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Checks the span law on one value: split at `k`, the parts have the right lengths and
    /// appending them restores the original.
    fn span_law<C: Content + PartialEq>(mut a: C, k: usize) {
        let orig = a.clone();
        let len = a.len();
        let k = k % (len + 1);
        let b = a.split_off(k);
        assert_eq!(a.len(), k);
        assert_eq!(b.len(), len - k);
        a.append(b);
        assert_eq!(a, orig);
    }

    proptest! {
        #[test]
        fn text_span_law(s in "\\PC{0,24}", k in 0usize..64) {
            let t = TextContent::from(s.as_str());
            prop_assert_eq!(t.len(), s.chars().count());
            let mut head = t.clone();
            let k = k % (t.len() + 1);
            let tail = head.split_off(k);
            let expect_head: String = s.chars().take(k).collect();
            let expect_tail: String = s.chars().skip(k).collect();
            prop_assert_eq!(head.as_str(), expect_head.as_str());
            prop_assert_eq!(tail.as_str(), expect_tail.as_str());
            span_law(t, k);
        }

        #[test]
        fn vec_span_law(v in proptest::collection::vec(any::<u8>(), 0..24), k in 0usize..64) {
            span_law(v, k);
        }
    }

    #[test]
    fn multibyte_split() {
        let mut t = TextContent::from("añ€😀b");
        let tail = t.split_off(3);
        assert_eq!((t.as_str(), t.len()), ("añ€", 3));
        assert_eq!((tail.as_str(), tail.len()), ("😀b", 2));
    }
}
