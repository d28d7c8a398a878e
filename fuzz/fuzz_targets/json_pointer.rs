//! The input as a JSON Pointer: parsed, rendered, and used in every kind of patch op.
//! The harness is `concord_json::fuzzing::json_pointer`, which `cargo test` also runs on seeded inputs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| concord_json::fuzzing::json_pointer(data));
