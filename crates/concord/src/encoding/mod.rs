//! The binary format: how documents and changes are stored and sent.
//!
//! `docs/format.md` is the byte-level specification; this is why it is built as it is.
//!
//! **Columns, because history is repetitive.** A document is stored as its history, and a
//! history of edits is mostly repetition: a trace of keystrokes is hundreds of thousands of
//! changes by one actor, each one op after the last, on the same text, after the character
//! typed just before. Stored change by change, every change would repeat all of that. Stored
//! as columns (every change's actor together, every op's action together, all inserted text
//! together), the repetition becomes runs that cost a few bytes each however long they are, and
//! what is left (the text, the places where the cursor jumped) is what a person actually did.
//! Each column uses the codec that fits its regularity ([`column`](mod@column)): run-length
//! for repeated values, deltas for counters, run lengths for flags, raw bytes for text; and
//! large columns are compressed (deflate, or Brotli with its long window) when that makes them
//! smaller, which mostly compresses the text. What correlates is kept in one column: an op's
//! action, how an insert's origins follow and whether the op ends its change are one byte per
//! op, so the compressor sees an editing session's habits (type on, backspace, replace a word)
//! whole.
//!
//! **Chunks, because files grow by appending.** A file is a header and a list of chunks, each
//! with its type, length and checksum ([`frame`]). A document saves as one chunk holding every
//! change; the changes made since can be appended as further chunks without rewriting the file,
//! and the concatenation still loads. The checksum catches the truncated write and the flipped
//! bit before any of it is trusted. A chunk type is reserved for a future snapshot of the state
//! that would let a load skip replaying history; it is *ancillary*, so readers that do not know
//! it skip it, and loading never depends on it.
//!
//! **Canonical, because replicas compare bytes.** Two replicas that have the same changes must
//! save the same bytes, whatever order the changes arrived in. So nothing stored depends on a
//! replica's internals: actors are stored once, sorted by their bytes, and referred to by their
//! place in that table (never by a document's own actor indexes); a document's changes are
//! stored in one order every replica can compute, by first op counter and then actor (a
//! topological order, as a change's ops come after all of its dependencies'); and every codec
//! writes the one shortest form of its input.
//!
//! **Strict, because the input is untrusted.** Bytes come from disks and networks. Decoding
//! never panics, never sizes an allocation from a count it has not checked against the bytes
//! that are there, and checks everything the engine relies on before a change reaches it (actor
//! indexes, counters that cannot overflow, character counts that match the text, dependencies
//! that name changes), so that a bad file is a [`DecodeError`] that says where and what, and a
//! failed load leaves nothing half-applied.

pub(crate) mod changes;
pub(crate) mod column;
pub(crate) mod cursor;
mod error;
pub(crate) mod frame;
pub(crate) mod leb128;

pub use error::{DecodeError, DecodeErrorKind, LoadError};

use crate::change::ChangeBlock;
use crate::Change;
pub(crate) use changes::{BlockSink, Writer, STREAMED_OPS};
pub(crate) use frame::ChunkType;

/// Encodes changes for sending: a file holding one chunk of changes, in the order given.
///
/// [`decode_changes`] gives them back. The encoding is compact for the usual case (changes
/// that depend on one another, by few actors), so a sync message or a per-change update costs
/// little more than what the changes did.
///
/// ```
/// use concord::{decode_changes, encode_changes, Doc, ROOT};
/// let mut doc = Doc::new();
/// doc.transact(|tx| tx.put(ROOT, "title", "Groceries"))?;
/// let bytes = encode_changes(&doc.changes());
/// assert_eq!(decode_changes(&bytes)?, doc.changes());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode_changes(changes: &[Change]) -> Vec<u8> {
    let refs: Vec<&Change> = changes.iter().collect();
    file(&[(ChunkType::Changes, &refs)])
}

