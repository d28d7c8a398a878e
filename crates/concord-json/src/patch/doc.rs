//! JSON Patch on a document: every op becomes CRDT ops in one transaction.
//!
//! Pointers are resolved against the transaction as it stands, so each op sees the edits of
//! the ops before it. Maps and lists are edited in place: `add` into an array is a list insert,
//! `remove` a delete, so the ops merge with concurrent edits like any local edit. A `replace`
//! of a text's string is the smallest splice (common prefix and suffix kept); `move` and `copy`
//! carry the document's own values (a text stays a text, a counter a counter).

use concord::{Doc, ObjId, ObjType, Prop, ReadDoc, Transaction, Value, ROOT};

use super::locate::{existing, insertion, prefix};
use super::{value_add, value_remove, value_replace, Patch, PatchOp};
use crate::error::{EditError, PatchError, TooDeep};
use crate::json::{
    check_depth, insert_node, json_eq, read_node, replace_node, value_node, JsonOptions, Node, View,
};
use crate::pointer::JsonPointer;

/// Applies `patch` to `doc` in one transaction, all or nothing, with default
/// [`JsonOptions`] (strings are stored as scalars).
///
/// ```
/// use concord::Doc;
/// use serde_json::json;
/// let mut doc = Doc::new();
/// let patch = serde_json::from_value(json!([
///     {"op": "add", "path": "/items", "value": ["milk"]},
///     {"op": "add", "path": "/items/-", "value": "eggs"},
/// ]))?;
/// concord_json::apply_patch(&mut doc, &patch)?;
/// assert_eq!(concord_json::to_json(&doc)?, json!({"items": ["milk", "eggs"]}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`PatchError`] names the first op that failed and why. The document, its heads and its op
/// counter are then exactly as they were.
pub fn apply_patch(doc: &mut Doc, patch: &Patch) -> Result<(), PatchError> {
    apply_patch_with(doc, patch, &JsonOptions::default())
}

/// [`apply_patch`] with options: which strings become texts, which values are atomic.
///
/// # Errors
/// As [`apply_patch`].
pub fn apply_patch_with(
    doc: &mut Doc,
    patch: &Patch,
    options: &JsonOptions,
) -> Result<(), PatchError> {
    doc.transact(|tx| apply_patch_in(tx, patch, options))
}

/// Applies `patch` inside an open transaction, as a named group `json-patch`. If an op fails,
/// the group's edits are undone and the transaction goes on.
///
/// # Errors
/// As [`apply_patch`].
pub fn apply_patch_in(
    tx: &mut Transaction<'_>,
    patch: &Patch,
    options: &JsonOptions,
) -> Result<(), PatchError> {
    tx.group("json-patch", |tx| {
        let mut editor = Editor { tx, options };
        patch.iter().enumerate().try_for_each(|(index, op)| {
            editor.apply(op).map_err(|reason| PatchError {
                index,
                op: op.kind(),
                path: op.path().clone(),
                reason,
            })
        })
    })
}

/// Writes a JSON value into the document at `path`, as a JSON Patch `add` would: a new or
/// replaced map key, an insert into a list (`-` appends), or, at the root, the root's keys set
/// to those of a JSON object.
///
/// # Errors
/// [`EditError`] if `path` cannot take a value (see [`PatchOp::Add`]).
pub fn write_json(
    tx: &mut Transaction<'_>,
    path: &JsonPointer,
    value: &serde_json::Value,
    options: &JsonOptions,
) -> Result<(), EditError> {
    let mut editor = Editor { tx, options };
    let node = editor.node(path, value)?;
    editor.add(path, node)
}

/// Where a pointer lands in the document: the root, or the container of the value (whose
/// last token is read as a key or an index according to its type).
enum Place {
    Root,
    Key(ObjId, String),
    Index(ObjId),
}

struct Editor<'t, 'a> {
    tx: &'t mut Transaction<'a>,
    options: &'t JsonOptions,
}

impl Editor<'_, '_> {
    fn apply(&mut self, op: &PatchOp) -> Result<(), EditError> {
        match op {
            PatchOp::Add { path, value } => {
                let node = self.node(path, value)?;
                self.add(path, node)
            }
            PatchOp::Remove { path } => self.remove(path),
            PatchOp::Replace { path, value } => {
                let node = self.node(path, value)?;
                self.replace(path, node)
            }
            PatchOp::Move { from, path } => {
                if from == path {
                    self.read(from).map(drop)
                } else if path.starts_with(from) {
                    Err(EditError::MoveIntoChild {
                        from: from.clone(),
                        path: path.clone(),
                    })
                } else {
                    let node = self.read(from)?;
                    self.remove(from)?;
                    self.add(path, node)
                }
            }
            PatchOp::Copy { from, path } => {
                let node = self.read(from)?;
                self.add(path, node)
            }
            PatchOp::Test { path, value } => {
                check_depth(value, crate::MAX_DEPTH)?;
                let actual = self.read(path)?.into_json();
                if json_eq(&actual, value) {
                    Ok(())
                } else {
                    Err(EditError::TestFailed {
                        pointer: path.clone(),
                        expected: Box::new(value.clone()),
                        actual: Box::new(actual),
                    })
                }
            }
        }
    }

    /// The node for a JSON value to be written at `path`, once its depth is checked.
    fn node(&self, path: &JsonPointer, value: &serde_json::Value) -> Result<Node, EditError> {
        let room = crate::MAX_DEPTH
            .checked_sub(path.len())
            .ok_or(TooDeep::ERR)?;
        check_depth(value, room)?;
        Ok(Node::from_json(
            value,
            &mut path.tokens().to_vec(),
            self.options,
        ))
    }

