//! Recorded editing traces.
//!
//! The traces live in the workspace's `testdata/` folder as gzipped JSON (see `testdata/README.md`
//! for their origin, license and format). This module reads them and replays the sequential ones
//! naively, which gives the expected text at every step for tests that replay a trace through the
//! engine.
//!
//! A trace is read straight into a flat form: all of its patches in one vector and all of the
//! text they insert in one string, so that a replay reads them in order from two places.
//!
//! The files are kept gzipped exactly as published, so loading them needs a gzip decoder: that is
//! why this crate depends on `flate2`.

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess};
use serde::{Deserialize, Deserializer};

/// One edit: delete `del` characters at `pos`, then insert `ins` at `pos`. It borrows its text
/// from the trace that holds it.
///
/// Positions and lengths count Unicode scalar values (Rust `char`s), not bytes and not UTF-16
/// units. In the JSON files a patch is the array `[pos, del, "ins"]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patch<'a> {
    /// Where the edit happens, in characters from the start of the text.
    pub pos: usize,
    /// How many characters are deleted at `pos`.
    pub del: usize,
    /// The text inserted at `pos` after the deletion.
    pub ins: &'a str,
}

/// A patch as a trace stores it: its inserted text is a range of the trace's text.
#[derive(Clone, Copy, Debug)]
struct StoredPatch {
    pos: usize,
    del: usize,
    /// A range of the trace's text.
    ins: (u32, u32),
}

/// The patches of a whole trace, and the text they insert, each in one allocation.
///
/// A trace has hundreds of thousands of patches. Held one allocation each (a vector of
/// patches per transaction, a string per patch), a replay would chase pointers through
/// the heap for every edit, and the measured engine's time would include that walk. The
/// peers' measuring harness stores its traces flat in the same way.
#[derive(Clone, Debug, Default)]
struct Patches {
    patches: Vec<StoredPatch>,
    text: String,
}

impl Patches {
    fn range(&self, (start, end): (u32, u32)) -> PatchIter<'_> {
        PatchIter {
            patches: self.patches[start as usize..end as usize].iter(),
            text: &self.text,
        }
    }
}

/// The patches of one transaction, in order.
#[derive(Clone, Debug)]
pub struct PatchIter<'a> {
    patches: std::slice::Iter<'a, StoredPatch>,
    text: &'a str,
}

impl<'a> Iterator for PatchIter<'a> {
    type Item = Patch<'a>;

    fn next(&mut self) -> Option<Patch<'a>> {
        let p = self.patches.next()?;
        Some(Patch {
            pos: p.pos,
            del: p.del,
            ins: &self.text[p.ins.0 as usize..p.ins.1 as usize],
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.patches.size_hint()
    }
}

impl ExactSizeIterator for PatchIter<'_> {}

/// Where a trace keeps one transaction. A trace file says its kind only in a field that
/// may come after its transactions, so a transaction is read with the fields of both kinds;
/// [`ABSENT`] and [`NO_AGENT`] mark one the file did not give. (The times of a sequential trace's
/// transactions are not kept: no replay uses them.)
#[derive(Clone, Debug)]
struct StoredTxn {
    /// The agent (concurrent traces).
    agent: usize,
    /// A range of the trace's parents (concurrent traces).
    parents: (u32, u32),
    patches: (u32, u32),
}

/// A range a transaction did not give.
const ABSENT: u32 = u32::MAX;

/// An agent a transaction did not give.
const NO_AGENT: usize = usize::MAX;

/// The transactions of a trace of either kind, with their patches and text.
#[derive(Clone, Debug, Default)]
struct Txns {
    txns: Vec<StoredTxn>,
    parents: Vec<usize>,
    patches: Patches,
}

impl Txns {
    fn patches_of(&self, t: &StoredTxn) -> PatchIter<'_> {
        self.patches.range(t.patches)
    }
}

/// One transaction of a sequential trace: patches applied one after the other.
#[derive(Clone, Debug)]
pub struct Txn<'a> {
    patches: PatchIter<'a>,
}

