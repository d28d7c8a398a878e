//! The operations the document calls: local inserts, lookups by position and by id,
//! visibility changes, slot updates, and rollback of inserts.

use super::tree::{Cursor, LeafIdx, Pos, SeqTree, Tail};
use super::{Content, IdSpans, Run, TextSpan};
use crate::ids::{ActorIdx, Id};

impl<C: Content, const L: usize, const F: usize> SeqTree<C, L, F> {
    /// The number of visible elements.
    pub(crate) fn len(&self) -> usize {
        self.vis
    }

    /// The number of elements, tombstones included.
    #[cfg(test)]
    pub(crate) fn total_len(&self) -> usize {
        self.total
    }

    /// The position of the `rel`-th visible element of `leaf` (the end of the leaf if the leaf
    /// has `rel` visible elements).
    pub(super) fn nth_visible_in(&self, leaf: LeafIdx, mut rel: usize) -> Pos {
        let runs = &self.leaf(leaf).runs;
        for (i, r) in runs.iter().enumerate() {
            if r.visible() {
                if rel < r.len() {
                    return Pos {
                        leaf,
                        run: i,
                        off: rel,
                    };
                }
                rel -= r.len();
            }
        }
        Pos {
            leaf,
            run: runs.len(),
            off: 0,
        }
    }

    /// Inserts `content` (new ids starting at `id`) at visible position `pos` as a local edit.
    ///
    /// The new elements go immediately after the `pos - 1`-th visible element, before any
    /// tombstones that follow it (at the very start if `pos == 0`). Their left origin is that
    /// visible element, their right origin the element just after the insertion point in full
    /// order (possibly a tombstone). Returns `(origin_left, origin_right)`.
    ///
    /// Anchoring on the visible predecessor (as diamond-types does) matters: an insert typed
    /// after a character that someone else deleted concurrently and an insert at the same
    /// visible spot made after seeing that deletion get different origins, so their order
    /// does not come down to the actors' tie-break.
    ///
    /// # Panics
    /// If `pos > len`.
    pub(crate) fn insert_local(
        &mut self,
        pos: usize,
        id: Id,
        content: C,
    ) -> (Option<Id>, Option<Id>) {
        self.built();
        assert!(
            pos <= self.vis,
            "insert at {pos} past the end ({})",
            self.vis
        );
        if let Some((leaf, run)) = self.typing_on(pos, id, &content) {
            return self.append_local(leaf, run, pos, id, content);
        }
        let (p, origin_left) = match pos.checked_sub(1) {
            None => {
                let start = Pos {
                    leaf: self.first_leaf(),
                    run: 0,
                    off: 0,
                };
                (start, None)
            }
            Some(before) => {
                let (leaf, vis_start) = self.locate_vis(before);
                self.cursor = Some(Cursor { leaf, vis_start });
                let v = self.nth_visible_in(leaf, before - vis_start);
                (self.advance(v, 1), self.id_at(v))
            }
        };
        let origin_right = self.id_at(p);
        let n = content.len();
        if n > 0 {
            let run = Run::new(id, origin_left, origin_right, true, content);
            let at = self.insert_run(p, run);
            self.tail = Some(Tail {
                leaf: at.leaf,
                run: at.run,
                vis_end: pos + n,
                edits: self.edits,
            });
        }
        (origin_left, origin_right)
    }

    /// The run that a local insert at `pos` of `content`, ids from `id`, continues in place:
    /// the last local insert ended at `pos` with the element before `id`, nothing has
    /// changed the counts since, and the content follows on.
    fn typing_on(&self, pos: usize, id: Id, content: &C) -> Option<(LeafIdx, usize)> {
        let t = self
            .tail
            .filter(|t| t.edits == self.edits && t.vis_end == pos)?;
        let r = self.leaves.get(t.leaf.ix())?.runs.get(t.run)?;
        let continues = r.visible()
            && content.len() > 0
            && r.id.actor() == id.actor()
            && r.end() == id.counter()
            && r.content.joins(content);
        continues.then_some((t.leaf, t.run))
    }

