//! Test kit for Concord.
//!
//! Three independent tools for the engine's tests and benchmarks:
//!
//! - [`trace`]: recorded real-world editing histories (the workspace's `testdata/` folder) and a naive
//!   replay of the sequential ones.
//! - [`net`]: a seeded, deterministic simulated network that reorders, duplicates, holds (partitions)
//!   and optionally loses messages, for convergence tests.
//! - [`model`]: a deliberately simple reference implementation of Concord's data model (maps, lists,
//!   text, counters, multi-value registers), used as the oracle in randomized tests.
//!
//! This crate does not depend on the engine: the engine's tests depend on it, and the model must stay
//! an independent implementation.

pub mod model;
pub mod net;
pub mod trace;

pub use model::{
    ModelAction, ModelDoc, ModelEdit, ModelError, ModelId, ModelKey, ModelObjId, ModelOp,
    ModelScalar, ModelTree, ModelValue, NewValue, ObjType, Prop,
};
pub use net::{NetStats, Network};
pub use trace::{
    apply_patch, apply_to_string, load_concurrent, load_sequential, read_trace, sequential_names,
    testdata_dir, AnyTrace, ConcurrentTrace, ConcurrentTxn, Patch, PatchIter, SequentialTrace, Txn,
};
