//! Behaviour of the engine, through its public API only.

mod common;
mod convergence;
mod counters;
mod encoding;
mod errors;
mod fuzz_harness;
mod history;
mod lists;
mod maps;
mod sync;
mod text;
mod traces;
mod transactions;
