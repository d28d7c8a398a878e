//! What a three-way merge takes into account: the policy for collisions, paths to ignore,
//! how array elements are matched, and custom comparisons.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::patch::Patch;
use crate::pointer::{matches_prefix, JsonPointer, PathPatterns};

/// How far [`crate::merge3`] settles things by itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AutoResolve {
    /// Merge nothing: the merged value is the remote one, every local change stays unsaved,
    /// and the collisions are reported as conflicts.
    Off,
    /// Merge the changes that do not collide; report the collisions as conflicts, keeping the
    /// remote value there and the local change unsaved.
    #[default]
    NonColliding,
    /// As `NonColliding`, and settle each collision for the remote side: the local change is
    /// reported as overwritten.
    PreferRemote,
    /// As `NonColliding`, and settle each collision for the local side.
    PreferLocal,
}

/// What a custom comparison says of a value in the snapshot and the same value now.
#[derive(Clone, Debug, PartialEq)]
pub enum Compare {
    /// No change.
    Equal,
    /// One change of the whole value.
    NotEqual,
    /// The changes, as the patch that turns the snapshot's value into the current one
    /// (pointers relative to the compared value). An empty patch means no change.
    Patch(Patch),
}

type KeyFn = Arc<dyn Fn(&Value) -> Option<String> + Send + Sync>;
type SortFn = Arc<dyn Fn(&Value, &Value) -> Ordering + Send + Sync>;
type CompareFn = Arc<dyn Fn(&Value, &Value) -> Compare + Send + Sync>;

/// Options of [`crate::merge3`] and [`crate::changes`]. Paths are patterns: `*` matches any
/// one token; where several patterns match, the first given wins.
///
/// ```
/// use concord_json::{AutoResolve, Compare, MergeOptions};
/// let options = MergeOptions::new()
///     .auto_resolve(AutoResolve::PreferRemote)
///     .ignore("/updatedAt".parse()?)
///     .identify_by_member("/items".parse()?, "id")
///     .sort("/tags".parse()?, |a, b| a.to_string().cmp(&b.to_string()))
///     .compare("/price".parse()?, |base, now| match (base.as_f64(), now.as_f64()) {
///         (Some(a), Some(b)) if (a - b).abs() < 0.005 => Compare::Equal,
///         _ => Compare::NotEqual,
///     });
/// # Ok::<(), concord_json::PointerError>(())
/// ```
#[derive(Clone, Default)]
pub struct MergeOptions {
    pub(crate) auto_resolve: AutoResolve,
    pub(crate) ignore: PathPatterns,
    keys: Vec<(JsonPointer, KeyFn)>,
    sorts: Vec<(JsonPointer, SortFn)>,
    compares: Vec<(JsonPointer, CompareFn)>,
}

impl MergeOptions {
    /// [`AutoResolve::NonColliding`], nothing ignored, arrays matched by position, values
    /// compared as JSON.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the policy for collisions.
    pub fn auto_resolve(mut self, policy: AutoResolve) -> Self {
        self.auto_resolve = policy;
        self
    }

    /// Differences at paths matching `pattern` never count as conflicts: if both sides changed
    /// such a value, the remote one is kept (the local one under
    /// [`AutoResolve::PreferLocal`]) and nothing is reported.
    pub fn ignore(mut self, pattern: JsonPointer) -> Self {
        self.ignore.insert(pattern);
        self
    }

    /// Elements of arrays at paths matching `pattern` are matched by the key `key` gives them,
    /// not by position, so moved and reordered elements are recognised. If some element has
    /// no key, or two share one, that array is matched by position.
    pub fn identify(
        mut self,
        pattern: JsonPointer,
        key: impl Fn(&Value) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.keys.push((pattern, Arc::new(key)));
        self
    }

    /// [`MergeOptions::identify`] by the value of one member of the elements (`"id"`, say).
    pub fn identify_by_member(self, pattern: JsonPointer, member: &str) -> Self {
        let member = member.to_owned();
        self.identify(pattern, move |v| v.get(&member).map(Value::to_string))
    }

    /// Arrays at paths matching `pattern` are collections whose order does not matter: they
    /// are sorted with `order` (a total order, as `slice::sort_by` needs) before they are
    /// compared, and come out of a merge sorted.
    pub fn sort(
        mut self,
        pattern: JsonPointer,
        order: impl Fn(&Value, &Value) -> Ordering + Send + Sync + 'static,
    ) -> Self {
        self.sorts.push((pattern, Arc::new(order)));
        self
    }

    /// Values at paths matching `pattern` are compared with `compare(snapshot, current)`
    /// instead of as JSON, and are not walked into.
    pub fn compare(
        mut self,
        pattern: JsonPointer,
        compare: impl Fn(&Value, &Value) -> Compare + Send + Sync + 'static,
    ) -> Self {
        self.compares.push((pattern, Arc::new(compare)));
        self
    }

    pub(crate) fn key_fn(&self, path: &JsonPointer) -> Option<&KeyFn> {
        find(&self.keys, path)
    }

    pub(crate) fn sort_fn(&self, path: &JsonPointer) -> Option<&SortFn> {
        find(&self.sorts, path)
    }

    pub(crate) fn compare_fn(&self, path: &JsonPointer) -> Option<&CompareFn> {
        find(&self.compares, path)
    }

    pub(crate) fn ignored(&self, path: &JsonPointer) -> bool {
        !self.ignore.is_empty() && self.ignore.matches(path.tokens())
    }
}

fn find<'a, T>(rules: &'a [(JsonPointer, T)], path: &JsonPointer) -> Option<&'a T> {
    rules
        .iter()
        .find(|(p, _)| p.len() == path.len() && matches_prefix(p, path.tokens()))
        .map(|(_, f)| f)
}

impl fmt::Debug for MergeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MergeOptions")
            .field("auto_resolve", &self.auto_resolve)
            .field("ignore", &self.ignore)
            .field("identify", &paths_of(&self.keys))
            .field("sort", &paths_of(&self.sorts))
            .field("compare", &paths_of(&self.compares))
            .finish()
    }
}

fn paths_of<T>(rules: &[(JsonPointer, T)]) -> Vec<String> {
    rules.iter().map(|(p, _)| p.to_string()).collect()
}
