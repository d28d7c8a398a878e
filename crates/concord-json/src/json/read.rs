//! Reading a document, now or at past heads, as nodes and as JSON.

use concord::{DocError, ObjId, ObjType, OpId, ReadDoc, SeqElement, Value, ROOT};

use super::Node;
use crate::error::{TooDeep, ViewError};

/// The JSON form of a document: maps become objects, lists arrays, texts strings, counters
/// and timestamps numbers, bytes base64 strings. Of concurrent values the winner shows.
///
/// ```
/// use concord::{Doc, ObjType, ScalarValue, ROOT};
/// use serde_json::json;
/// let mut doc = Doc::new();
/// doc.transact(|tx| {
///     tx.put(ROOT, "visits", ScalarValue::counter(2))?;
///     let notes = tx.put_object(ROOT, "notes", ObjType::Text)?;
///     tx.splice_text(&notes, 0, 0, "hi")
/// })?;
/// assert_eq!(concord_json::to_json(&doc)?, json!({"visits": 2, "notes": "hi"}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`ViewError::TooDeep`] if the document nests deeper than [`crate::MAX_DEPTH`] (a remote
/// peer can build one).
pub fn to_json(doc: &impl ReadDoc) -> Result<serde_json::Value, ViewError> {
    Ok(read_node(&View { doc, heads: None }, ROOT, ObjType::Map, 1)?.into_json())
}

/// [`to_json`] of the document as it was at `heads`.
///
/// # Errors
/// [`ViewError::Doc`] with `DocError::UnknownHead` for heads the document does not have, and
/// those of [`to_json`].
pub fn to_json_at(doc: &impl ReadDoc, heads: &[OpId]) -> Result<serde_json::Value, ViewError> {
    let view = View {
        doc,
        heads: Some(heads),
    };
    Ok(read_node(&view, ROOT, ObjType::Map, 1)?.into_json())
}

/// A document read now (`heads: None`) or at past heads.
pub(crate) struct View<'a, R> {
    pub(crate) doc: &'a R,
    pub(crate) heads: Option<&'a [OpId]>,
}

impl<R: ReadDoc> View<'_, R> {
    pub(crate) fn keys(&self, obj: &ObjId) -> Result<Vec<String>, DocError> {
        match self.heads {
            None => Ok(self.doc.keys(obj)),
            Some(h) => self.doc.keys_at(obj, h),
        }
    }

    pub(crate) fn values(&self, obj: &ObjId) -> Result<Vec<(Value, OpId)>, DocError> {
        match self.heads {
            None => self.doc.values(obj),
            Some(h) => self.doc.values_at(obj, h),
        }
    }

    pub(crate) fn text(&self, obj: &ObjId) -> Result<String, DocError> {
        match self.heads {
            None => self.doc.text(obj),
            Some(h) => self.doc.text_at(obj, h),
        }
    }

    pub(crate) fn elements(&self, obj: &ObjId) -> Result<Vec<SeqElement>, DocError> {
        match self.heads {
            None => self.doc.elements(obj),
            Some(h) => self.doc.elements_at(obj, h),
        }
    }
}

/// The node of a value read from the document; `level` is how deep an object there nests
/// (the root is 1).
pub(crate) fn value_node<R: ReadDoc>(
    view: &View<'_, R>,
    value: Value,
    op: OpId,
    level: usize,
) -> Result<Node, ViewError> {
    match value {
        Value::Scalar(s) => Ok(Node::Scalar(s)),
        Value::Object(t) => read_node(view, ObjId::Op(op), t, level),
    }
}

/// The node of object `obj` of type `typ`, nested `level` deep (the root is 1).
pub(crate) fn read_node<R: ReadDoc>(
    view: &View<'_, R>,
    obj: ObjId,
    typ: ObjType,
    level: usize,
) -> Result<Node, ViewError> {
    if level > crate::MAX_DEPTH {
        return Err(TooDeep::ERR.into());
    }
    Ok(match typ {
        ObjType::Text => Node::Text(view.text(&obj)?),
        ObjType::List => Node::List(
            view.values(&obj)?
                .into_iter()
                .map(|(v, op)| value_node(view, v, op, level + 1))
                .collect::<Result<_, _>>()?,
        ),
        // `values` lists a map's winners in key order, the order of `keys`.
        ObjType::Map => Node::Map(
            view.keys(&obj)?
                .into_iter()
                .zip(view.values(&obj)?)
                .map(|(k, (v, op))| Ok((k, value_node(view, v, op, level + 1)?)))
                .collect::<Result<_, ViewError>>()?,
        ),
    })
}
