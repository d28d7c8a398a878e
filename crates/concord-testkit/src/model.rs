//! A naive reference model of Concord's data model, the oracle of randomized convergence tests.
//!
//! The engine stores documents in run-length encoded B-trees; this model uses plain `Vec`s and
//! ordered maps, is O(n) (or worse) everywhere, and shares no code with the engine. Tests run the
//! same edits through both and compare what they read back.
//!
//! # Semantics
//!
//! - A document is a tree of objects: the root map, maps, lists and texts. An object is created by
//!   an op (a put or an insert of an object value) and is named by that op's id
//!   ([`ModelObjId::Op`]); the root is [`ModelObjId::Root`].
//! - Op ids ([`ModelId`]) are Lamport timestamps: a new op takes a counter one more than the largest
//!   counter its replica has seen (made or applied), and ids are totally ordered by counter, then by
//!   actor bytes.
//! - Map keys and list slots are multi-value registers. A write (a put of a scalar or an object, or
//!   a delete) lists as `pred` the ids of the values visible in that slot on the writing replica,
//!   and overwrites them. A value is visible iff no applied op lists it in `pred`. [`ModelDoc::get`]
//!   reads the visible value with the greatest id, [`ModelDoc::get_all`] all visible values in id
//!   order. A delete concurrent with a put does not remove the put's value.
//! - Counters: a put of [`ModelScalar::Counter`] sets a base value. An increment lists as `pred` the
//!   visible counter values of the slot and does not overwrite them; a counter reads as its base
//!   plus every increment that lists it. An increment of a counter that a concurrent write
//!   overwrote is lost with it.
//! - Lists and texts are sequences of elements in document order, deleted ones kept as tombstones.
//!   A list element holds a register whose first value is the inserted value, with the insert op's
//!   id; the element is visible iff its register has a visible value. A text element is a `char`;
//!   deleting it hides it for good.
//! - A local insert at visible index `pos` puts the new element immediately after the
//!   `pos - 1`-th visible element, before any tombstones after it (at the very start when `pos`
//!   is 0). It records two origins: `origin_left`, that visible element (`None` at the start),
//!   and `origin_right`, the element just after the insertion point in the full order (perhaps a
//!   tombstone; `None` at the end). A multi-char splice is consecutive inserts, each char's left
//!   origin being the previous char.
//! - A replica integrates an insert by the YjsMod (FugueMax) rule, where `left` and `right` are the
//!   full-order indexes of the new element's origins (-1 and `len` for `None`), and `index(None)`
//!   is likewise -1 for a left origin and `len` for a right one:
//!
//!   ```text
//!   dest = left + 1; scanning = false
//!   for i in left+1 .. {
//!       if !scanning { dest = i }
//!       if i == len || i == right { break }
//!       other = elements[i]; oleft = index(other.origin_left); oright = index(other.origin_right)
//!       if oleft < left { break }
//!       else if oleft == left {
//!           if oright < right { scanning = true }
//!           else if oright == right { if new.actor < other.actor (bytes) { break } else { scanning = false } }
//!           else { scanning = false }
//!       }
//!   }
//!   insert at dest
//!   ```
//!
//!   A local insert is integrated by the same rule, which puts it where the previous paragraph says.
//!
//! # Ops and ids
//!
//! Every local edit makes one op per [`ModelAction`], each with a fresh id, and returns them for
//! sending to other replicas. How many ids an edit uses matters when a test compares ids (or
//! register winners) with the engine:
//!
//! | edit | ops made |
//! | --- | --- |
//! | [`put`](ModelDoc::put), [`insert`](ModelDoc::insert), [`increment`](ModelDoc::increment) | 1 |
//! | [`delete`](ModelDoc::delete) | 1; none for a map key that has no visible value |
//! | [`splice`](ModelDoc::splice)`(index, del, values)` | `del` [`ModelAction::Delete`] (each of the element then at `index`), then one [`ModelAction::Insert`] per value |
//! | [`splice_text`](ModelDoc::splice_text)`(pos, del, text)` | `del` [`ModelAction::DeleteChar`], then one [`ModelAction::InsertChar`] per `char` of `text` |
//!
//! Remote ops must take effect in causal order. [`ModelDoc::apply`] takes care of that: every op
//! carries as `deps` the heads (the latest ops) of its replica when it was made, and an op whose
//! deps have not all been applied waits in a buffer until they are. Duplicates are ignored. So a
//! test may deliver ops in any order, any number of times.
//!
//! ```
//! use concord_testkit::model::{ModelDoc, ModelObjId, ModelScalar, ModelValue};
//!
//! let mut a = ModelDoc::new([1; 16]);
//! let mut b = ModelDoc::new([2; 16]);
//! let ops_a = a.put(ModelObjId::Root, "x", ModelScalar::Int(1).into()).unwrap();
//! let ops_b = b.put(ModelObjId::Root, "x", ModelScalar::Int(2).into()).unwrap();
//! for op in &ops_b { a.apply(op); }
//! for op in &ops_a { b.apply(op); }
//! assert_eq!(a.to_tree(), b.to_tree());
//! // Same counter: the greater actor wins; both values stay visible.
//! assert_eq!(a.get(ModelObjId::Root, "x").unwrap().0, ModelValue::Scalar(ModelScalar::Int(2)));
//! assert_eq!(a.get_all(ModelObjId::Root, "x").len(), 2);
//! ```

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use rand::Rng;

// ---------------------------------------------------------------------------------------------
// Ids, values, ops
// ---------------------------------------------------------------------------------------------

/// The id of an op: a Lamport counter and the 16-byte actor of the replica that made it.
///
/// Ordered by counter, then by actor bytes (the order of the engine's public op ids).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModelId {
    /// The Lamport counter.
    pub counter: u64,
    /// The replica that made the op.
    pub actor: [u8; 16],
}

impl ModelId {
    /// The id `counter@actor`.
    pub const fn new(counter: u64, actor: [u8; 16]) -> Self {
        ModelId { counter, actor }
    }
}

