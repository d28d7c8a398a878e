//! The three-way walk: base, local and remote side by side, one value at a time.
//!
//! At each value: if one side left it as in the base, the other side's version is taken
//! whole; if both made the same change, it is taken once; if all three are objects (or all
//! arrays), the walk goes inside; anything else is a collision, settled by the policy. The
//! walk builds two values: the merged one, and `kept`, the local value with its unsaved
//! changes rolled back; the patches of the outcome are diffs between those and the inputs.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::diff::{changes, identity_keys, Change};
use super::options::{AutoResolve, Compare, MergeOptions};
use super::Conflict;
use crate::json::json_eq;
use crate::pointer::JsonPointer;

pub(crate) struct Merge<'o> {
    pub(crate) options: &'o MergeOptions,
    pub(crate) path: JsonPointer,
    pub(crate) conflicts: Vec<Conflict>,
    pub(crate) overwritten: Vec<Conflict>,
    pub(crate) unsaved: Vec<Change>,
}

/// The merged value and the kept local value at one place (`None`: no value there).
type Pair = (Option<Value>, Option<Value>);

impl Merge<'_> {
    pub(crate) fn node(&mut self, b: Option<&Value>, l: Option<&Value>, r: Option<&Value>) -> Pair {
        // The kept value is built from the local one as it is; the merged one from sorted
        // collections where the options sort them.
        let local = l;
        let (b, l, r) = (self.sorted(b), self.sorted(l), self.sorted(r));
        let (b, l, r) = (b.as_deref(), l.as_deref(), r.as_deref());
        if self.same(b, l) {
            return (r.cloned(), local.cloned());
        }
        if self.same(b, r) || self.same(l, r) {
            return (l.cloned(), local.cloned());
        }
        if self.options.ignored(&self.path) {
            let winner = match self.options.auto_resolve {
                AutoResolve::PreferLocal => l,
                _ => r,
            };
            return (winner.cloned(), local.cloned());
        }
        let walk_in = self.options.compare_fn(&self.path).is_none();
        match (b, l, r) {
            (Some(Value::Object(b)), Some(Value::Object(l)), Some(Value::Object(r))) if walk_in => {
                self.object(b, l, r)
            }
            (Some(Value::Array(b)), Some(Value::Array(l)), Some(Value::Array(r))) if walk_in => {
                self.array(b, l, r)
            }
            _ => self.collision(b, l, r, local),
        }
    }

    /// Whether two versions of the value here are the same (both absent counts).
    fn same(&self, x: Option<&Value>, y: Option<&Value>) -> bool {
        match (x, y) {
            (None, None) => true,
            (Some(x), Some(y)) => match self.options.compare_fn(&self.path) {
                Some(compare) => match compare(x, y) {
                    Compare::Equal => true,
                    Compare::NotEqual => false,
                    Compare::Patch(p) => p.is_empty(),
                },
                None => json_eq(x, y),
            },
            _ => false,
        }
    }

    /// An array where the options sort the collection here, sorted.
    fn sorted<'v>(&self, v: Option<&'v Value>) -> Option<Cow<'v, Value>> {
        match (v, self.options.sort_fn(&self.path)) {
            (Some(Value::Array(items)), Some(order)) => {
                let mut items = items.clone();
                items.sort_by(|a, b| order(a, b));
                Some(Cow::Owned(Value::Array(items)))
            }
            (v, _) => v.map(Cow::Borrowed),
        }
    }

    fn at<T>(&mut self, token: String, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(token);
        let out = f(self);
        self.path.pop();
        out
    }

    fn collision(
        &mut self,
        b: Option<&Value>,
        l: Option<&Value>,
        r: Option<&Value>,
        local: Option<&Value>,
    ) -> Pair {
        let conflict = Conflict {
            path: self.path.clone(),
            base: b.cloned(),
            local: l.cloned(),
            remote: r.cloned(),
        };
        match self.options.auto_resolve {
            AutoResolve::PreferLocal => (l.cloned(), local.cloned()),
            AutoResolve::PreferRemote => {
                self.overwritten.push(conflict);
                (r.cloned(), local.cloned())
            }
            AutoResolve::Off | AutoResolve::NonColliding => {
                self.conflicts.push(conflict);
                self.unsaved
                    .extend(local_changes(self.options, &self.path, b, l));
                (r.cloned(), b.cloned())
            }
        }
    }

    fn object(
        &mut self,
        b: &Map<String, Value>,
        l: &Map<String, Value>,
        r: &Map<String, Value>,
    ) -> Pair {
        let keys: BTreeSet<&String> = b.keys().chain(l.keys()).chain(r.keys()).collect();
        let (mut merged, mut kept) = (Map::new(), Map::new());
        for key in keys {
            let (m, k) = self.at(key.clone(), |s| s.node(b.get(key), l.get(key), r.get(key)));
            if let Some(m) = m {
                merged.insert(key.clone(), m);
            }
            if let Some(k) = k {
                kept.insert(key.clone(), k);
            }
        }
        (Some(Value::Object(merged)), Some(Value::Object(kept)))
    }

    fn array(&mut self, b: &[Value], l: &[Value], r: &[Value]) -> Pair {
        let keys = |items: &[Value]| identity_keys(self.options, &self.path, items);
        if let (Some(kb), Some(kl), Some(kr)) = (keys(b), keys(l), keys(r)) {
            return self.keyed(b, l, r, &kb, &kl, &kr);
        }
        let (mut merged, mut kept) = (Vec::new(), Vec::new());
        for i in 0..b.len().max(l.len()).max(r.len()) {
            let (m, k) = self.at(i.to_string(), |s| s.node(b.get(i), l.get(i), r.get(i)));
            merged.extend(m);
            kept.extend(k);
        }
        (Some(Value::Array(merged)), Some(Value::Array(kept)))
    }

    /// Elements matched by identity key. Each key is merged on its own; the merged order is
    /// the local one if only the local side reordered, else the remote one, with elements new
    /// to it placed before the element they precede on their own side.
    fn keyed(
        &mut self,
        b: &[Value],
        l: &[Value],
        r: &[Value],
        kb: &[String],
        kl: &[String],
        kr: &[String],
    ) -> Pair {
        let index = |keys: &[String]| -> HashMap<String, usize> {
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), i))
                .collect()
        };
        let (ib, il, ir) = (index(kb), index(kl), index(kr));
        let mut all: Vec<&String> = Vec::new();
        let mut seen = HashSet::new();
        for k in kr.iter().chain(kl).chain(kb) {
            if seen.insert(k) {
                all.push(k);
            }
        }
        let (mut merged, mut kept) = (HashMap::new(), HashMap::new());
        for key in all {
            let (bi, li, ri) = (ib.get(key), il.get(key), ir.get(key));
            let token = li.or(ri).or(bi).map_or(0, |i| *i).to_string();
            let (m, k) = self.at(token, |s| {
                s.node(bi.map(|&i| &b[i]), li.map(|&i| &l[i]), ri.map(|&i| &r[i]))
            });
            if let Some(m) = m {
                merged.insert(key.clone(), m);
            }
            if let Some(k) = k {
                kept.insert(key.clone(), k);
            }
        }
        let local_first = reordered(kb, kl) && !reordered(kb, kr);
        let (first, second) = if local_first { (kl, kr) } else { (kr, kl) };
        let merged = arrange(first, &[second, kb], merged);
        let kept = arrange(kl, &[kb], kept);
        (Some(Value::Array(merged)), Some(Value::Array(kept)))
    }
}

