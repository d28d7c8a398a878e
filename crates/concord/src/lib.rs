//! Concord: a CRDT document engine.
//!
//! A [`Doc`] is a JSON-like tree of maps, lists, texts, counters and scalars. Every replica
//! edits its own copy offline; replicas exchange changes in any order, any number of times, and
//! reach the same state. What merging cannot decide (two replicas set one key at once) is kept:
//! [`ReadDoc::get`] returns the winner, [`ReadDoc::get_all`] every concurrent value.
//!
//! ```
//! use concord::{Doc, ObjType, ReadDoc, Value, ROOT};
//!
//! // Alice creates a shopping list.
//! let mut alice = Doc::new();
//! let items = alice.transact(|tx| {
//!     let items = tx.put_object(ROOT, "items", ObjType::List)?;
//!     tx.insert(&items, 0, "milk")?;
//!     Ok::<_, concord::DocError>(items)
//! })?;
//!
//! // Bob starts from Alice's document; both edit offline.
//! let mut bob = alice.fork();
//! alice.transact(|tx| {
//!     tx.insert(&items, 1, "eggs")?;
//!     tx.put(ROOT, "shop", "market")
//! })?;
//! bob.transact(|tx| {
//!     tx.insert(&items, 0, "bread")?;
//!     tx.put(ROOT, "shop", "bakery")
//! })?;
//!
//! // They sync both ways and agree.
//! alice.merge(&bob)?;
//! bob.merge(&alice)?;
//! assert_eq!(alice.heads(), bob.heads());
//! let list = |d: &Doc| -> Vec<Value> { d.values(&items).unwrap().into_iter().map(|(v, _)| v).collect() };
//! assert_eq!(list(&alice), list(&bob));
//! assert_eq!(list(&alice).len(), 3);
//!
//! // The concurrent writes to "shop" are both kept; `get` picks the same winner everywhere.
//! assert_eq!(alice.get_all(ROOT, "shop")?.len(), 2);
//! assert_eq!(alice.get(ROOT, "shop")?, bob.get(ROOT, "shop")?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! See `ARCHITECTURE.md` in the repository for how the engine is built.

mod change;
mod chunked;
mod clock;
mod doc;
mod encoding;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod ids;
mod register;
mod room;
mod seq;
mod sync;
mod value;

pub use change::{Change, Group};
pub use doc::{Doc, ReadDoc, SeqElement, Transaction};
pub use encoding::{decode_changes, encode_changes, DecodeError, DecodeErrorKind, LoadError};
pub use error::{ApplyError, DocError, Expected, InvalidChange};
pub use ids::{ActorId, ObjId, OpId, ParseActorIdError, ParseOpIdError, ROOT};
pub use sync::{SyncError, SyncMessage, SyncState};
pub use value::{ObjType, Prop, ScalarValue, Value};
