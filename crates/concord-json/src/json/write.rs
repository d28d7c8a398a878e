//! Writing nodes into a document.

use concord::{DocError, ObjId, ObjType, Prop, ReadDoc, Transaction, Value};

use super::Node;

/// Sets a map key or list slot to `node`: a scalar, or a new object filled with its content.
pub(crate) fn put_node(
    tx: &mut Transaction<'_>,
    obj: &ObjId,
    prop: Prop,
    node: &Node,
) -> Result<(), DocError> {
    match node.kind() {
        Err(scalar) => tx.put(obj, prop, scalar.clone()),
        Ok(typ) => {
            let child = tx.put_object(obj, prop, typ)?;
            fill(tx, &child, node)
        }
    }
}

/// Inserts `node` into a list at `index`.
pub(crate) fn insert_node(
    tx: &mut Transaction<'_>,
    list: &ObjId,
    index: usize,
    node: &Node,
) -> Result<(), DocError> {
    match node.kind() {
        Err(scalar) => tx.insert(list, index, scalar.clone()),
        Ok(typ) => {
            let child = tx.insert_object(list, index, typ)?;
            fill(tx, &child, node)
        }
    }
}

/// Replaces the value at a map key or list slot by `node`. A string written over a text
/// object edits the text with the smallest splice instead, so that concurrent edits of the
/// same text through JSON still merge.
pub(crate) fn replace_node(
    tx: &mut Transaction<'_>,
    obj: &ObjId,
    prop: Prop,
    node: &Node,
) -> Result<(), DocError> {
    if let (Some(new), Some((Value::Object(ObjType::Text), op))) =
        (node.as_str(), tx.get(obj, prop.clone())?)
    {
        return splice_minimal(tx, &ObjId::Op(op), new);
    }
    put_node(tx, obj, prop, node)
}

/// Turns a text into `new` by one splice: the characters between the common prefix and the
/// common suffix of the old and new strings are replaced.
fn splice_minimal(tx: &mut Transaction<'_>, text: &ObjId, new: &str) -> Result<(), DocError> {
    let old = tx.text(text)?;
    let (pos, del, ins) = minimal_splice(&old, new);
    if del == 0 && ins.is_empty() {
        return Ok(());
    }
    tx.splice_text(text, pos, del, ins)
}

/// `(pos, del, ins)` in Unicode scalar values: deleting `del` characters of `old` at `pos`
/// and inserting `ins` there gives `new`, and no shorter such splice exists around a single
/// position.
fn minimal_splice<'n>(old: &str, new: &'n str) -> (usize, usize, &'n str) {
    let prefix: Vec<(usize, char)> = old
        .chars()
        .zip(new.char_indices())
        .take_while(|(a, (_, b))| a == b)
        .map(|(_, ib)| ib)
        .collect();
    let pre_chars = prefix.len();
    let pre_bytes = prefix.last().map_or(0, |(i, c)| i + c.len_utf8());
    let (old_rest, new_rest) = (&old[old_byte(old, pre_chars)..], &new[pre_bytes..]);
    let suf_chars = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_rest_len = old_rest.chars().count();
    let new_rest_len = new_rest.chars().count();
    let ins_end = new_rest
        .char_indices()
        .nth(new_rest_len - suf_chars)
        .map_or(new_rest.len(), |(i, _)| i);
    (pre_chars, old_rest_len - suf_chars, &new_rest[..ins_end])
}

fn old_byte(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

fn fill(tx: &mut Transaction<'_>, obj: &ObjId, node: &Node) -> Result<(), DocError> {
    match node {
        Node::Scalar(_) => Ok(()),
        Node::Text(s) => tx.splice_text(obj, 0, 0, s),
        Node::Map(entries) => entries
            .iter()
            .try_for_each(|(k, v)| put_node(tx, obj, Prop::Map(k.clone()), v)),
        Node::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| insert_node(tx, obj, i, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::minimal_splice;

    fn apply(old: &str, (pos, del, ins): (usize, usize, &str)) -> String {
        let mut chars: Vec<char> = old.chars().collect();
        chars.splice(pos..pos + del, ins.chars());
        chars.into_iter().collect()
    }

    #[test]
    fn splices_only_the_middle() {
        assert_eq!(minimal_splice("buy milk", "buy oat milk"), (4, 0, "oat "));
        assert_eq!(minimal_splice("abc", "abc"), (3, 0, ""));
        assert_eq!(minimal_splice("aaa", "aa"), (2, 1, ""));
        assert_eq!(minimal_splice("héllo wörld", "héllo wörld!"), (11, 0, "!"));
        assert_eq!(minimal_splice("naïve", "native"), (2, 1, "ti"));
    }

    #[test]
    fn splice_turns_old_into_new() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "aba",
            "🎉a🎉",
            "a🎉",
            "日本語",
            "日本",
            "本語x",
        ];
        for old in words {
            for new in words {
                assert_eq!(
                    apply(old, minimal_splice(old, new)),
                    new,
                    "{old:?} -> {new:?}"
                );
            }
        }
    }
}
