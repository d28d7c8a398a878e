//! Three JSON values, one per line (base, local, remote), merged under every policy.
//! The harness is `concord_json::fuzzing::merge3`, which `cargo test` also runs on seeded inputs.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| concord_json::fuzzing::merge3(data));