    /// Appends `content` to run `run` of `leaf`, which [`SeqTree::typing_on`] found: the new
    /// elements' left origin is the run's last element, their right origin the run's own,
    /// which is still the element after it (every insert since would have moved `edits`).
    fn append_local(
        &mut self,
        leaf: LeafIdx,
        run: usize,
        pos: usize,
        id: Id,
        content: C,
    ) -> (Option<Id>, Option<Id>) {
        let n = content.len();
        debug_assert!(n > 0, "an empty insert leaves no tail to continue");
        let r = &self.leaves[leaf.ix()].runs[run];
        let origins = (Some(r.last_id()), r.origin_right());
        debug_assert_eq!(origins.1, self.id_at(self.run_after(leaf, run)));
        self.leaves[leaf.ix()].runs[run].content.append(content);
        self.add_counts(leaf, n as isize, n as isize);
        self.index
            .set(id.actor(), id.counter(), id.counter() + n as u64, leaf);
        self.tail = Some(Tail {
            leaf,
            run,
            vis_end: pos + n,
            edits: self.edits,
        });
        origins
    }

    /// Whether an element has id `id`.
    pub(crate) fn contains(&self, id: Id) -> bool {
        if let Some(p) = &self.pending {
            return p.find(id).is_some();
        }
        self.index.get(id).is_some()
    }

    /// The left and right origins of element `id`, if it is in the sequence, and how many of
    /// the elements from `id` on, at least one and at most `max`, were inserted with it as
    /// one insert could have been: each after it has the next counter, the one before it as
    /// left origin, and its right origin. A run keeps its first element's left origin; each
    /// later element's is the one before it. Runs that continue each other (split by a delete,
    /// or across leaves) are followed by id.
    pub(crate) fn chain_of(&self, id: Id, max: u64) -> Option<(Option<Id>, Option<Id>, u64)> {
        let p = self.find(id)?;
        let run = &self.leaf(p.leaf).runs[p.run];
        let left = match p.off {
            0 => run.origin_left(),
            _ => Some(Id::new(id.actor(), id.counter() - 1)),
        };
        let right = run.origin_right();
        let mut n = (run.len() - p.off) as u64;
        while n < max {
            let next = id.add(n);
            let Some(q) = self.find(next) else { break };
            let run = &self.leaf(q.leaf).runs[q.run];
            let prev = Id::new(id.actor(), next.counter() - 1);
            if q.off != 0 || run.origin_left() != Some(prev) || run.origin_right() != right {
                break;
            }
            n += run.len() as u64;
        }
        Some((left, right, n.min(max)))
    }

    /// The number of visible elements before element `id`, and whether it is visible.
    #[cfg(test)]
    pub(crate) fn position(&self, id: Id) -> Option<(usize, bool)> {
        let p = self.find(id)?;
        Some((self.vis_before(p), self.leaf(p.leaf).runs[p.run].visible()))
    }

    /// The visible parts of the elements `id .. id + len` (ids of one actor), as spans of
    /// consecutive ids; or the first of those ids that is not in the sequence. A run of the
    /// tree answers for all of its elements at once.
    pub(crate) fn visible_parts(&self, id: Id, len: u64) -> Result<IdSpans, Id> {
        let mut out = IdSpans::new();
        let mut done = 0;
        while done < len {
            let e = id.add(done);
            let p = self.find(e).ok_or(e)?;
            let run = &self.leaf(p.leaf).runs[p.run];
            let n = ((run.len() - p.off) as u64).min(len - done);
            if run.visible() {
                match out.last_mut() {
                    Some((start, m)) if start.add(*m as u64) == e => *m += n as usize,
                    _ => out.push((e, n as usize)),
                }
            }
            done += n;
        }
        Ok(out)
    }

    /// Hides the elements `id .. id + len` (ids of one actor) and returns the parts of them
    /// that were visible, as spans of consecutive ids; or, changing nothing, the first of
    /// those ids that is not in the sequence. A span inside one run, the common case, takes
    /// one lookup for both the check and the change.
    pub(crate) fn hide_ids(&mut self, id: Id, len: u64) -> Result<IdSpans, Id> {
        if self.pending.as_ref().is_some_and(|p| p.full()) {
            self.build_pending();
        }
        if let Some(p) = &mut self.pending {
            let hidden = p.hide(id, len, &self.store)?;
            self.vis -= hidden.iter().map(|&(_, n)| n).sum::<usize>();
            return Ok(hidden);
        }
        let mut out = IdSpans::new();
        if len == 0 {
            return Ok(out);
        }
        let p = self.find(id).ok_or(id)?;
        let run = &self.leaf(p.leaf).runs[p.run];
        if p.off as u64 + len <= run.len() as u64 {
            if run.visible() {
                self.set_visible_at(p, len as usize, false);
                out.push((id, len as usize));
            }
            return Ok(out);
        }
        let visible = self.visible_parts(id, len)?;
        for &(id, n) in &visible {
            self.set_visible(id, n, false);
        }
        Ok(visible)
    }

