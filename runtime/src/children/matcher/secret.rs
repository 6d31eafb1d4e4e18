//! A Secret's write-only `stringData`, read back from the `data` the API server stored it as.

use std::borrow::Cow;

use base64::Engine;
use base64::prelude::BASE64_STANDARD;
use serde_json::{Map, Value};

/// A Secret's `stringData` is write-only: the API server stores it base64-encoded under `data`,
/// while the field set keeps `f:stringData`. The cached object as the desired one would read it:
/// each `stringData` key the desired object sets, taken from `data` and decoded.
pub(super) fn string_data_as_written<'a>(desired: &Value, cached: &'a Value) -> Cow<'a, Value> {
    let Some(wanted) = desired.get("stringData").and_then(Value::as_object) else {
        return Cow::Borrowed(cached);
    };
    let data = cached.get("data").and_then(Value::as_object);
    let decoded: Map<String, Value> = wanted
        .keys()
        .filter_map(|key| {
            let encoded = data?.get(key)?.as_str()?;
            let bytes = BASE64_STANDARD.decode(encoded).ok()?;
            Some((key.clone(), Value::String(String::from_utf8(bytes).ok()?)))
        })
        .collect();
    let mut cached = cached.clone();
    if let Some(fields) = cached.as_object_mut() {
        fields.insert("stringData".into(), Value::Object(decoded));
    }
    Cow::Owned(cached)
}