/// The local changes below `path`, for the unsaved list.
fn local_changes(
    options: &MergeOptions,
    path: &JsonPointer,
    b: Option<&Value>,
    l: Option<&Value>,
) -> Vec<Change> {
    use super::diff::ChangeKind;
    let whole = |kind| {
        vec![Change {
            kind,
            path: path.clone(),
            base: b.cloned(),
            value: l.cloned(),
        }]
    };
    match (b, l) {
        (Some(b), Some(l)) => changes(b, l, options)
            .map(|cs| {
                cs.into_iter()
                    .map(|c| Change {
                        path: path.join(&c.path),
                        ..c
                    })
                    .collect()
            })
            .unwrap_or_else(|_| whole(ChangeKind::Edit)),
        (None, _) => whole(ChangeKind::Create),
        (_, None) => whole(ChangeKind::Remove),
    }
}

/// Whether `side` orders the elements it shares with `base` otherwise.
fn reordered(base: &[String], side: &[String]) -> bool {
    let in_side: HashSet<&String> = side.iter().collect();
    let in_base: HashSet<&String> = base.iter().collect();
    base.iter()
        .filter(|k| in_side.contains(k))
        .ne(side.iter().filter(|k| in_base.contains(k)))
}

/// The values of `present` in the order of `first`, then those missing from it, each before
/// the element it precedes in the first of `others` that has it (at the end if none).
fn arrange(
    first: &[String],
    others: &[&[String]],
    mut present: HashMap<String, Value>,
) -> Vec<Value> {
    let mut order: Vec<&String> = first.iter().filter(|k| present.contains_key(*k)).collect();
    for other in others {
        for (i, k) in other.iter().enumerate() {
            if present.contains_key(k) && !order.contains(&k) {
                let before = other[i + 1..]
                    .iter()
                    .find_map(|p| order.iter().position(|o| *o == p));
                order.insert(before.unwrap_or(order.len()), k);
            }
        }
    }
    order
        .into_iter()
        .filter_map(|k| present.remove(k))
        .collect()
}