impl Ord for ModelId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.counter
            .cmp(&other.counter)
            .then_with(|| self.actor.cmp(&other.actor))
    }
}

impl PartialOrd for ModelId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ModelId {
    /// `counter@actor`, the actor as 32 lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@", self.counter)?;
        for b in self.actor {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The id of an object: the root map, or the id of the op that created the object.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub enum ModelObjId {
    /// The root map every document has.
    #[default]
    Root,
    /// The object created by this op.
    Op(ModelId),
}

impl From<ModelId> for ModelObjId {
    fn from(id: ModelId) -> Self {
        ModelObjId::Op(id)
    }
}

impl fmt::Display for ModelObjId {
    /// `_root`, or the creating op's id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelObjId::Root => f.write_str("_root"),
            ModelObjId::Op(id) => fmt::Display::fmt(id, f),
        }
    }
}

/// The kind of an object.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum ObjType {
    /// String keys to registers.
    Map,
    /// A sequence of registers.
    List,
    /// A sequence of `char`s.
    Text,
}

/// A scalar value.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ModelScalar {
    /// The null value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// A string (a plain value, not a text object).
    Str(String),
    /// A counter. Written, it is the base value; read, it is the base plus the increments.
    Counter(i64),
}

impl From<bool> for ModelScalar {
    fn from(b: bool) -> Self {
        ModelScalar::Bool(b)
    }
}

impl From<i64> for ModelScalar {
    fn from(i: i64) -> Self {
        ModelScalar::Int(i)
    }
}

impl From<&str> for ModelScalar {
    fn from(s: &str) -> Self {
        ModelScalar::Str(s.to_owned())
    }
}

impl From<String> for ModelScalar {
    fn from(s: String) -> Self {
        ModelScalar::Str(s)
    }
}

/// A value to write: a scalar, or a new empty object.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum NewValue {
    /// A scalar.
    Scalar(ModelScalar),
    /// A new empty object of this type, named by the id of the op that writes it.
    Object(ObjType),
}

impl From<ModelScalar> for NewValue {
    fn from(s: ModelScalar) -> Self {
        NewValue::Scalar(s)
    }
}

impl From<ObjType> for NewValue {
    fn from(t: ObjType) -> Self {
        NewValue::Object(t)
    }
}

/// A value read from a document.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ModelValue {
    /// A scalar; a counter reads as its current total.
    Scalar(ModelScalar),
    /// An object of this type with this id.
    Object(ObjType, ModelObjId),
}

/// Where in an object a local edit or a read applies: a map key or a list index.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Prop {
    /// A key of a map.
    Key(String),
    /// An index among the visible elements of a list.
    Index(usize),
}

impl From<&str> for Prop {
    fn from(s: &str) -> Self {
        Prop::Key(s.to_owned())
    }
}

impl From<String> for Prop {
    fn from(s: String) -> Self {
        Prop::Key(s)
    }
}

impl From<usize> for Prop {
    fn from(i: usize) -> Self {
        Prop::Index(i)
    }
}

/// The slot an op writes: a map key, or a list element named by the id of its insert op.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ModelKey {
    /// A key of a map.
    Map(String),
    /// The element of a list inserted by this op.
    Elem(ModelId),
}

/// What an op does, in the object named by [`ModelOp::obj`].
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ModelAction {
    /// Writes `value` into the register at `key`, overwriting the values in `pred`. An object
    /// value creates an object named by this op's id.
    Put {
        /// The slot.
        key: ModelKey,
        /// The value written.
        value: NewValue,
        /// The values of the slot visible to the writer, which this op overwrites.
        pred: Vec<ModelId>,
    },
    /// Overwrites the values in `pred` with nothing.
    Delete {
        /// The slot.
        key: ModelKey,
        /// The values of the slot visible to the writer, which this op overwrites.
        pred: Vec<ModelId>,
    },
    /// Adds `by` to each counter value in `pred`, without overwriting them.
    Increment {
        /// The slot.
        key: ModelKey,
        /// The amount added (may be negative).
        by: i64,
        /// The counter values of the slot visible to the writer.
        pred: Vec<ModelId>,
    },
    /// Inserts a list element holding `value` between two elements. An object value creates an
    /// object named by this op's id.
    Insert {
        /// The visible element just before the insertion point on the inserting replica; `None`
        /// at the start.
        origin_left: Option<ModelId>,
        /// The element just after the insertion point on the inserting replica (perhaps a
        /// tombstone); `None` at the end.
        origin_right: Option<ModelId>,
        /// The value of the new element.
        value: NewValue,
    },
    /// Inserts a character into a text, with the same origins as [`ModelAction::Insert`].
    InsertChar {
        /// As for [`ModelAction::Insert`].
        origin_left: Option<ModelId>,
        /// As for [`ModelAction::Insert`].
        origin_right: Option<ModelId>,
        /// The character.
        ch: char,
    },
    /// Deletes the text character inserted by `elem`, for good.
    DeleteChar {
        /// The id of the op that inserted the character.
        elem: ModelId,
    },
}

/// One operation, as exchanged between replicas of the model.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct ModelOp {
    /// The op's id.
    pub id: ModelId,
    /// The heads of the making replica just before it made the op: the op takes effect only after
    /// all of them.
    pub deps: Vec<ModelId>,
    /// The object the op applies to.
    pub obj: ModelObjId,
    /// What the op does.
    pub action: ModelAction,
}

