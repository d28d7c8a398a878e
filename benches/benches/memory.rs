//! Memory: the bytes a document holds after a local replay of each trace, and the peak a load
//! of its saved bytes reaches, counted by a global allocator that tracks live and peak heap
//! bytes. The figures are printed (a benchmark reports, it never asserts); criterion times the
//! replay under the counting allocator.
#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use concord::Doc;
use concord_benches::{load_sequential, replay_local, sequential_names};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let live = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(live, Relaxed);
}

// A global allocator can only be written with `unsafe`: this one forwards to the system
// allocator unchanged and only counts.
#[allow(unsafe_code)]
// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's layout is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("memory");
    group.sample_size(10);
    for name in sequential_names() {
        let trace = load_sequential(name);
        let ((mut doc, _), held, peak) = counted(|| replay_local(&trace));
        println!(
            "memory/{name}: the document holds {:.2} MiB after the replay (peak {:.2} MiB)",
            mib(held),
            mib(peak)
        );
        let bytes = doc.save();
        drop(doc);
        let (loaded, held, peak) = counted(|| Doc::load(&bytes).expect("a saved document loads"));
        drop(loaded);
        println!(
            "memory/{name}: loading it holds {:.2} MiB (peak {:.2} MiB)",
            mib(held),
            mib(peak)
        );
        let patches: usize = trace.patch_count();
        group.throughput(Throughput::Elements(patches as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), &trace, |b, t| {
            b.iter(|| replay_local(t))
        });
    }
    group.finish();
}

/// What `f` returns, with the heap bytes it left allocated and the most it had allocated at
/// once, above what was allocated before.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    let held = LIVE.load(Relaxed) - before;
    (out, held, PEAK.load(Relaxed) - before)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

criterion_group!(benches, memory);
criterion_main!(benches);
