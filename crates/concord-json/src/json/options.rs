//! How JSON is stored in a document: which strings become texts, which values are atomic.

use crate::pointer::{JsonPointer, PathPatterns};

/// Options for writing JSON into a document ([`crate::write_json`],
/// [`crate::apply_patch_with`], [`crate::apply_merge_patch_with`]).
///
/// - **text** paths: a JSON string written there becomes a text object, which concurrent
///   writers edit character by character; elsewhere a string is one scalar that concurrent
///   writers replace whole (the default).
/// - **atomic** paths: an object or array there is a unit. An edit inside it through this
///   crate (a patch op below the path) writes the whole unit anew, so concurrent writers each
///   replace the unit and the merge keeps one of them whole (the other stays reachable as a
///   conflict, `concord::ReadDoc::get_all`): an `{x, y}` point never mixes one writer's `x`
///   with another's `y`. Every writer of a document should use the same options, as with a
///   schema.
///
/// Paths are [`PathPatterns`]: `*` matches any one token.
///
/// ```
/// use concord_json::JsonOptions;
/// let options = JsonOptions::new()
///     .text("/todos/*/title".parse()?)
///     .atomic("/todos/*/position".parse()?);
/// # Ok::<(), concord_json::PointerError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonOptions {
    text: PathPatterns,
    atomic: PathPatterns,
}

impl JsonOptions {
    /// Strings stay scalars, nothing is atomic.
    pub fn new() -> Self {
        Self::default()
    }

    /// Strings written at paths matching `pattern` become text objects.
    pub fn text(mut self, pattern: JsonPointer) -> Self {
        self.text.insert(pattern);
        self
    }

    /// Objects and arrays at paths matching `pattern` are atomic units.
    pub fn atomic(mut self, pattern: JsonPointer) -> Self {
        self.atomic.insert(pattern);
        self
    }

    pub(crate) fn is_text(&self, path: &[String]) -> bool {
        !self.text.is_empty() && self.text.matches(path)
    }

    pub(crate) fn is_atomic(&self, path: &[String]) -> bool {
        !self.atomic.is_empty() && self.atomic.matches(path)
    }

    /// How many tokens of `path` name the atomic unit it lies strictly inside, if any.
    pub(crate) fn atomic_unit(&self, path: &[String]) -> Option<usize> {
        self.atomic.strict_prefix(path)
    }
}
