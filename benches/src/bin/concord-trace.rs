//! `concord-trace <phase> <trace.json.gz>`: replays an editing trace into Concord, times one
//! phase, checks the resulting text against the trace's `endContent`, and prints one final JSON
//! line: `{"engine":"concord","phase":…,"trace":…,"ms":…,"bytes":…,"ok":true,…}`.
//!
//! Phases, as the peers' measuring harness defines them. Sequential traces:
//! - `local`: replay every transaction as one local transaction into a fresh document;
//! - `encode`: after a local replay (untimed), `save()` the document; `bytes` is its size;
//! - `decode`: `Doc::load` those bytes into a fresh document and read the text;
//! - `merge`: import the whole history, encoded as changes (updates, not a saved document),
//!   into a fresh document and read the text.
//!
//! Concurrent traces:
//! - `concurrent`: one document per live branch of the transaction graph: a transaction takes
//!   over (or forks) a parent's document, merges its other parents in and is made as its
//!   agent; `bytes` is the final history encoded as changes;
//! - `replicas`: one replica per agent, each keeping a sync session with every
//!   other one; after each transaction its author makes the session's next message for every
//!   other replica (`generate_sync_message`, carrying the transaction's change), delivered to
//!   that replica right before the first transaction on it that depends on it; `bytes` is the
//!   sum of the messages, the opening message of each session included.
//!
//! Both also time the import of the whole concurrent history, encoded as changes, into a fresh
//! document (`import_ms`).
//!
//! The process exits with 1 if the text differs from `endContent`, 2 on bad arguments.

use std::path::Path;
use std::process::exit;
use std::time::Instant;

use concord::{encode_changes, Doc, ObjId, ReadDoc, ROOT};
use concord_benches::{replay_forked, replay_local, replay_replicas};
use concord_testkit::trace::{read_trace, AnyTrace, ConcurrentTrace, SequentialTrace};
use serde_json::{json, Map, Value};

const PHASES: &[&str] = &[
    "local",
    "encode",
    "decode",
    "merge",
    "concurrent",
    "replicas",
];

fn usage() -> ! {
    eprintln!("usage: concord-trace <phase> <trace.json.gz>");
    eprintln!("  phase: {}", PHASES.join(" | "));
    exit(2)
}

/// The final line, with the headline fields first.
struct Out {
    phase: String,
    trace: String,
    extras: Vec<(&'static str, Value)>,
}

impl Out {
    fn line(self, head: Vec<(&str, Value)>) -> String {
        let mut m = Map::new();
        m.insert("engine".into(), json!("concord"));
        m.insert("phase".into(), json!(self.phase));
        m.insert("trace".into(), json!(self.trace));
        for (k, v) in head {
            m.insert(k.into(), v);
        }
        for (k, v) in self.extras {
            m.insert(k.into(), v);
        }
        Value::Object(m).to_string()
    }

    fn ok(self, ms: f64, bytes: Option<usize>) -> ! {
        let ms = round3(ms);
        println!(
            "{}",
            self.line(vec![
                ("ms", json!(ms)),
                ("bytes", json!(bytes)),
                ("ok", json!(true))
            ])
        );
        exit(0)
    }

    fn fail(self, code: i32, msg: &str) -> ! {
        eprintln!("error: {msg}");
        println!(
            "{}",
            self.line(vec![("ok", json!(false)), ("error", json!(msg))])
        );
        exit(code)
    }

    fn check(self, got: &str, want: &str) -> Self {
        if got == want {
            return self;
        }
        let at = got
            .chars()
            .zip(want.chars())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| got.chars().count().min(want.chars().count()));
        let msg = format!(
            "text differs from endContent at char {at} (got {} chars, want {})",
            got.chars().count(),
            want.chars().count()
        );
        self.fail(1, &msg)
    }
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.trim_start_matches(':')
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Resets the kernel's peak-RSS counter to the current RSS; returns the current RSS in KiB.
fn reset_peak_rss() -> Option<u64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    proc_status_kb("VmRSS")
}

