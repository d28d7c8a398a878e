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
//! every call, [`SyncState`] remembers what it sent since the peer last spoke (in flight) and
//! sends it again only after the peer's next message shows it still lacks them, or after
//! [`SyncState::retry`], which a transport calls when it thinks messages were lost (a timeout,
//! a reconnection). A lost message therefore delays sync until one of those, and never
//! corrupts it: a message applies whole or not at all.

use std::collections::HashMap;

mod message;

use crate::{ActorId, ApplyError, Change, DecodeError, Doc, OpId, ReadDoc};

/// What one side of a sync session knows about the other. One per peer, kept between
/// messages; a new one (or [`SyncState::retry`]) after a reconnection.
#[derive(Clone, Debug, Default)]
pub struct SyncState {
    /// The heads the peer last announced.
    their_heads: Option<Vec<OpId>>,
    /// How many changes of each actor the peer last said it has.
    their_have: Option<HashMap<ActorId, u64>>,
    /// Changes sent since the peer last spoke: per actor, the highest sequence number sent.
    in_flight: HashMap<ActorId, u64>,
    /// The heads we last announced since the peer last spoke (`None`: we owe it a message).
    sent_heads: Option<Vec<OpId>>,
    /// Whether we sent the peer anything this session: until we have, it does not know what
    /// we have, so we answer even a message that shows we are in sync.
    spoken: bool,
}

impl SyncState {
    /// A state for a new session with a peer.
    pub fn new() -> Self {
        SyncState::default()
    }

    /// Forgets what was sent and not yet acknowledged, so that the next message repeats it.
    /// Call it when messages may have been lost (a timeout, a reconnection).
    pub fn retry(&mut self) {
        self.in_flight.clear();
        self.sent_heads = None;
        self.spoken = false;
    }

    /// The heads the peer last announced, if it has spoken.
    pub fn their_heads(&self) -> Option<&[OpId]> {
        self.their_heads.as_deref()
    }
}

/// One sync message: the sender's heads, what it has, and changes for the receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncMessage {
    pub(crate) heads: Vec<OpId>,
    pub(crate) have: Vec<(ActorId, u64)>,
    pub(crate) changes: Vec<Change>,
}

impl SyncMessage {
    /// The sender's heads when it made the message.
    pub fn heads(&self) -> &[OpId] {
        &self.heads
    }

    /// For each actor, how many of its changes the sender had.
    pub fn have(&self) -> &[(ActorId, u64)] {
        &self.have
    }

    /// The changes the message carries.
    pub fn changes(&self) -> &[Change] {
        &self.changes
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
        let changes = match &state.their_have {
            Some(have) => self.changes_after(|actor| {
                let known = have.get(actor).copied().unwrap_or(0);
                known.max(state.in_flight.get(actor).copied().unwrap_or(0))
            }),
            None => Vec::new(),
        };
        if changes.is_empty() && state.sent_heads.as_ref() == Some(&heads) {
            return None;
        }
        for c in &changes {
            let sent = state.in_flight.entry(c.actor).or_default();
            *sent = (*sent).max(c.seq);
        }
        state.sent_heads = Some(heads.clone());
        state.spoken = true;
        Some(SyncMessage {
            heads,
            have: self.have(),
            changes,
        })
    }

    /// Decodes and applies a message's bytes from the peer `state` tracks.
    ///
    /// # Errors
    /// [`SyncError::Decode`] if the bytes are not a sync message, [`SyncError::Apply`] if a
    /// change it carries is malformed; then neither the document nor `state` changes.
    pub fn receive_sync_bytes(
        &mut self,
        state: &mut SyncState,
        bytes: &[u8],
    ) -> Result<(), SyncError> {
        let message = SyncMessage::decode(bytes)?;
        self.receive_sync_message(state, message)
    }

    /// Applies a message from the peer `state` tracks.
    ///
    /// # Errors
    /// [`SyncError::Apply`] if a change it carries is malformed; then neither the document nor
    /// `state` changes.
    pub fn receive_sync_message(
        &mut self,
        state: &mut SyncState,
        message: SyncMessage,
    ) -> Result<(), SyncError> {
        self.apply_changes(message.changes)?;
        let ours = self.heads();
        state.sent_heads = (state.spoken && message.heads == ours).then_some(ours);
        state.their_heads = Some(message.heads);
        state.their_have = Some(message.have.into_iter().collect());
        state.in_flight.clear();
        Ok(())
    }
}
