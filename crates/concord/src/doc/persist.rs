//! Saving a document to bytes and loading it back, whole or incrementally.
//!
//! A saved document is its history: every change, in the binary format of
//! [`crate::encoding`]. Loading applies the changes again (a document holds no state that its
//! changes do not determine), reading them in blocks ([`ChangeBlock`]) so that a run of
//! keystrokes applies as one insert or one delete. Into an empty document, each block is
//! applied as soon as it is read ([`Loader`]), so the decoded history is never held whole.
//! `save_incremental` appends only what is new, so an application can keep one file per
//! document, append to it after each edit, and compact it now and then with a full `save`.

use crate::change::{Change, ChangeBlock, Op};
use crate::encoding::{self, BlockSink, ChunkType, LoadError};
use crate::{ActorId, ApplyError};

use super::apply::{OnError, Taken};
use super::objects::Undo;
use super::Doc;

impl Doc {
    /// The whole document, as bytes that [`Doc::load`] reads back: every change, and the
    /// changes that wait for missing dependencies.
    ///
    /// The bytes are canonical: replicas that have received the same changes, in any order,
    /// save identical bytes. Later calls to [`Doc::save_incremental`] return only what changes
    /// after this save.
    ///
    /// ```
    /// use concord::{Doc, ReadDoc, ROOT};
    /// let mut doc = Doc::new();
    /// doc.transact(|tx| tx.put(ROOT, "title", "Groceries"))?;
    /// let bytes = doc.save();
    /// let loaded = Doc::load(&bytes)?;
    /// assert_eq!(loaded.get(ROOT, "title")?, doc.get(ROOT, "title")?);
    /// assert_eq!(loaded.heads(), doc.heads());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&mut self) -> Vec<u8> {
        let mut pending: Vec<&Change> = self.history.queue.iter().collect();
        pending.sort_unstable_by_key(|c| (c.actor, c.seq));
        self.saved = self.history.heads().to_vec();
        let actors = self.history.change_actors();
        let (history, objects) = (&self.history, &self.objects);
        // The applied changes go in the order of their first op counters, straight from the
        // history: a long one is never built as changes.
        encoding::document(
            &actors,
            |w| history.view_changes_by_start(objects, |head, deps, ops| w.push(head, deps, ops)),
            &pending,
        )
    }

    /// The changes applied since the last [`Doc::save`], `save_incremental` or [`Doc::load`],
    /// as bytes to append to the saved file (the concatenation loads with [`Doc::load`]), or to
    /// apply elsewhere with [`Doc::load_incremental`]. Empty if there are none.
    ///
    /// ```
    /// use concord::{Doc, ReadDoc, ROOT};
    /// let mut doc = Doc::new();
    /// doc.transact(|tx| tx.put(ROOT, "a", 1))?;
    /// let mut file = doc.save();
    /// doc.transact(|tx| tx.put(ROOT, "b", 2))?;
    /// file.extend(doc.save_incremental());
    /// assert!(doc.save_incremental().is_empty());
    /// assert_eq!(Doc::load(&file)?.keys(ROOT), ["a", "b"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let clock = self
            .history
            .clock_at(&self.saved)
            .expect("the heads of an earlier save are heads of this document");
        let since = self.history.changes_outside(&self.objects, &clock);
        let new: Vec<&Change> = since.iter().collect();
        self.saved = self.history.heads().to_vec();
        if new.is_empty() {
            Vec::new()
        } else {
            encoding::file(&[(ChunkType::Changes, &new)])
        }
    }

    /// Loads a document that [`Doc::save`] made, possibly followed by what
    /// [`Doc::save_incremental`] appended. The document gets a new random actor.
    ///
    /// # Errors
    /// [`LoadError::Decode`] if the bytes are not a saved document (they do not start with a
    /// document chunk, are truncated or corrupted, ...); [`LoadError::Apply`] if they decode
    /// but hold a change that cannot be applied.
    pub fn load(bytes: &[u8]) -> Result<Doc, LoadError> {
        let mut doc = Doc::new();
        // On an error the document is dropped unseen: nothing needs undoing.
        doc.stream_in(bytes, true)?;
        doc.saved = doc.history.heads().to_vec();
        Ok(doc)
    }

    /// Applies the changes of any concatenation of saved files and incremental saves (or of
    /// [`crate::encode_changes`] messages), as [`Doc::apply_changes`] does: changes already
    /// here are ignored, changes whose dependencies are missing wait. Returns how many changes
    /// were applied.
    ///
    /// # Errors
    /// As [`Doc::load`]. Then nothing is applied: the document is exactly as it was.
    pub fn load_incremental(&mut self, bytes: &[u8]) -> Result<usize, LoadError> {
        let before = self.history.change_count();
        if before == 0 && self.history.queue.is_empty() {
            // An empty document is as it was when it is empty again: loading into one
            // (importing a whole history) keeps nothing to undo.
            let result = self.stream_in(bytes, false);
            if result.is_err() {
                *self = Doc::with_actor(self.actor);
            }
            result?;
        } else {
            let mut blocks = encoding::decode_blocks(bytes)?;
            causal_order(&mut blocks);
            self.apply_blocks(blocks, OnError::Rollback)?;
        }
        Ok(self.history.change_count() - before)
    }

    /// Applies the blocks of the file `bytes` (a saved document, if `document`) to this empty
    /// document, each as soon as it is read, so that the decoded history is never held whole.
    /// On an error the document is left half done, for the caller to throw away.
    fn stream_in(&mut self, bytes: &[u8], document: bool) -> Result<(), LoadError> {
        self.objects.begin_batch();
        let result = {
            let mut loader = Loader {
                doc: self,
                undo: Vec::new(),
                unsorted: Vec::new(),
            };
            let read = if document {
                encoding::stream_document(bytes, &mut loader)
            } else {
                encoding::stream_blocks(bytes, &mut loader)
            };
            read.and_then(|()| Ok(loader.finish()?))
        };
        self.objects.end_batch();
        result
    }
}

