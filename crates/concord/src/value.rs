//! The values a document holds, and the properties (map keys, list indexes) that address them.

use std::fmt;

/// The kind of a composite object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjType {
    /// String keys to values; the root is a map.
    Map,
    /// A sequence of values.
    List,
    /// A sequence of Unicode scalar values, edited with `splice_text`.
    Text,
}

impl fmt::Display for ObjType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjType::Map => "map",
            ObjType::List => "list",
            ObjType::Text => "text",
        })
    }
}

/// A value that is not an object.
#[derive(Clone, Debug, PartialEq)]
pub enum ScalarValue {
    /// The null value.
    Null,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    Uint(u64),
    /// A 64-bit float.
    F64(f64),
    /// A string stored as one value: concurrent writers replace it whole (use a text object for
    /// strings that people edit together).
    Str(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// A counter: concurrent `increment`s add up. Reading gives its current total.
    Counter(i64),
    /// Milliseconds since the Unix epoch.
    Timestamp(i64),
}

impl ScalarValue {
    /// A new counter starting at `n`.
    pub fn counter(n: i64) -> Self {
        ScalarValue::Counter(n)
    }
}

macro_rules! scalar_from {
    ($($t:ty => $v:ident $(as $cast:ty)?),* $(,)?) => {$(
        impl From<$t> for ScalarValue {
            fn from(x: $t) -> Self {
                ScalarValue::$v(x $(as $cast)?)
            }
        }
    )*};
}

scalar_from! {
    bool => Bool,
    i64 => Int, i32 => Int as i64, i16 => Int as i64, i8 => Int as i64,
    u64 => Uint, u32 => Uint as u64, u16 => Uint as u64, u8 => Uint as u64,
    f64 => F64, f32 => F64 as f64,
    String => Str,
    Vec<u8> => Bytes,
}

impl From<&str> for ScalarValue {
    fn from(s: &str) -> Self {
        ScalarValue::Str(s.to_owned())
    }
}

impl From<&String> for ScalarValue {
    fn from(s: &String) -> Self {
        ScalarValue::Str(s.clone())
    }
}

impl From<char> for ScalarValue {
    fn from(c: char) -> Self {
        ScalarValue::Str(c.to_string())
    }
}

impl From<()> for ScalarValue {
    fn from(_: ()) -> Self {
        ScalarValue::Null
    }
}

impl fmt::Display for ScalarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScalarValue::Null => f.write_str("null"),
            ScalarValue::Bool(b) => write!(f, "{b}"),
            ScalarValue::Int(n) | ScalarValue::Counter(n) | ScalarValue::Timestamp(n) => {
                write!(f, "{n}")
            }
            ScalarValue::Uint(n) => write!(f, "{n}"),
            ScalarValue::F64(x) => write!(f, "{x}"),
            ScalarValue::Str(s) => write!(f, "{s:?}"),
            ScalarValue::Bytes(b) => write!(f, "{b:?}"),
        }
    }
}

/// What a register (a map key or a list slot) holds: an object or a scalar.
///
/// Reads return a `Value` with the [`crate::OpId`] of the op that wrote it; for an object that op
/// id is also its [`crate::ObjId`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A map, list or text object.
    Object(ObjType),
    /// A scalar.
    Scalar(ScalarValue),
}

impl Value {
    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&ScalarValue> {
        match self {
            Value::Scalar(s) => Some(s),
            Value::Object(_) => None,
        }
    }

    /// The object type, if this is an object.
    pub fn obj_type(&self) -> Option<ObjType> {
        match self {
            Value::Object(t) => Some(*t),
            Value::Scalar(_) => None,
        }
    }

    /// The string, if this is a scalar string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Scalar(ScalarValue::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is a signed integer or a counter.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Scalar(ScalarValue::Int(n) | ScalarValue::Counter(n)) => Some(*n),
            _ => None,
        }
    }
}

impl<T: Into<ScalarValue>> From<T> for Value {
    fn from(x: T) -> Self {
        Value::Scalar(x.into())
    }
}

impl From<ObjType> for Value {
    fn from(t: ObjType) -> Self {
        Value::Object(t)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Object(t) => write!(f, "<{t}>"),
            Value::Scalar(s) => fmt::Display::fmt(s, f),
        }
    }
}

/// Where a value sits in its object: a key of a map or an index of a list or text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Prop {
    /// A map key.
    Map(String),
    /// A position in a list or text.
    Seq(usize),
}

impl From<&str> for Prop {
    fn from(s: &str) -> Self {
        Prop::Map(s.to_owned())
    }
}

impl From<String> for Prop {
    fn from(s: String) -> Self {
        Prop::Map(s)
    }
}

impl From<&String> for Prop {
    fn from(s: &String) -> Self {
        Prop::Map(s.clone())
    }
}

impl From<usize> for Prop {
    fn from(i: usize) -> Self {
        Prop::Seq(i)
    }
}

impl fmt::Display for Prop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prop::Map(k) => write!(f, "{k:?}"),
            Prop::Seq(i) => write!(f, "[{i}]"),
        }
    }
}