    /// The visible element at `pos`: its id, its run's content and its offset in that content.
    pub(crate) fn get(&self, pos: usize) -> Option<(Id, &C, usize)> {
        if pos >= self.vis {
            return None;
        }
        let (leaf, start) = self.locate_vis(pos);
        let p = self.nth_visible_in(leaf, pos - start);
        let r = &self.leaf(p.leaf).runs[p.run];
        Some((r.id.add(p.off as u64), &r.content, p.off))
    }

    /// The id spans `(first id, count)` of the visible elements in `pos..pos + len`, in
    /// document order, consecutive ids merged into one span.
    pub(crate) fn visible_spans(&self, pos: usize, len: usize) -> IdSpans {
        let mut out = IdSpans::new();
        if len == 0 || pos >= self.vis {
            return out;
        }
        let (leaf, start) = self.locate_vis(pos);
        let p = self.nth_visible_in(leaf, pos - start);
        let (mut leaf, mut i, mut off) = (p.leaf, p.run, p.off);
        let mut left = len;
        loop {
            let l = self.leaf(leaf);
            for r in &l.runs[i..] {
                if left == 0 {
                    break;
                }
                if r.visible() {
                    let n = (r.len() - off).min(left);
                    let id = r.id.add(off as u64);
                    match out.last_mut() {
                        Some((last, k))
                            if last.actor() == id.actor()
                                && last.counter() + *k as u64 == id.counter() =>
                        {
                            *k += n;
                        }
                        _ => out.push((id, n)),
                    }
                    left -= n;
                }
                off = 0;
            }
            match l.next {
                Some(next) if left > 0 => {
                    leaf = next;
                    i = 0;
                }
                _ => return out,
            }
        }
    }

    /// Hides the visible elements `pos .. pos + len` (`pos + len <= len()`) as a local delete,
    /// and returns their id spans as [`SeqTree::visible_spans`] does. Elements within one run,
    /// the common case (a backspace), are found once by position and never looked up by id.
    pub(crate) fn hide_local(&mut self, pos: usize, len: usize) -> IdSpans {
        self.hide_local_with(pos, len, |_, _, _, _| {})
    }

    /// [`SeqTree::hide_local`], first calling `f` on the elements, a run at a time, in
    /// document order, as [`SeqTree::for_contents_mut`] does (with the id of the first element
    /// too): a list deletes the elements' values there.
    pub(crate) fn hide_local_with(
        &mut self,
        pos: usize,
        len: usize,
        mut f: impl FnMut(&mut C, usize, usize, Id),
    ) -> IdSpans {
        self.built();
        let (leaf, vis_start) = self.locate_vis(pos);
        self.cursor = Some(Cursor { leaf, vis_start });
        let p = self.nth_visible_in(leaf, pos - vis_start);
        let run = &mut self.leaves[p.leaf.ix()].runs[p.run];
        if p.off + len <= run.len() {
            let id = run.id.add(p.off as u64);
            f(&mut run.content, p.off, len, id);
            self.set_visible_at(p, len, false);
            let mut one = IdSpans::new();
            one.push((id, len));
            return one;
        }
        let spans = self.visible_spans(pos, len);
        let mut near = p.leaf;
        for &(id, n) in &spans {
            // One lookup per run the span reaches, for the contents and the hiding both: the
            // pieces are in document order, each just after the last.
            let mut done = 0;
            while done < n {
                let cur = id.add(done as u64);
                let p = self.find_present_near(cur, near);
                near = p.leaf;
                let run = &mut self.leaves[p.leaf.ix()].runs[p.run];
                let k = (n - done).min(run.len() - p.off);
                debug_assert!(run.visible(), "visible spans are visible");
                f(&mut run.content, p.off, k, cur);
                self.set_visible_at(p, k, false);
                done += k;
            }
        }
        spans
    }

