//! The harness of the `sync` fuzz target: arbitrary bytes received as a sync message.

use crate::{Doc, ReadDoc, SyncState};

use super::load::small_doc;
use super::render;

/// Receives `data` as a sync message into a small document, three times: on a fresh sync
/// state, on one that has already talked to a peer, and, on that one again, as the next
/// message of the peer's chain (the first byte as its flags, the rest as its body, numbered
/// and checksummed), so that the compact changes read in the session's context are reached
/// past the checksum. A message that is refused must leave both the document and the state
/// as they were; one that is accepted must leave a document that saves and loads back to
/// itself, and that can make its reply (what the message claimed the peer has is what the
/// reply is made from).
///
/// # Panics
/// On a bug: if anything panics, or a refused message changed something.
pub fn sync(data: &[u8]) {
    let mut doc = small_doc();
    let mut talked = SyncState::new();
    let mut peer = Doc::new();
    if let Some(m) = doc.generate_sync_message(&mut talked) {
        let mut s = SyncState::new();
        peer.receive_sync_message(&mut s, m)
            .expect("a document's own message applies");
        if let Some(reply) = peer.generate_sync_message(&mut s) {
            doc.receive_sync_message(&mut talked, reply)
                .expect("a document's own message applies");
        }
    }
    let sealed = match data.split_first() {
        Some((&flags, body)) => talked.seal_next(flags, body),
        None => None,
    };
    let mut inputs = vec![(SyncState::new(), data), (talked.clone(), data)];
    if let Some(sealed) = &sealed {
        inputs.push((talked, sealed));
    }
    for (mut state, data) in inputs {
        let mut copy = doc.clone();
        let (before, state_before) = (render(&copy), format!("{state:?}"));
        match copy.receive_sync_bytes(&mut state, data) {
            Ok(()) => {
                let again = Doc::load(&copy.save()).expect("an accepted message saves");
                assert_eq!(again.heads(), copy.heads());
                let _reply = copy.generate_sync_message(&mut state);
            }
            Err(_) => {
                assert_eq!(
                    render(&copy),
                    before,
                    "a refused message changed the document"
                );
                assert_eq!(copy.heads(), doc.heads());
                assert_eq!(
                    format!("{state:?}"),
                    state_before,
                    "a refused message changed the state"
                );
            }
        }
    }
}
