//! The digest of a desired object, kept in an annotation of the child, so that a change of what
//! the operator wants is drift even where the field set cannot show it: a key removed from an
//! atomic map (a Service's selector), a field dropped whose value was `0`, `false` or `""`.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The annotation in which [`Context::apply`](crate::Context::apply) keeps the [`digest`] of
/// the desired object it applied; the controller's field manager owns it like any other field.
pub const APPLIED_DIGEST: &str = "kube-secondary.dev/applied-digest";

/// Where [`APPLIED_DIGEST`] sits in an object, as a JSON pointer.
pub(super) const DIGEST_POINTER: &str = "/metadata/annotations/kube-secondary.dev~1applied-digest";

/// The SHA-256 of `desired` (without its own [`APPLIED_DIGEST`] annotation), as 32 hex digits:
/// map keys in order and numbers as written, so the same desired object always gives the same
/// digest, whatever built it and whichever serde_json features are on.
pub fn digest(desired: &Value) -> String {
    let mut hasher = Sha256::new();
    feed(&mut hasher, desired, true);
    let sum = hasher.finalize();
    sum[..16].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Writes `value` into the hash in a form that tells every value apart: a tag per type, lengths
/// before contents. `root` leaves out the digest annotation itself.
fn feed(hasher: &mut Sha256, value: &Value, root: bool) {
    let text = |hasher: &mut Sha256, text: &str| {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    };
    match value {
        Value::Null => hasher.update(b"n"),
        Value::Bool(flag) => hasher.update(if *flag { b"t" } else { b"f" }),
        Value::Number(number) => {
            hasher.update(b"#");
            text(hasher, &number.to_string());
        }
        Value::String(string) => {
            hasher.update(b"s");
            text(hasher, string);
        }
        Value::Array(items) => {
            hasher.update(b"[");
            hasher.update((items.len() as u64).to_le_bytes());
            items.iter().for_each(|item| feed(hasher, item, false));
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for key in keys {
                let value = &map[key];
                if root && key == "metadata" {
                    let mut metadata = value.clone();
                    if let Some(fields) = metadata.as_object_mut()
                        && let Some(Value::Object(annotations)) = fields.get_mut("annotations")
                    {
                        annotations.remove(APPLIED_DIGEST);
                        if annotations.is_empty() {
                            fields.remove("annotations");
                        }
                    }
                    text(hasher, key);
                    feed(hasher, &metadata, false);
                } else {
                    text(hasher, key);
                    feed(hasher, value, false);
                }
            }
            hasher.update(b"}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_object_gives_the_same_digest_whatever_its_key_order() {
        let a = json!({ "spec": { "selector": { "app": "a1", "role": "primary" } } });
        let b: Value =
            serde_json::from_str(r#"{"spec":{"selector":{"role":"primary","app":"a1"}}}"#).unwrap();
        assert_eq!(digest(&a), digest(&b));
        assert_eq!(digest(&a).len(), 32);
    }

    #[test]
    fn every_change_an_operator_can_make_changes_the_digest() {
        let before = json!({ "metadata": { "labels": { "x": "" } },
            "spec": { "selector": { "app": "a1", "role": "primary" }, "runAsUser": 0, "flag": false, "list": [1, 2] } });
        let variants = [
            json!({ "metadata": { "labels": { "x": "" } },
                "spec": { "selector": { "app": "a1" }, "runAsUser": 0, "flag": false, "list": [1, 2] } }),
            json!({ "metadata": { "labels": { "x": "" } },
                "spec": { "selector": { "app": "a1", "role": "primary" }, "flag": false, "list": [1, 2] } }),
            json!({ "metadata": { "labels": { "x": "" } },
                "spec": { "selector": { "app": "a1", "role": "primary" }, "runAsUser": 0, "list": [1, 2] } }),
            json!({ "metadata": { "labels": { "x": "" } },
                "spec": { "selector": { "app": "a1", "role": "primary" }, "runAsUser": 0, "flag": false, "list": [1] } }),
            json!({ "metadata": { "labels": {} },
                "spec": { "selector": { "app": "a1", "role": "primary" }, "runAsUser": 0, "flag": false, "list": [1, 2] } }),
            json!({ "metadata": { "labels": { "x": "" } },
                "spec": { "selector": { "app": "a1", "role": "primary" }, "runAsUser": "0", "flag": false, "list": [1, 2] } }),
        ];
        for variant in variants {
            assert_ne!(digest(&before), digest(&variant), "{variant}");
        }
    }

    #[test]
    fn the_digest_leaves_out_its_own_annotation() {
        let plain = json!({ "metadata": { "name": "db" }, "data": { "k": "v" } });
        let mut annotated = plain.clone();
        annotated["metadata"]["annotations"] = json!({ APPLIED_DIGEST: digest(&plain) });
        assert_eq!(digest(&plain), digest(&annotated));
        annotated["metadata"]["annotations"] = json!({ APPLIED_DIGEST: "anything", "a": "b" });
        let mut other = plain.clone();
        other["metadata"]["annotations"] = json!({ "a": "b" });
        assert_eq!(digest(&annotated), digest(&other));
    }
}
