//! The three kinds of list a field set describes element by element: associative lists (`k:`,
//! paired by key whatever the order), sets (`v:`) and lists by index (`i:`).

use serde_json::{Map, Value};

use super::values::{is_empty, same_json};
use super::{Drift, DriftKind, Walk, node, shape};

/// An owned element of an associative list: its key fields and the part of the set under it.
struct Entry<'a> {
    key: Map<String, Value>,
    set: &'a Value,
}

/// An associative list (`k:` children), like containers by `name` or ports by `containerPort`
/// and `protocol`. Every desired element pairs with a distinct owned entry and every owned entry
/// with a desired element, then each pair compares under the entry's part of the set.
pub(super) fn keyed(
    path: &str,
    set: &Map<String, Value>,
    desired: Option<&Value>,
    cached: Option<&Value>,
) -> Walk {
    let desired = list(path, desired)?;
    let cached = list(path, cached)?;
    let mut entries = Vec::new();
    for (child, part) in set {
        let Some(key) = child.strip_prefix("k:") else {
            continue;
        };
        let Ok(Value::Object(key)) = serde_json::from_str(key) else {
            return Err(shape(path));
        };
        entries.push(Entry { key, set: part });
    }

    let pairs = pair(desired, &entries);
    for (index, element) in desired.iter().enumerate() {
        if pairs[index].is_none() && !is_empty(element) {
            let label = desired_label(element, &entries).unwrap_or_else(|| format!("[{index}]"));
            return Err(Drift::at(format!("{path}{label}"), DriftKind::NotOwned));
        }
    }
    for (number, entry) in entries.iter().enumerate() {
        let paired = pairs.contains(&Some(number));
        if !paired && find(cached, &entry.key).is_some() {
            let path = format!("{path}{}", key_label(&entry.key));
            return Err(Drift::at(path, DriftKind::NoLongerWanted));
        }
    }
    for (element, number) in desired.iter().zip(&pairs) {
        let Some(entry) = number.map(|number| &entries[number]) else {
            continue;
        };
        let path = format!("{path}{}", key_label(&entry.key));
        node(&path, entry.set, Some(element), find(cached, &entry.key))?;
    }
    Ok(())
}

/// For each desired element, the entry it pairs with. Exact matches pair first; then an element
/// that lacks some key fields (left to the server's defaults, like a port's `protocol`) pairs with
/// an entry that agrees on the key fields it has.
fn pair(desired: &[Value], entries: &[Entry]) -> Vec<Option<usize>> {
    let mut pairs = vec![None; desired.len()];
    for exact in [true, false] {
        for (index, element) in desired.iter().enumerate() {
            if pairs[index].is_some() {
                continue;
            }
            pairs[index] = (0..entries.len()).find(|number| {
                !pairs.contains(&Some(*number)) && identifies(&entries[*number].key, element, exact)
            });
        }
    }
    pairs
}

/// Whether `element` has the key's values: all of them when `exact`, else at least one and none
/// that differ.
fn identifies(key: &Map<String, Value>, element: &Value, exact: bool) -> bool {
    let Some(element) = element.as_object() else {
        return false;
    };
    let mut agreed = false;
    for (field, wanted) in key {
        match element.get(field).filter(|value| !value.is_null()) {
            Some(value) if same_json(value, wanted) => agreed = true,
            Some(_) => return false,
            None if exact => return false,
            None => {}
        }
    }
    agreed
}

/// The cached element the key names.
fn find<'a>(cached: &'a [Value], key: &Map<String, Value>) -> Option<&'a Value> {
    cached.iter().find(|element| identifies(key, element, true))
}

/// `[name=db]`, `[containerPort=5432,protocol=TCP]`.
fn key_label(key: &Map<String, Value>) -> String {
    let fields: Vec<String> = key
        .iter()
        .map(|(field, value)| format!("{field}={}", scalar(value)))
        .collect();
    format!("[{}]", fields.join(","))
}

/// The label of a desired element no entry owns, from the key fields the entries use.
fn desired_label(element: &Value, entries: &[Entry]) -> Option<String> {
    let fields = &entries.first()?.key;
    let key: Map<String, Value> = fields
        .keys()
        .filter_map(|field| Some((field.clone(), element.get(field)?.clone())))
        .collect();
    (!key.is_empty()).then(|| key_label(&key))
}

/// A set of scalars (`v:` children), like finalizers: the owned values are the desired ones, and
/// each is in the cached list.
pub(super) fn values(
    path: &str,
    set: &Map<String, Value>,
    desired: Option<&Value>,
    cached: Option<&Value>,
) -> Walk {
    let desired = list(path, desired)?;
    let cached = list(path, cached)?;
    let mut owned = Vec::new();
    for child in set.keys() {
        let Some(value) = child.strip_prefix("v:") else {
            continue;
        };
        owned.push(serde_json::from_str::<Value>(value).map_err(|_| shape(path))?);
    }
    let has = |values: &[Value], value: &Value| values.iter().any(|other| same_json(other, value));
    let at = |value: &Value| format!("{path}[={}]", scalar(value));
    for value in desired.iter().filter(|value| !value.is_null()) {
        if !has(&owned, value) {
            return Err(Drift::at(at(value), DriftKind::NotOwned));
        }
        if !has(cached, value) {
            return Err(Drift::at(at(value), DriftKind::ValueDiffers));
        }
    }
    for value in &owned {
        if !has(desired, value) && has(cached, value) {
            return Err(Drift::at(at(value), DriftKind::NoLongerWanted));
        }
    }
    Ok(())
}

/// A list owned element by element by position (`i:` children).
pub(super) fn indexed(
    path: &str,
    set: &Map<String, Value>,
    desired: Option<&Value>,
    cached: Option<&Value>,
) -> Walk {
    let desired = list(path, desired)?;
    let cached = list(path, cached)?;
    let mut owned = Vec::new();
    for (child, part) in set {
        let Some(index) = child.strip_prefix("i:") else {
            continue;
        };
        let index: usize = index.parse().map_err(|_| shape(path))?;
        let path = format!("{path}[{index}]");
        node(&path, part, desired.get(index), cached.get(index))?;
        owned.push(index);
    }
    for (index, element) in desired.iter().enumerate() {
        if !owned.contains(&index) && !is_empty(element) {
            return Err(Drift::at(format!("{path}[{index}]"), DriftKind::NotOwned));
        }
    }
    Ok(())
}

/// The value as a list; absent is an empty one, anything else but a list is drift.
fn list<'a>(path: &str, value: Option<&'a Value>) -> Result<&'a [Value], Drift> {
    match value {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(shape(path)),
    }
}

/// A key or set value as written in a path: strings bare, anything else as JSON.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
