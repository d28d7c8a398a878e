//! Changes between two plain JSON values, as a report or as a patch.
//!
//! One walk serves both. As a report ([`changes`]), a change is an edit, a create or a
//! remove at a path, with the value before and after; order does not count in arrays that
//! have an identity key or a sort. As a patch, the walk also emits the `move`s that reorder
//! keyed arrays and diffs arrays as they are, so that applying the patch to the first value
//! gives the second exactly.

use std::collections::HashMap;

use serde_json::Value;

use super::options::{Compare, MergeOptions};
use crate::error::TooDeep;
use crate::json::{check_depth, json_eq};
use crate::patch::{Patch, PatchOp};
use crate::pointer::JsonPointer;

/// The kind of a [`Change`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// A value where the snapshot had none (a new member, an element appended).
    Create,
    /// A value changed, replaced by a value of another kind, or removed and added again.
    Edit,
    /// A value the snapshot had is gone.
    Remove,
}

/// One change of a value against its snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Create, edit or remove.
    pub kind: ChangeKind,
    /// Where: in the current value for creates and edits, in the snapshot for removes.
    pub path: JsonPointer,
    /// The value in the snapshot (`None` for a create).
    pub base: Option<Value>,
    /// The value now (`None` for a remove).
    pub value: Option<Value>,
}

impl Change {
    pub(crate) fn op(&self) -> PatchOp {
        let path = self.path.clone();
        match (&self.kind, &self.value) {
            (ChangeKind::Remove, _) | (_, None) => PatchOp::Remove { path },
            (ChangeKind::Create, Some(value)) => PatchOp::Add {
                path,
                value: value.clone(),
            },
            (ChangeKind::Edit, Some(value)) => PatchOp::Replace {
                path,
                value: value.clone(),
            },
        }
    }
}

/// The changes that turn `base` into `current`, one per changed value: a value that changed
/// is not walked into unless both are objects (or arrays), so an object replaced by a number
/// is one edit.
///
/// ```
/// use concord_json::{changes, ChangeKind, MergeOptions};
/// use serde_json::json;
/// let found = changes(&json!({"a": 1, "b": [1]}), &json!({"a": 2, "b": [1, 2]}), &MergeOptions::new())?;
/// let kinds: Vec<_> = found.iter().map(|c| (c.kind, c.path.to_string())).collect();
/// assert_eq!(kinds, [(ChangeKind::Edit, "/a".into()), (ChangeKind::Create, "/b/1".into())]);
/// # Ok::<(), concord_json::TooDeep>(())
/// ```
///
/// # Errors
/// [`TooDeep`] if either value nests deeper than [`crate::MAX_DEPTH`].
pub fn changes(
    base: &Value,
    current: &Value,
    options: &MergeOptions,
) -> Result<Vec<Change>, TooDeep> {
    check_depth(base, crate::MAX_DEPTH)?;
    check_depth(current, crate::MAX_DEPTH)?;
    let mut walk = Walk::new(options, true);
    walk.value(base, current);
    Ok(walk
        .steps
        .into_iter()
        .filter_map(|s| match s {
            Step::Change(c) => Some(c),
            Step::Op(_) => None,
        })
        .collect())
}

/// The patch that turns `from` into `to`, for values whose depth is checked.
pub(crate) fn patch_between(from: &Value, to: &Value, options: &MergeOptions) -> Patch {
    let mut walk = Walk::new(options, false);
    walk.value(from, to);
    Patch(
        walk.steps
            .into_iter()
            .map(|s| match s {
                Step::Change(c) => c.op(),
                Step::Op(op) => op,
            })
            .collect(),
    )
}

enum Step {
    Change(Change),
    /// An op that is no change of content: a move, or an op of a custom comparison's patch.
    Op(PatchOp),
}

struct Walk<'o> {
    options: &'o MergeOptions,
    /// Reporting changes (order of keyed and sorted arrays ignored) or making a patch.
    report: bool,
    path: JsonPointer,
    steps: Vec<Step>,
}

impl<'o> Walk<'o> {
    fn new(options: &'o MergeOptions, report: bool) -> Self {
        Walk {
            options,
            report,
            path: JsonPointer::root(),
            steps: Vec::new(),
        }
    }

    fn change(&mut self, kind: ChangeKind, base: Option<&Value>, value: Option<&Value>) {
        self.steps.push(Step::Change(Change {
            kind,
            path: self.path.clone(),
            base: base.cloned(),
            value: value.cloned(),
        }));
    }

    fn at(&mut self, token: String, f: impl FnOnce(&mut Self)) {
        self.path.push(token);
        f(self);
        self.path.pop();
    }

    fn equal(&self, a: &Value, b: &Value) -> bool {
        if self.report {
            json_eq(a, b)
        } else {
            a == b
        }
    }