/// Where a load's blocks go as they are read: into the document, in the order they come, while
/// each block's dependencies are there (a saved document's chunk and a list of changes in the
/// order [`Doc::changes`] gives are in causal order). From a block that must wait for a later
/// one (or is partly here already) on, the blocks are kept, then sorted ([`causal_order`]) and
/// applied at the end, as a list of decoded blocks would be.
struct Loader<'d> {
    doc: &'d mut Doc,
    undo: Vec<Undo>,
    /// The blocks from the first one that could not apply whole on, kept for
    /// [`Loader::finish`].
    unsorted: Vec<ChangeBlock>,
}

impl BlockSink for Loader<'_> {
    type Error = LoadError;

    fn block(&mut self, block: ChangeBlock, text: &mut Vec<String>) -> Result<Vec<Op>, LoadError> {
        if !self.unsorted.is_empty() {
            self.unsorted.push(block);
            return Ok(Vec::new());
        }
        let undo = &mut self.undo;
        let ops = match self.doc.try_apply_block(block, undo, OnError::Discard)? {
            Taken::Applied(spare) => spare,
            Taken::Skipped => Vec::new(),
            Taken::Kept(block) => {
                self.unsorted.push(block);
                Vec::new()
            }
        };
        self.doc.objects.give_spare_text(text);
        Ok(ops)
    }
}

impl Loader<'_> {
    /// Applies what was kept, in causal order, as a batch of blocks is applied.
    fn finish(mut self) -> Result<(), ApplyError> {
        causal_order(&mut self.unsorted);
        self.doc
            .apply_all_blocks(self.unsorted, &mut self.undo, OnError::Discard)
    }
}

