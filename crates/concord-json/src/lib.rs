//! The JSON view of a Concord document, for clients that know JSON and HTTP but no CRDTs.
//!
//! - [`to_json`] / [`to_json_at`]: a document (now, or at past heads) as a `serde_json::Value`;
//!   [`write_json`] writes JSON into a document inside a transaction.
//! - [`JsonPointer`]: RFC 6901 pointers, parsed once, with typed errors.
//! - [`Patch`]: RFC 6902 JSON Patch. [`apply_patch`] turns every op into CRDT ops in one
//!   transaction, all or nothing; [`apply_patch_to_value`] patches plain JSON; [`diff`] gives
//!   the patch between two versions of a document, from the identities of its elements.
//! - [`apply_merge_patch`]: RFC 7396 merge patch, on documents and plain values.
//! - [`merge3`]: a three-way merge of plain JSON against a snapshot, with conflict reports
//!   and resolution policies, for clients that edit offline and save with `If-Match`.
//!
//! Two replicas edit one document through JSON Patch, sync, and agree; the shared note is a
//! text, so both edits of its string survive:
//!
//! ```
//! use concord::{Doc, ReadDoc};
//! use concord_json::{apply_patch, apply_patch_with, diff, to_json, JsonOptions, Patch};
//! use serde_json::json;
//!
//! let options = JsonOptions::new().text("/note".parse()?);
//! let mut alice = Doc::new();
//! let start: Patch = serde_json::from_value(json!([
//!     {"op": "add", "path": "/items", "value": ["milk"]},
//!     {"op": "add", "path": "/note", "value": "buy milk"},
//! ]))?;
//! apply_patch_with(&mut alice, &start, &options)?;
//!
//! let mut bob = alice.fork();
//! let base = alice.heads();
//! apply_patch(&mut alice, &serde_json::from_value(json!([
//!     {"op": "add", "path": "/items/-", "value": "eggs"},
//!     {"op": "replace", "path": "/note", "value": "buy oat milk"},
//! ]))?)?;
//! apply_patch(&mut bob, &serde_json::from_value(json!([
//!     {"op": "add", "path": "/items/0", "value": "bread"},
//!     {"op": "replace", "path": "/note", "value": "buy milk today"},
//! ]))?)?;
//!
//! alice.merge(&bob)?;
//! bob.merge(&alice)?;
//! let merged = json!({"items": ["bread", "milk", "eggs"], "note": "buy oat milk today"});
//! assert_eq!(to_json(&alice)?, merged);
//! assert_eq!(to_json(&bob)?, merged);
//!
//! // What changed since `base`, for a client that still holds that version.
//! let changes = diff(&alice, &base, &alice.heads())?;
//! let mut old = json!({"items": ["milk"], "note": "buy milk"});
//! concord_json::apply_patch_to_value(&mut old, &changes)?;
//! assert_eq!(old, merged);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The mapping
//!
//! Maps are objects, lists arrays, texts strings. Counters and timestamps are numbers, floats
//! that are not finite `null`, and bytes a base64 string (standard alphabet, padded, as in the
//! JSON mapping of protocol buffers); reading such JSON back gives a string, so a byte value
//! written through JSON does not round-trip. Of concurrent values, the winner shows. A JSON
//! string is written as a scalar unless [`JsonOptions`] name its path as text; numbers become
//! signed integers where they fit, unsigned ones above `i64::MAX`, floats otherwise.
//!
//! # Limits
//!
//! Nothing here panics on any input. Documents and values nesting deeper than [`MAX_DEPTH`]
//! objects and arrays are refused with [`TooDeep`] before any recursion could exhaust the
//! stack; the limit is that of `serde_json`'s parser, so every JSON this crate accepts or
//! produces can be parsed again.

mod error;
#[doc(hidden)]
pub mod fuzzing;
mod json;
mod merge3;
mod patch;
mod pointer;

pub use error::{EditError, PatchError, TooDeep, ViewError};
pub use json::{to_json, to_json_at, JsonOptions};
pub use merge3::{
    changes, merge3, reverse_unsaved, AutoResolve, Change, ChangeKind, Compare, Conflict,
    MergeOptions, MergeOutcome,
};
pub use patch::{
    apply_merge_patch, apply_merge_patch_to_value, apply_merge_patch_with, apply_patch,
    apply_patch_in, apply_patch_to_value, apply_patch_with, diff, write_json, OpKind, Patch,
    PatchOp,
};
pub use pointer::{ArrayIndex, IndexError, JsonPointer, PathPatterns, PointerError};

/// The deepest nesting of objects and arrays that is read, written or merged.
pub const MAX_DEPTH: usize = 128;