impl<'a> Txn<'a> {
    /// The edits, in order; each applies to the text left by the previous one.
    pub fn patches(&self) -> PatchIter<'a> {
        self.patches.clone()
    }
}

/// A linear editing history by one editor.
#[derive(Clone, Debug)]
pub struct SequentialTrace {
    /// The text before the first transaction.
    pub start_content: String,
    /// The text after the last transaction.
    pub end_content: String,
    txns: Txns,
}

impl SequentialTrace {
    /// The transactions, in order.
    pub fn txns(&self) -> impl ExactSizeIterator<Item = Txn<'_>> + Clone + '_ {
        let all = &self.txns;
        all.txns.iter().map(move |t| Txn {
            patches: all.patches_of(t),
        })
    }

    /// How many transactions the trace has.
    pub fn txn_count(&self) -> usize {
        self.txns.txns.len()
    }

    /// How many patches its transactions hold in all.
    pub fn patch_count(&self) -> usize {
        self.txns.patches.patches.len()
    }
}

/// One transaction of a concurrent trace.
#[derive(Clone, Debug)]
pub struct ConcurrentTxn<'a> {
    /// Indexes (into [`ConcurrentTrace::txns`], all smaller than this txn's own index) of the txns
    /// whose merged state this txn was made on; empty means the empty document.
    pub parents: &'a [usize],
    /// The agent (editor) that made this txn, in `0..num_agents`.
    pub agent: usize,
    patches: PatchIter<'a>,
}

impl<'a> ConcurrentTxn<'a> {
    /// The edits, in order, with positions relative to the parents' merged state.
    pub fn patches(&self) -> PatchIter<'a> {
        self.patches.clone()
    }
}

/// An editing history by several agents that forks and merges.
#[derive(Clone, Debug)]
pub struct ConcurrentTrace {
    /// The text after merging every transaction.
    pub end_content: String,
    /// How many agents made the transactions.
    pub num_agents: usize,
    txns: Txns,
}

impl ConcurrentTrace {
    /// The transactions, each after all of its parents.
    pub fn txns(&self) -> impl ExactSizeIterator<Item = ConcurrentTxn<'_>> + Clone + '_ {
        self.txns.txns.iter().map(|t| self.view(t))
    }

    /// Transaction `i`.
    ///
    /// # Panics
    ///
    /// If there is no transaction `i`.
    pub fn txn(&self, i: usize) -> ConcurrentTxn<'_> {
        self.view(&self.txns.txns[i])
    }

    /// How many transactions the trace has.
    pub fn txn_count(&self) -> usize {
        self.txns.txns.len()
    }

    fn view<'a>(&'a self, t: &StoredTxn) -> ConcurrentTxn<'a> {
        ConcurrentTxn {
            parents: &self.txns.parents[t.parents.0 as usize..t.parents.1 as usize],
            agent: t.agent,
            patches: self.txns.patches_of(t),
        }
    }
}

// Reading a trace streams its JSON straight into the flat form above.

fn to_u32<E: de::Error>(n: usize) -> Result<u32, E> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n != ABSENT)
        .ok_or_else(|| E::custom("a trace holds less than 4 GiB of text and patches"))
}

/// A JSON string, appended to a string of the trace; gives its range there.
struct AppendStr<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for AppendStr<'_> {
    type Value = (u32, u32);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(u32, u32), D::Error> {
        d.deserialize_str(self)
    }
}

impl de::Visitor<'_> for AppendStr<'_> {
    type Value = (u32, u32);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(u32, u32), E> {
        let start = to_u32(self.0.len())?;
        self.0.push_str(v);
        Ok((start, to_u32(self.0.len())?))
    }
}

/// A transaction's patches, each `[pos, del, "ins"]`, pushed onto the trace's; gives their
/// range there.
struct PatchList<'a>(&'a mut Patches);