/// Decodes changes: those of every chunk of a file, in order. The file may be one that
/// [`encode_changes`] made, a saved document, or several files concatenated; an empty input
/// holds no changes.
///
/// # Errors
/// A [`DecodeError`] if the bytes are not a valid file.
pub fn decode_changes(bytes: &[u8]) -> Result<Vec<Change>, DecodeError> {
    decode_chunks(frame::chunks(bytes)?, changes::decode)
}

/// A file: the header, then a chunk of each type with those changes, in the order given.
pub(crate) fn file(chunks: &[(ChunkType, &[&Change])]) -> Vec<u8> {
    let mut out = Vec::new();
    frame::write_header(&mut out);
    for &(typ, changes) in chunks {
        frame::write_chunk(&mut out, typ, &changes::encode(changes));
    }
    out
}

/// A saved document: the header, a document chunk of the changes `write` hands the
/// [`Writer`] (naming only actors of `actors`, which is sorted), then a chunk of `pending`
/// changes if there are any.
pub(crate) fn document<'a>(
    actors: &'a [crate::ActorId],
    write: impl FnOnce(&mut Writer<'a>),
    pending: &[&Change],
) -> Vec<u8> {
    let mut applied = Writer::new(actors, frame::VERSION);
    write(&mut applied);
    let mut out = Vec::new();
    frame::write_header(&mut out);
    frame::write_chunk(&mut out, ChunkType::Document, &applied.finish());
    if !pending.is_empty() {
        frame::write_chunk(&mut out, ChunkType::Changes, &changes::encode(pending));
    }
    out
}

/// The changes of a saved document in blocks ([`ChangeBlock`]), each handed to `out` as soon as
/// it is read ([`changes::stream_blocks`]): like [`stream_blocks`], but the first chunk must be
/// a document chunk. Every chunk's checksum is checked before the first block is handed on.
///
/// # Errors
/// As [`decode_changes`], [`DecodeErrorKind::MissingDocument`], and whatever `out` returns.
/// Blocks before the error have been handed on.
pub(crate) fn stream_document<B: BlockSink>(bytes: &[u8], out: &mut B) -> Result<(), B::Error> {
    let chunks = frame::chunks(bytes)?;
    match chunks.first() {
        Some(first) if first.typ == ChunkType::Document => stream_chunks(chunks, out),
        first => Err(DecodeError {
            offset: first.map_or(bytes.len(), |c| c.offset),
            kind: DecodeErrorKind::MissingDocument,
        }
        .into()),
    }
}

/// The changes of every chunk of a file in blocks, handed to `out` as [`stream_document`]
/// hands them.
///
/// # Errors
/// As [`stream_document`], without [`DecodeErrorKind::MissingDocument`].
pub(crate) fn stream_blocks<B: BlockSink>(bytes: &[u8], out: &mut B) -> Result<(), B::Error> {
    stream_chunks(frame::chunks(bytes)?, out)
}

fn stream_chunks<B: BlockSink>(chunks: Vec<frame::Chunk<'_>>, out: &mut B) -> Result<(), B::Error> {
    for chunk in chunks {
        let document = chunk.typ == ChunkType::Document;
        changes::stream_blocks(chunk.payload, document, chunk.version, out)?;
    }
    Ok(())
}

/// The changes of every chunk of a file, as [`decode_changes`] reads them, in blocks.
///
/// # Errors
/// As [`decode_changes`].
pub(crate) fn decode_blocks(bytes: &[u8]) -> Result<Vec<ChangeBlock>, DecodeError> {
    decode_chunks(frame::chunks(bytes)?, changes::decode_blocks)
}

fn decode_chunks<T>(
    chunks: Vec<frame::Chunk<'_>>,
    decode: impl Fn(cursor::Cursor<'_>, bool, u64) -> Result<Vec<T>, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let mut all = Vec::new();
    for chunk in chunks {
        let document = chunk.typ == ChunkType::Document;
        all.extend(decode(chunk.payload, document, chunk.version)?);
    }
    Ok(all)
}
