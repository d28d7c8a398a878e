//! The framing of a file: a header (magic bytes and format version), then chunks, each
//! `type, LEB128 length, CRC-32, payload`.
//!
//! A file may hold a header again between two chunks: that is what concatenating two files
//! gives, and concatenation is how a document is saved incrementally (append each
//! `save_incremental` to the file). A header is told from a chunk by its first byte, which no
//! chunk type uses.
//!
//! Chunk types with bit `0x40` set are *ancillary*: they hold data a reader can do without (a
//! future snapshot of the state, to load without replaying history), and a reader that does
//! not know one skips it. A reader that meets an unknown type without that bit fails: such a
//! chunk holds data it cannot do without. The checksum covers the type byte too, so that a
//! corrupted type can neither make a chunk skippable nor change how it is read.

use super::cursor::Cursor;
use super::error::{DecodeError, DecodeErrorKind};
use super::leb128;

/// The first bytes of every file: a byte that is neither ASCII nor a chunk type (so text
/// mangling and misplaced chunks are caught), then "CND".
pub(crate) const MAGIC: [u8; 4] = [0x89, b'C', b'N', b'D'];

/// The format version this build writes.
pub(crate) const VERSION: u64 = 4;

/// The oldest format version this build reads. Version 1 differs from version 2 only in how a
/// compressed column is stored (deflate was its only method); version 2 from version 3 only
/// in how inserts' origins and deletes' targets are given (a boolean `op.left_is_prev` column,
/// every right origin in its columns, and left origins and targets as plain deltas); version 3
/// from version 4 only in how ops say what they are (a change's op count, an op's action tag
/// and an insert's origins code in three columns, where version 4 has one op code per op).
pub(crate) const OLDEST: u64 = 1;

/// A chunk type bit: set on chunks a reader may skip if it does not know them.
const ANCILLARY: u8 = 0x40;

/// The chunk types this build reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkType {
    /// Every change of a document, in canonical order.
    Document,
    /// Any list of changes.
    Changes,
}

impl ChunkType {
    const fn byte(self) -> u8 {
        match self {
            ChunkType::Document => 0x01,
            ChunkType::Changes => 0x02,
        }
    }
}

/// A chunk whose checksum holds.
pub(crate) struct Chunk<'a> {
    pub(crate) typ: ChunkType,
    /// The format version of the segment the chunk is in.
    pub(crate) version: u64,
    /// The offset in the input of the chunk's type byte.
    pub(crate) offset: usize,
    pub(crate) payload: Cursor<'a>,
}

/// Appends the file header.
pub(crate) fn write_header(out: &mut Vec<u8>) {
    out.extend_from_slice(&MAGIC);
    leb128::write_u64(out, VERSION);
}

