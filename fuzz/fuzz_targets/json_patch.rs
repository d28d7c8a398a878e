//! A JSON document on the first line and a JSON Patch on the second, applied to the plain value
//! and to a document holding it.
//! The harness is `concord_json::fuzzing::json_patch`, which `cargo test` also runs on seeded inputs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| concord_json::fuzzing::json_patch(data));