/// A local edit, described independently of any replica's ids (except the object it applies to),
/// so that a test can make the same edit on the model and on the engine.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ModelEdit {
    /// [`ModelDoc::put`].
    Put {
        /// The object.
        obj: ModelObjId,
        /// The key or index.
        prop: Prop,
        /// The value.
        value: NewValue,
    },
    /// [`ModelDoc::insert`].
    Insert {
        /// The list.
        obj: ModelObjId,
        /// The visible index the new element takes.
        index: usize,
        /// The value.
        value: NewValue,
    },
    /// [`ModelDoc::delete`].
    Delete {
        /// The object.
        obj: ModelObjId,
        /// The key or index.
        prop: Prop,
    },
    /// [`ModelDoc::increment`].
    Increment {
        /// The object.
        obj: ModelObjId,
        /// The key or index.
        prop: Prop,
        /// The amount.
        by: i64,
    },
    /// [`ModelDoc::splice`].
    Splice {
        /// The list.
        obj: ModelObjId,
        /// The visible index of the first element deleted, and of the first value inserted.
        index: usize,
        /// How many elements to delete.
        del: usize,
        /// The scalars to insert.
        values: Vec<ModelScalar>,
    },
    /// [`ModelDoc::splice_text`].
    SpliceText {
        /// The text.
        obj: ModelObjId,
        /// Where, in chars.
        pos: usize,
        /// How many chars to delete.
        del: usize,
        /// What to insert.
        text: String,
    },
}

/// Why a local edit was refused. A refused edit changes nothing.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ModelError {
    /// The document has no object with this id.
    #[error("no object {0}")]
    NoSuchObject(ModelObjId),
    /// The edit does not apply to this kind of object (or a map was given an index, or a list a
    /// key).
    #[error("cannot {edit} on {obj}, a {ty:?}")]
    WrongType {
        /// The object.
        obj: ModelObjId,
        /// Its type.
        ty: ObjType,
        /// The edit that was refused.
        edit: &'static str,
    },
    /// A list or text index past the end.
    #[error("index {index} out of bounds for length {len}")]
    OutOfBounds {
        /// The index (for a splice, the end of the deleted range).
        index: usize,
        /// The number of visible elements.
        len: usize,
    },
    /// An increment of a slot with no visible counter value.
    #[error("no counter to increment")]
    NotACounter,
}

/// A rendering of a document's visible state: the winning value of every slot, recursively.
///
/// Tests build the same tree from the engine's state and compare. Counters and texts are their own
/// variants, so that they do not compare equal to integers and strings.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum ModelTree {
    /// Null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string scalar.
    Str(String),
    /// A counter's current total.
    Counter(i64),
    /// A map object: each key with a visible value, and its winner.
    Map(BTreeMap<String, ModelTree>),
    /// A list object: each visible element's winner.
    List(Vec<ModelTree>),
    /// A text object's visible characters.
    Text(String),
}

impl fmt::Display for ModelTree {
    /// A JSON-like rendering: maps as `{"k": v, ...}` in key order, lists as `[...]`, strings
    /// quoted, texts as `text("...")`, counters as `counter(n)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelTree::Null => f.write_str("null"),
            ModelTree::Bool(b) => write!(f, "{b}"),
            ModelTree::Int(i) => write!(f, "{i}"),
            ModelTree::Str(s) => write!(f, "{s:?}"),
            ModelTree::Counter(c) => write!(f, "counter({c})"),
            ModelTree::Text(s) => write!(f, "text({s:?})"),
            ModelTree::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?}: {v}")?;
                }
                f.write_str("}")
            }
            ModelTree::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Entry {
    id: ModelId,
    value: NewValue,
}

#[derive(Clone, Debug)]
struct Increment {
    targets: Vec<ModelId>,
    by: i64,
}

/// A multi-value register: every value ever written, the ids overwritten, and the increments.
#[derive(Clone, Debug, Default)]
struct Register {
    values: Vec<Entry>,
    overwritten: BTreeSet<ModelId>,
    increments: Vec<Increment>,
}

impl Register {
    /// The visible values, in id order.
    fn visible(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self
            .values
            .iter()
            .filter(|e| !self.overwritten.contains(&e.id))
            .collect();
        v.sort_by_key(|e| e.id);
        v
    }

    fn is_visible(&self) -> bool {
        self.values
            .iter()
            .any(|e| !self.overwritten.contains(&e.id))
    }

    fn visible_ids(&self) -> Vec<ModelId> {
        self.visible().iter().map(|e| e.id).collect()
    }

    fn visible_counters(&self) -> Vec<ModelId> {
        self.visible()
            .iter()
            .filter(|e| matches!(e.value, NewValue::Scalar(ModelScalar::Counter(_))))
            .map(|e| e.id)
            .collect()
    }

    fn read(&self, e: &Entry) -> ModelValue {
        match &e.value {
            NewValue::Scalar(ModelScalar::Counter(base)) => {
                let total = self
                    .increments
                    .iter()
                    .filter(|inc| inc.targets.contains(&e.id))
                    .fold(*base, |acc, inc| acc.wrapping_add(inc.by));
                ModelValue::Scalar(ModelScalar::Counter(total))
            }
            NewValue::Scalar(s) => ModelValue::Scalar(s.clone()),
            NewValue::Object(ty) => ModelValue::Object(*ty, ModelObjId::Op(e.id)),
        }
    }
}

#[derive(Clone, Debug)]
enum ElemContent {
    Value(Register),
    Char { ch: char, deleted: bool },
}

#[derive(Clone, Debug)]
struct Elem {
    id: ModelId,
    origin_left: Option<ModelId>,
    origin_right: Option<ModelId>,
    content: ElemContent,
}

impl Elem {
    fn is_visible(&self) -> bool {
        match &self.content {
            ElemContent::Value(reg) => reg.is_visible(),
            ElemContent::Char { deleted, .. } => !deleted,
        }
    }
}

#[derive(Clone, Debug)]
enum Body {
    Map(BTreeMap<String, Register>),
    Seq(Vec<Elem>),
}

#[derive(Clone, Debug)]
struct Object {
    ty: ObjType,
    body: Body,
}

impl Object {
    fn new(ty: ObjType) -> Self {
        let body = match ty {
            ObjType::Map => Body::Map(BTreeMap::new()),
            ObjType::List | ObjType::Text => Body::Seq(Vec::new()),
        };
        Object { ty, body }
    }

    fn elems(&self) -> &[Elem] {
        match &self.body {
            Body::Seq(elems) => elems,
            Body::Map(_) => &[],
        }
    }

