//! The bytes of a sync message (`docs/sync-protocol.md` specifies them).
//!
//! A message is a tag, a version and a flag byte; the message's number in its sender's
//! session; the changes in compact form ([`super::compact`]); the heads and the version
//! vector, where they are not implied; and a CRC-32 of all of it, seeded with the session and
//! the message number. A session's messages form chains: a message that starts one (the first
//! of a session, and after a request to resend) gives its full number and the session id and
//! stands alone; the others give the low byte of their number and are read in the context of
//! the messages before them. A receiver reads a message of a chain only if it has read the one
//! before: otherwise the message is set aside and the receiver asks for a new chain, so a lost
//! or reordered message is never read in the wrong context. The checksum's seed makes a message
//! whose number or session the receiver guessed wrong fail like a corrupt one.

use crate::encoding::cursor::Cursor;
use crate::encoding::leb128::write_u64;
use crate::{ActorId, Change, DecodeError, DecodeErrorKind, OpId};

use super::compact::{Context, Reader, Writer};
use super::SyncMessage;

/// The first byte of every sync message.
const TAG: u8 = 0x53;
/// The only message layout this build writes and reads.
const VERSION: u64 = 4;
/// The format version of the changes payload a message of [`VERSION`] carries as columns:
/// pinned here, so that a new file format cannot change the messages unnoticed.
const COLUMNS_VERSION: u64 = 4;

// The flag byte.
const START: u8 = 1;
const RESEND: u8 = 2;
const HEADS_SHIFT: u8 = 2;
const HEADS_LAST: u8 = 0;
const HEADS_SAME: u8 = 1;
const HEADS_LIST: u8 = 2;
const HAVE: u8 = 16;
const COUNT_SHIFT: u8 = 5;
const COLUMNS: u8 = 128;

/// Our side of a session: the chain of messages we send.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Sending {
    /// The session's id, random.
    pub(super) session: u64,
    /// The number of the next message.
    pub(super) next: u64,
    /// The context after our last message, or `None` if the next message starts a chain.
    pub(super) chain: Option<Context>,
}

impl Sending {
    pub(super) fn new() -> Self {
        Sending {
            session: rand::random(),
            next: 1,
            chain: None,
        }
    }
}

/// The peer's side of a session, as far as we followed it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Receiving {
    /// The peer's session id.
    pub(super) session: u64,
    /// The highest message number read.
    latest: u64,
    /// The number of the last message of the chain we follow, and the context after it.
    chain: Option<(u64, Context)>,
}

/// How the wire names a message: what a receiver needs besides the content.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Wire {
    pub(super) session: u64,
    pub(super) number: u64,
    /// Whether the message starts a chain.
    pub(super) start: bool,
    /// Whether the sender asks us to start a new chain and resend what we sent.
    pub(super) resend: bool,
    pub(super) bytes: Vec<u8>,
}

/// What reading a message's bytes gives.
pub(super) enum Received {
    /// A message, and how the peer's side of the session stands after it.
    Message(Box<(SyncMessage, Receiving)>),
    /// A message already read, or older than one read.
    Stale,
    /// A message of a chain whose earlier messages we lack.
    MissingContext,
}

/// The checksum of a message: CRC-32 of the session, the number and the bytes.
fn checksum(session: u64, number: u64, bytes: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&session.to_le_bytes());
    h.update(&number.to_le_bytes());
    h.update(bytes);
    h.finalize()
}

