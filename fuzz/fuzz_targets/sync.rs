//! Arbitrary bytes received as a sync message, on a fresh session and on one in progress.
//! The harness is `concord::fuzzing::sync`, which `cargo test` also runs on seeded inputs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| concord::fuzzing::sync(data));