    /// Full-order indexes of the visible elements.
    fn visible_indexes(&self) -> Vec<usize> {
        self.elems()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.is_visible())
            .map(|(i, _)| i)
            .collect()
    }

    /// The register a read or write at `key` uses, if the slot exists.
    fn register(&self, key: &ModelKey) -> Option<&Register> {
        match (&self.body, key) {
            (Body::Map(m), ModelKey::Map(k)) => m.get(k),
            (Body::Seq(elems), ModelKey::Elem(id)) => {
                match &elems.iter().find(|e| e.id == *id)?.content {
                    ElemContent::Value(reg) => Some(reg),
                    ElemContent::Char { .. } => None,
                }
            }
            _ => None,
        }
    }

    fn register_mut(&mut self, key: &ModelKey, op: ModelId) -> &mut Register {
        match (&mut self.body, key) {
            (Body::Map(m), ModelKey::Map(k)) => m.entry(k.clone()).or_default(),
            (Body::Seq(elems), ModelKey::Elem(id)) => {
                let elem = elems
                    .iter_mut()
                    .find(|e| e.id == *id)
                    .unwrap_or_else(|| panic!("op {op} names unknown element {id}"));
                match &mut elem.content {
                    ElemContent::Value(reg) => reg,
                    ElemContent::Char { .. } => panic!("op {op} writes a register in a text"),
                }
            }
            (_, key) => panic!("op {op}: key {key:?} does not fit a {:?}", self.ty),
        }
    }
}

fn position(elems: &[Elem], id: ModelId) -> usize {
    elems
        .iter()
        .position(|e| e.id == id)
        .unwrap_or_else(|| panic!("unknown element {id}"))
}

/// Places `new` among `elems` by the YjsMod (FugueMax) rule and returns its index.
///
/// `left` and `right` are the full-order indexes of the new element's origins (-1 and `len` when
/// absent). Scanning right from `left`, the elements whose own left origin lies before `left` end
/// the scan; among the elements with the same left origin, those whose right origin lies before
/// `right` are skipped together with their subtrees, and ties on both origins are broken by actor,
/// the smaller actor going first.
fn integrate(elems: &mut Vec<Elem>, new: Elem) -> usize {
    let len = elems.len() as isize;
    let index = |elems: &[Elem], id: Option<ModelId>, none: isize| match id {
        None => none,
        Some(id) => position(elems, id) as isize,
    };
    let left = index(elems, new.origin_left, -1);
    let right = index(elems, new.origin_right, len);
    assert!(
        left < right,
        "origins of {} are out of order (left {left}, right {right})",
        new.id
    );
    let mut dest = left + 1;
    let mut scanning = false;
    let mut i = left + 1;
    loop {
        if !scanning {
            dest = i;
        }
        if i == len || i == right {
            break;
        }
        let other = &elems[i as usize];
        let oleft = index(elems, other.origin_left, -1);
        let oright = index(elems, other.origin_right, len);
        match oleft.cmp(&left) {
            Ordering::Less => break,
            Ordering::Equal => match oright.cmp(&right) {
                Ordering::Less => scanning = true,
                Ordering::Equal => {
                    if new.id.actor < other.id.actor {
                        break;
                    }
                    scanning = false;
                }
                Ordering::Greater => scanning = false,
            },
            Ordering::Greater => {}
        }
        i += 1;
    }
    let dest = dest as usize;
    elems.insert(dest, new);
    dest
}

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

/// One replica of a document in the reference model.
#[derive(Clone, Debug)]
pub struct ModelDoc {
    actor: [u8; 16],
    max_counter: u64,
    objects: BTreeMap<ModelObjId, Object>,
    applied: HashSet<ModelId>,
    heads: BTreeSet<ModelId>,
    log: Vec<ModelOp>,
    pending: Vec<ModelOp>,
}