/// Sorts blocks of changes so that each comes after its dependencies (a change's ops come after
/// all of its dependencies' ops, and the changes of a block after its first one depend only on
/// the block), which lets them apply in one pass: in the order a file gives, a chunk whose
/// changes come last-first would need a pass per change. Saves hold sorted lists, which are
/// left as they are.
///
/// A block is a large value, so the keys are sorted (with the index as the last key, the sort
/// is stable) and each block is then moved once, to its place.
fn causal_order(blocks: &mut Vec<ChangeBlock>) {
    let key = |b: &ChangeBlock| (b.change.start_op, b.change.actor);
    if blocks.is_sorted_by_key(key) {
        return;
    }
    let mut order: Vec<(u64, ActorId, usize)> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (b.change.start_op, b.change.actor, i))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<ChangeBlock>> =
        std::mem::take(blocks).into_iter().map(Some).collect();
    *blocks = Vec::with_capacity(slots.len());
    blocks.extend(order.iter().filter_map(|&(.., i)| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::{DocError, ObjType, ReadDoc, ROOT};

    /// One random edit of a map, a list or a text: puts, deletes (runs of backspaces among
    /// them), counters and multi-byte text, so that every kind of op is written.
    fn edit(tx: &mut crate::Transaction<'_>, rng: &mut StdRng) -> Result<(), DocError> {
        let (list, text) = (tx.get(ROOT, "list")?, tx.get(ROOT, "text")?);
        let (Some((_, list)), Some((_, text))) = (list, text) else {
            return Ok(());
        };
        let (list, text) = (crate::ObjId::from(list), crate::ObjId::from(text));
        match rng.gen_range(0..8) {
            0 => tx.put(ROOT, ["a", "b"][rng.gen_range(0..2)], rng.gen_range(0..9)),
            1 => tx.increment(ROOT, "n", rng.gen_range(-2..3)),
            2 => tx.delete(ROOT, "a"),
            3 => tx.insert(list, rng.gen_range(0..=tx.length(list)), "v"),
            4 => match tx.length(list) {
                0 => Ok(()),
                n => tx.delete(list, rng.gen_range(0..n)),
            },
            _ => {
                let len = tx.length(text);
                let pos = rng.gen_range(0..=len);
                let del = rng.gen_range(0..=(len - pos).min(2));
                tx.splice_text(text, pos, del, ["x", "ü", "∑z", ""][rng.gen_range(0..4)])
            }
        }
    }

    /// `save` writes the history straight from the document; encoding the changes it is made
    /// of, in the same order, gives the same bytes.
    #[test]
    fn save_writes_what_encoding_the_changes_does() {
        for seed in 0..20 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut a = Doc::with_actor(ActorId::from_bytes([1; 16]));
            a.transact(|tx| {
                tx.put(ROOT, "n", crate::ScalarValue::counter(0))?;
                tx.put_object(ROOT, "list", ObjType::List)?;
                tx.put_object(ROOT, "text", ObjType::Text).map(drop)
            })
            .unwrap();
            let mut b = a.fork();
            b.set_actor(ActorId::from_bytes([0; 16]));
            for step in 0..60 {
                let doc = if rng.gen() { &mut a } else { &mut b };
                let _ = doc.transact(|tx| {
                    if step % 7 == 0 {
                        tx.set_message("m");
                    }
                    if step % 5 == 0 {
                        tx.group("g", |tx| edit(tx, &mut rng))?;
                    }
                    edit(tx, &mut rng)
                });
                if rng.gen_bool(0.1) {
                    let other = b.clone();
                    a.merge(&other).unwrap();
                }
            }
            a.merge(&b).unwrap();
            let changes = a.changes();
            let mut applied: Vec<&Change> = changes.iter().collect();
            applied.sort_unstable_by_key(|c| (c.start_op, c.actor));
            let expected = encoding::file(&[(ChunkType::Document, &applied)]);
            assert!(a.save() == expected, "seed {seed}");
            assert!(
                Doc::load(&expected).unwrap().save() == expected,
                "seed {seed}"
            );
        }
    }
}