impl<'de> DeserializeSeed<'de> for PatchList<'_> {
    type Value = (u32, u32);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(u32, u32), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for PatchList<'_> {
    type Value = (u32, u32);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of patches")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(u32, u32), A::Error> {
        let start = to_u32(self.0.patches.len())?;
        while seq.next_element_seed(OnePatch(&mut *self.0))?.is_some() {}
        Ok((start, to_u32(self.0.patches.len())?))
    }
}

/// One patch, `[pos, del, "ins"]`, pushed onto the trace's patches.
struct OnePatch<'a>(&'a mut Patches);

const PATCH: &str = "a patch [pos, del, \"ins\"]";

impl<'de> DeserializeSeed<'de> for OnePatch<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for OnePatch<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PATCH)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let missing = |i| de::Error::invalid_length(i, &PATCH);
        let pos = seq.next_element()?.ok_or_else(|| missing(0))?;
        let del = seq.next_element()?.ok_or_else(|| missing(1))?;
        let ins = seq
            .next_element_seed(AppendStr(&mut self.0.text))?
            .ok_or_else(|| missing(2))?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(4, &PATCH));
        }
        self.0.patches.push(StoredPatch { pos, del, ins });
        Ok(())
    }
}

/// A concurrent transaction's parents, pushed onto the trace's; gives their range there.
struct ParentList<'a>(&'a mut Vec<usize>);

impl<'de> DeserializeSeed<'de> for ParentList<'_> {
    type Value = (u32, u32);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(u32, u32), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for ParentList<'_> {
    type Value = (u32, u32);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of transaction indexes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(u32, u32), A::Error> {
        let start = to_u32(self.0.len())?;
        while let Some(p) = seq.next_element()? {
            self.0.push(p);
        }
        Ok((start, to_u32(self.0.len())?))
    }
}

/// The field names of both kinds of trace and of their transactions.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum Field {
    Kind,
    StartContent,
    EndContent,
    NumAgents,
    Txns,
    Patches,
    Parents,
    Agent,
    #[serde(other)]
    Other,
}

/// The transactions of a trace, pushed onto it.
struct TxnList<'a>(&'a mut Txns);

impl<'de> DeserializeSeed<'de> for TxnList<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for TxnList<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of transactions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(txn) = seq.next_element_seed(OneTxn(&mut *self.0))? {
            self.0.txns.push(txn);
        }
        Ok(())
    }
}

/// One transaction: `{"time": …, "patches": […]}` in a sequential trace (its time skipped),
/// `{"parents": […], "agent": …, "patches": […]}` in a concurrent one.
struct OneTxn<'a>(&'a mut Txns);

impl<'de> DeserializeSeed<'de> for OneTxn<'_> {
    type Value = StoredTxn;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StoredTxn, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for OneTxn<'_> {
    type Value = StoredTxn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a transaction")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredTxn, A::Error> {
        let mut txn = StoredTxn {
            agent: NO_AGENT,
            parents: (ABSENT, ABSENT),
            patches: (ABSENT, ABSENT),
        };
        while let Some(field) = map.next_key()? {
            match field {
                Field::Patches => {
                    txn.patches = map.next_value_seed(PatchList(&mut self.0.patches))?;
                }
                Field::Parents => {
                    txn.parents = map.next_value_seed(ParentList(&mut self.0.parents))?;
                }
                Field::Agent => {
                    txn.agent = map.next_value()?;
                    if txn.agent == NO_AGENT {
                        return Err(de::Error::custom("an agent below 2^64 - 1"));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if txn.patches.0 == ABSENT {
            return Err(de::Error::missing_field("patches"));
        }
        Ok(txn)
    }
}

/// A trace file as read, before its kind decides what it must hold.
#[derive(Default)]
struct Parsed {
    kind: Option<String>,
    start_content: Option<String>,
    end_content: Option<String>,
    num_agents: Option<usize>,
    txns: Option<Txns>,
}

impl<'de> Deserialize<'de> for Parsed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ParsedVisitor)
    }
}

struct ParsedVisitor;

