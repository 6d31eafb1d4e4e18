//! Small judgements on JSON values the matcher's walk shares: equality, emptiness, shape, paths.

use serde_json::Value;

/// JSON equality where numbers compare by value (`1` and `1.0`).
pub(super) fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Null, `{}`, `[]`, or a map of such: setting it asks for nothing.
pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.values().all(is_empty),
        _ => false,
    }
}

/// Empty, or Go's zero value, which the API server leaves out of the objects it returns.
pub(super) fn is_unset(value: &Value) -> bool {
    match value {
        Value::String(text) => text.is_empty(),
        Value::Bool(flag) => !flag,
        Value::Number(number) => number.as_f64() == Some(0.0),
        Value::Object(map) => map.values().all(is_unset),
        _ => is_empty(value),
    }
}

/// `path.field`, with a field name that holds a dot quoted.
pub(super) fn join(path: &str, field: &str) -> String {
    let field = if field.contains(['.', '[', ']']) || field.is_empty() {
        format!("[{field:?}]")
    } else {
        field.to_owned()
    };
    match (path, field.starts_with('[')) {
        ("", _) | (_, true) => format!("{path}{field}"),
        _ => format!("{path}.{field}"),
    }
}
