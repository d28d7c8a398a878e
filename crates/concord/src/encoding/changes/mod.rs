//! A chunk of changes: a list of [`Change`]s as columns.
//!
//! The payload is the number of changes, the actor table (every actor the changes name, once,
//! sorted by bytes, so that two writers of the same changes agree), then the columns in the
//! order of [`columns::Col`]. Change columns have a row per change; dependency, group, op,
//! predecessor and value columns have a row per item of the change or op that has one, so a
//! field that does not apply to a row takes no room at all.
//!
//! Wherever the format can, it stores what is *implied* rather than what is: a dependency on an
//! earlier change of the chunk is its distance back, a change's first op counter is its gap
//! above its dependencies (0 for every change a transaction makes), a seq is its step from the
//! same actor's previous change (1), and an insert's origins are a code saying which follow
//! from what came before: the left one from the op just before it (typing), the right one from
//! the previous insert's (typing on) or from the left one (typing inside older text). Those
//! implied values are constant along a trace of edits, so their columns are single runs, and
//! the origins columns only hold the places a cursor jumped to. Those, and the targets of
//! deletes, are stored as differences from the last edit (the *edit cursor*), which they are
//! mostly near.

mod columns;
mod decode;
mod encode;
#[cfg(test)]
mod tests;
mod value;

pub(crate) use decode::{decode, decode_blocks, stream_blocks, BlockSink, STREAMED_OPS};
pub(crate) use encode::{encode, encode_in, Writer};
pub(crate) use value::{read_inline as read_value, write_inline as write_value};

use crate::OpId;

#[cfg(doc)]
use crate::Change;

/// The first op counter a change with these dependencies can have: one above the largest
/// dependency (1 with none). A change's `change.start` row is its first op counter minus this.
pub(crate) fn start_base(deps: &[OpId]) -> u64 {
    deps.iter()
        .map(OpId::counter)
        .max()
        .map_or(1, |m| m.wrapping_add(1))
}