impl ModelDoc {
    /// An empty document (just the root map) edited by `actor`.
    pub fn new(actor: [u8; 16]) -> Self {
        let mut objects = BTreeMap::new();
        objects.insert(ModelObjId::Root, Object::new(ObjType::Map));
        ModelDoc {
            actor,
            max_counter: 0,
            objects,
            applied: HashSet::new(),
            heads: BTreeSet::new(),
            log: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The actor of this replica.
    pub fn actor(&self) -> [u8; 16] {
        self.actor
    }

    /// The largest counter among the ops applied here (made or received); the next local op takes
    /// one more. Ops waiting in the causal buffer do not count.
    pub fn max_counter(&self) -> u64 {
        self.max_counter
    }

    /// The ids of the applied ops that no other applied op depends on, in id order.
    pub fn heads(&self) -> Vec<ModelId> {
        self.heads.iter().copied().collect()
    }

    /// Every op applied here, local and remote, in the order they took effect (a causal order).
    pub fn ops(&self) -> &[ModelOp] {
        &self.log
    }

    /// Whether the op with this id has been applied.
    pub fn has_op(&self, id: ModelId) -> bool {
        self.applied.contains(&id)
    }

    /// How many received ops wait in the causal buffer for their deps.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Applies an op from another replica.
    ///
    /// Duplicates (ops already applied or already waiting) are ignored. An op whose deps have not
    /// all been applied waits in a buffer and takes effect as soon as they have. Returns how many
    /// ops took effect (this one and any it released from the buffer).
    ///
    /// # Panics
    ///
    /// If the op does not fit the document (it names an object, element or slot that its deps do
    /// not create, or one of the wrong kind): ops made by [`ModelDoc`] always fit.
    pub fn apply(&mut self, op: &ModelOp) -> usize {
        if self.applied.contains(&op.id) || self.pending.iter().any(|p| p.id == op.id) {
            return 0;
        }
        if !self.is_ready(op) {
            self.pending.push(op.clone());
            return 0;
        }
        self.apply_ready(op.clone());
        let mut count = 1;
        while let Some(i) = self.pending.iter().position(|p| self.is_ready(p)) {
            let op = self.pending.remove(i);
            self.apply_ready(op);
            count += 1;
        }
        count
    }

    /// Applies several ops with [`apply`](Self::apply); returns how many took effect.
    pub fn apply_all<'a>(&mut self, ops: impl IntoIterator<Item = &'a ModelOp>) -> usize {
        ops.into_iter().map(|op| self.apply(op)).sum()
    }

    /// Applies every op `other` has applied.
    pub fn merge(&mut self, other: &ModelDoc) -> usize {
        self.apply_all(other.ops())
    }

    fn is_ready(&self, op: &ModelOp) -> bool {
        op.deps.iter().all(|d| self.applied.contains(d))
    }

    fn apply_ready(&mut self, op: ModelOp) {
        let obj = self
            .objects
            .get_mut(&op.obj)
            .unwrap_or_else(|| panic!("op {} applies to unknown object {}", op.id, op.obj));
        let mut created = None;
        match &op.action {
            ModelAction::Put { key, value, pred } => {
                let reg = obj.register_mut(key, op.id);
                reg.overwritten.extend(pred.iter().copied());
                reg.values.push(Entry {
                    id: op.id,
                    value: value.clone(),
                });
                if let NewValue::Object(ty) = value {
                    created = Some(*ty);
                }
            }
            ModelAction::Delete { key, pred } => {
                let reg = obj.register_mut(key, op.id);
                reg.overwritten.extend(pred.iter().copied());
            }
            ModelAction::Increment { key, by, pred } => {
                let reg = obj.register_mut(key, op.id);
                reg.increments.push(Increment {
                    targets: pred.clone(),
                    by: *by,
                });
            }
            ModelAction::Insert {
                origin_left,
                origin_right,
                value,
            } => {
                assert_eq!(
                    obj.ty,
                    ObjType::List,
                    "op {}: insert into a non-list",
                    op.id
                );
                let Body::Seq(elems) = &mut obj.body else {
                    unreachable!("lists have a sequence body")
                };
                let reg = Register {
                    values: vec![Entry {
                        id: op.id,
                        value: value.clone(),
                    }],
                    ..Register::default()
                };
                integrate(
                    elems,
                    Elem {
                        id: op.id,
                        origin_left: *origin_left,
                        origin_right: *origin_right,
                        content: ElemContent::Value(reg),
                    },
                );
                if let NewValue::Object(ty) = value {
                    created = Some(*ty);
                }
            }
            ModelAction::InsertChar {
                origin_left,
                origin_right,
                ch,
            } => {
                assert_eq!(
                    obj.ty,
                    ObjType::Text,
                    "op {}: char insert into a non-text",
                    op.id
                );
                let Body::Seq(elems) = &mut obj.body else {
                    unreachable!("texts have a sequence body")
                };
                integrate(
                    elems,
                    Elem {
                        id: op.id,
                        origin_left: *origin_left,
                        origin_right: *origin_right,
                        content: ElemContent::Char {
                            ch: *ch,
                            deleted: false,
                        },
                    },
                );
            }
            ModelAction::DeleteChar { elem } => {
                assert_eq!(
                    obj.ty,
                    ObjType::Text,
                    "op {}: char delete in a non-text",
                    op.id
                );
                let Body::Seq(elems) = &mut obj.body else {
                    unreachable!("texts have a sequence body")
                };
                let i = position(elems, *elem);
                match &mut elems[i].content {
                    ElemContent::Char { deleted, .. } => *deleted = true,
                    ElemContent::Value(_) => unreachable!("texts hold chars"),
                }
            }
        }
        if let Some(ty) = created {
            self.objects.insert(ModelObjId::Op(op.id), Object::new(ty));
        }
        self.max_counter = self.max_counter.max(op.id.counter);
        self.applied.insert(op.id);
        for d in &op.deps {
            self.heads.remove(d);
        }
        self.heads.insert(op.id);
        self.log.push(op);
    }

    /// Makes, applies and returns a local op.
    fn local_op(&mut self, obj: ModelObjId, action: ModelAction) -> ModelOp {
        let op = ModelOp {
            id: ModelId::new(self.max_counter + 1, self.actor),
            deps: self.heads(),
            obj,
            action,
        };
        self.apply_ready(op.clone());
        op
    }

    fn object(&self, obj: ModelObjId) -> Result<&Object, ModelError> {
        self.objects.get(&obj).ok_or(ModelError::NoSuchObject(obj))
    }

    /// The object, checked to be of one of `types`.
    fn object_of(
        &self,
        obj: ModelObjId,
        types: &[ObjType],
        edit: &'static str,
    ) -> Result<&Object, ModelError> {
        let o = self.object(obj)?;
        if types.contains(&o.ty) {
            Ok(o)
        } else {
            Err(ModelError::WrongType {
                obj,
                ty: o.ty,
                edit,
            })
        }
    }

    /// The id of the `index`-th visible element of a sequence.
    fn visible_elem(o: &Object, index: usize) -> Result<ModelId, ModelError> {
        let visible = o.visible_indexes();
        visible
            .get(index)
            .map(|&i| o.elems()[i].id)
            .ok_or(ModelError::OutOfBounds {
                index,
                len: visible.len(),
            })
    }

    /// Resolves a prop to the slot it names in `obj`, for a write or a read.
    fn slot(
        &self,
        obj: ModelObjId,
        prop: &Prop,
        edit: &'static str,
    ) -> Result<ModelKey, ModelError> {
        match prop {
            Prop::Key(k) => {
                self.object_of(obj, &[ObjType::Map], edit)?;
                Ok(ModelKey::Map(k.clone()))
            }
            Prop::Index(i) => {
                let o = self.object_of(obj, &[ObjType::List], edit)?;
                Ok(ModelKey::Elem(Self::visible_elem(o, *i)?))
            }
        }
    }

    fn register(&self, obj: ModelObjId, key: &ModelKey) -> Option<&Register> {
        self.objects.get(&obj)?.register(key)
    }

    /// The origins of an element inserted at visible index `index`: it goes just after the
    /// `index - 1`-th visible element, before any tombstones after it.
    fn origins(o: &Object, index: usize) -> Result<(Option<ModelId>, Option<ModelId>), ModelError> {
        let elems = o.elems();
        let visible = o.visible_indexes();
        if index > visible.len() {
            return Err(ModelError::OutOfBounds {
                index,
                len: visible.len(),
            });
        }
        let dest = index.checked_sub(1).map_or(0, |i| visible[i] + 1);
        let left = dest.checked_sub(1).map(|i| elems[i].id);
        let right = elems.get(dest).map(|e| e.id);
        Ok((left, right))
    }

    // --- local edits ---------------------------------------------------------------------------

    /// Writes `value` at a map key or a list index, overwriting the values visible there.
    pub fn put(
        &mut self,
        obj: ModelObjId,
        prop: impl Into<Prop>,
        value: NewValue,
    ) -> Result<Vec<ModelOp>, ModelError> {
        let key = self.slot(obj, &prop.into(), "put")?;
        let pred = self
            .register(obj, &key)
            .map(Register::visible_ids)
            .unwrap_or_default();
        Ok(vec![
            self.local_op(obj, ModelAction::Put { key, value, pred })
        ])
    }

    /// Writes a new empty object at a map key or a list index; returns its id and the op.
    pub fn put_object(
        &mut self,
        obj: ModelObjId,
        prop: impl Into<Prop>,
        ty: ObjType,
    ) -> Result<(ModelObjId, Vec<ModelOp>), ModelError> {
        let ops = self.put(obj, prop, NewValue::Object(ty))?;
        Ok((ModelObjId::Op(ops[0].id), ops))
    }

    /// Inserts `value` into a list so that it becomes the element at visible index `index`
    /// (`index == length` appends).
    pub fn insert(
        &mut self,
        obj: ModelObjId,
        index: usize,
        value: NewValue,
    ) -> Result<Vec<ModelOp>, ModelError> {
        let o = self.object_of(obj, &[ObjType::List], "insert")?;
        let (origin_left, origin_right) = Self::origins(o, index)?;
        let op = self.local_op(
            obj,
            ModelAction::Insert {
                origin_left,
                origin_right,
                value,
            },
        );
        debug_assert_eq!(self.list_elem_ids(obj).get(index), Some(&op.id));
        Ok(vec![op])
    }

    /// Inserts a new empty object into a list at visible index `index`; returns its id and the op.
    pub fn insert_object(
        &mut self,
        obj: ModelObjId,
        index: usize,
        ty: ObjType,
    ) -> Result<(ModelObjId, Vec<ModelOp>), ModelError> {
        let ops = self.insert(obj, index, NewValue::Object(ty))?;
        Ok((ModelObjId::Op(ops[0].id), ops))
    }

    /// Deletes the values visible at a map key or a list index (a list element with no visible
    /// value disappears). Deleting a map key with no visible value makes no op.
    pub fn delete(
        &mut self,
        obj: ModelObjId,
        prop: impl Into<Prop>,
    ) -> Result<Vec<ModelOp>, ModelError> {
        let key = self.slot(obj, &prop.into(), "delete")?;
        let pred = self
            .register(obj, &key)
            .map(Register::visible_ids)
            .unwrap_or_default();
        if pred.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![self.local_op(obj, ModelAction::Delete { key, pred })])
    }