    /// Sets the visibility of elements `id .. id + len` (consecutive counters of one actor,
    /// all present, possibly spread over several runs and leaves). Returns how many elements
    /// changed visibility.
    pub(crate) fn set_visible(&mut self, id: Id, len: usize, visible: bool) -> usize {
        self.built();
        let mut changed = 0;
        let mut done = 0;
        let mut near = None;
        while done < len {
            let cur = id.add(done as u64);
            // An actor's consecutive ids mostly lie next to each other: each next piece is
            // looked for near the last one first.
            let p = match near {
                Some(leaf) => self.find_present_near(cur, leaf),
                None => self.find_present(cur),
            };
            near = Some(p.leaf);
            let run = &self.leaf(p.leaf).runs[p.run];
            let k = (len - done).min(run.len() - p.off);
            done += k;
            if run.visible() != visible {
                changed += k;
                self.set_visible_at(p, k, visible);
            }
        }
        changed
    }

    /// Sets the visibility of the `k` elements from `p`, all in the run at `p`, which has the
    /// other visibility.
    fn set_visible_at(&mut self, p: Pos, k: usize, visible: bool) {
        let run_len = self.leaf(p.leaf).runs[p.run].len();
        let dvis = if visible { k as isize } else { -(k as isize) };
        if self.move_to_neighbour(p, k, visible) {
            self.add_counts(p.leaf, dvis, 0);
            return;
        }
        let mut i = p.run;
        if p.off > 0 {
            self.split_run(p.leaf, i, p.off);
            i += 1;
        }
        if p.off + k < run_len {
            self.split_run(p.leaf, i, k);
        }
        self.leaf_mut(p.leaf).runs[i].set_visible(visible);
        self.add_counts(p.leaf, dvis, 0);
        let (mut leaf, mut i) = (p.leaf, i);
        if self.leaf(leaf).runs.len() > L {
            let (new, half) = self.split_leaf(leaf);
            if i >= half {
                (leaf, i) = (new, i - half);
            }
        }
        self.try_merge_next(leaf, i);
        self.try_merge_prev(leaf, i);
    }

    /// The common cases of a visibility change, done without shifting the leaf's runs: the
    /// last `k` elements of the run at `p` (from `p.off` on) join the next run, or its first
    /// `k` elements join the previous run, when that run has the new visibility and continues
    /// them. Returns whether it applied (the caller updates the counts).
    fn move_to_neighbour(&mut self, p: Pos, k: usize, visible: bool) -> bool {
        let store = &self.store;
        let runs = &mut self.leaves[p.leaf.ix()].runs;
        let run = &runs[p.run];
        let run_len = run.len();
        if p.off > 0 && p.off + k == run_len {
            let Some(next) = runs.get(p.run + 1) else {
                return false;
            };
            if next.visible() != visible || !run.continued_by(next) {
                return false;
            }
            let (head, tail) = runs.split_at_mut(p.run + 1);
            head[p.run].give_back(p.off, &mut tail[0], store);
            return true;
        }
        if p.off == 0 && k < run_len && p.run > 0 {
            let prev = &runs[p.run - 1];
            if prev.visible() != visible || !prev.continued_by(run) {
                return false;
            }
            let (head, tail) = runs.split_at_mut(p.run);
            tail[0].give_front(k, &mut head[p.run - 1], store);
            return true;
        }
        false
    }

    /// Calls `f` with the content of the run holding `id` and the element's offset in it.
    /// `f` must not change the content's length.
    pub(crate) fn with_content_mut<R>(
        &mut self,
        id: Id,
        f: impl FnOnce(&mut C, usize) -> R,
    ) -> Option<R> {
        self.built();
        let p = self.find(id)?;
        let content = &mut self.leaf_mut(p.leaf).runs[p.run].content;
        let before = content.len();
        let r = f(content, p.off);
        assert_eq!(
            content.len(),
            before,
            "with_content_mut changed a run's length"
        );
        Some(r)
    }

    /// Calls `f` with the content holding element `id` and the element's offset in it; where
    /// `f` returns `Ok(visible)`, gives the element that visibility. `None` if no element has
    /// the id. One lookup serves both: a register write into a list slot, then its visibility.
    /// `f` must not change the content's length.
    pub(crate) fn update<E>(
        &mut self,
        id: Id,
        f: impl FnOnce(&mut C, usize) -> Result<bool, E>,
    ) -> Option<Result<(), E>> {
        self.built();
        let p = self.find(id)?;
        let run = &mut self.leaves[p.leaf.ix()].runs[p.run];
        let (was, before) = (run.visible(), run.content.len());
        let result = f(&mut run.content, p.off);
        debug_assert_eq!(run.content.len(), before, "update changed a run's length");
        Some(result.map(|visible| {
            if visible != was {
                self.set_visible_at(p, 1, visible);
            }
        }))
    }

