//! Sets of pointer patterns: the paths an option applies to.

use super::JsonPointer;

/// JSON Pointers where a `*` token matches any one token (so `/todos/*/title` names the title
/// of every element of `todos`; a literal `*` key is matched by it too).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathPatterns {
    patterns: Vec<JsonPointer>,
}

impl PathPatterns {
    /// No patterns: matches nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a pattern.
    pub fn insert(&mut self, pattern: JsonPointer) {
        self.patterns.push(pattern);
    }

    /// Whether no pattern was added.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether some pattern matches exactly these tokens.
    pub fn matches(&self, tokens: &[String]) -> bool {
        self.patterns
            .iter()
            .any(|p| p.len() == tokens.len() && matches_prefix(p, tokens))
    }

    /// The length of the shortest strict prefix of `tokens` that some pattern matches.
    pub fn strict_prefix(&self, tokens: &[String]) -> Option<usize> {
        self.patterns
            .iter()
            .filter(|p| p.len() < tokens.len() && matches_prefix(p, tokens))
            .map(JsonPointer::len)
            .min()
    }
}

/// Whether `pattern` matches the first `pattern.len()` tokens of `tokens`.
pub(crate) fn matches_prefix(pattern: &JsonPointer, tokens: &[String]) -> bool {
    pattern.len() <= tokens.len()
        && pattern
            .tokens()
            .iter()
            .zip(tokens)
            .all(|(p, t)| p == "*" || p == t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ps: &[&str]) -> PathPatterns {
        let mut s = PathPatterns::new();
        for p in ps {
            s.insert(p.parse().unwrap());
        }
        s
    }

    fn toks(p: &str) -> Vec<String> {
        JsonPointer::parse(p).unwrap().tokens().to_vec()
    }

    #[test]
    fn wildcards_match_one_token() {
        let s = set(&["/todos/*/title"]);
        assert!(s.matches(&toks("/todos/3/title")));
        assert!(!s.matches(&toks("/todos/3")));
        assert!(!s.matches(&toks("/todos/3/title/x")));
        assert_eq!(s.strict_prefix(&toks("/todos/3/title/x")), Some(3));
        assert_eq!(s.strict_prefix(&toks("/todos/3/title")), None);
    }
}
