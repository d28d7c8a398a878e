//! The JSON view of a document, and JSON written into one.
//!
//! Reading and writing both go through `Node`, an owned tree with the document's own kinds
//! (map, list, text, and every scalar, counters and bytes included). A JSON Patch `move` or
//! `copy` inside a document reads a node and writes it elsewhere, so a text stays a text and a
//! counter a counter; only at the edge does a node become a `serde_json::Value`.
//!
//! Depth is checked where trees come in: a JSON value before it is converted (iteratively, in
//! `check_depth`), a document while it is read (by counting levels). Everything recursive
//! below those checks is bounded by [`crate::MAX_DEPTH`].

mod eq;
mod node;
mod options;
mod read;
mod write;

pub(crate) use eq::{check_depth, json_eq};
pub(crate) use node::{scalar_json, Node};
pub use options::JsonOptions;
pub(crate) use read::{read_node, value_node, View};
pub use read::{to_json, to_json_at};
pub(crate) use write::{insert_node, replace_node};
