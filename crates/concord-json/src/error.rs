//! The error types, one per boundary.
//!
//! Reading a document as JSON can only meet an unknown version or a document nested too deep
//! ([`ViewError`]). Editing at a pointer ([`EditError`]) can also find nothing there, a value
//! of the wrong kind, a bad array index or a failed `test`; a JSON Patch wraps that reason
//! with the index, kind and path of the failing op ([`PatchError`]). Every variant carries the
//! pointers and numbers involved as fields.

use concord::DocError;
use serde_json::Value;

use crate::patch::OpKind;
use crate::pointer::{IndexError, JsonPointer};

/// Nesting deeper than [`crate::MAX_DEPTH`] containers, refused before any recursion could
/// exhaust the stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the value nests deeper than {limit} objects and arrays")]
pub struct TooDeep {
    /// The limit, [`crate::MAX_DEPTH`].
    pub limit: usize,
}

impl TooDeep {
    pub(crate) const ERR: TooDeep = TooDeep {
        limit: crate::MAX_DEPTH,
    };
}

/// A document (or part of one) that cannot be read as JSON.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// The engine refused the read: unknown heads, most likely.
    #[error(transparent)]
    Doc(#[from] DocError),
    /// The document nests deeper than JSON readers accept.
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
}

/// An edit at a pointer that cannot be made. Whatever it belonged to is rolled back.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// Nothing is at `pointer` (a missing key, or `-` where an existing element is needed).
    #[error("nothing is at {pointer}")]
    Missing {
        /// The first pointer along the way that names nothing.
        pointer: JsonPointer,
    },
    /// `pointer` holds a scalar or a string, and the path goes on inside it.
    #[error("{pointer} holds no object or array to go into")]
    NotAContainer {
        /// The value that cannot hold others.
        pointer: JsonPointer,
    },
    /// A token applied to an array is not an array index.
    #[error("{token:?} at {pointer} is not an array index: {reason}")]
    BadIndex {
        /// The pointer up to and including the token.
        pointer: JsonPointer,
        /// The token.
        token: String,
        /// What is wrong with it.
        reason: IndexError,
    },
    /// An array index past the end.
    #[error("index {index} at {pointer} is out of bounds for an array of length {len}")]
    OutOfBounds {
        /// The pointer up to and including the index.
        pointer: JsonPointer,
        /// The index.
        index: usize,
        /// The length of the array.
        len: usize,
    },
    /// A `test` op found another value.
    #[error("{pointer} holds {actual}, not {expected}")]
    TestFailed {
        /// The tested pointer.
        pointer: JsonPointer,
        /// The value the op expected.
        expected: Box<Value>,
        /// The value found.
        actual: Box<Value>,
    },
    /// A `move` into a child of the value moved.
    #[error("{from} cannot move into its own child {path}")]
    MoveIntoChild {
        /// The value to move.
        from: JsonPointer,
        /// Where it was to go.
        path: JsonPointer,
    },
    /// The root of a document is a map: it can only be replaced by a JSON object.
    #[error("the root of a document is an object and can only be replaced by one")]
    RootNotObject,
    /// `remove` of the whole document.
    #[error("the whole document cannot be removed")]
    RemoveRoot,
    /// The edit would nest the document deeper than the limit.
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
    /// The engine refused an edit or a read.
    #[error(transparent)]
    Doc(#[from] DocError),
}

impl From<ViewError> for EditError {
    fn from(e: ViewError) -> Self {
        match e {
            ViewError::Doc(e) => EditError::Doc(e),
            ViewError::TooDeep(e) => EditError::TooDeep(e),
        }
    }
}

/// A JSON Patch that was refused. Nothing of it was applied.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("op {index} ({op} {path}) failed: {reason}")]
pub struct PatchError {
    /// The position of the failing op in the patch, from 0.
    pub index: usize,
    /// Its kind.
    pub op: OpKind,
    /// Its `path`.
    pub path: JsonPointer,
    /// Why it failed.
    pub reason: EditError,
}
