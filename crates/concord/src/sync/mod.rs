//! The peer sync protocol, sans I/O: two replicas exchange messages over any transport until
//! they hold the same changes.
//!
//! Each message says what its sender has, as a version vector by sequence number (for each
//! actor, how many of its changes the sender applied), with its heads, and carries the changes
//! the receiver was last known to lack. Version vectors are exact here because every actor's
//! changes form a chain: "has 7 changes of actor A" means "has changes 1 to 7 of A". So one
//! message from each side is enough to know everything the other lacks, and two peers converge
//! in at most two round trips: A says what it has, B answers with what A lacks, A answers with
//! what B lacks.
//!
//! Transports lose, duplicate and reorder messages. Duplicated or reordered messages only
//! carry changes again, which the document ignores. To avoid sending the same changes on
//! every call, [`SyncState`] remembers what it sent (in flight) and sends it again only when
//! the peer asks for it, or after [`SyncState::retry`], which a transport calls when it thinks
//! messages were lost (a timeout, a reconnection). Messages cross all the time when both
//! sides edit, so a peer's message that does not show changes we just sent is no sign they
//! were lost; a gap is: a change that arrives without its dependencies, or a message whose
//! context we lack. Then the receiver asks, and the sender starts over from what the receiver
//! last said it has. A lost message therefore delays sync, and never corrupts it: a message
//! applies whole or not at all.
//!
//! Messages are small because a session has memory (`compact.rs`): an actor's 16 bytes are
//! sent once per chain of messages and then named by a small index, and a change is written
//! against its author's previous change in the chain, so that a keystroke costs a few bytes.
//! Each message is numbered and checksummed; a message whose predecessor in its chain did not
//! arrive is never read against the wrong context (`message.rs`).

use std::collections::HashMap;

mod compact;
mod message;

use crate::{ActorId, ApplyError, Change, DecodeError, Doc, OpId, ReadDoc};

use message::{Received, Receiving, Sending, Wire};

/// What one side of a sync session knows about the other. One per peer, kept between
/// messages; [`SyncState::retry`] after a timeout or a reconnection.
#[derive(Clone, Debug)]
pub struct SyncState {
    /// The heads the peer last announced.
    their_heads: Option<Vec<OpId>>,
    /// How many changes of each actor the peer last said it has.
    their_have: Option<HashMap<ActorId, u64>>,
    /// Changes sent and not known to have arrived: per actor, the highest sequence number sent.
    in_flight: HashMap<ActorId, u64>,
    /// The heads we last announced since the peer last spoke (`None`: we owe it a message).
    sent_heads: Option<Vec<OpId>>,
    /// Whether we sent the peer anything this session: until we have, it does not know what
    /// we have, so we answer even a message that shows we are in sync.
    spoken: bool,
    /// Our chain of messages.
    send: Sending,
    /// The peer's chain of messages, as far as we followed it.
    recv: Option<Receiving>,
    /// Whether our next message asks the peer to start a new chain and send again what we
    /// lack.
    ask_resend: bool,
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState::new()
    }
}

impl SyncState {
    /// A state for a new session with a peer.
    pub fn new() -> Self {
        SyncState {
            their_heads: None,
            their_have: None,
            in_flight: HashMap::new(),
            sent_heads: None,
            spoken: false,
            send: Sending::new(),
            recv: None,
            ask_resend: false,
        }
    }

    /// Forgets what was sent and not yet acknowledged, so that the next message repeats it,
    /// and asks the peer to do the same. Call it when messages may have been lost (a timeout,
    /// a reconnection).
    pub fn retry(&mut self) {
        self.restart();
        self.spoken = false;
        self.ask_resend = true;
    }

    /// The heads the peer last announced, if it has spoken.
    pub fn their_heads(&self) -> Option<&[OpId]> {
        self.their_heads.as_deref()
    }

    /// Whether our next message will ask the peer to send again what we lack: a message
    /// arrived whose context or dependencies had not (a message was lost or overtaken), or
    /// [`SyncState::retry`] was called.
    pub fn awaiting_resend(&self) -> bool {
        self.ask_resend
    }

    /// `body` as the next message of the peer's chain, with `flags`, if we follow one (for
    /// the fuzzing harness).
    pub(crate) fn seal_next(&self, flags: u8, body: &[u8]) -> Option<Vec<u8>> {
        Some(message::seal_next(self.recv.as_ref()?, flags, body))
    }

    /// Starts our next message on a new chain, carrying everything the peer last said it
    /// lacks.
    fn restart(&mut self) {
        self.in_flight.clear();
        self.sent_heads = None;
        self.send.chain = None;
    }
}

/// One sync message: the sender's heads, what it has, and changes for the receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncMessage {
    pub(crate) heads: Vec<OpId>,
    pub(crate) have: Vec<(ActorId, u64)>,
    pub(crate) changes: Vec<Change>,
    wire: Wire,
}

impl SyncMessage {
    /// The sender's heads when it made the message.
    pub fn heads(&self) -> &[OpId] {
        &self.heads
    }

    /// For each actor, how many of its changes the sender had, sorted by actor.
    pub fn have(&self) -> &[(ActorId, u64)] {
        &self.have
    }

