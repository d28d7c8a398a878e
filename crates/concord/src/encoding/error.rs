//! The errors of the decoding boundary: bytes that are not a Concord encoding, and files that
//! decode but whose changes do not apply.

use crate::ApplyError;

/// Bytes that are not a valid Concord encoding: where, and what was wrong.
///
/// `offset` counts bytes from the start of the input given to the decoder. Inside a compressed
/// column the bytes have no place in the input, so errors there report the offset of the
/// column's compressed bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid encoding at byte {offset}: {kind}")]
pub struct DecodeError {
    /// Where the problem was found, in bytes from the start of the input.
    pub offset: usize,
    /// What the problem is.
    pub kind: DecodeErrorKind,
}

/// What is wrong with bytes that do not decode. Columns are named as in the format
/// specification (`docs/format.md`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input does not start with the magic bytes of a Concord file.
    #[error("not a Concord file (bad magic bytes)")]
    BadMagic,
    /// The input does not start with the tag of a sync message.
    #[error("not a sync message (its first byte is {0:#04x})")]
    NotASyncMessage(u8),
    /// The file or sync message was written in a format version this build cannot read.
    #[error("format version {0} is not supported by this build")]
    UnsupportedVersion(u64),
    /// A chunk type this build does not know and may not skip.
    #[error("unknown chunk type {0:#04x}")]
    UnknownChunkType(u8),
    /// A chunk's contents do not match its checksum.
    #[error(
        "checksum mismatch: the chunk declares {expected:#010x}, its bytes give {found:#010x}"
    )]
    ChecksumMismatch {
        /// The CRC-32 the chunk header declares.
        expected: u32,
        /// The CRC-32 of the bytes present.
        found: u32,
    },
    /// The input ends in the middle of an item.
    #[error("the input ends in the middle of an item")]
    Truncated,
    /// A length field counts more bytes than the input has left.
    #[error("a length of {length} bytes runs past the end of the input ({remaining} left)")]
    LengthBeyondInput {
        /// The length declared.
        length: u64,
        /// The bytes left after the length field.
        remaining: usize,
    },
    /// A LEB128 number with a needless trailing zero group.
    #[error("overlong LEB128 number")]
    OverlongLeb128,
    /// A LEB128 number that does not fit in 64 bits.
    #[error("LEB128 number does not fit in 64 bits")]
    Leb128Overflow,
    /// Bytes that should be UTF-8 text are not.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// `Doc::load` needs a document chunk before any chunk of changes.
    #[error("the file holds no document chunk before its first chunk of changes")]
    MissingDocument,
    /// The actor table is not sorted by bytes, or holds an actor twice.
    #[error("the actor table is not strictly sorted")]
    UnsortedActors,
    /// An actor index beyond the actor table.
    #[error("actor index {index} in {column} is out of range of the {actors} actors of the table")]
    ActorOutOfRange {
        /// The column holding the index.
        column: &'static str,
        /// The index found.
        index: u64,
        /// The size of the actor table.
        actors: usize,
    },
    /// An op counter of 0 where an op id is needed (op counters start at 1).
    #[error("op counter 0 in {column}: op counters start at 1")]
    ZeroCounter {
        /// The column holding the counter.
        column: &'static str,
    },
    /// An action tag this build does not know.
    #[error("unknown action tag {0}")]
    UnknownAction(u64),
    /// An `op.origins` code this build does not know.
    #[error("unknown origins code {0}")]
    UnknownOrigins(u64),
    /// An insert whose right origin is said to follow its left origin, without a left origin.
    #[error("an insert of change {change} places its right origin after a left origin it lacks")]
    NoLeftOrigin {
        /// The index of the change in its chunk.
        change: usize,
    },
    /// A value type tag this build does not know.
    #[error("unknown value type tag {0}")]
    UnknownValueType(u8),
    /// A value whose byte length does not suit its type.
    #[error("a value of type tag {tag} cannot be {length} bytes long")]
    BadValueLength {
        /// The value's type tag.
        tag: u8,
        /// The length declared.
        length: u64,
    },
    /// A column has fewer rows than the rest of the chunk needs.
    #[error("column {column} has too few rows")]
    ColumnTooShort {
        /// The column.
        column: &'static str,
    },
    /// A column has more rows than the rest of the chunk uses.
    #[error("column {column} has rows left over")]
    ColumnTooLong {
        /// The column.
        column: &'static str,
    },
    /// A null in a column whose rows all have values.
    #[error("column {column} holds a null where a value is needed")]
    UnexpectedNull {
        /// The column.
        column: &'static str,
    },
    /// A run of no rows where the format needs a run of at least one.
    #[error("column {column} holds an empty run")]
    EmptyRun {
        /// The column.
        column: &'static str,
    },
    /// A compressed column that is not a stream of its method that decompresses to its
    /// declared length.
    #[error("compressed column {column} does not decompress to its declared {length} bytes")]
    BadCompression {
        /// The column.
        column: &'static str,
        /// The length it declares.
        length: u64,
    },
    /// A column stored with a compression method the format does not have.
    #[error("column {column} names compression method {method}, which does not exist")]
    UnknownCompression {
        /// The column.
        column: &'static str,
        /// The method's number.
        method: u8,
    },
    /// A change with no ops (every change has at least one).
    #[error("change {change} has no ops")]
    EmptyChange {
        /// The index of the change in its chunk.
        change: usize,
    },
    /// A change whose dependencies are not sorted by op id, or name one op twice.
    #[error("the dependencies of change {change} are not strictly sorted")]
    UnsortedDependencies {
        /// The index of the change in its chunk.
        change: usize,
    },
    /// A dependency that names a change before the start of its chunk.
    #[error("change {change} depends on the change {distance} before it, outside its chunk")]
    DependencyOutOfRange {
        /// The index of the change in its chunk.
        change: usize,
        /// How many changes back the dependency points.
        distance: u64,
    },
    /// A document chunk whose change depends on a change outside the document.
    #[error("change {change} of a document chunk depends on a change outside it")]
    ExternalDependency {
        /// The index of the change in its chunk.
        change: usize,
    },
    /// A document chunk whose changes are not in the canonical order.
    #[error("change {change} of a document chunk is out of canonical order")]
    ChangeOrder {
        /// The index of the first change out of order.
        change: usize,
    },
    /// A document chunk where an actor's changes do not number 1, 2, 3, ...
    #[error("change {change} of a document chunk has seq {found}, expected {expected}")]
    SeqGap {
        /// The index of the change in its chunk.
        change: usize,
        /// The seq that follows the actor's previous change.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// Op counters that run past the largest 64-bit number.
    #[error("the op counters of change {change} overflow")]
    CounterOverflow {
        /// The index of the change in its chunk.
        change: usize,
    },
    /// A group whose parent or op range does not fit its change.
    #[error("group {group} of change {change} has a bad parent or op range")]
    BadGroup {
        /// The index of the change in its chunk.
        change: usize,
        /// The index of the group in its change.
        group: usize,
    },
    /// A chunk holds bytes after its last column.
    #[error("the chunk has bytes after its last column")]
    TrailingBytes,
    /// A sync message that continues a session, decoded without the session: only
    /// [`crate::Doc::receive_sync_bytes`] with the session's [`crate::SyncState`] reads it.
    #[error("the sync message continues a session and needs that session's state")]
    NeedsSyncSession,
    /// Flags a sync message may not have, or that contradict its context.
    #[error("bad flags {flags:#04x} in the sync message")]
    BadSyncFlags {
        /// The flag byte.
        flags: u8,
    },
    /// A sync message introduces an actor its session already has.
    #[error("the sync message introduces actor {index} twice")]
    RepeatedActor {
        /// The index the actor already has in the session.
        index: u32,
    },
}

/// Why [`crate::Doc::load`] or [`crate::Doc::load_incremental`] failed. A failed load makes
/// no document; a failed incremental load leaves the document exactly as it was.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a valid encoding.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The bytes decode, but a change they hold cannot be applied.
    #[error(transparent)]
    Apply(#[from] ApplyError),
}