/// Appends a chunk.
pub(crate) fn write_chunk(out: &mut Vec<u8>, typ: ChunkType, payload: &[u8]) {
    out.push(typ.byte());
    leb128::write_u64(out, payload.len() as u64);
    out.extend_from_slice(&checksum(typ.byte(), payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// The CRC-32 (IEEE) of the type byte followed by the payload.
fn checksum(typ: u8, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&[typ]);
    h.update(payload);
    h.finalize()
}

/// The chunks of a file that this build reads, in order, after checking the headers and every
/// checksum (ancillary chunks are checked, then skipped). An empty input has no chunks.
///
/// # Errors
/// A [`DecodeError`] for a bad header, an unknown chunk type that may not be skipped, a
/// length beyond the input, or a checksum mismatch.
pub(crate) fn chunks(input: &[u8]) -> Result<Vec<Chunk<'_>>, DecodeError> {
    let mut c = Cursor::new(input, 0);
    let mut chunks = Vec::new();
    let mut version = VERSION;
    while !c.is_empty() {
        if c.offset() == 0 || c.rest()[0] == MAGIC[0] {
            version = read_header(&mut c)?;
            continue;
        }
        let offset = c.offset();
        let typ = c.u8()?;
        let len = c.uleb()?;
        let expected = c.u32_le()?;
        let payload = c.split(len)?;
        let found = checksum(typ, payload.rest());
        if found != expected {
            return Err(DecodeError {
                offset,
                kind: DecodeErrorKind::ChecksumMismatch { expected, found },
            });
        }
        let typ = match typ {
            0x01 => ChunkType::Document,
            0x02 => ChunkType::Changes,
            t if t & ANCILLARY != 0 && t < 0x80 => continue,
            t => {
                return Err(DecodeError {
                    offset,
                    kind: DecodeErrorKind::UnknownChunkType(t),
                })
            }
        };
        chunks.push(Chunk {
            typ,
            version,
            offset,
            payload,
        });
    }
    Ok(chunks)
}

/// `input` with the checksum of every chunk recomputed from its type and payload, as far as
/// the framing can be followed; for fuzzing, so that mutated chunks reach the decoder instead of
/// stopping at their checksum.
pub(crate) fn reseal(input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    let mut c = Cursor::new(input, 0);
    while !c.is_empty() {
        if c.offset() == 0 || c.rest()[0] == MAGIC[0] {
            if read_header(&mut c).is_err() {
                break;
            }
            continue;
        }
        let Ok((typ, len)) = c.u8().and_then(|t| Ok((t, c.uleb()?))) else {
            break;
        };
        let at = c.offset();
        let Ok(payload) = c.array::<4>().and_then(|_| c.split(len)) else {
            break;
        };
        let crc = checksum(typ, payload.rest()).to_le_bytes();
        out[at..at + 4].copy_from_slice(&crc);
    }
    out
}

/// Reads a header; returns its version.
fn read_header(c: &mut Cursor<'_>) -> Result<u64, DecodeError> {
    let offset = c.offset();
    let bad_magic = DecodeError {
        offset,
        kind: DecodeErrorKind::BadMagic,
    };
    if !c.rest().starts_with(&MAGIC) {
        // A prefix of the magic bytes is a truncated header; anything else is not a file.
        return Err(if MAGIC.starts_with(c.rest()) {
            DecodeError {
                offset,
                kind: DecodeErrorKind::Truncated,
            }
        } else {
            bad_magic
        });
    }
    c.array::<4>()?;
    let at = c.offset();
    let version = c.uleb()?;
    if !(OLDEST..=VERSION).contains(&version) {
        return Err(DecodeError {
            offset: at,
            kind: DecodeErrorKind::UnsupportedVersion(version),
        });
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(chunks: &[(u8, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        write_header(&mut out);
        for &(typ, payload) in chunks {
            out.push(typ);
            leb128::write_u64(&mut out, payload.len() as u64);
            out.extend_from_slice(&checksum(typ, payload).to_le_bytes());
            out.extend_from_slice(payload);
        }
        out
    }

    fn kinds(input: &[u8]) -> Result<Vec<(ChunkType, Vec<u8>)>, DecodeErrorKind> {
        chunks(input)
            .map(|cs| {
                cs.into_iter()
                    .map(|c| (c.typ, c.payload.rest().to_vec()))
                    .collect()
            })
            .map_err(|e| e.kind)
    }

    #[test]
    fn chunks_and_repeated_headers() {
        let mut bytes = file(&[(0x01, b"doc"), (0x41, b"snapshot")]);
        bytes.extend(file(&[(0x02, b"more")]));
        assert_eq!(
            kinds(&bytes),
            Ok(vec![
                (ChunkType::Document, b"doc".to_vec()),
                (ChunkType::Changes, b"more".to_vec())
            ])
        );
        assert_eq!(kinds(&[]), Ok(vec![]));
        assert_eq!(kinds(&MAGIC[..2]), Err(DecodeErrorKind::Truncated));
        assert_eq!(kinds(b"{\"a\":1}"), Err(DecodeErrorKind::BadMagic));
        // A file starts with a header, not a chunk.
        assert_eq!(kinds(&bytes[5..]), Err(DecodeErrorKind::BadMagic));
    }

    #[test]
    fn resealing_fixes_checksums_only() {
        let good = file(&[(0x01, b"doc"), (0x02, b"more")]);
        assert_eq!(reseal(&good), good);
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] = b'!';
        assert!(chunks(&bad).is_err());
        let fixed = reseal(&bad);
        assert_eq!(kinds(&fixed).unwrap()[1].1, b"mor!");
        assert_eq!(reseal(&bad[..last]), bad[..last]);
    }

    #[test]
    fn what_cannot_be_read_is_refused() {
        let mut bytes = file(&[(0x03, b"future")]);
        assert_eq!(kinds(&bytes), Err(DecodeErrorKind::UnknownChunkType(3)));
        bytes[4] = VERSION as u8 + 1;
        assert_eq!(
            kinds(&bytes),
            Err(DecodeErrorKind::UnsupportedVersion(VERSION + 1))
        );
        bytes[4] = 0;
        assert_eq!(kinds(&bytes), Err(DecodeErrorKind::UnsupportedVersion(0)));

        let mut bytes = file(&[(0x02, b"payload")]);
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(matches!(
            kinds(&bytes),
            Err(DecodeErrorKind::ChecksumMismatch { .. })
        ));
        // The type byte is checksummed: a changes chunk cannot turn into a skippable one.
        let mut bytes = file(&[(0x02, b"payload")]);
        bytes[5] = 0x42;
        assert!(matches!(
            kinds(&bytes),
            Err(DecodeErrorKind::ChecksumMismatch { .. })
        ));
        let mut bytes = file(&[(0x02, b"payload")]);
        bytes[6] = 100;
        assert_eq!(
            kinds(&bytes),
            Err(DecodeErrorKind::LengthBeyondInput {
                length: 100,
                remaining: 7
            })
        );
    }
}