impl<'de> de::Visitor<'de> for ParsedVisitor {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a trace")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut parsed = Parsed::default();
        while let Some(field) = map.next_key()? {
            match field {
                Field::Kind => parsed.kind = map.next_value()?,
                Field::StartContent => parsed.start_content = Some(map.next_value()?),
                Field::EndContent => parsed.end_content = Some(map.next_value()?),
                Field::NumAgents => parsed.num_agents = Some(map.next_value()?),
                Field::Txns => {
                    let mut txns = Txns::default();
                    map.next_value_seed(TxnList(&mut txns))?;
                    parsed.txns = Some(txns);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parsed)
    }
}

impl Parsed {
    fn is_concurrent(&self) -> bool {
        self.kind.as_deref() == Some("concurrent")
    }

    /// The sequential trace; or the name of a field it lacks.
    fn sequential(self) -> Result<SequentialTrace, &'static str> {
        let txns = self.txns.ok_or("txns")?;
        Ok(SequentialTrace {
            start_content: self.start_content.ok_or("startContent")?,
            end_content: self.end_content.ok_or("endContent")?,
            txns,
        })
    }

    /// The concurrent trace; or the name of a field it lacks.
    fn concurrent(self) -> Result<ConcurrentTrace, &'static str> {
        let txns = self.txns.ok_or("txns")?;
        for t in &txns.txns {
            if t.agent == NO_AGENT {
                return Err("agent");
            }
            if t.parents.0 == ABSENT {
                return Err("parents");
            }
        }
        Ok(ConcurrentTrace {
            end_content: self.end_content.ok_or("endContent")?,
            num_agents: self.num_agents.ok_or("numAgents")?,
            txns,
        })
    }
}

impl<'de> Deserialize<'de> for SequentialTrace {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Parsed::deserialize(d)?
            .sequential()
            .map_err(de::Error::missing_field)
    }
}

impl<'de> Deserialize<'de> for ConcurrentTrace {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Parsed::deserialize(d)?
            .concurrent()
            .map_err(de::Error::missing_field)
    }
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
    let parsed: Parsed = read_json(path)?;
    let trace = if parsed.is_concurrent() {
        parsed.concurrent().map(AnyTrace::Concurrent)
    } else {
        parsed.sequential().map(AnyTrace::Sequential)
    };
    trace.map_err(|field| format!("{} is not a trace: it has no `{field}`", path.display()))
}

/// Reads a JSON file, gzipped (`.gz`) or plain, streaming it into `T` as it is decompressed:
/// neither the file nor its JSON text is ever held whole. (As the peers' measuring harness
/// reads traces: a buffer of megabytes freed right before a measurement would leave pages
/// the measured engine could then fill without the process growing.)
fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let file = File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, reader));
    let bad = |e: serde_json::Error| {
        if e.is_io() {
            format!("cannot read {}: {e}", path.display())
        } else {
            format!("{} is not a trace: {e}", path.display())
        }
    };
    let value = T::deserialize(&mut de).map_err(bad)?;
    de.end().map_err(bad)?;
    Ok(value)
}

