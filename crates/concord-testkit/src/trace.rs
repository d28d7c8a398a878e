//! Recorded editing traces.
//!
//! The traces live in the workspace's `testdata/` folder as gzipped JSON (see `testdata/README.md`
//! for their origin, license and format). This module deserializes them and replays the sequential
//! ones naively, which gives the expected text at every step for tests that replay a trace through
//! the engine.
//!
//! The files are kept gzipped exactly as published, so loading them needs a gzip decoder: that is
//! why this crate depends on `flate2`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// One edit: delete `del` characters at `pos`, then insert `ins` at `pos`.
///
/// Positions and lengths count Unicode scalar values (Rust `char`s), not bytes and not UTF-16 units.
/// In the JSON files a patch is the array `[pos, del, "ins"]`, and that is also how it serializes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(usize, usize, String)", into = "(usize, usize, String)")]
pub struct Patch {
    /// Where the edit happens, in characters from the start of the text.
    pub pos: usize,
    /// How many characters are deleted at `pos`.
    pub del: usize,
    /// The text inserted at `pos` after the deletion.
    pub ins: String,
}

impl From<(usize, usize, String)> for Patch {
    fn from((pos, del, ins): (usize, usize, String)) -> Self {
        Patch { pos, del, ins }
    }
}

impl From<Patch> for (usize, usize, String) {
    fn from(p: Patch) -> Self {
        (p.pos, p.del, p.ins)
    }
}

/// One transaction of a sequential trace: patches applied one after the other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Txn {
    /// When the transaction was made, as recorded (an ISO 8601 timestamp).
    pub time: String,
    /// The edits, in order; each applies to the text left by the previous one.
    pub patches: Vec<Patch>,
}

/// A linear editing history by one editor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SequentialTrace {
    /// The text before the first transaction.
    pub start_content: String,
    /// The text after the last transaction.
    pub end_content: String,
    /// The transactions, in order.
    pub txns: Vec<Txn>,
}

/// One transaction of a concurrent trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcurrentTxn {
    /// Indexes (into [`ConcurrentTrace::txns`], all smaller than this txn's own index) of the txns
    /// whose merged state this txn was made on; empty means the empty document.
    pub parents: Vec<usize>,
    /// The agent (editor) that made this txn, in `0..num_agents`.
    pub agent: usize,
    /// The edits, in order, with positions relative to the parents' merged state.
    pub patches: Vec<Patch>,
}

/// An editing history by several agents that forks and merges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConcurrentTrace {
    /// The text after merging every transaction.
    pub end_content: String,
    /// How many agents made the transactions.
    pub num_agents: usize,
    /// The transactions, each after all of its parents.
    pub txns: Vec<ConcurrentTxn>,
}

/// The workspace's `testdata` folder, found from this crate's manifest directory.
pub fn testdata_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(Path::parent)
        .expect("the testkit crate lives two levels below the workspace root")
        .join("testdata")
}

/// A trace file of either kind.
#[derive(Clone, Debug)]
pub enum AnyTrace {
    /// One editor, one linear history.
    Sequential(SequentialTrace),
    /// Several agents whose transactions fork and merge.
    Concurrent(ConcurrentTrace),
}

/// Reads a trace file of either kind, gzipped (`.gz`) or plain JSON. Concurrent traces are the
/// ones with `"kind": "concurrent"`.
///
/// # Errors
/// A message naming the file and what was wrong with it.
pub fn read_trace(path: &Path) -> Result<AnyTrace, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut json = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        GzDecoder::new(&bytes[..])
            .read_to_string(&mut json)
            .map_err(|e| format!("cannot decompress {}: {e}", path.display()))?;
    } else {
        json = String::from_utf8(bytes)
            .map_err(|e| format!("{} is not UTF-8: {e}", path.display()))?;
    }
    // The kind first, skipping everything else, then the trace straight into its typed form:
    // no `serde_json::Value` tree, whose hundreds of thousands of small allocations would be
    // freed right before a measurement and leave the allocator busy sorting them during it.
    #[derive(Deserialize)]
    struct Kind {
        kind: Option<String>,
    }
    let bad = |e: serde_json::Error| format!("{} is not a trace: {e}", path.display());
    let kind: Kind = serde_json::from_str(&json).map_err(bad)?;
    if kind.kind.as_deref() == Some("concurrent") {
        serde_json::from_str(&json)
            .map(AnyTrace::Concurrent)
            .map_err(bad)
    } else {
        serde_json::from_str(&json)
            .map(AnyTrace::Sequential)
            .map_err(bad)
    }
}

