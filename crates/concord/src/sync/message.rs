//! The bytes of a sync message (`docs/sync-protocol.md` specifies them).
//!
//! A tag byte and a version, then the heads and the version vector, each as a count and
//! entries of an actor's 16 bytes and a LEB128 number, then the changes as an
//! [`crate::encode_changes`] file (absent when there are none). Actors are written in full:
//! a message names a handful of them, where an actor table would save nothing.

use crate::encoding::cursor::Cursor;
use crate::encoding::leb128::write_u64;
use crate::{decode_changes, encode_changes, ActorId, DecodeError, DecodeErrorKind, OpId};

use super::SyncMessage;

/// The first byte of every sync message.
const TAG: u8 = 0x53;
/// The only message layout this build writes and reads.
const VERSION: u64 = 1;
/// The fewest bytes an entry of the heads or the version vector takes: 16 for the actor and
/// one for the number.
const MIN_ENTRY: usize = 17;

impl SyncMessage {
    /// The message as bytes, for any transport.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![TAG];
        write_u64(&mut out, VERSION);
        write_u64(&mut out, self.heads.len() as u64);
        for h in &self.heads {
            out.extend_from_slice(h.actor().as_bytes());
            write_u64(&mut out, h.counter());
        }
        write_u64(&mut out, self.have.len() as u64);
        for (actor, n) in &self.have {
            out.extend_from_slice(actor.as_bytes());
            write_u64(&mut out, *n);
        }
        if !self.changes.is_empty() {
            out.extend(encode_changes(&self.changes));
        }
        out
    }

    /// Reads a message that [`SyncMessage::encode`] made.
    ///
    /// # Errors
    /// A [`DecodeError`] with the offset of the first problem: a wrong tag or version, a count
    /// larger than the bytes left could hold, truncation, or changes that do not decode.
    pub fn decode(bytes: &[u8]) -> Result<SyncMessage, DecodeError> {
        let mut c = Cursor::new(bytes, 0);
        let tag = c.u8()?;
        if tag != TAG {
            return Err(DecodeError {
                offset: 0,
                kind: DecodeErrorKind::NotASyncMessage(tag),
            });
        }
        let at = c.offset();
        let version = c.uleb()?;
        if version != VERSION {
            return Err(DecodeError {
                offset: at,
                kind: DecodeErrorKind::UnsupportedVersion(version),
            });
        }
        let heads = entries(&mut c)?
            .into_iter()
            .map(|(actor, counter)| OpId::new(counter, actor))
            .collect();
        let have = entries(&mut c)?;
        let offset = c.offset();
        let changes = match c.rest() {
            [] => Vec::new(),
            rest => decode_changes(rest).map_err(|e| DecodeError {
                offset: offset + e.offset,
                kind: e.kind,
            })?,
        };
        Ok(SyncMessage {
            heads,
            have,
            changes,
        })
    }
}

/// A count, then that many `(actor, number)` entries. The count is checked against the bytes
/// left before anything is allocated.
fn entries(c: &mut Cursor<'_>) -> Result<Vec<(ActorId, u64)>, DecodeError> {
    let count = c.uleb()?;
    let remaining = c.remaining();
    if count > (remaining / MIN_ENTRY) as u64 {
        return Err(c.error(DecodeErrorKind::LengthBeyondInput {
            length: count.saturating_mul(MIN_ENTRY as u64),
            remaining,
        }));
    }
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let actor = ActorId::from_bytes(c.array::<16>()?);
        out.push((actor, c.uleb()?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_beyond_the_input_are_refused_before_allocating() {
        let mut bytes = vec![TAG, 1];
        crate::encoding::leb128::write_u64(&mut bytes, u64::MAX / 2);
        let err = SyncMessage::decode(&bytes).unwrap_err();
        assert_eq!(err.offset, bytes.len());
        assert!(matches!(
            err.kind,
            DecodeErrorKind::LengthBeyondInput { .. }
        ));
        assert_eq!(
            SyncMessage::decode(&[0x00]).unwrap_err().kind,
            DecodeErrorKind::NotASyncMessage(0)
        );
        assert_eq!(
            SyncMessage::decode(&[TAG, 2]).unwrap_err(),
            DecodeError {
                offset: 1,
                kind: DecodeErrorKind::UnsupportedVersion(2)
            }
        );
    }
}