/// Writes the next message of `send` and advances its chain.
pub(super) fn encode(
    send: &mut Sending,
    heads: Vec<OpId>,
    have: &[(ActorId, u64)],
    changes: Vec<Change>,
    resend: bool,
) -> SyncMessage {
    let number = send.next;
    send.next += 1;
    let start = send.chain.is_none();
    let mut ctx = send.chain.take().unwrap_or_default();
    let mut out = vec![TAG];
    write_u64(&mut out, VERSION);
    let flags_at = out.len();
    out.push(0);
    let mut flags = if resend { RESEND } else { 0 };
    if start {
        flags |= START;
        write_u64(&mut out, number);
        out.extend_from_slice(&send.session.to_le_bytes());
    } else {
        out.push(number as u8);
    }
    let rows = Writer::rows(&mut ctx, &changes);
    // Many changes are smaller as columns; the context advances the same either way.
    let columns = (changes.len() > 1)
        .then(|| {
            let refs: Vec<&Change> = changes.iter().collect();
            crate::encoding::changes::encode_in(&refs, COLUMNS_VERSION)
        })
        .filter(|payload| payload.len() + 2 < rows.len());
    match columns {
        Some(payload) => {
            flags |= COLUMNS;
            write_u64(&mut out, payload.len() as u64);
            out.extend_from_slice(&payload);
        }
        None => {
            let count = changes.len().min(3) as u8;
            flags |= count << COUNT_SHIFT;
            if count == 3 {
                write_u64(&mut out, changes.len() as u64);
            }
            out.extend_from_slice(&rows);
        }
    }
    let mut w = Writer {
        ctx: &mut ctx,
        out: &mut out,
    };
    let last = changes.last().and_then(Change::last_op);
    let mode = if matches!((last, &heads[..]), (Some(l), [h]) if *h == l) {
        HEADS_LAST
    } else if heads == w.ctx.heads {
        HEADS_SAME
    } else {
        write_u64(w.out, heads.len() as u64);
        for h in &heads {
            w.actor(h.actor(), 0);
            write_u64(w.out, h.counter());
        }
        HEADS_LIST
    };
    flags |= mode << HEADS_SHIFT;
    w.ctx.heads.clone_from(&heads);
    let news: Vec<(ActorId, u64)> = have
        .iter()
        .map(|&(a, n)| (a, n.saturating_sub(w.ctx.have_of(&a))))
        .filter(|&(_, d)| d > 0)
        .collect();
    if !news.is_empty() {
        flags |= HAVE;
        write_u64(w.out, news.len() as u64);
        for (a, d) in news {
            let i = w.actor(a, 0);
            write_u64(w.out, d);
            let n = w.ctx.have_of(&a).saturating_add(d);
            w.set_have(i, n);
        }
    }
    out[flags_at] = flags;
    let crc = checksum(send.session, number, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    let message = SyncMessage {
        heads,
        have: ctx.have(),
        changes,
        wire: Wire {
            session: send.session,
            number,
            start,
            resend,
            bytes: out,
        },
    };
    send.chain = Some(ctx);
    message
}

/// The message number nearest `reference` whose low byte is `low`.
fn near(reference: u64, low: u8) -> u64 {
    let delta = low.wrapping_sub(reference as u8) as i8;
    reference.wrapping_add(delta as i64 as u64)
}

/// Reads a message from the peer whose side of the session is `recv` (`None` before its
/// first message). Reading changes nothing: the caller keeps the returned side of the session
/// if it accepts the message.
///
/// # Errors
/// A [`DecodeError`] if the bytes are not a sync message, or are corrupt.
pub(super) fn decode(bytes: &[u8], recv: Option<&Receiving>) -> Result<Received, DecodeError> {
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
    let flags_at = c.offset();
    let flags = c.u8()?;
    let bad_flags = DecodeError {
        offset: flags_at,
        kind: DecodeErrorKind::BadSyncFlags { flags },
    };
    let columns = flags & COLUMNS != 0;
    if (flags >> HEADS_SHIFT) & 3 == 3 || (columns && (flags >> COUNT_SHIFT) & 3 != 0) {
        return Err(bad_flags);
    }
    let start = flags & START != 0;
    let (session, number) = if start {
        let number = c.uleb()?;
        (u64::from_le_bytes(c.array::<8>()?), number)
    } else {
        let low = c.u8()?;
        match recv {
            None => return Ok(Received::MissingContext),
            Some(r) => {
                let reference = r.chain.as_ref().map_or(r.latest, |(n, _)| *n);
                (r.session, near(reference, low))
            }
        }
    };
    let body_len = match bytes.len().checked_sub(4) {
        Some(n) if n >= c.offset() => n,
        _ => return Err(c.error(DecodeErrorKind::Truncated)),
    };
    let expected = u32::from_le_bytes(
        bytes[body_len..]
            .try_into()
            .unwrap_or_else(|_| unreachable!("four bytes")),
    );
    let found = checksum(session, number, &bytes[..body_len]);
    if expected != found {
        return Err(DecodeError {
            offset: body_len,
            kind: DecodeErrorKind::ChecksumMismatch { expected, found },
        });
    }
    let same = recv.filter(|r| r.session == session);
    let mut ctx = if start {
        if same.is_some_and(|r| number <= r.latest) {
            return Ok(Received::Stale);
        }
        Context::default()
    } else {
        let r = same.unwrap_or_else(|| unreachable!("a chain message is read in its session"));
        match &r.chain {
            Some((n, ctx)) if n.checked_add(1) == Some(number) => ctx.clone(),
            _ if number <= r.latest => return Ok(Received::Stale),
            _ => return Ok(Received::MissingContext),
        }
    };
    let mut body = Cursor::new(&bytes[..body_len], 0);
    body.bytes(c.offset() as u64)?;
    let changes = if columns {
        let len = body.uleb()?;
        let payload = body.split(len)?;
        let changes = crate::encoding::changes::decode(payload, false, COLUMNS_VERSION)?;
        // The sender's context advanced as if it had written them compactly: so does ours.
        Writer::rows(&mut ctx, &changes);
        changes
    } else {
        let mut count = u64::from(flags >> COUNT_SHIFT & 3);
        if count == 3 {
            count = body.count(1)? as u64;
        }
        let mut r = Reader {
            ctx: &mut ctx,
            c: &mut body,
        };
        let mut changes = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            changes.push(r.change(i)?);
        }
        changes
    };
    let mut r = Reader {
        ctx: &mut ctx,
        c: &mut body,
    };
    let heads = match (flags >> HEADS_SHIFT) & 3 {
        HEADS_LAST => match changes.last().and_then(Change::last_op) {
            Some(last) => vec![last],
            None => return Err(bad_flags),
        },
        HEADS_SAME => r.ctx.heads.clone(),
        _ => {
            let n = r.c.count(2)?;
            let mut heads: Vec<OpId> = Vec::with_capacity(n);
            for _ in 0..n {
                let offset = r.c.offset();
                let a = r.actor()?;
                let counter = r.c.uleb()?;
                let head = OpId::new(counter, r.actor_id(a));
                if counter == 0 || heads.last().is_some_and(|&h| h >= head) {
                    return Err(DecodeError {
                        offset,
                        kind: DecodeErrorKind::BadSyncFlags { flags },
                    });
                }
                heads.push(head);
            }
            heads
        }
    };
    r.ctx.heads.clone_from(&heads);
    if flags & HAVE != 0 {
        let n = r.c.count(2)?;
        for _ in 0..n {
            let a = r.actor()?;
            let offset = r.c.offset();
            let d = r.c.uleb()?;
            r.add_have(a, d, offset)?;
        }
    }
    if !r.c.is_empty() {
        return Err(r.c.error(DecodeErrorKind::TrailingBytes));
    }
    let latest = same.map_or(number, |r| r.latest.max(number));
    let message = SyncMessage {
        heads,
        have: ctx.have(),
        changes,
        wire: Wire {
            session,
            number,
            start,
            resend: flags & RESEND != 0,
            bytes: bytes.to_vec(),
        },
    };
    let recv = Receiving {
        session,
        latest,
        chain: Some((number, ctx)),
    };
    Ok(Received::Message(Box::new((message, recv))))
}

