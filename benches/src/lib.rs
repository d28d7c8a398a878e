//! Criterion benchmarks of Concord. The benches live in `benches/` beside this file, one file
//! per concern; this library holds what they share.
//!
//! Run them with `cargo bench -p concord-benches`; CI only builds them (`cargo bench --no-run`).
//! A benchmark never asserts a time: the figures are read, compared and reported.

pub use concord_testkit::trace::{load_sequential, sequential_names, SequentialTrace};