    /// Adds `by` to the counter values visible at a map key or a list index (to each of them, if
    /// concurrent writes left several).
    pub fn increment(
        &mut self,
        obj: ModelObjId,
        prop: impl Into<Prop>,
        by: i64,
    ) -> Result<Vec<ModelOp>, ModelError> {
        let key = self.slot(obj, &prop.into(), "increment")?;
        let pred = self
            .register(obj, &key)
            .map(Register::visible_counters)
            .unwrap_or_default();
        if pred.is_empty() {
            return Err(ModelError::NotACounter);
        }
        Ok(vec![
            self.local_op(obj, ModelAction::Increment { key, by, pred })
        ])
    }

    /// Deletes `del` elements of a list at visible index `index`, then inserts `values` there.
    ///
    /// Makes one [`ModelAction::Delete`] per deleted element (each of the element then at
    /// `index`), then one [`ModelAction::Insert`] per value, as [`ModelDoc::insert`] at
    /// `index`, `index + 1`, ...
    pub fn splice(
        &mut self,
        obj: ModelObjId,
        index: usize,
        del: usize,
        values: &[ModelScalar],
    ) -> Result<Vec<ModelOp>, ModelError> {
        let len = self
            .object_of(obj, &[ObjType::List], "splice")?
            .visible_indexes()
            .len();
        if index.checked_add(del).is_none_or(|end| end > len) {
            return Err(ModelError::OutOfBounds {
                index: index.saturating_add(del),
                len,
            });
        }
        let mut ops = Vec::new();
        for _ in 0..del {
            ops.extend(self.delete(obj, Prop::Index(index))?);
        }
        for (k, v) in values.iter().enumerate() {
            ops.extend(self.insert(obj, index + k, NewValue::Scalar(v.clone()))?);
        }
        Ok(ops)
    }

    /// Deletes `del` chars of a text at char position `pos`, then inserts `text` there.
    ///
    /// Makes one [`ModelAction::DeleteChar`] per deleted char (each deleting the char then at
    /// `pos`), then one [`ModelAction::InsertChar`] per inserted char, each char's left origin
    /// being the previous one.
    pub fn splice_text(
        &mut self,
        obj: ModelObjId,
        pos: usize,
        del: usize,
        text: &str,
    ) -> Result<Vec<ModelOp>, ModelError> {
        let o = self.object_of(obj, &[ObjType::Text], "splice")?;
        let len = o.visible_indexes().len();
        if pos.checked_add(del).is_none_or(|end| end > len) {
            return Err(ModelError::OutOfBounds {
                index: pos.saturating_add(del),
                len,
            });
        }
        let mut ops = Vec::new();
        for _ in 0..del {
            let elem = Self::visible_elem(self.object(obj)?, pos)?;
            ops.push(self.local_op(obj, ModelAction::DeleteChar { elem }));
        }
        for (k, ch) in text.chars().enumerate() {
            let (origin_left, origin_right) = Self::origins(self.object(obj)?, pos + k)?;
            debug_assert!(k == 0 || origin_left == ops.last().map(|op| op.id));
            ops.push(self.local_op(
                obj,
                ModelAction::InsertChar {
                    origin_left,
                    origin_right,
                    ch,
                },
            ));
        }
        Ok(ops)
    }

