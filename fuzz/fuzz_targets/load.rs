//! Arbitrary bytes into every entry point that takes saved bytes: Doc::load,
//! Doc::load_incremental onto a small document, and decode_changes.
//! The harness is `concord::fuzzing::load`, which `cargo test` also runs on seeded inputs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| concord::fuzzing::load(data));
