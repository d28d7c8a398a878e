//! JSON equality as RFC 6902 `test` defines it, and the depth check.

use serde_json::{Number, Value};

use crate::error::TooDeep;

/// Equality of JSON values: numbers compare by value (`1` equals `1.0`), objects ignore
/// member order.
///
/// Recursion stops where either side does, so the depth is that of the shallower value.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_eq(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.get(k).is_some_and(|b| json_eq(a, b)))
        }
        _ => a == b,
    }
}

fn number_eq(x: &Number, y: &Number) -> bool {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(x), int(y)) {
        (Some(a), Some(b)) => a == b,
        _ => x.as_f64() == y.as_f64(),
    }
}

/// Refuses a value that nests more than `limit` objects and arrays, without recursion.
pub(crate) fn check_depth(value: &Value, limit: usize) -> Result<(), TooDeep> {
    let mut stack: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((v, depth)) = stack.pop() {
        let deeper = depth + 1;
        match v {
            Value::Array(_) | Value::Object(_) if deeper > limit => return Err(TooDeep::ERR),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, deeper))),
            Value::Object(o) => stack.extend(o.values().map(|c| (c, deeper))),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&json!(1), &json!(1.0)));
        assert!(json_eq(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(!json_eq(&json!(-1), &json!(u64::MAX)));
        assert!(!json_eq(&json!(1), &json!("1")));
        assert!(json_eq(
            &json!({"a": [1, {"b": 2}]}),
            &json!({"a": [1.0, {"b": 2}]})
        ));
    }

    #[test]
    fn depth_counts_containers() {
        assert!(check_depth(&json!(1), 0).is_ok());
        assert!(check_depth(&json!([]), 0).is_err());
        assert!(check_depth(&json!([[1], {"a": []}]), 3).is_ok());
        assert!(check_depth(&json!([[1], {"a": []}]), 2).is_err());
    }
}