    /// The changes the message carries.
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// Whether the message starts a chain: it stands alone, and [`SyncMessage::decode`]
    /// reads it without the session.
    pub fn starts_chain(&self) -> bool {
        self.wire.start
    }
}

/// A sync message that cannot be received. The document and the sync state are unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The message's bytes do not decode.
    #[error("the sync message does not decode: {0}")]
    Decode(#[from] DecodeError),
    /// A change in the message cannot be applied.
    #[error("a change in the sync message cannot be applied: {0}")]
    Apply(#[from] ApplyError),
}

impl Doc {
    /// The next message for the peer `state` tracks, or `None` if there is nothing to say
    /// (the peer is known to have everything, and it knows our heads).
    pub fn generate_sync_message(&self, state: &mut SyncState) -> Option<SyncMessage> {
        let heads = self.heads();
        let have = self.have();
        let changes = match &state.their_have {
            Some(theirs) => {
                let known = |actor: &ActorId| {
                    let said = theirs.get(actor).copied().unwrap_or(0);
                    said.max(state.in_flight.get(actor).copied().unwrap_or(0))
                };
                self.latest_changes(&heads, &have, known)
                    .unwrap_or_else(|| self.changes_after(known))
            }
            None => Vec::new(),
        };
        let resend = state.ask_resend;
        if changes.is_empty() && state.sent_heads.as_ref() == Some(&heads) && !resend {
            return None;
        }
        for c in &changes {
            let sent = state.in_flight.entry(c.actor).or_default();
            *sent = (*sent).max(c.seq);
        }
        state.sent_heads = Some(heads.clone());
        state.spoken = true;
        state.ask_resend = false;
        Some(message::encode(
            &mut state.send,
            heads,
            &have,
            changes,
            resend,
        ))
    }

    /// The changes above `known(actor)`, if they are only heads, without walking the history:
    /// the usual case of a peer that lacks only the changes made since the last message.
    /// `None` when the peer lacks more than that.
    fn latest_changes(
        &self,
        heads: &[OpId],
        have: &[(ActorId, u64)],
        known: impl Fn(&ActorId) -> u64,
    ) -> Option<Vec<Change>> {
        let mut out = Vec::new();
        for (actor, n) in have {
            match n.saturating_sub(known(actor)) {
                0 => {}
                // An actor's changes form a chain, so a head of the actor is its latest change.
                1 => out.push(self.change(*heads.iter().find(|h| h.actor() == *actor)?)?),
                _ => return None,
            }
        }
        Some(out)
    }

    /// Decodes and applies a message's bytes from the peer `state` tracks.
    ///
    /// A message that continues a chain whose earlier messages have not arrived (they were
    /// lost, or it overtook them) is set aside: it is not applied, and our next message asks
    /// the peer to start a new chain and send again what we lack ([`SyncState::awaiting_resend`]).
    /// A message already received, or older than one received, is ignored.
    ///
    /// # Errors
    /// [`SyncError::Decode`] if the bytes are not a sync message (or are corrupt),
    /// [`SyncError::Apply`] if a change it carries is malformed; then neither the document nor
    /// `state` changes.
    pub fn receive_sync_bytes(
        &mut self,
        state: &mut SyncState,
        bytes: &[u8],
    ) -> Result<(), SyncError> {
        match message::decode(bytes, state.recv.as_ref())? {
            Received::Message(m) => {
                let (message, recv) = *m;
                self.accept(state, message, recv)
            }
            Received::Stale => Ok(()),
            Received::MissingContext => {
                state.ask_resend = true;
                Ok(())
            }
        }
    }

    /// Applies a message from the peer `state` tracks, as [`Doc::receive_sync_bytes`] does
    /// with its bytes.
    ///
    /// # Errors
    /// As [`Doc::receive_sync_bytes`]: [`SyncError::Apply`] if a change it carries is
    /// malformed, [`SyncError::Decode`] if it belongs to another session; then neither the
    /// document nor `state` changes.
    pub fn receive_sync_message(
        &mut self,
        state: &mut SyncState,
        message: SyncMessage,
    ) -> Result<(), SyncError> {
        self.receive_sync_bytes(state, &message.wire.bytes)
    }

    fn accept(
        &mut self,
        state: &mut SyncState,
        message: SyncMessage,
        recv: Receiving,
    ) -> Result<(), SyncError> {
        let SyncMessage {
            heads,
            have,
            changes,
            wire,
        } = message;
        let sent: Vec<(ActorId, u64)> = changes.iter().map(|c| (c.actor, c.seq)).collect();
        self.apply_changes(changes)?;
        // A change of the message that waits for its dependencies: something before it was
        // lost.
        if self
            .pending_changes()
            .iter()
            .any(|p| sent.contains(&(p.actor, p.seq)))
        {
            state.ask_resend = true;
        }
        let new_session = state
            .recv
            .as_ref()
            .is_some_and(|r| r.session != recv.session);
        let ours = self.heads();
        state.sent_heads = (state.spoken && heads == ours).then_some(ours);
        if wire.resend || new_session {
            state.restart();
        }
        state.their_heads = Some(heads);
        let their_have = state.their_have.get_or_insert_with(HashMap::new);
        for (actor, n) in have {
            let known = their_have.entry(actor).or_default();
            *known = (*known).max(n);
        }
        state.recv = Some(recv);
        Ok(())
    }
}