fn sequential(mut out: Out, phase: &str, t: &SequentialTrace) -> ! {
    match phase {
        "local" => {
            let base = reset_peak_rss();
            let parts = || (proc_status_kb("RssAnon"), proc_status_kb("RssFile"));
            let before = parts();
            let t0 = Instant::now();
            let (doc, text) = replay_local(t);
            let ms = ms_since(t0);
            let peak = proc_status_kb("VmHWM");
            let after = parts();
            let got = doc.text(text).expect("the text object exists");
            out = out.check(&got, &t.end_content);
            out.extras.push(("txns", json!(t.txn_count())));
            if let (Some(b), Some(p)) = (base, peak) {
                out.extras.push(("rss_before_kb", json!(b)));
                out.extras.push(("rss_peak_kb", json!(p)));
                out.extras
                    .push(("rss_delta_kb", json!(p.saturating_sub(b))));
            }
            // The delta's two parts: the heap's new pages, and the pages of code run for the
            // first time (file-backed), which depend on the binary's layout, not the document.
            if let ((Some(a0), Some(f0)), (Some(a1), Some(f1))) = (before, after) {
                out.extras
                    .push(("rss_anon_delta_kb", json!(a1.saturating_sub(a0))));
                out.extras
                    .push(("rss_file_delta_kb", json!(f1.saturating_sub(f0))));
            }
            out.ok(ms, None)
        }
        "encode" => {
            let (mut doc, _) = replay_local(t);
            let t0 = Instant::now();
            let bytes = doc.save();
            let ms = ms_since(t0);
            let updates = encode_changes(&doc.changes());
            out.extras.push(("format", json!("Doc::save")));
            out.extras.push(("updates_bytes", json!(updates.len())));
            out.extras
                .push(("updates_format", json!("encode_changes(all changes)")));
            out.extras.push(("text_bytes", json!(t.end_content.len())));
            out.ok(ms, Some(bytes.len()))
        }
        "decode" => {
            let bytes = replay_local(t).0.save();
            let t0 = Instant::now();
            let doc = Doc::load(&bytes).unwrap_or_else(|e| out_fail_load(&e));
            let load_ms = ms_since(t0);
            let got = text_of(&doc);
            let ms = ms_since(t0);
            out = out.check(&got, &t.end_content);
            out.extras.push(("load_ms", json!(round3(load_ms))));
            out.extras.push(("format", json!("Doc::save")));
            out.ok(ms, Some(bytes.len()))
        }
        "merge" => {
            let bytes = encode_changes(&replay_local(t).0.changes());
            let t0 = Instant::now();
            let mut doc = Doc::new();
            doc.load_incremental(&bytes)
                .unwrap_or_else(|e| out_fail_load(&e));
            let import_ms = ms_since(t0);
            let got = text_of(&doc);
            let ms = ms_since(t0);
            out = out.check(&got, &t.end_content);
            out.extras.push(("import_ms", json!(round3(import_ms))));
            out.extras
                .push(("format", json!("encode_changes(all changes)")));
            out.ok(ms, Some(bytes.len()))
        }
        _ => out.fail(2, &format!("phase `{phase}` needs a concurrent trace")),
    }
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

fn out_fail_load(e: &concord::LoadError) -> ! {
    eprintln!("error: the encoded document does not load: {e}");
    exit(1)
}

/// The text of the document's `text` object.
fn text_of(doc: &Doc) -> String {
    let (_, id) = doc
        .get(ROOT, "text")
        .ok()
        .flatten()
        .expect("the document has its text object");
    doc.text(ObjId::from(id)).expect("the text object exists")
}

/// One replica per agent, exchanging one sync message per transaction and other replica (see
/// [`replay_replicas`]).
fn replicas(mut out: Out, t: &ConcurrentTrace) -> ! {
    let t0 = Instant::now();
    let run = replay_replicas(t).unwrap_or_else(|e| {
        eprintln!("error: a sync message is refused: {e}");
        exit(1)
    });
    let ms = ms_since(t0);
    let (docs, text) = (&run.docs, run.text);
    for doc in docs {
        let got = doc.text(text).expect("the text object exists");
        out = out.check(&got, &t.end_content);
    }
    out.extras.push(("txns", json!(t.txn_count())));
    out.extras.push(("agents", json!(docs.len())));
    out.extras.push((
        "message",
        json!("generate_sync_message per txn and peer (SyncState per ordered pair)"),
    ));
    out.extras.push(("replicas", json!(docs.len())));
    out.extras.push(("messages", json!(run.messages)));
    out.extras.push(("deliveries", json!(run.deliveries)));
    out.extras.push(("local_ms", json!(round3(run.local_ms))));
    out.extras
        .push(("receive_ms", json!(round3(run.receive_ms))));
    let bytes = run.message_bytes;
    out = import_history(out, &docs[0], text, t);
    out.ok(ms, Some(bytes))
}

/// One document per live branch of the transaction graph (see [`replay_forked`]).
fn concurrent(mut out: Out, t: &ConcurrentTrace) -> ! {
    let t0 = Instant::now();
    let run = replay_forked(t).unwrap_or_else(|e| {
        eprintln!("error: a merge is refused: {e}");
        exit(1)
    });
    let ms = ms_since(t0);
    let got = run.doc.text(run.text).expect("the text object exists");
    out = out.check(&got, &t.end_content);
    out.extras.push(("txns", json!(t.txn_count())));
    out.extras.push(("agents", json!(t.num_agents)));
    out.extras.push((
        "strategy",
        json!("fork() per branch, set_actor per agent, merge() of the other parents"),
    ));
    out.extras.push(("forks", json!(run.forks)));
    out.extras.push(("merges", json!(run.merges)));
    out.extras.push(("max_live_docs", json!(run.max_live_docs)));
    out.extras.push(("fork_ms", json!(round3(run.fork_ms))));
    out.extras.push(("merge_ms", json!(round3(run.merge_ms))));
    out.extras.push(("apply_ms", json!(round3(run.apply_ms))));
    let bytes = encode_changes(&run.doc.changes()).len();
    out = import_history(out, &run.doc, run.text, t);
    out.extras
        .push(("updates_format", json!("encode_changes(all changes)")));
    out.ok(ms, Some(bytes))
}

/// Times the import of `doc`'s whole history, as one update, into a fresh document, and
/// checks the text it reads.
fn import_history(mut out: Out, doc: &Doc, text: ObjId, t: &ConcurrentTrace) -> Out {
    let history = encode_changes(&doc.changes());
    let i0 = Instant::now();
    let mut fresh = Doc::new();
    fresh
        .load_incremental(&history)
        .unwrap_or_else(|e| out_fail_load(&e));
    let imported = fresh.text(text).expect("the text object exists");
    let import_ms = ms_since(i0);
    out = out.check(&imported, &t.end_content);
    out.extras.push(("import_ms", json!(round3(import_ms))));
    out.extras.push(("history_bytes", json!(history.len())));
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 || !PHASES.contains(&args[1].as_str()) {
        usage();
    }
    let (phase, path) = (args[1].as_str(), Path::new(&args[2]));
    let trace = read_trace(path).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        exit(2)
    });
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| n.trim_end_matches(".gz").trim_end_matches(".json"))
        .unwrap_or("trace")
        .to_owned();
    let out = Out {
        phase: phase.to_owned(),
        trace: name,
        extras: Vec::new(),
    };
    match &trace {
        AnyTrace::Sequential(t) => sequential(out, phase, t),
        AnyTrace::Concurrent(t) if phase == "replicas" => replicas(out, t),
        AnyTrace::Concurrent(t) if phase == "concurrent" => concurrent(out, t),
        AnyTrace::Concurrent(_) => {
            out.fail(2, &format!("phase `{phase}` needs a sequential trace"))
        }
    }
}