    /// Calls `f` with the content of each run holding some of the elements `id .. id + len`
    /// (consecutive counters of one actor), the offset of the first of them in it, how many
    /// of them it holds and the first one's id, in id order; `None`, at the first of them
    /// that is not in the sequence. `f` must not change the contents' lengths.
    pub(crate) fn for_contents_mut(
        &mut self,
        id: Id,
        len: usize,
        mut f: impl FnMut(&mut C, usize, usize, Id),
    ) -> Option<()> {
        self.built();
        let mut done = 0;
        while done < len {
            let first = id.add(done as u64);
            let p = self.find(first)?;
            let content = &mut self.leaf_mut(p.leaf).runs[p.run].content;
            let k = (len - done).min(content.len() - p.off);
            f(content, p.off, k, first);
            done += k;
        }
        Some(())
    }

    /// Removes elements `id .. id + len` completely, as the undo of the most recent insert of
    /// them: nothing refers to them, so they are always the tail of their run(s). The id index
    /// forgets them, so the same ids can be inserted again.
    pub(crate) fn remove(&mut self, id: Id, len: usize) {
        self.built();
        let mut done = 0;
        while done < len {
            let cur = id.add(done as u64);
            let p = self.find_present(cur);
            let leaf = p.leaf;
            let run = &self.leaf(leaf).runs[p.run];
            let run_len = run.len();
            let k = (len - done).min(run_len - p.off);
            let dvis = if run.visible() { k as isize } else { 0 };
            done += k;
            debug_assert_eq!(
                p.off + k,
                run_len,
                "removed elements are referred to by later ones"
            );
            if p.off + k < run_len {
                self.split_run(leaf, p.run, p.off + k);
            }
            let removed = if p.off > 0 {
                let run = &mut self.leaves[leaf.ix()].runs[p.run];
                run.content.split_off(p.off, &self.store, cur.actor())
            } else {
                self.leaf_mut(leaf).runs.remove(p.run).content
            };
            removed.release(&mut self.store, cur.actor());
            self.add_counts(leaf, -dvis, -(k as isize));
            self.index
                .clear(cur.actor(), cur.counter(), cur.counter() + k as u64);
            if p.off > 0 {
                if self.leaf(leaf).runs.len() > L {
                    self.split_leaf(leaf);
                }
                continue;
            }
            // The neighbours of the removed run are now adjacent: they may form one run again.
            let pred = if p.run > 0 {
                Some((leaf, p.run - 1))
            } else {
                self.leaf(leaf)
                    .prev
                    .map(|pl| (pl, self.leaf(pl).runs.len() - 1))
            };
            if self.leaf(leaf).runs.is_empty() {
                self.unlink_leaf(leaf);
            }
            if let Some((pl, pi)) = pred {
                self.try_merge_next(pl, pi);
            }
        }
    }

    /// The runs in document order, tombstones included.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Run<C>> + '_ {
        debug_assert!(self.is_built(), "the tree is built before it is read");
        std::iter::successors(Some(self.first_leaf()), |&l| self.leaf(l).next)
            .flat_map(|l| self.leaf(l).runs.iter())
    }
}

impl<const L: usize, const F: usize> SeqTree<TextSpan, L, F> {
    /// Copies `text` (`chars` characters), about to be inserted by `actor`, into the store, and
    /// returns the content of the run that inserts it. The run must follow at once (an insert of `actor`'s next
    /// ids): the store keeps each actor's characters in counter order.
    pub(crate) fn push_text(&mut self, actor: ActorIdx, text: &str, chars: usize) -> TextSpan {
        self.store.push(actor, text, chars)
    }

    /// The characters of `span`, the content of a run of `actor`.
    pub(crate) fn str_of(&self, actor: ActorIdx, span: &TextSpan) -> &str {
        self.store.get(actor, span)
    }

    /// Every character `actor` inserted into this text, in counter order.
    pub(crate) fn chars_of(&self, actor: ActorIdx) -> &str {
        self.store.chars_of(actor)
    }

    /// The characters of `run`, a run of this tree.
    pub(crate) fn run_text(&self, run: &Run<TextSpan>) -> &str {
        self.store.get(run.id.actor(), &run.content)
    }
}