/// A message continuing the chain `recv` follows, with these flags (the start flag cleared)
/// and body, numbered and checksummed as the next one: how the fuzzing harness reaches the
/// reader of compact changes past the checksum.
pub(super) fn seal_next(recv: &Receiving, flags: u8, body: &[u8]) -> Vec<u8> {
    let number = recv.chain.as_ref().map_or(recv.latest, |(n, _)| *n) + 1;
    let mut out = vec![TAG];
    write_u64(&mut out, VERSION);
    out.push(flags & !START);
    out.push(number as u8);
    out.extend_from_slice(body);
    let crc = checksum(recv.session, number, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

impl SyncMessage {
    /// The message as bytes, for any transport.
    pub fn encode(&self) -> Vec<u8> {
        self.wire.bytes.clone()
    }

    /// Reads a message that [`SyncMessage::encode`] made, if it stands alone: the first
    /// message of a session, or one that restarts it. Later messages are read in the context
    /// of the earlier ones, by [`crate::Doc::receive_sync_bytes`] with the session's
    /// [`crate::SyncState`].
    ///
    /// # Errors
    /// A [`DecodeError`] with the offset of the first problem: a wrong tag or version, a count
    /// larger than the bytes left could hold, truncation, a checksum that does not match,
    /// changes that do not decode, or [`DecodeErrorKind::NeedsSyncSession`] for a message
    /// that continues a session.
    pub fn decode(bytes: &[u8]) -> Result<SyncMessage, DecodeError> {
        match decode(bytes, None)? {
            Received::Message(m) => Ok(m.0),
            Received::Stale | Received::MissingContext => Err(DecodeError {
                offset: 3,
                kind: DecodeErrorKind::NeedsSyncSession,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_beyond_the_input_are_refused_before_allocating() {
        let mut send = Sending::new();
        let m = encode(&mut send, Vec::new(), &[], Vec::new(), false);
        let mut bytes = m.wire.bytes[..m.wire.bytes.len() - 4].to_vec();
        // Three or more changes: a count follows the session id.
        bytes[2] |= 3 << COUNT_SHIFT;
        bytes.truncate(2 + 1 + 1 + 8);
        crate::encoding::leb128::write_u64(&mut bytes, u64::MAX / 2);
        let crc = checksum(send.session, 1, &bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        let err = SyncMessage::decode(&bytes).unwrap_err();
        assert!(
            matches!(err.kind, DecodeErrorKind::LengthBeyondInput { .. }),
            "{err}"
        );
        assert_eq!(
            SyncMessage::decode(&[0x00]).unwrap_err().kind,
            DecodeErrorKind::NotASyncMessage(0)
        );
        assert_eq!(
            SyncMessage::decode(&[TAG, 1]).unwrap_err(),
            DecodeError {
                offset: 1,
                kind: DecodeErrorKind::UnsupportedVersion(1)
            }
        );
    }

    #[test]
    fn numbers_are_found_from_their_low_byte_near_the_last_one() {
        assert_eq!(near(10, 11), 11);
        assert_eq!(near(255, 0), 256);
        assert_eq!(near(300, 40), 296);
        assert_eq!(near(1000, (1000u64 + 127) as u8), 1127);
        assert_eq!(near(1000, (1000u64 - 128) as u8), 872);
    }
}
