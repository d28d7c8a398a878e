//! A naive reference of the sequence: a plain vector of elements, with the integration rule
//! written straight from its pseudocode, one element at a time, in O(n) per step.

use std::cmp::Ordering;

use crate::ids::{ActorIdx, Id};

/// One element of the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Elem {
    /// The element's id.
    pub(super) id: Id,
    /// Its left origin.
    pub(super) origin_left: Option<Id>,
    /// Its right origin.
    pub(super) origin_right: Option<Id>,
    /// Whether it is visible.
    pub(super) visible: bool,
    /// Its character.
    pub(super) ch: char,
}

/// The reference sequence.
#[derive(Clone, Debug, Default)]
pub(super) struct Naive {
    /// The elements in document order, tombstones included.
    pub(super) elems: Vec<Elem>,
}

impl Naive {
    /// The index of element `id`.
    fn index_of(&self, id: Id) -> usize {
        self.elems
            .iter()
            .position(|e| e.id == id)
            .expect("the reference holds the element")
    }

    /// The index of the `pos`-th visible element, or the length if there are `pos`.
    fn visible_index(&self, pos: usize) -> usize {
        self.elems
            .iter()
            .enumerate()
            .filter(|(_, e)| e.visible)
            .nth(pos)
            .map_or(self.elems.len(), |(i, _)| i)
    }

    /// The visible text.
    pub(super) fn text(&self) -> String {
        self.elems
            .iter()
            .filter(|e| e.visible)
            .map(|e| e.ch)
            .collect()
    }

    /// A local insert at visible position `pos`, by the placement rule of `insert_local`.
    pub(super) fn insert_local(
        &mut self,
        pos: usize,
        id: Id,
        text: &str,
    ) -> (Option<Id>, Option<Id>) {
        // Right after the visible predecessor, before any tombstones that follow it.
        let at = pos.checked_sub(1).map_or(0, |p| self.visible_index(p) + 1);
        let origin_left = at.checked_sub(1).map(|i| self.elems[i].id);
        let origin_right = self.elems.get(at).map(|e| e.id);
        for (k, ch) in text.chars().enumerate() {
            let elem = Elem {
                id: id.add(k as u64),
                origin_left: if k == 0 {
                    origin_left
                } else {
                    Some(id.add(k as u64 - 1))
                },
                origin_right,
                visible: true,
                ch,
            };
            self.elems.insert(at + k, elem);
        }
        (origin_left, origin_right)
    }

    /// Integrates a remote run element by element; returns the visible position of the first.
    pub(super) fn integrate(
        &mut self,
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        text: &str,
        cmp: impl Fn(ActorIdx, ActorIdx) -> Ordering,
    ) -> usize {
        let mut first = None;
        for (k, ch) in text.chars().enumerate() {
            let left = if k == 0 {
                origin_left
            } else {
                Some(id.add(k as u64 - 1))
            };
            let at = self.integrate_one(id.add(k as u64), left, origin_right, ch, &cmp);
            first.get_or_insert(at);
        }
        let at = first.unwrap_or(0);
        self.elems[..at].iter().filter(|e| e.visible).count()
    }

    /// The rule, verbatim, for one element; returns its index.
    fn integrate_one(
        &mut self,
        id: Id,
        origin_left: Option<Id>,
        origin_right: Option<Id>,
        ch: char,
        cmp: &impl Fn(ActorIdx, ActorIdx) -> Ordering,
    ) -> usize {
        let len = self.elems.len() as isize;
        let index = |id: Option<Id>, none: isize| id.map_or(none, |id| self.index_of(id) as isize);
        let left = index(origin_left, -1);
        let right = index(origin_right, len);
        let mut dest = left + 1;
        let mut scanning = false;
        let mut i = left + 1;
        loop {
            if !scanning {
                dest = i;
            }
            if i == len || i == right {
                break;
            }
            let other = &self.elems[i as usize];
            let oleft = index(other.origin_left, -1);
            let oright = index(other.origin_right, len);
            if oleft < left {
                break;
            } else if oleft == left {
                if oright < right {
                    scanning = true;
                } else if oright == right {
                    if cmp(id.actor(), other.id.actor()) == Ordering::Less {
                        break;
                    }
                    scanning = false;
                } else {
                    scanning = false;
                }
            }
            i += 1;
        }
        let elem = Elem {
            id,
            origin_left,
            origin_right,
            visible: true,
            ch,
        };
        self.elems.insert(dest as usize, elem);
        dest as usize
    }

    /// Sets the visibility of elements `id .. id + len`.
    pub(super) fn set_visible(&mut self, id: Id, len: usize, visible: bool) {
        for k in 0..len as u64 {
            let i = self.index_of(id.add(k));
            self.elems[i].visible = visible;
        }
    }
}