    fn value(&mut self, a: &Value, b: &Value) {
        if let Some(compare) = self.options.compare_fn(&self.path) {
            match compare(a, b) {
                Compare::Equal => {}
                Compare::NotEqual => self.change(ChangeKind::Edit, Some(a), Some(b)),
                Compare::Patch(p) => self.custom(a, &p),
            }
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => self.at(k.clone(), |s| s.value(v, w)),
                        None => self.at(k.clone(), |s| s.change(ChangeKind::Remove, Some(v), None)),
                    }
                }
                for (k, w) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                    self.at(k.clone(), |s| s.change(ChangeKind::Create, None, Some(w)));
                }
            }
            (Value::Array(x), Value::Array(y)) => self.array(x, y),
            _ if self.equal(a, b) => {}
            _ => self.change(ChangeKind::Edit, Some(a), Some(b)),
        }
    }

    fn array(&mut self, x: &[Value], y: &[Value]) {
        if let Some((kx, ky)) = self.keys(x).zip(self.keys(y)) {
            return self.keyed(x, y, &kx, &ky);
        }
        match self.options.sort_fn(&self.path).filter(|_| self.report) {
            Some(order) => {
                let (mut sx, mut sy) = (x.to_vec(), y.to_vec());
                sx.sort_by(|a, b| order(a, b));
                sy.sort_by(|a, b| order(a, b));
                self.positional(&sx, &sy);
            }
            None => self.positional(x, y),
        }
    }

    /// The identity keys of an array's elements, if it has a key function here and every
    /// element has a key of its own.
    fn keys(&self, items: &[Value]) -> Option<Vec<String>> {
        identity_keys(self.options, &self.path, items)
    }

    fn positional(&mut self, x: &[Value], y: &[Value]) {
        for (i, (v, w)) in x.iter().zip(y).enumerate() {
            self.at(i.to_string(), |s| s.value(v, w));
        }
        for (i, w) in y.iter().enumerate().skip(x.len()) {
            self.at(i.to_string(), |s| {
                s.change(ChangeKind::Create, None, Some(w))
            });
        }
        for (i, v) in x.iter().enumerate().skip(y.len()).rev() {
            self.at(i.to_string(), |s| {
                s.change(ChangeKind::Remove, Some(v), None)
            });
        }
    }

    /// Elements matched by key: removes first (from the end), then the target order is built
    /// left to right with moves and adds, each kept element compared where it lands.
    fn keyed(&mut self, x: &[Value], y: &[Value], kx: &[String], ky: &[String]) {
        let in_y: HashMap<&str, usize> = ky
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let in_x: HashMap<&str, usize> = kx
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        for (i, k) in kx.iter().enumerate().rev() {
            if !in_y.contains_key(k.as_str()) {
                self.at(i.to_string(), |s| {
                    s.change(ChangeKind::Remove, Some(&x[i]), None)
                });
            }
        }
        let mut order: Vec<&str> = kx
            .iter()
            .map(String::as_str)
            .filter(|k| in_y.contains_key(k))
            .collect();
        for (j, k) in ky.iter().enumerate() {
            match in_x.get(k.as_str()) {
                Some(&i) => {
                    if let Some(cur) = order.iter().position(|o| *o == k.as_str()) {
                        if cur != j {
                            order.remove(cur);
                            order.insert(j.min(order.len()), k.as_str());
                            if !self.report {
                                self.steps.push(Step::Op(PatchOp::Move {
                                    from: self.path.child(cur.to_string()),
                                    path: self.path.child(j.to_string()),
                                }));
                            }
                        }
                    }
                    self.at(j.to_string(), |s| s.value(&x[i], &y[j]));
                }
                None => {
                    order.insert(j.min(order.len()), k.as_str());
                    self.at(j.to_string(), |s| {
                        s.change(ChangeKind::Create, None, Some(&y[j]))
                    });
                }
            }
        }
    }

    /// The steps of a custom comparison's patch, prefixed with the compared value's path.
    fn custom(&mut self, base: &Value, patch: &Patch) {
        for op in patch {
            let prefixed = op.prefixed(&self.path);
            let before = || crate::patch::value_at(base, op.path()).cloned();
            let change = |kind, base, value| Change {
                kind,
                path: prefixed.path().clone(),
                base,
                value,
            };
            self.steps.push(match (self.report, op) {
                (true, PatchOp::Add { value, .. }) => {
                    Step::Change(change(ChangeKind::Create, None, Some(value.clone())))
                }
                (true, PatchOp::Replace { value, .. }) => {
                    Step::Change(change(ChangeKind::Edit, before(), Some(value.clone())))
                }
                (true, PatchOp::Remove { .. }) => {
                    Step::Change(change(ChangeKind::Remove, before(), None))
                }
                _ => Step::Op(prefixed.clone()),
            });
        }
    }
}

/// The identity keys of an array's elements at `path`, if the options give a key function
/// there and every element has a key of its own.
pub(crate) fn identity_keys(
    options: &MergeOptions,
    path: &JsonPointer,
    items: &[Value],
) -> Option<Vec<String>> {
    let key = options.key_fn(path)?;
    let keys: Vec<String> = items.iter().map(|v| key(v)).collect::<Option<_>>()?;
    let mut seen: Vec<&String> = keys.iter().collect();
    seen.sort_unstable();
    seen.dedup();
    (seen.len() == keys.len()).then_some(keys)
}
