//! `concord-trace <phase> <trace.json.gz>`: replays an editing trace into Concord, times one
//! phase, checks the resulting text against the trace's `endContent`, and prints one final JSON
//! line: `{"engine":"concord","phase":…,"trace":…,"ms":…,"bytes":…,"ok":true,…}`.
//!
//! Phases (sequential traces): `local` (replay every transaction as a local transaction into a
//! fresh document). Concurrent traces: `replicas` (one replica per agent). The process exits
//! with 1 if the text differs from `endContent`, 2 on bad arguments.

use std::path::Path;
use std::process::exit;
use std::time::Instant;

use concord::ReadDoc;
use concord_benches::replay_local;
use concord_testkit::trace::{read_trace, AnyTrace, SequentialTrace};
use serde_json::{json, Map, Value};

const PHASES: &[&str] = &["local"];

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
        let ms = (ms * 1000.0).round() / 1000.0;
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
            let t0 = Instant::now();
            let (doc, text) = replay_local(t);
            let ms = ms_since(t0);
            let peak = proc_status_kb("VmHWM");
            let got = doc.text(text).expect("the text object exists");
            out = out.check(&got, &t.end_content);
            out.extras.push(("txns", json!(t.txns.len())));
            if let (Some(b), Some(p)) = (base, peak) {
                out.extras.push(("rss_before_kb", json!(b)));
                out.extras.push(("rss_peak_kb", json!(p)));
                out.extras
                    .push(("rss_delta_kb", json!(p.saturating_sub(b))));
            }
            out.ok(ms, None)
        }
        _ => out.fail(2, &format!("phase `{phase}` needs a concurrent trace")),
    }
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
        AnyTrace::Concurrent(_) => {
            out.fail(2, &format!("phase `{phase}` needs a sequential trace"))
        }
    }
}
