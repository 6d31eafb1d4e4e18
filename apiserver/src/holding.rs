//! How much of each kind's objects the server holds: Secrets, and every kind configured
//! metadata-only (as the runtime's `#[secondary(Kind, metadata_only)]` declares it), are
//! watched and answered as metadata only (`apiVersion`, `kind`, `metadata`), unless the
//! server's operator opts a kind in to whole objects. A server that never receives a Secret's
//! data cannot leak it, and a cluster's Secrets (Helm keeps every release in one) stay out of
//! its memory.

use kube::api::DynamicObject;
use kube::core::PartialObjectMeta;
use kube::runtime::watcher::Event;

use crate::kind_spec::KindSpec;

/// Whether objects of `kind` in `group` are held as metadata only: Secrets and the kinds in
/// `metadata_only`, except those in `full_objects`.
pub fn metadata_only(
    group: &str,
    kind: &str,
    metadata_only: &[KindSpec],
    full_objects: &[KindSpec],
) -> bool {
    let named = |specs: &[KindSpec]| {
        specs
            .iter()
            .any(|spec| spec.group == group && spec.kind == kind)
    };
    let secret = group.is_empty() && kind == "Secret";
    (secret || named(metadata_only)) && !named(full_objects)
}

/// A metadata-only watch event as the cache holds it: an object with metadata and nothing
/// else (its type is set by the watch).
pub fn as_object(event: Event<PartialObjectMeta<DynamicObject>>) -> Event<DynamicObject> {
    let object = |meta: PartialObjectMeta<DynamicObject>| DynamicObject {
        types: None,
        metadata: meta.metadata,
        data: serde_json::Value::Object(serde_json::Map::new()),
    };
    match event {
        Event::Apply(meta) => Event::Apply(object(meta)),
        Event::Delete(meta) => Event::Delete(object(meta)),
        Event::InitApply(meta) => Event::InitApply(object(meta)),
        Event::Init => Event::Init,
        Event::InitDone => Event::InitDone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_declared_kinds_are_metadata_only_unless_opted_in() {
        let spec = |s: &str| KindSpec::parse(s).unwrap();
        let declared = [spec("v1/ConfigMap")];
        assert!(metadata_only("", "Secret", &[], &[]));
        assert!(!metadata_only("", "Secret", &[], &[spec("v1/Secret")]));
        assert!(metadata_only("", "ConfigMap", &declared, &[]));
        assert!(!metadata_only("apps", "Deployment", &declared, &[]));
        assert!(
            !metadata_only("demo.example.com", "Secret", &[], &[]),
            "another group's Secret kind"
        );
    }

    #[test]
    fn a_metadata_only_object_keeps_its_metadata_and_nothing_else() {
        let meta: PartialObjectMeta<DynamicObject> = serde_json::from_value(serde_json::json!({
            "apiVersion": "meta.k8s.io/v1",
            "kind": "PartialObjectMetadata",
            "metadata": { "name": "db-credentials", "namespace": "prod" },
        }))
        .unwrap();
        let Event::Apply(object) = as_object(Event::Apply(meta)) else {
            panic!("not an apply");
        };
        let json = serde_json::to_value(&object).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "metadata": { "name": "db-credentials", "namespace": "prod" } })
        );
    }
}
