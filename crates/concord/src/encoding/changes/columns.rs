//! The columns of a chunk of changes, in the order they are stored. `docs/format.md` gives
//! the meaning of each; the names here are the ones it and the errors use.

/// One column of a chunk of changes. The discriminant is the column's position in the chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Col {
    ChangeActor,
    ChangeSeq,
    ChangeDeps,
    DepRef,
    DepActor,
    DepCounter,
    ChangeStart,
    ChangeTime,
    ChangeMessage,
    ChangeOps,
    ChangeGroups,
    GroupName,
    GroupParent,
    GroupStart,
    GroupLen,
    OpObjActor,
    OpObjCounter,
    OpAction,
    OpKey,
    OpKeyActor,
    OpKeyCounter,
    OpPreds,
    PredActor,
    PredCounter,
    OpValueMeta,
    OpValue,
    OpInc,
    OpOrigins,
    OpLeftActor,
    OpLeftCounter,
    OpRightActor,
    OpRightCounter,
    OpInsertLen,
    OpText,
    OpDelActor,
    OpDelCounter,
    OpDelLen,
}

/// How many columns a chunk of changes has.
pub(super) const COUNT: usize = Col::OpDelLen as usize + 1;

impl Col {
    /// Every column, in the order they are stored.
    pub(super) const ALL: [Col; COUNT] = [
        Col::ChangeActor,
        Col::ChangeSeq,
        Col::ChangeDeps,
        Col::DepRef,
        Col::DepActor,
        Col::DepCounter,
        Col::ChangeStart,
        Col::ChangeTime,
        Col::ChangeMessage,
        Col::ChangeOps,
        Col::ChangeGroups,
        Col::GroupName,
        Col::GroupParent,
        Col::GroupStart,
        Col::GroupLen,
        Col::OpObjActor,
        Col::OpObjCounter,
        Col::OpAction,
        Col::OpKey,
        Col::OpKeyActor,
        Col::OpKeyCounter,
        Col::OpPreds,
        Col::PredActor,
        Col::PredCounter,
        Col::OpValueMeta,
        Col::OpValue,
        Col::OpInc,
        Col::OpOrigins,
        Col::OpLeftActor,
        Col::OpLeftCounter,
        Col::OpRightActor,
        Col::OpRightCounter,
        Col::OpInsertLen,
        Col::OpText,
        Col::OpDelActor,
        Col::OpDelCounter,
        Col::OpDelLen,
    ];

    /// The column's name in a chunk of format `version`: versions 1 and 2 had
    /// `op.left_is_prev` where `op.origins` is.
    pub(super) const fn name_in(self, version: u64) -> &'static str {
        match self {
            Col::OpOrigins if version < 3 => "op.left_is_prev",
            _ => self.name(),
        }
    }

    /// The column's name in the specification and in errors.
    pub(super) const fn name(self) -> &'static str {
        match self {
            Col::ChangeActor => "change.actor",
            Col::ChangeSeq => "change.seq",
            Col::ChangeDeps => "change.deps",
            Col::DepRef => "dep.ref",
            Col::DepActor => "dep.actor",
            Col::DepCounter => "dep.counter",
            Col::ChangeStart => "change.start",
            Col::ChangeTime => "change.time",
            Col::ChangeMessage => "change.message",
            Col::ChangeOps => "change.ops",
            Col::ChangeGroups => "change.groups",
            Col::GroupName => "group.name",
            Col::GroupParent => "group.parent",
            Col::GroupStart => "group.start",
            Col::GroupLen => "group.len",
            Col::OpObjActor => "op.obj_actor",
            Col::OpObjCounter => "op.obj_counter",
            Col::OpAction => "op.action",
            Col::OpKey => "op.key",
            Col::OpKeyActor => "op.key_actor",
            Col::OpKeyCounter => "op.key_counter",
            Col::OpPreds => "op.preds",
            Col::PredActor => "pred.actor",
            Col::PredCounter => "pred.counter",
            Col::OpValueMeta => "op.value_meta",
            Col::OpValue => "op.value",
            Col::OpInc => "op.inc",
            Col::OpOrigins => "op.origins",
            Col::OpLeftActor => "op.left_actor",
            Col::OpLeftCounter => "op.left_counter",
            Col::OpRightActor => "op.right_actor",
            Col::OpRightCounter => "op.right_counter",
            Col::OpInsertLen => "op.insert_len",
            Col::OpText => "op.text",
            Col::OpDelActor => "op.del_actor",
            Col::OpDelCounter => "op.del_counter",
            Col::OpDelLen => "op.del_len",
        }
    }
}

/// The action tags of the `op.action` column.
pub(super) mod action {
    pub(in crate::encoding::changes) const PUT: u64 = 0;
    pub(in crate::encoding::changes) const DELETE: u64 = 1;
    pub(in crate::encoding::changes) const INCREMENT: u64 = 2;
    pub(in crate::encoding::changes) const INSERT_LIST: u64 = 3;
    pub(in crate::encoding::changes) const INSERT_TEXT: u64 = 4;
    pub(in crate::encoding::changes) const DELETE_SPAN: u64 = 5;
}

