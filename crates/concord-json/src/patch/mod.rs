//! RFC 6902 JSON Patch: the wire type, applying it to a document or a plain value, and
//! producing it as the difference between two versions of a document. RFC 7396 merge patch
//! sits here too, as the other way HTTP clients send partial updates.
//!
//! On a document every op becomes CRDT ops in one transaction (a named group `json-patch`),
//! so a patch is atomic and merges with concurrent edits like any local edit. On a plain value
//! each op records its inverse, and a failing op replays the inverses backwards: no copy of the
//! value is made to be able to roll back.

mod diff;
mod doc;
mod locate;
mod merge_patch;
mod value;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pointer::JsonPointer;

pub use diff::diff;
pub use doc::{apply_patch, apply_patch_in, apply_patch_with, write_json};
pub use merge_patch::{apply_merge_patch, apply_merge_patch_to_value, apply_merge_patch_with};
pub use value::apply_patch_to_value;
pub(crate) use value::{value_add, value_remove, value_replace};

/// The value `path` names in `doc`, if any.
pub(crate) fn value_at<'v>(doc: &'v Value, path: &JsonPointer) -> Option<&'v Value> {
    value::value_get(doc, path.tokens(), 0).ok()
}

/// A JSON Patch: a list of ops applied in order, all or nothing. Its serde form is the
/// standard one, a JSON array of op objects.
///
/// ```
/// use concord_json::{Patch, PatchOp};
/// let patch: Patch = serde_json::from_str(r#"[{"op": "remove", "path": "/a/0"}]"#)?;
/// assert_eq!(patch.0, [PatchOp::Remove { path: "/a/0".parse().unwrap() }]);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Patch(pub Vec<PatchOp>);

impl Patch {
    /// The ops, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, PatchOp> {
        self.0.iter()
    }

    /// The number of ops.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the patch has no ops.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<PatchOp>> for Patch {
    fn from(ops: Vec<PatchOp>) -> Self {
        Patch(ops)
    }
}

impl<'a> IntoIterator for &'a Patch {
    type Item = &'a PatchOp;
    type IntoIter = std::slice::Iter<'a, PatchOp>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// One JSON Patch op. Unknown members of an op object are ignored, as RFC 6902 asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PatchOp {
    /// Adds a member, inserts into an array (`-` appends), or replaces the whole document.
    Add {
        /// Where.
        path: JsonPointer,
        /// What.
        value: Value,
    },
    /// Removes a member or an array element.
    Remove {
        /// What.
        path: JsonPointer,
    },
    /// Replaces an existing value.
    Replace {
        /// Where.
        path: JsonPointer,
        /// The new value.
        value: Value,
    },
    /// Removes the value at `from` and adds it at `path`.
    Move {
        /// The value to move.
        from: JsonPointer,
        /// Where it goes.
        path: JsonPointer,
    },
    /// Adds a copy of the value at `from` at `path`.
    Copy {
        /// The value to copy.
        from: JsonPointer,
        /// Where the copy goes.
        path: JsonPointer,
    },
    /// Fails the patch unless the value at `path` equals `value` (numbers by value, objects
    /// regardless of member order).
    Test {
        /// Where.
        path: JsonPointer,
        /// The expected value.
        value: Value,
    },
}

impl PatchOp {
    /// The kind of op.
    pub fn kind(&self) -> OpKind {
        match self {
            PatchOp::Add { .. } => OpKind::Add,
            PatchOp::Remove { .. } => OpKind::Remove,
            PatchOp::Replace { .. } => OpKind::Replace,
            PatchOp::Move { .. } => OpKind::Move,
            PatchOp::Copy { .. } => OpKind::Copy,
            PatchOp::Test { .. } => OpKind::Test,
        }
    }

    /// Its `path`.
    pub fn path(&self) -> &JsonPointer {
        match self {
            PatchOp::Add { path, .. }
            | PatchOp::Remove { path }
            | PatchOp::Replace { path, .. }
            | PatchOp::Move { path, .. }
            | PatchOp::Copy { path, .. }
            | PatchOp::Test { path, .. } => path,
        }
    }

    /// This op with `prefix` put in front of its pointers: the op for the same edit made on a
    /// document that holds the original target at `prefix`.
    pub fn prefixed(&self, prefix: &JsonPointer) -> PatchOp {
        let p = |ptr: &JsonPointer| prefix.join(ptr);
        match self {
            PatchOp::Add { path, value } => PatchOp::Add {
                path: p(path),
                value: value.clone(),
            },
            PatchOp::Remove { path } => PatchOp::Remove { path: p(path) },
            PatchOp::Replace { path, value } => PatchOp::Replace {
                path: p(path),
                value: value.clone(),
            },
            PatchOp::Move { from, path } => PatchOp::Move {
                from: p(from),
                path: p(path),
            },
            PatchOp::Copy { from, path } => PatchOp::Copy {
                from: p(from),
                path: p(path),
            },
            PatchOp::Test { path, value } => PatchOp::Test {
                path: p(path),
                value: value.clone(),
            },
        }
    }
}

/// The kind of a [`PatchOp`], as errors report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// `add`.
    Add,
    /// `remove`.
    Remove,
    /// `replace`.
    Replace,
    /// `move`.
    Move,
    /// `copy`.
    Copy,
    /// `test`.
    Test,
}

impl fmt::Display for OpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OpKind::Add => "add",
            OpKind::Remove => "remove",
            OpKind::Replace => "replace",
            OpKind::Move => "move",
            OpKind::Copy => "copy",
            OpKind::Test => "test",
        })
    }
}
