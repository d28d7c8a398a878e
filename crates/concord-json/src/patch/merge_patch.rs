//! RFC 7396 JSON merge patch: an object of the members to set, `null` for those to remove.

use concord::{Doc, ObjId, ObjType, Prop, ReadDoc, Transaction, Value as DocValue, ROOT};
use serde_json::{Map, Value};

use crate::error::{EditError, TooDeep};
use crate::json::{check_depth, read_node, replace_node, JsonOptions, Node, View};

/// Applies a merge patch to `doc` in one transaction (a group `json-merge-patch`), all or
/// nothing, with default [`JsonOptions`].
///
/// ```
/// use concord::Doc;
/// use serde_json::json;
/// let mut doc = Doc::new();
/// concord_json::apply_merge_patch(&mut doc, &json!({"a": "b", "c": {"d": "e", "f": "g"}}))?;
/// concord_json::apply_merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}}))?;
/// assert_eq!(concord_json::to_json(&doc)?, json!({"a": "z", "c": {"d": "e"}}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`EditError::RootNotObject`] if `patch` is not an object (the root of a document stays a
/// map), [`EditError::TooDeep`]; the document is then unchanged.
pub fn apply_merge_patch(doc: &mut Doc, patch: &Value) -> Result<(), EditError> {
    apply_merge_patch_with(doc, patch, &JsonOptions::default())
}

/// [`apply_merge_patch`] with options. A member of the patch that lands on a text replaces
/// its string by the smallest splice; one that lands inside an atomic unit writes the unit
/// anew.
///
/// # Errors
/// As [`apply_merge_patch`].
pub fn apply_merge_patch_with(
    doc: &mut Doc,
    patch: &Value,
    options: &JsonOptions,
) -> Result<(), EditError> {
    check_depth(patch, crate::MAX_DEPTH)?;
    let Value::Object(members) = patch else {
        return Err(EditError::RootNotObject);
    };
    doc.transact(|tx| {
        tx.group("json-merge-patch", |tx| {
            merge_into(tx, ROOT, members, &mut Vec::new(), options)
        })
    })
}

/// Applies a merge patch to a plain JSON value.
///
/// ```
/// use serde_json::json;
/// let mut v = json!({"title": "Goodbye!", "tags": ["a", "b"]});
/// concord_json::apply_merge_patch_to_value(&mut v, &json!({"title": "Hello!", "tags": null}))?;
/// assert_eq!(v, json!({"title": "Hello!"}));
/// # Ok::<(), concord_json::TooDeep>(())
/// ```
///
/// # Errors
/// [`TooDeep`] if the patch nests deeper than [`crate::MAX_DEPTH`]; `target` is then unchanged.
pub fn apply_merge_patch_to_value(target: &mut Value, patch: &Value) -> Result<(), TooDeep> {
    check_depth(patch, crate::MAX_DEPTH)?;
    merge_value(target, patch);
    Ok(())
}

/// RFC 7396 section 2, for a patch whose depth is checked.
fn merge_value(target: &mut Value, patch: &Value) {
    let Value::Object(members) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (key, value) in members {
            if value.is_null() {
                t.remove(key);
            } else {
                merge_value(t.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

fn merge_into(
    tx: &mut Transaction<'_>,
    map: ObjId,
    members: &Map<String, Value>,
    path: &mut Vec<String>,
    options: &JsonOptions,
) -> Result<(), EditError> {
    for (key, value) in members {
        path.push(key.clone());
        let current = tx.get(map, key.as_str())?;
        match (value, current) {
            (Value::Null, _) => tx.delete(map, key.as_str())?,
            (Value::Object(inner), Some((DocValue::Object(ObjType::Map), op)))
                if !options.is_atomic(path) =>
            {
                merge_into(tx, ObjId::Op(op), inner, path, options)?;
            }
            (Value::Object(_), Some((DocValue::Object(typ @ ObjType::Map), op))) => {
                // An atomic unit: merge as JSON and write the result whole.
                let view = View {
                    doc: &*tx,
                    heads: None,
                };
                let mut json = read_node(&view, ObjId::Op(op), typ, path.len() + 1)?.into_json();
                merge_value(&mut json, value);
                let node = Node::from_json(&json, path, options);
                replace_node(tx, &map, Prop::Map(key.clone()), &node)?;
            }
            (value, _) => {
                let mut json = Value::Null;
                merge_value(&mut json, value);
                let node = Node::from_json(&json, path, options);
                replace_node(tx, &map, Prop::Map(key.clone()), &node)?;
            }
        }
        path.pop();
    }
    Ok(())
}
