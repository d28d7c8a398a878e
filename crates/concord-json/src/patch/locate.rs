//! Reading pointer tokens against containers, shared by the value and document editors so
//! that both report the same errors for the same pointer.

use crate::error::EditError;
use crate::pointer::{ArrayIndex, JsonPointer};

/// The pointer made of the first `n` tokens.
pub(crate) fn prefix(tokens: &[String], n: usize) -> JsonPointer {
    JsonPointer::from_tokens(tokens[..n].iter().cloned())
}

/// Token `i` read as an array index.
pub(crate) fn index(tokens: &[String], i: usize) -> Result<ArrayIndex, EditError> {
    ArrayIndex::parse(&tokens[i]).map_err(|reason| EditError::BadIndex {
        pointer: prefix(tokens, i + 1),
        token: tokens[i].clone(),
        reason,
    })
}

/// Token `i` read as the index of an existing element of an array of length `len`.
pub(crate) fn existing(tokens: &[String], i: usize, len: usize) -> Result<usize, EditError> {
    match index(tokens, i)? {
        ArrayIndex::At(index) if index < len => Ok(index),
        ArrayIndex::At(index) => Err(EditError::OutOfBounds {
            pointer: prefix(tokens, i + 1),
            index,
            len,
        }),
        ArrayIndex::End => Err(EditError::Missing {
            pointer: prefix(tokens, i + 1),
        }),
    }
}

/// Token `i` read as where an insert into an array of length `len` goes (`-` is the end).
pub(crate) fn insertion(tokens: &[String], i: usize, len: usize) -> Result<usize, EditError> {
    match index(tokens, i)? {
        ArrayIndex::End => Ok(len),
        ArrayIndex::At(index) if index <= len => Ok(index),
        ArrayIndex::At(index) => Err(EditError::OutOfBounds {
            pointer: prefix(tokens, i + 1),
            index,
            len,
        }),
    }
}