    /// Makes a [`ModelEdit`].
    pub fn edit(&mut self, edit: &ModelEdit) -> Result<Vec<ModelOp>, ModelError> {
        match edit {
            ModelEdit::Put { obj, prop, value } => self.put(*obj, prop.clone(), value.clone()),
            ModelEdit::Insert { obj, index, value } => self.insert(*obj, *index, value.clone()),
            ModelEdit::Delete { obj, prop } => self.delete(*obj, prop.clone()),
            ModelEdit::Increment { obj, prop, by } => self.increment(*obj, prop.clone(), *by),
            ModelEdit::Splice {
                obj,
                index,
                del,
                values,
            } => self.splice(*obj, *index, *del, values),
            ModelEdit::SpliceText {
                obj,
                pos,
                del,
                text,
            } => self.splice_text(*obj, *pos, *del, text),
        }
    }

    // --- reading -------------------------------------------------------------------------------

    /// The type of an object, if the document has it (visible or not).
    pub fn object_type(&self, obj: ModelObjId) -> Option<ObjType> {
        self.objects.get(&obj).map(|o| o.ty)
    }

    /// Every visible value at a map key or list index, with its id, in id order. Empty if the key
    /// has no visible value, the index is out of bounds, or the object is missing or of another
    /// kind (texts have no registers: read them with [`text`](Self::text)).
    pub fn get_all(&self, obj: ModelObjId, prop: impl Into<Prop>) -> Vec<(ModelValue, ModelId)> {
        let Ok(key) = self.slot(obj, &prop.into(), "get") else {
            return Vec::new();
        };
        match self.register(obj, &key) {
            None => Vec::new(),
            Some(reg) => reg
                .visible()
                .into_iter()
                .map(|e| (reg.read(e), e.id))
                .collect(),
        }
    }

    /// The winning (greatest id) visible value at a map key or list index, with its id.
    pub fn get(&self, obj: ModelObjId, prop: impl Into<Prop>) -> Option<(ModelValue, ModelId)> {
        self.get_all(obj, prop).pop()
    }

