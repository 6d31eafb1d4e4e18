//! The digest of a desired object, kept in an annotation of the child, so that a change of what
//! the operator wants is drift even where the field set cannot show it: a key removed from an
//! atomic map (a Service's selector), a field dropped whose value was `0`, `false` or `""`.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The annotation in which [`Context::apply`](crate::Context::apply) keeps the [`digest`] of
/// the desired object it applied; the controller's field manager owns it like any other field.
pub const APPLIED_DIGEST: &str = "kube-secondary.dev/applied-digest";

/// Where [`APPLIED_DIGEST`] sits in an object, as a JSON pointer.
pub(super) const DIGEST_POINTER: &str = "/metadata/annotations/kube-secondary.dev~1applied-digest";

/// The SHA-256 of what `desired` asks for, as 32 hex digits: the fields [`drift`](super::drift)
/// compares (everything but `apiVersion`, `kind`, `status`, and the parts of `metadata` other than
/// labels, annotations, ownerReferences and finalizers), without its own [`APPLIED_DIGEST`]
/// annotation. A desired object built from a cached one (its status, resourceVersion and
/// managedFields included) has the digest of its content alone. Map keys in order and numbers as
/// written, so the same desired object always gives the same digest, whatever built it and
/// whichever serde_json features are on.
pub fn digest(desired: &Value) -> String {
    let mut hasher = Sha256::new();
    feed(&mut hasher, &compared(desired));
    let sum = hasher.finalize();
    sum[..16].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The part of `desired` that [`digest`] covers.
fn compared(desired: &Value) -> Value {
    let Value::Object(fields) = desired else {
        return desired.clone();
    };
    let mut kept = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "apiVersion" | "kind" | "status" => {}
            "metadata" => {
                let mut metadata = Map::new();
                for part in ["labels", "annotations", "ownerReferences", "finalizers"] {
                    match value.get(part) {
                        Some(Value::Object(annotations)) if part == "annotations" => {
                            let mut annotations = annotations.clone();
                            annotations.remove(APPLIED_DIGEST);
                            if !annotations.is_empty() {
                                metadata.insert(part.into(), Value::Object(annotations));
                            }
                        }
                        Some(value) if !value.is_null() => {
                            metadata.insert(part.into(), value.clone());
                        }
                        _ => {}
                    }
                }
                kept.insert(key.clone(), Value::Object(metadata));
            }
            _ => {
                kept.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(kept)
}

/// Writes `value` into the hash in a form that tells every value apart: a tag per type, lengths
/// before contents.
fn feed(hasher: &mut Sha256, value: &Value) {
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
            items.iter().for_each(|item| feed(hasher, item));
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(b"{");
            for key in keys {
                text(hasher, key);
                feed(hasher, &map[key]);
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
    fn a_desired_object_built_from_a_cached_one_has_the_digest_of_its_content() {
        let content = json!({ "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": { "name": "c", "labels": { "app": "db" } }, "data": { "k": "v" } });
        let mut from_cache = content.clone();
        from_cache["metadata"]["resourceVersion"] = json!("41");
        from_cache["metadata"]["uid"] = json!("u1");
        from_cache["metadata"]["managedFields"] = json!([{ "manager": "x" }]);
        from_cache["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
        from_cache["status"] = json!({ "observed": 7 });
        assert_eq!(digest(&content), digest(&from_cache));
        from_cache["data"]["k"] = json!("w");
        assert_ne!(digest(&content), digest(&from_cache));
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