fn load_gz_json<T: DeserializeOwned>(path: &Path) -> T {
    read_json(path).unwrap_or_else(|e| panic!("{e}"))
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
pub fn apply_patch(text: &mut Vec<char>, patch: Patch<'_>) {
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
    for txn in trace.txns() {
        for patch in txn.patches() {
            apply_patch(&mut text, patch);
        }
    }
    text.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequential(json: &str) -> Result<SequentialTrace, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn a_sequential_trace_reads_into_its_flat_form() {
        let trace = sequential(
            r#"{"startContent": "ab", "endContent": "xé😀", "extra": [1, {"a": 2}],
                "txns": [{"time": "t0", "patches": [[3, 1, "é😀"], [0, 0, ""]]},
                         {"patches": [], "time": "t\u00e9"}]}"#,
        )
        .unwrap();
        assert_eq!((trace.start_content.as_str(), trace.txn_count()), ("ab", 2));
        assert_eq!(trace.patch_count(), 2);
        let txns: Vec<Txn<'_>> = trace.txns().collect();
        let patches: Vec<Patch<'_>> = txns[0].patches().collect();
        assert_eq!(
            patches,
            [
                Patch {
                    pos: 3,
                    del: 1,
                    ins: "é😀"
                },
                Patch {
                    pos: 0,
                    del: 0,
                    ins: ""
                }
            ]
        );
        assert_eq!(txns[1].patches().len(), 0);
    }

    #[test]
    fn a_malformed_trace_is_refused() {
        let txns = |patches: &str| {
            format!(
                r#"{{"startContent": "", "endContent": "", "txns": [{{"time": "t",
                "patches": [{patches}]}}]}}"#
            )
        };
        assert!(sequential(&txns(r#"[1, 0, "a"]"#)).is_ok());
        for bad in [
            r#"{"pos": 1, "del": 0, "ins": ""}"#,
            r#"[1, 0]"#,
            r#"[1, 0, "a", 4]"#,
            r#"[-1, 0, "a"]"#,
            r#"[1, 0, 7]"#,
        ] {
            assert!(sequential(&txns(bad)).is_err(), "{bad} is not a patch");
        }
        assert!(sequential(r#"{"startContent": "", "endContent": ""}"#).is_err());
        assert!(sequential(r#"{"endContent": "", "txns": []}"#).is_err());
        assert!(
            sequential(r#"{"startContent": "", "endContent": "", "txns": [{"time": "t"}]}"#)
                .is_err()
        );
        // A trace's kind decides which fields its transactions must have.
        let concurrent = r#"{"kind": "concurrent", "startContent": "", "endContent": "",
            "numAgents": 1, "txns": [{"patches": [], "time": "t"}]}"#;
        assert!(sequential(concurrent).is_ok());
        assert!(serde_json::from_str::<ConcurrentTrace>(concurrent).is_err());
    }

    #[test]
    fn a_concurrent_trace_reads_into_its_flat_form() {
        let trace: ConcurrentTrace = serde_json::from_str(
            r#"{"kind": "concurrent", "endContent": "ba", "numAgents": 2, "txns": [
                {"parents": [], "agent": 0, "patches": [[0, 0, "a"]]},
                {"parents": [], "agent": 1, "patches": [[0, 0, "b"]]},
                {"agent": 0, "parents": [0, 1], "patches": []}]}"#,
        )
        .unwrap();
        assert_eq!((trace.num_agents, trace.txn_count()), (2, 3));
        let last = trace.txn(2);
        assert_eq!((last.parents, last.agent), (&[0, 1][..], 0));
        let second: Vec<Patch<'_>> = trace.txn(1).patches().collect();
        assert_eq!(
            second,
            [Patch {
                pos: 0,
                del: 0,
                ins: "b"
            }]
        );
        assert_eq!(trace.txns().map(|t| t.patches().len()).sum::<usize>(), 2);
        let no_agent = r#"{"endContent": "", "numAgents": 1,
            "txns": [{"parents": [], "patches": []}]}"#;
        assert!(serde_json::from_str::<ConcurrentTrace>(no_agent).is_err());
    }

    #[test]
    fn patches_count_unicode_scalar_values() {
        let mut text: Vec<char> = "a😀b".chars().collect();
        apply_patch(
            &mut text,
            Patch {
                pos: 1,
                del: 1,
                ins: "éé",
            },
        );
        assert_eq!(text.iter().collect::<String>(), "aééb");
    }

    #[test]
    fn sequential_traces_replay_to_end_content() {
        for name in sequential_names() {
            let trace = load_sequential(name);
            assert!(trace.txn_count() > 0, "{name} has no txns");
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
        assert!(trace.txn_count() > 0);
        assert!(!trace.end_content.is_empty());
        for (i, txn) in trace.txns().enumerate() {
            assert!(
                txn.agent < trace.num_agents,
                "txn {i} has agent {}",
                txn.agent
            );
            assert!(
                txn.parents.iter().all(|&p| p < i),
                "txn {i} has a parent that is not before it"
            );
            assert!(txn.patches().len() > 0, "txn {i} has no patches");
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
