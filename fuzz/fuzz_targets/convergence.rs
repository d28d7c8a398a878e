//! Random multi-replica editing, merging and syncing must converge and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    concord::fuzzing::convergence(data);
});