    fn resolve(&self, path: &JsonPointer) -> Result<Place, EditError> {
        let tokens = path.tokens();
        let Some((last, parents)) = tokens.split_last() else {
            return Ok(Place::Root);
        };
        let (mut obj, mut typ) = (ROOT, ObjType::Map);
        for i in 0..parents.len() {
            let (value, op) = self.child(obj, typ, tokens, i)?;
            (obj, typ) = match value {
                Value::Object(t @ (ObjType::Map | ObjType::List)) => (ObjId::Op(op), t),
                _ => {
                    return Err(EditError::NotAContainer {
                        pointer: prefix(tokens, i + 1),
                    })
                }
            };
        }
        Ok(match typ {
            ObjType::List => Place::Index(obj),
            _ => Place::Key(obj, last.clone()),
        })
    }

    /// The value under token `i` of `tokens` in object `obj`.
    fn child(
        &self,
        obj: ObjId,
        typ: ObjType,
        tokens: &[String],
        i: usize,
    ) -> Result<(Value, concord::OpId), EditError> {
        let prop = match typ {
            ObjType::List => Prop::Seq(existing(tokens, i, self.tx.length(obj))?),
            _ => Prop::Map(tokens[i].clone()),
        };
        self.tx.get(obj, prop)?.ok_or_else(|| EditError::Missing {
            pointer: prefix(tokens, i + 1),
        })
    }

    /// The map key or list slot of a value that must exist.
    fn existing(&self, path: &JsonPointer) -> Result<Option<(ObjId, Prop)>, EditError> {
        let tokens = path.tokens();
        match self.resolve(path)? {
            Place::Root => Ok(None),
            Place::Key(obj, key) => match self.tx.get(obj, key.as_str())? {
                Some(_) => Ok(Some((obj, Prop::Map(key)))),
                None => Err(EditError::Missing {
                    pointer: path.clone(),
                }),
            },
            Place::Index(obj) => {
                let i = existing(tokens, tokens.len() - 1, self.tx.length(obj))?;
                Ok(Some((obj, Prop::Seq(i))))
            }
        }
    }

    /// The value at `path`, with everything under it.
    fn read(&self, path: &JsonPointer) -> Result<Node, EditError> {
        let view = View {
            doc: &*self.tx,
            heads: None,
        };
        match self.existing(path)? {
            None => Ok(read_node(&view, ROOT, ObjType::Map, 1)?),
            Some((obj, prop)) => {
                let (value, op) = self.tx.get(obj, prop)?.ok_or_else(|| EditError::Missing {
                    pointer: path.clone(),
                })?;
                Ok(value_node(&view, value, op, path.len() + 1)?)
            }
        }
    }

    fn add(&mut self, path: &JsonPointer, node: Node) -> Result<(), EditError> {
        check_room(path, &node)?;
        if let Some(k) = self.options.atomic_unit(path.tokens()) {
            return self.in_unit(path, k, |v, t| {
                value_add(v, t, k, node.into_json()).map(drop)
            });
        }
        match self.resolve(path)? {
            Place::Root => self.replace_root(node),
            Place::Key(obj, key) => Ok(replace_node(self.tx, &obj, Prop::Map(key), &node)?),
            Place::Index(obj) => {
                let tokens = path.tokens();
                let index = insertion(tokens, tokens.len() - 1, self.tx.length(obj))?;
                Ok(insert_node(self.tx, &obj, index, &node)?)
            }
        }
    }

    fn remove(&mut self, path: &JsonPointer) -> Result<(), EditError> {
        if let Some(k) = self.options.atomic_unit(path.tokens()) {
            return self.in_unit(path, k, |v, t| value_remove(v, t, k).map(drop));
        }
        match self.existing(path)? {
            None => Err(EditError::RemoveRoot),
            Some((obj, prop)) => Ok(self.tx.delete(obj, prop)?),
        }
    }

    fn replace(&mut self, path: &JsonPointer, node: Node) -> Result<(), EditError> {
        check_room(path, &node)?;
        if let Some(k) = self.options.atomic_unit(path.tokens()) {
            return self.in_unit(path, k, |v, t| {
                value_replace(v, t, k, node.into_json()).map(drop)
            });
        }
        match self.existing(path)? {
            None => self.replace_root(node),
            Some((obj, prop)) => Ok(replace_node(self.tx, &obj, prop, &node)?),
        }
    }

    /// Sets the root's keys to those of a map node: keys it lacks are deleted, the others
    /// replaced (texts by a splice).
    fn replace_root(&mut self, node: Node) -> Result<(), EditError> {
        let Node::Map(entries) = node else {
            return Err(EditError::RootNotObject);
        };
        for key in self.tx.keys(ROOT) {
            if !entries.iter().any(|(k, _)| *k == key) {
                self.tx.delete(ROOT, key)?;
            }
        }
        for (key, value) in &entries {
            replace_node(self.tx, &ROOT, Prop::Map(key.clone()), value)?;
        }
        Ok(())
    }

    /// An edit strictly inside the atomic unit made of the first `k` tokens of `path`: the
    /// unit is read as JSON, edited, and written anew whole.
    fn in_unit(
        &mut self,
        path: &JsonPointer,
        k: usize,
        edit: impl FnOnce(&mut serde_json::Value, &[String]) -> Result<(), EditError>,
    ) -> Result<(), EditError> {
        let unit = prefix(path.tokens(), k);
        let mut json = self.read(&unit)?.into_json();
        edit(&mut json, path.tokens())?;
        let node = Node::from_json(&json, &mut unit.tokens().to_vec(), self.options);
        self.replace(&unit, node)
    }
}

fn check_room(path: &JsonPointer, node: &Node) -> Result<(), TooDeep> {
    if path.len() + node.depth() > crate::MAX_DEPTH {
        return Err(TooDeep::ERR);
    }
    Ok(())
}