fn load_gz_json<T: DeserializeOwned>(path: &Path) -> T {
    let file =
        File::open(path).unwrap_or_else(|e| panic!("cannot open trace {}: {e}", path.display()));
    let mut json = String::new();
    GzDecoder::new(BufReader::new(file))
        .read_to_string(&mut json)
        .unwrap_or_else(|e| panic!("cannot decompress trace {}: {e}", path.display()));
    serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("cannot parse trace {}: {e}", path.display()))
}

/// Loads `testdata/sequential/{name}.json.gz`.
///
/// # Panics
///
/// If the file is missing, is not gzip, or does not have the sequential trace format.
pub fn load_sequential(name: &str) -> SequentialTrace {
    load_gz_json(
        &testdata_dir()
            .join("sequential")
            .join(format!("{name}.json.gz")),
    )
}

/// Loads `testdata/concurrent/{name}.json.gz` (the one shipped is `friendsforever`).
///
/// # Panics
///
/// If the file is missing, is not gzip, or does not have the concurrent trace format.
pub fn load_concurrent(name: &str) -> ConcurrentTrace {
    load_gz_json(
        &testdata_dir()
            .join("concurrent")
            .join(format!("{name}.json.gz")),
    )
}

/// The names of the sequential traces, for [`load_sequential`].
pub fn sequential_names() -> Vec<&'static str> {
    vec![
        "automerge-paper",
        "seph-blog1",
        "rustcode",
        "friendsforever_flat",
    ]
}

/// Applies one patch to a text held as `char`s.
///
/// # Panics
///
/// If the patch reaches past the end of the text.
pub fn apply_patch(text: &mut Vec<char>, patch: &Patch) {
    let end = patch.pos + patch.del;
    assert!(
        end <= text.len(),
        "patch {patch:?} reaches past the end of a text of {} chars",
        text.len()
    );
    text.splice(patch.pos..end, patch.ins.chars());
}

/// Replays a sequential trace naively on a `Vec<char>` and returns the final text.
///
/// For a well-formed trace the result equals [`SequentialTrace::end_content`].
pub fn apply_to_string(trace: &SequentialTrace) -> String {
    let mut text: Vec<char> = trace.start_content.chars().collect();
    for txn in &trace.txns {
        for patch in &txn.patches {
            apply_patch(&mut text, patch);
        }
    }
    text.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_json_array_form() {
        let p: Patch = serde_json::from_str(r#"[3, 1, "é😀"]"#).unwrap();
        assert_eq!(
            p,
            Patch {
                pos: 3,
                del: 1,
                ins: "é😀".into()
            }
        );
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"[3,1,"é😀"]"#);
        assert!(serde_json::from_str::<Patch>(r#"{"pos":1,"del":0,"ins":""}"#).is_err());
    }

    #[test]
    fn patches_count_unicode_scalar_values() {
        let mut text: Vec<char> = "a😀b".chars().collect();
        apply_patch(
            &mut text,
            &Patch {
                pos: 1,
                del: 1,
                ins: "éé".into(),
            },
        );
        assert_eq!(text.iter().collect::<String>(), "aééb");
    }

    #[test]
    fn sequential_traces_replay_to_end_content() {
        for name in sequential_names() {
            let trace = load_sequential(name);
            assert!(!trace.txns.is_empty(), "{name} has no txns");
            assert_eq!(
                apply_to_string(&trace),
                trace.end_content,
                "replaying {name} does not give its end content"
            );
        }
    }

    #[test]
    fn concurrent_trace_is_well_formed() {
        let trace = load_concurrent("friendsforever");
        assert_eq!(trace.num_agents, 2);
        assert!(!trace.txns.is_empty());
        assert!(!trace.end_content.is_empty());
        for (i, txn) in trace.txns.iter().enumerate() {
            assert!(
                txn.agent < trace.num_agents,
                "txn {i} has agent {}",
                txn.agent
            );
            assert!(
                txn.parents.iter().all(|&p| p < i),
                "txn {i} has a parent that is not before it"
            );
            assert!(!txn.patches.is_empty(), "txn {i} has no patches");
        }
        // The flattened variant of the same history ends in the same text.
        assert_eq!(
            load_sequential("friendsforever_flat").end_content,
            trace.end_content
        );
    }

    #[test]
    fn testdata_dir_holds_the_traces() {
        let dir = testdata_dir();
        assert!(dir.join("README.md").is_file());
        for name in sequential_names() {
            assert!(dir
                .join("sequential")
                .join(format!("{name}.json.gz"))
                .is_file());
        }
        assert!(dir.join("concurrent/friendsforever.json.gz").is_file());
    }
}
