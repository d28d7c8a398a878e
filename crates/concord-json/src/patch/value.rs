//! JSON Patch on a plain `serde_json::Value`, with an undo log instead of a copy.
//!
//! The primitives address a value by the tokens of a pointer from position `skip` on, and
//! report errors with the whole pointer: the document editor uses them inside an atomic unit,
//! whose tokens start part-way down the document's path.

use std::mem;

use serde_json::{Map, Value};

use super::locate::{existing, insertion, prefix};
use super::{Patch, PatchOp};
use crate::error::{EditError, PatchError, TooDeep};
use crate::json::{check_depth, json_eq};

/// Applies `patch` to a plain JSON value, all or nothing.
///
/// ```
/// use serde_json::json;
/// let mut doc = json!({"foo": ["bar", "baz"]});
/// let patch = serde_json::from_value(json!([
///     {"op": "add", "path": "/foo/1", "value": "qux"},
///     {"op": "test", "path": "/foo/0", "value": "bar"},
/// ]))?;
/// concord_json::apply_patch_to_value(&mut doc, &patch)?;
/// assert_eq!(doc, json!({"foo": ["bar", "qux", "baz"]}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`PatchError`] names the first op that failed and why; `doc` is then as it was.
pub fn apply_patch_to_value(doc: &mut Value, patch: &Patch) -> Result<(), PatchError> {
    let mut log = Vec::new();
    for (index, op) in patch.iter().enumerate() {
        if let Err(reason) = apply_op(doc, op, &mut log) {
            for undo in log.into_iter().rev() {
                undo.apply(doc);
            }
            return Err(PatchError {
                index,
                op: op.kind(),
                path: op.path().clone(),
                reason,
            });
        }
    }
    Ok(())
}

fn apply_op(doc: &mut Value, op: &PatchOp, log: &mut Vec<Undo>) -> Result<(), EditError> {
    if let PatchOp::Add { path, value } | PatchOp::Replace { path, value } = op {
        // Before the value is cloned: cloning recurses.
        check_depth(value, room(path.tokens())?)?;
    }
    match op {
        PatchOp::Add { path, value } => {
            log.push(value_add(doc, path.tokens(), 0, value.clone())?);
        }
        PatchOp::Remove { path } => {
            let removed = value_remove(doc, path.tokens(), 0)?;
            log.push(Undo::Insert(path.tokens().to_vec(), removed));
        }
        PatchOp::Replace { path, value } => {
            log.push(value_replace(doc, path.tokens(), 0, value.clone())?);
        }
        PatchOp::Move { from, path } => {
            if from == path {
                value_get(doc, from.tokens(), 0)?;
            } else if path.starts_with(from) {
                return Err(EditError::MoveIntoChild {
                    from: from.clone(),
                    path: path.clone(),
                });
            } else {
                let moved = value_remove(doc, from.tokens(), 0)?;
                log.push(Undo::Insert(from.tokens().to_vec(), moved.clone()));
                log.push(value_add(doc, path.tokens(), 0, moved)?);
            }
        }
        PatchOp::Copy { from, path } => {
            let copy = value_get(doc, from.tokens(), 0)?;
            check_depth(copy, room(path.tokens())?)?;
            let copy = copy.clone();
            log.push(value_add(doc, path.tokens(), 0, copy)?);
        }
        PatchOp::Test { path, value } => {
            check_depth(value, crate::MAX_DEPTH)?;
            let actual = value_get(doc, path.tokens(), 0)?;
            if !json_eq(actual, value) {
                return Err(EditError::TestFailed {
                    pointer: path.clone(),
                    expected: Box::new(value.clone()),
                    actual: Box::new(actual.clone()),
                });
            }
        }
    }
    Ok(())
}

/// How deep a value written at `tokens` may nest.
fn room(tokens: &[String]) -> Result<usize, TooDeep> {
    crate::MAX_DEPTH
        .checked_sub(tokens.len())
        .ok_or(TooDeep::ERR)
}

/// The inverse of one primitive edit, addressed by tokens relative to the patched value.
#[derive(Debug)]
pub(crate) enum Undo {
    /// Remove what the edit added at this place.
    Remove(Vec<String>),
    /// Put back what the edit removed from this place.
    Insert(Vec<String>, Value),
    /// Put back the value the edit replaced at this place.
    Set(Vec<String>, Value),
}

impl Undo {
    /// Replays the inverse. The log is replayed backwards, so each place exists again when its
    /// record is reached, and nothing can fail.
    fn apply(self, doc: &mut Value) {
        let undone = match self {
            Undo::Remove(t) => value_remove(doc, &t, 0).map(drop),
            Undo::Insert(t, v) => value_add(doc, &t, 0, v).map(drop),
            Undo::Set(t, v) => value_replace(doc, &t, 0, v).map(drop),
        };
        debug_assert!(undone.is_ok(), "undo of a recorded edit: {undone:?}");
    }
}

