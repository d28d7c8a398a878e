//! An owned tree of document values, between the document and `serde_json::Value`.

use base64::Engine as _;
use concord::{ObjType, ScalarValue};
use serde_json::{Map, Number, Value};

use super::JsonOptions;

/// A document value with everything under it: what a JSON Patch `move` or `copy` carries, and
/// what JSON becomes before it is written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Scalar(ScalarValue),
    Text(String),
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
}

impl Node {
    /// The node for a JSON value found at `path`; strings where `options` ask for text become
    /// texts. The caller has checked the value's depth.
    pub(crate) fn from_json(value: &Value, path: &mut Vec<String>, options: &JsonOptions) -> Node {
        match value {
            Value::Null => Node::Scalar(ScalarValue::Null),
            Value::Bool(b) => Node::Scalar(ScalarValue::Bool(*b)),
            Value::Number(n) => Node::Scalar(number(n)),
            Value::String(s) if options.is_text(path) => Node::Text(s.clone()),
            Value::String(s) => Node::Scalar(ScalarValue::Str(s.clone())),
            Value::Array(items) => Node::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| within(path, i.to_string(), |p| Node::from_json(v, p, options)))
                    .collect(),
            ),
            Value::Object(members) => Node::Map(
                members
                    .iter()
                    .map(|(k, v)| {
                        let node = within(path, k.clone(), |p| Node::from_json(v, p, options));
                        (k.clone(), node)
                    })
                    .collect(),
            ),
        }
    }

    /// The JSON form (see the crate doc for how each scalar maps).
    pub(crate) fn into_json(self) -> Value {
        match self {
            Node::Scalar(s) => scalar_json(&s),
            Node::Text(s) => Value::String(s),
            Node::Map(entries) => Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, v.into_json()))
                    .collect::<Map<_, _>>(),
            ),
            Node::List(items) => Value::Array(items.into_iter().map(Node::into_json).collect()),
        }
    }

    /// How many maps, lists and texts nest in this node (a scalar is 0, a text 1).
    pub(crate) fn depth(&self) -> usize {
        match self {
            Node::Scalar(_) => 0,
            Node::Text(_) => 1,
            Node::Map(entries) => 1 + entries.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            Node::List(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
        }
    }

    /// The object type this node is written as, or the scalar it is.
    pub(crate) fn kind(&self) -> Result<ObjType, &ScalarValue> {
        match self {
            Node::Scalar(s) => Err(s),
            Node::Text(_) => Ok(ObjType::Text),
            Node::Map(_) => Ok(ObjType::Map),
            Node::List(_) => Ok(ObjType::List),
        }
    }

    /// The string, for a text or a scalar string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Text(s) | Node::Scalar(ScalarValue::Str(s)) => Some(s),
            _ => None,
        }
    }
}

fn within<T>(path: &mut Vec<String>, token: String, f: impl FnOnce(&mut Vec<String>) -> T) -> T {
    path.push(token);
    let out = f(path);
    path.pop();
    out
}

fn number(n: &Number) -> ScalarValue {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => ScalarValue::Int(i),
        (None, Some(u)) => ScalarValue::Uint(u),
        (None, None) => ScalarValue::F64(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// The JSON form of a scalar: counters and timestamps are numbers, bytes a base64 string
/// (standard alphabet, padded), and a float that is not finite `null`.
pub(crate) fn scalar_json(s: &ScalarValue) -> Value {
    match s {
        ScalarValue::Null => Value::Null,
        ScalarValue::Bool(b) => Value::Bool(*b),
        ScalarValue::Int(n) | ScalarValue::Counter(n) | ScalarValue::Timestamp(n) => (*n).into(),
        ScalarValue::Uint(n) => (*n).into(),
        ScalarValue::F64(x) => Number::from_f64(*x).map_or(Value::Null, Value::Number),
        ScalarValue::Str(s) => Value::String(s.clone()),
        ScalarValue::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_keep_their_kind() {
        let opts = JsonOptions::new();
        let node = Node::from_json(&json!([1, -1, u64::MAX, 1.5]), &mut Vec::new(), &opts);
        assert_eq!(
            node,
            Node::List(vec![
                Node::Scalar(ScalarValue::Int(1)),
                Node::Scalar(ScalarValue::Int(-1)),
                Node::Scalar(ScalarValue::Uint(u64::MAX)),
                Node::Scalar(ScalarValue::F64(1.5)),
            ])
        );
        assert_eq!(node.into_json(), json!([1, -1, u64::MAX, 1.5]));
    }

    #[test]
    fn depth_counts_texts_as_objects() {
        let opts = JsonOptions::new().text("/a/*".parse().unwrap());
        let node = Node::from_json(&json!({"a": ["x", 1]}), &mut Vec::new(), &opts);
        assert_eq!(node.depth(), 3);
        assert_eq!(scalar_json(&ScalarValue::F64(f64::NAN)), Value::Null);
        assert_eq!(
            scalar_json(&ScalarValue::Bytes(vec![1, 2, 3])),
            json!("AQID")
        );
    }
}