/// The origins codes (of the `op.origins` column in format version 3, of the op codes in
/// version 4): `left × 3 + right`, saying where an insert's origins are. Versions 1 and 2 had
/// a boolean column instead, `true` where the left origin is [`origins::LEFT_PREV`], with
/// every right origin given.
pub(super) mod origins {
    /// The left origin is the element before the op's first one: `(c − 1)@a`, for the op's
    /// first counter `c` and the change's actor `a` (typing on).
    pub(in crate::encoding::changes) const LEFT_PREV: u64 = 0;
    /// The left origin is in `op.left_actor` and `op.left_counter`.
    pub(in crate::encoding::changes) const LEFT_GIVEN: u64 = 1;
    /// The right origin is that of the previous insert of the chunk (none before the first).
    pub(in crate::encoding::changes) const RIGHT_SAME: u64 = 0;
    /// The right origin is the element after the left origin, `(l + 1)@b` for a left origin
    /// `l@b`: the insert went inside a stretch typed earlier.
    pub(in crate::encoding::changes) const RIGHT_AFTER_LEFT: u64 = 1;
    /// The right origin is in `op.right_actor` and `op.right_counter`.
    pub(in crate::encoding::changes) const RIGHT_GIVEN: u64 = 2;

    /// The code of a left and a right kind.
    pub(in crate::encoding::changes) const fn code(left: u64, right: u64) -> u64 {
        left * 3 + right
    }

    /// The left and right kinds of a code, if it is one.
    pub(in crate::encoding::changes) const fn kinds(code: u64) -> Option<(u64, u64)> {
        if code < 6 {
            Some((code / 3, code % 3))
        } else {
            None
        }
    }
}

/// The op codes of the `op.action` column in format version 4, which also hold what versions
/// 1 to 3 kept in `change.ops` and `op.origins`: one byte per op, `kind × 2 + last`, where
/// `last` is 1 for the last op of its change. One column says, per op, what it is, how its
/// origins follow (an insert's), and where its change ends, so that the patterns of an
/// editing session (a keystroke typed on ends its change; a backspace then a jump) are seen
/// together by the compressor, where three columns each kept a part of them.
pub(super) mod code {
    use super::{action, origins};

    /// The kind of a text insert with origins code 0 (5 for code 5).
    const TEXT: u8 = 0;
    /// A text delete.
    const DELETE_SPAN: u8 = 6;
    /// The kind of a list insert with origins code 0 (12 for code 5).
    const LIST: u8 = 7;
    /// Put, delete and increment, in the order of their action tags.
    const REGISTER: u8 = 13;
    /// One more than the largest kind.
    const KINDS: u8 = 16;

    /// The code of an op with action `tag` (and origins code `origins`, for an insert), the
    /// last flag clear.
    pub(in crate::encoding::changes) fn of(tag: u64, origins: Option<u64>) -> u8 {
        let o = origins.unwrap_or(0) as u8;
        debug_assert!(o < 6, "origins code {o}");
        let kind = match tag {
            action::INSERT_TEXT => TEXT + o,
            action::DELETE_SPAN => DELETE_SPAN,
            action::INSERT_LIST => LIST + o,
            _ => REGISTER + tag as u8,
        };
        kind << 1
    }

    /// The action tag, the origins code (an insert's) and the last flag of a code; `Err`
    /// with the kind if it is none.
    pub(in crate::encoding::changes) fn parts(code: u8) -> Result<(u64, Option<u64>, bool), u64> {
        let (kind, last) = (code >> 1, code & 1 == 1);
        let (tag, origins) = match kind {
            k if k < DELETE_SPAN => (action::INSERT_TEXT, Some(u64::from(k - TEXT))),
            DELETE_SPAN => (action::DELETE_SPAN, None),
            k if k < REGISTER => (action::INSERT_LIST, Some(u64::from(k - LIST))),
            k if k < KINDS => (u64::from(k - REGISTER), None),
            k => return Err(u64::from(k)),
        };
        debug_assert!(origins.is_none_or(|o| origins::kinds(o).is_some()));
        Ok((tag, origins, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_codes_round_trip() {
        let tags = [
            action::PUT,
            action::DELETE,
            action::INCREMENT,
            action::INSERT_LIST,
            action::INSERT_TEXT,
            action::DELETE_SPAN,
        ];
        let mut seen = std::collections::HashSet::new();
        for tag in tags {
            let inserts = [action::INSERT_LIST, action::INSERT_TEXT].contains(&tag);
            let codes: Vec<Option<u64>> = match inserts {
                true => (0..6).map(Some).collect(),
                false => vec![None],
            };
            for o in codes {
                let c = code::of(tag, o);
                assert!(seen.insert(c), "{tag} {o:?} shares a code");
                assert_eq!(code::parts(c), Ok((tag, o, false)));
                assert_eq!(code::parts(c | 1), Ok((tag, o, true)));
            }
        }
        // Every byte from 32 on is a kind that does not exist.
        assert_eq!(seen.len(), 16);
        for b in 32..=255u8 {
            assert_eq!(code::parts(b), Err(u64::from(b >> 1)));
        }
    }

    #[test]
    fn all_lists_every_column_in_order() {
        for (i, c) in Col::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i, "{}", c.name());
        }
    }
}
