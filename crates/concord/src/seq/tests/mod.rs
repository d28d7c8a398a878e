//! Randomized and scenario tests of the sequence tree: local edits against a plain vector,
//! replicas exchanging runs against a naive reference of the integration rule, and the
//! non-interleaving guarantees.

mod batch;
mod interleave;
mod local;
mod naive;
mod replicas;
mod sim;
