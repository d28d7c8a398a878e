//! The JSON Patch between two versions of a document.
//!
//! Objects are compared by identity, not by content: the same map or list at both versions
//! is walked into, while a key or slot that now holds another object is one `replace`. Lists
//! are compared by element identity (`ReadDoc::elements_at`): an element is inserted or
//! deleted, never moved, so the elements present at both versions come in the same order in
//! both, and one walk over the two sequences emits `remove`s and `add`s at the right indexes.
//! A text changes as a whole JSON string (`replace`); applied to a document, that replace
//! becomes the smallest splice again.

use std::collections::HashSet;

use concord::{ObjId, ObjType, OpId, ReadDoc, SeqElement, Value, ROOT};
use serde_json::Value as Json;

use super::{Patch, PatchOp};
use crate::error::{TooDeep, ViewError};
use crate::json::{scalar_json, value_node, View};
use crate::pointer::JsonPointer;

/// The JSON Patch that turns `to_json_at(doc, from)` into `to_json_at(doc, to)`.
///
/// `from` and `to` are any two versions of the document (`to` need not follow `from`).
///
/// ```
/// use concord::{Doc, ReadDoc};
/// use serde_json::json;
/// let mut doc = Doc::new();
/// concord_json::apply_merge_patch(&mut doc, &json!({"items": ["a", "c"]}))?;
/// let before = doc.heads();
/// let patch = serde_json::from_value(json!([{"op": "add", "path": "/items/1", "value": "b"}]))?;
/// concord_json::apply_patch(&mut doc, &patch)?;
/// let diff = concord_json::diff(&doc, &before, &doc.heads())?;
/// assert_eq!(serde_json::to_value(&diff)?, json!([{"op": "add", "path": "/items/1", "value": "b"}]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ViewError::Doc`] for heads the document does not have, [`ViewError::TooDeep`].
pub fn diff(doc: &impl ReadDoc, from: &[OpId], to: &[OpId]) -> Result<Patch, ViewError> {
    let mut differ = Differ {
        old: View {
            doc,
            heads: Some(from),
        },
        new: View {
            doc,
            heads: Some(to),
        },
        path: JsonPointer::root(),
        ops: Vec::new(),
    };
    differ.map(ROOT, 1)?;
    Ok(Patch(differ.ops))
}

struct Differ<'a, R> {
    old: View<'a, R>,
    new: View<'a, R>,
    path: JsonPointer,
    ops: Vec<PatchOp>,
}

impl<R: ReadDoc> Differ<'_, R> {
    /// Compares a map present at both versions; `level` is its nesting (the root is 1).
    fn map(&mut self, obj: ObjId, level: usize) -> Result<(), ViewError> {
        if level > crate::MAX_DEPTH {
            return Err(TooDeep::ERR.into());
        }
        let old: Vec<_> = self
            .old
            .keys(&obj)?
            .into_iter()
            .zip(self.old.values(&obj)?)
            .collect();
        let new: Vec<_> = self
            .new
            .keys(&obj)?
            .into_iter()
            .zip(self.new.values(&obj)?)
            .collect();
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            let order = match (old.get(i), new.get(j)) {
                (Some((a, _)), Some((b, _))) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    self.ops.push(PatchOp::Remove {
                        path: self.path.child(old[i].0.clone()),
                    });
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    let (key, (value, op)) = &new[j];
                    let value = self.new_json(value.clone(), *op, level + 1)?;
                    self.ops.push(PatchOp::Add {
                        path: self.path.child(key.clone()),
                        value,
                    });
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    self.path.push(old[i].0.clone());
                    self.value(&old[i].1, &new[j].1, level + 1)?;
                    self.path.pop();
                    i += 1;
                    j += 1;
                }
            }
        }
        Ok(())
    }

    /// Compares a list present at both versions, element by element identity.
    fn list(&mut self, obj: ObjId, level: usize) -> Result<(), ViewError> {
        if level > crate::MAX_DEPTH {
            return Err(TooDeep::ERR.into());
        }
        let old = self.old.elements(&obj)?;
        let new = self.new.elements(&obj)?;
        let old_ids: HashSet<OpId> = old.iter().map(|e| e.elem).collect();
        let new_ids: HashSet<OpId> = new.iter().map(|e| e.elem).collect();
        let (mut i, mut j, mut index) = (0, 0, 0);
        loop {
            match (old.get(i), new.get(j)) {
                (Some(gone), _) if !new_ids.contains(&gone.elem) => {
                    self.ops.push(PatchOp::Remove {
                        path: self.path.child(index.to_string()),
                    });
                    i += 1;
                }
                (_, Some(added)) if !old_ids.contains(&added.elem) => {
                    let value = self.new_json(added.value.clone(), added.op, level + 1)?;
                    self.ops.push(PatchOp::Add {
                        path: self.path.child(index.to_string()),
                        value,
                    });
                    index += 1;
                    j += 1;
                }
                (Some(a), Some(b)) => {
                    // Present at both versions: elements never move, so these are one.
                    self.path.push(index.to_string());
                    self.value(&element(a), &element(b), level + 1)?;
                    self.path.pop();
                    index += 1;
                    i += 1;
                    j += 1;
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// Compares what one map key or list slot holds at both versions.
    fn value(
        &mut self,
        (old, old_op): &(Value, OpId),
        (new, new_op): &(Value, OpId),
        level: usize,
    ) -> Result<(), ViewError> {
        match (old, new) {
            (Value::Object(typ), Value::Object(_)) if old_op == new_op => {
                let obj = ObjId::Op(*old_op);
                match typ {
                    ObjType::Map => self.map(obj, level),
                    ObjType::List => self.list(obj, level),
                    ObjType::Text => {
                        let text = self.new.text(&obj)?;
                        if self.old.text(&obj)? != text {
                            self.replace(Json::String(text));
                        }
                        Ok(())
                    }
                }
            }
            (Value::Scalar(a), Value::Scalar(b)) => {
                let b = scalar_json(b);
                if scalar_json(a) != b {
                    self.replace(b);
                }
                Ok(())
            }
            _ => {
                let value = self.new_json(new.clone(), *new_op, level)?;
                self.replace(value);
                Ok(())
            }
        }
    }

    fn replace(&mut self, value: Json) {
        self.ops.push(PatchOp::Replace {
            path: self.path.clone(),
            value,
        });
    }

    fn new_json(&self, value: Value, op: OpId, level: usize) -> Result<Json, ViewError> {
        Ok(value_node(&self.new, value, op, level)?.into_json())
    }
}

fn element(e: &SeqElement) -> (Value, OpId) {
    (e.value.clone(), e.op)
}
