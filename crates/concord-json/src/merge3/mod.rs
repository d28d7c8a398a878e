//! A three-way merge of plain JSON against a snapshot, for clients that edit a copy offline
//! and save it over HTTP with `If-Match`.
//!
//! It follows Ramsey and Csirmaz's algebraic file synchronizer, with JSON values in place of
//! files: each side's *changes* are the edits, creates and removes found by comparing it with
//! the snapshot (the base), one per changed value (a value replaced by one of another kind is
//! one edit; a member removed and added again is an edit; an element appended to an array is
//! a create). Two changes *collide* when they touch the same value or one lies inside the
//! other and they differ. Changes that do not collide commute, so both sides' are combined;
//! collisions are conflicts, settled or reported according to [`AutoResolve`].
//!
//! Array elements are matched by position, or by an identity key ([`MergeOptions::identify`])
//! so that moved and reordered elements are recognised; collections whose order does not
//! matter can be sorted first ([`MergeOptions::sort`]).
//!
//! The patches of a [`MergeOutcome`] are diffs between values the walk builds, so they are
//! right by construction: applying `from_local` to the remote value gives the merged one,
//! applying `reverse_unsaved` to the local value rolls its unsaved changes back, and applying
//! `from_remote` to that gives the merged value too.

mod diff;
mod merge;
mod options;

use serde_json::Value;

pub use diff::{changes, Change, ChangeKind};
pub use options::{AutoResolve, Compare, MergeOptions};

use crate::error::TooDeep;
use crate::json::check_depth;
use crate::patch::Patch;
use crate::pointer::JsonPointer;
use diff::patch_between;
use merge::Merge;

/// Two changes that collide: where, and the value in the snapshot and on each side (`None`
/// where there is no value).
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The value both sides changed (the outer one, when one change lies inside the other).
    pub path: JsonPointer,
    /// In the snapshot.
    pub base: Option<Value>,
    /// On the local side.
    pub local: Option<Value>,
    /// On the remote side.
    pub remote: Option<Value>,
}

/// What [`merge3`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct MergeOutcome {
    /// The merged value: the one to save, and to show.
    pub merged: Value,
    /// The local changes taken, as the patch that turns the remote value into `merged`: what
    /// to send to the server that holds the remote value.
    pub from_local: Patch,
    /// The remote changes taken, as the patch that turns the local value, its unsaved changes
    /// rolled back ([`reverse_unsaved`]), into `merged`: what to apply to the local copy.
    pub from_remote: Patch,
    /// Collisions settled for the remote side ([`AutoResolve::PreferRemote`]): local changes
    /// that the merged value overwrites.
    pub overwritten: Vec<Conflict>,
    /// Local changes that are not in `merged`: those of unresolved conflicts, or all of them
    /// with [`AutoResolve::Off`].
    pub unsaved: Vec<Change>,
    /// Collisions left for the caller to resolve.
    pub conflicts: Vec<Conflict>,
    reverse_unsaved: Patch,
}

/// Merges `local` and `remote`, two descendants of `base`.
///
/// ```
/// use concord_json::{merge3, MergeOptions};
/// use serde_json::json;
/// let base = json!({"title": "Groceries", "items": ["milk"], "owner": "ann"});
/// let local = json!({"title": "Groceries!", "items": ["milk"], "owner": "bob"});
/// let remote = json!({"title": "Groceries", "items": ["milk", "eggs"], "owner": "cy"});
/// let outcome = merge3(&base, &local, &remote, &MergeOptions::new())?;
/// assert_eq!(outcome.merged, json!({"title": "Groceries!", "items": ["milk", "eggs"], "owner": "cy"}));
/// assert_eq!(outcome.conflicts[0].path.to_string(), "/owner");
/// assert_eq!(serde_json::to_value(&outcome.from_local)?, json!([{"op": "replace", "path": "/title", "value": "Groceries!"}]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`TooDeep`] if a value nests deeper than [`crate::MAX_DEPTH`].
pub fn merge3(
    base: &Value,
    local: &Value,
    remote: &Value,
    options: &MergeOptions,
) -> Result<MergeOutcome, TooDeep> {
    for v in [base, local, remote] {
        check_depth(v, crate::MAX_DEPTH)?;
    }
    let mut walk = Merge {
        options,
        path: JsonPointer::root(),
        conflicts: Vec::new(),
        overwritten: Vec::new(),
        unsaved: Vec::new(),
    };
    let (merged, kept) = walk.node(Some(base), Some(local), Some(remote));
    let (merged, kept, unsaved) = match options.auto_resolve {
        AutoResolve::Off => (remote.clone(), base.clone(), changes(base, local, options)?),
        _ => (
            merged.unwrap_or(Value::Null),
            kept.unwrap_or(Value::Null),
            walk.unsaved,
        ),
    };
    Ok(MergeOutcome {
        from_local: patch_between(remote, &merged, options),
        from_remote: patch_between(&kept, &merged, options),
        reverse_unsaved: patch_between(local, &kept, options),
        merged,
        overwritten: walk.overwritten,
        unsaved,
        conflicts: walk.conflicts,
    })
}

/// The patch that rolls the unsaved local changes of `outcome` back: applied to the local
/// value, it leaves the local changes that were merged and none of the others.
pub fn reverse_unsaved(outcome: &MergeOutcome) -> Patch {
    outcome.reverse_unsaved.clone()
}