/// The value at `tokens[skip..]`.
pub(crate) fn value_get<'v>(
    mut v: &'v Value,
    tokens: &[String],
    skip: usize,
) -> Result<&'v Value, EditError> {
    for i in skip..tokens.len() {
        v = match v {
            Value::Object(m) => m.get(&tokens[i]).ok_or_else(|| EditError::Missing {
                pointer: prefix(tokens, i + 1),
            })?,
            Value::Array(a) => &a[existing(tokens, i, a.len())?],
            _ => {
                return Err(EditError::NotAContainer {
                    pointer: prefix(tokens, i),
                })
            }
        };
    }
    Ok(v)
}

/// The container of a value.
enum Parent<'v> {
    Object(&'v mut Map<String, Value>),
    Array(&'v mut Vec<Value>),
}

/// The container holding the value at `tokens[skip..]`, or `None` when that is `v` itself.
fn parent_mut<'v>(
    v: &'v mut Value,
    tokens: &[String],
    skip: usize,
) -> Result<Option<Parent<'v>>, EditError> {
    let Some(last) = tokens.len().checked_sub(1).filter(|&l| l >= skip) else {
        return Ok(None);
    };
    let mut v = v;
    for i in skip..last {
        v = match v {
            Value::Object(m) => m.get_mut(&tokens[i]).ok_or_else(|| EditError::Missing {
                pointer: prefix(tokens, i + 1),
            })?,
            Value::Array(a) => {
                let index = existing(tokens, i, a.len())?;
                &mut a[index]
            }
            _ => {
                return Err(EditError::NotAContainer {
                    pointer: prefix(tokens, i),
                })
            }
        };
    }
    match v {
        Value::Object(m) => Ok(Some(Parent::Object(m))),
        Value::Array(a) => Ok(Some(Parent::Array(a))),
        _ => Err(EditError::NotAContainer {
            pointer: prefix(tokens, last),
        }),
    }
}

/// RFC 6902 `add` at `tokens[skip..]`.
pub(crate) fn value_add(
    doc: &mut Value,
    tokens: &[String],
    skip: usize,
    value: Value,
) -> Result<Undo, EditError> {
    check_depth(&value, room(tokens)?)?;
    let rel = tokens[skip..].to_vec();
    let Some(parent) = parent_mut(doc, tokens, skip)? else {
        return Ok(Undo::Set(rel, mem::replace(doc, value)));
    };
    let last = tokens.len() - 1;
    match parent {
        Parent::Object(m) => Ok(match m.insert(tokens[last].clone(), value) {
            Some(old) => Undo::Set(rel, old),
            None => Undo::Remove(rel),
        }),
        Parent::Array(a) => {
            let index = insertion(tokens, last, a.len())?;
            a.insert(index, value);
            Ok(Undo::Remove(with_last(rel, index)))
        }
    }
}

/// `tokens` with the last one set to `index` (an array `-` made concrete).
fn with_last(mut tokens: Vec<String>, index: usize) -> Vec<String> {
    if let Some(last) = tokens.last_mut() {
        *last = index.to_string();
    }
    tokens
}

/// RFC 6902 `remove` at `tokens[skip..]`: the removed value.
pub(crate) fn value_remove(
    doc: &mut Value,
    tokens: &[String],
    skip: usize,
) -> Result<Value, EditError> {
    let Some(parent) = parent_mut(doc, tokens, skip)? else {
        return Err(EditError::RemoveRoot);
    };
    let last = tokens.len() - 1;
    match parent {
        Parent::Object(m) => m.remove(&tokens[last]).ok_or_else(|| EditError::Missing {
            pointer: prefix(tokens, last + 1),
        }),
        Parent::Array(a) => Ok(a.remove(existing(tokens, last, a.len())?)),
    }
}

/// RFC 6902 `replace` at `tokens[skip..]`.
pub(crate) fn value_replace(
    doc: &mut Value,
    tokens: &[String],
    skip: usize,
    value: Value,
) -> Result<Undo, EditError> {
    check_depth(&value, room(tokens)?)?;
    let rel = tokens[skip..].to_vec();
    let Some(parent) = parent_mut(doc, tokens, skip)? else {
        return Ok(Undo::Set(rel, mem::replace(doc, value)));
    };
    let last = tokens.len() - 1;
    let slot = match parent {
        Parent::Object(m) => m.get_mut(&tokens[last]).ok_or_else(|| EditError::Missing {
            pointer: prefix(tokens, last + 1),
        })?,
        Parent::Array(a) => {
            let index = existing(tokens, last, a.len())?;
            &mut a[index]
        }
    };
    Ok(Undo::Set(rel, mem::replace(slot, value)))
}