    /// The keys of a map that have a visible value, in order. Empty for a missing object or a
    /// sequence.
    pub fn keys(&self, obj: ModelObjId) -> Vec<String> {
        match self.objects.get(&obj).map(|o| &o.body) {
            Some(Body::Map(m)) => m
                .iter()
                .filter(|(_, reg)| reg.is_visible())
                .map(|(k, _)| k.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The number of visible keys of a map, elements of a list or chars of a text (0 for a
    /// missing object).
    pub fn length(&self, obj: ModelObjId) -> usize {
        match self.objects.get(&obj) {
            None => 0,
            Some(o) => match &o.body {
                Body::Map(_) => self.keys(obj).len(),
                Body::Seq(_) => o.visible_indexes().len(),
            },
        }
    }

    /// The winning value of each visible element of a list (empty for a missing object or a
    /// non-list).
    pub fn list_values(&self, obj: ModelObjId) -> Vec<ModelValue> {
        let Some(o) = self.objects.get(&obj).filter(|o| o.ty == ObjType::List) else {
            return Vec::new();
        };
        o.visible_indexes()
            .into_iter()
            .filter_map(|i| match &o.elems()[i].content {
                ElemContent::Value(reg) => reg.visible().last().map(|e| reg.read(e)),
                ElemContent::Char { .. } => None,
            })
            .collect()
    }

    /// The ids (insert op ids) of the visible elements of a list or text, in order.
    pub fn list_elem_ids(&self, obj: ModelObjId) -> Vec<ModelId> {
        let Some(o) = self.objects.get(&obj) else {
            return Vec::new();
        };
        o.visible_indexes()
            .into_iter()
            .map(|i| o.elems()[i].id)
            .collect()
    }

    /// The visible chars of a text (empty for a missing object or a non-text).
    pub fn text(&self, obj: ModelObjId) -> String {
        let Some(o) = self.objects.get(&obj).filter(|o| o.ty == ObjType::Text) else {
            return String::new();
        };
        o.elems()
            .iter()
            .filter_map(|e| match e.content {
                ElemContent::Char { ch, deleted: false } => Some(ch),
                _ => None,
            })
            .collect()
    }

    /// The visible state of the whole document, from the root map.
    pub fn to_tree(&self) -> ModelTree {
        self.tree_of(ModelObjId::Root)
    }

    /// The visible state below one object.
    ///
    /// # Panics
    ///
    /// If the document has no such object.
    pub fn tree_of(&self, obj: ModelObjId) -> ModelTree {
        let o = self
            .objects
            .get(&obj)
            .unwrap_or_else(|| panic!("no object {obj}"));
        match o.ty {
            ObjType::Map => ModelTree::Map(
                self.keys(obj)
                    .into_iter()
                    .map(|k| {
                        let v = self.get(obj, k.as_str()).expect("visible key").0;
                        (k, self.value_tree(&v))
                    })
                    .collect(),
            ),
            ObjType::List => ModelTree::List(
                self.list_values(obj)
                    .iter()
                    .map(|v| self.value_tree(v))
                    .collect(),
            ),
            ObjType::Text => ModelTree::Text(self.text(obj)),
        }
    }

    fn value_tree(&self, v: &ModelValue) -> ModelTree {
        match v {
            ModelValue::Scalar(ModelScalar::Null) => ModelTree::Null,
            ModelValue::Scalar(ModelScalar::Bool(b)) => ModelTree::Bool(*b),
            ModelValue::Scalar(ModelScalar::Int(i)) => ModelTree::Int(*i),
            ModelValue::Scalar(ModelScalar::Str(s)) => ModelTree::Str(s.clone()),
            ModelValue::Scalar(ModelScalar::Counter(c)) => ModelTree::Counter(*c),
            ModelValue::Object(_, id) => self.tree_of(*id),
        }
    }

    /// The objects reachable from the root through winning values (the root first, then depth
    /// first in document order), with their types.
    pub fn visible_objects(&self) -> Vec<(ModelObjId, ObjType)> {
        let mut out = Vec::new();
        let mut stack = vec![ModelObjId::Root];
        while let Some(obj) = stack.pop() {
            let ty = self.objects[&obj].ty;
            out.push((obj, ty));
            let children: Vec<ModelObjId> = match ty {
                ObjType::Map => self
                    .keys(obj)
                    .into_iter()
                    .filter_map(|k| match self.get(obj, k.as_str())?.0 {
                        ModelValue::Object(_, id) => Some(id),
                        ModelValue::Scalar(_) => None,
                    })
                    .collect(),
                ObjType::List => self
                    .list_values(obj)
                    .into_iter()
                    .filter_map(|v| match v {
                        ModelValue::Object(_, id) => Some(id),
                        ModelValue::Scalar(_) => None,
                    })
                    .collect(),
                ObjType::Text => Vec::new(),
            };
            stack.extend(children.into_iter().rev());
        }
        out
    }

    /// A random edit that [`edit`](Self::edit) accepts on this replica, for randomized tests.
    ///
    /// It picks a visible object (nested ones more often than the root) and an edit on it: puts of
    /// every kind of scalar and of new objects (while the document has fewer than 8 visible
    /// objects), deletes, increments of
    /// visible counters, list inserts, and text splices of non-ASCII text too. Map keys come from a
    /// set of four so that concurrent replicas write the same keys.
    pub fn random_edit<R: Rng + ?Sized>(&self, rng: &mut R) -> ModelEdit {
        const KEYS: [&str; 4] = ["a", "b", "c", "d"];
        let objects = self.visible_objects();
        let may_nest = objects.len() < 8;
        // Nested objects get most edits: the root is picked a quarter as often as each of them.
        let weight = |obj: ModelObjId| if obj == ModelObjId::Root { 1 } else { 4 };
        let mut pick = rng.gen_range(0..objects.iter().map(|&(o, _)| weight(o)).sum::<usize>());
        let (obj, ty) = *objects
            .iter()
            .find(|&&(o, _)| {
                let w = weight(o);
                if pick < w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .expect("the weights cover every object");
        let new_value = |rng: &mut R| -> NewValue {
            if may_nest && rng.gen_bool(0.25) {
                NewValue::Object([ObjType::Map, ObjType::List, ObjType::Text][rng.gen_range(0..3)])
            } else {
                NewValue::Scalar(random_scalar(rng))
            }
        };
        let has_counter = |prop: Prop| {
            self.get_all(obj, prop)
                .iter()
                .any(|(v, _)| matches!(v, ModelValue::Scalar(ModelScalar::Counter(_))))
        };
        let roll = rng.gen_range(0..100);
        match ty {
            ObjType::Map => {
                let prop = Prop::Key(KEYS[rng.gen_range(0..KEYS.len())].to_owned());
                if roll < 15 && !self.get_all(obj, prop.clone()).is_empty() {
                    ModelEdit::Delete { obj, prop }
                } else if roll < 40 && has_counter(prop.clone()) {
                    ModelEdit::Increment {
                        obj,
                        prop,
                        by: rng.gen_range(-5..=5),
                    }
                } else {
                    ModelEdit::Put {
                        obj,
                        prop,
                        value: new_value(rng),
                    }
                }
            }
            ObjType::List => {
                let len = self.length(obj);
                if roll >= 85 {
                    // A splice: a stretch deleted, scalars typed in its place.
                    let index = rng.gen_range(0..=len);
                    let del = rng.gen_range(0..=(len - index).min(4));
                    let n = rng.gen_range(0..4);
                    ModelEdit::Splice {
                        obj,
                        index,
                        del,
                        values: (0..n).map(|_| random_scalar(rng)).collect(),
                    }
                } else if len > 0 && roll < 50 {
                    let index = rng.gen_range(0..len);
                    let prop = Prop::Index(index);
                    if roll < 20 {
                        ModelEdit::Delete { obj, prop }
                    } else if roll < 35 && has_counter(prop.clone()) {
                        ModelEdit::Increment {
                            obj,
                            prop,
                            by: rng.gen_range(-5..=5),
                        }
                    } else {
                        ModelEdit::Put {
                            obj,
                            prop,
                            value: new_value(rng),
                        }
                    }
                } else {
                    ModelEdit::Insert {
                        obj,
                        index: rng.gen_range(0..=len),
                        value: new_value(rng),
                    }
                }
            }
            ObjType::Text => {
                const CHARS: [char; 8] = ['a', 'b', 'c', 'x', 'y', ' ', 'é', '😀'];
                let len = self.length(obj);
                let pos = rng.gen_range(0..=len);
                let del = if len > pos && roll < 40 {
                    rng.gen_range(1..=(len - pos).min(3))
                } else {
                    0
                };
                let n = if del > 0 {
                    rng.gen_range(0..3)
                } else {
                    rng.gen_range(1..5)
                };
                let text = (0..n)
                    .map(|_| CHARS[rng.gen_range(0..CHARS.len())])
                    .collect();
                ModelEdit::SpliceText {
                    obj,
                    pos,
                    del,
                    text,
                }
            }
        }
    }
}

fn random_scalar<R: Rng + ?Sized>(rng: &mut R) -> ModelScalar {
    match rng.gen_range(0..6) {
        0 => ModelScalar::Null,
        1 => ModelScalar::Bool(rng.gen()),
        2 => ModelScalar::Int(rng.gen_range(-100..100)),
        3 => ModelScalar::Str(["", "x", "hello", "é😀"][rng.gen_range(0..4)].to_owned()),
        _ => ModelScalar::Counter(rng.gen_range(0..10)),
    }
}

#[cfg(test)]
mod tests;
