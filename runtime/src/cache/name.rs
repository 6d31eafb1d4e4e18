//! An object's name and namespace as a map keeps it: one shared string, `namespace/name` (neither
//! may contain a `/`), without the resource version and uid an [`ObjectRef`] made from an object
//! carries. 16 bytes instead of 96, one allocation instead of four, and a copy is a count.

use std::sync::Arc;

use kube::Resource;
use kube::runtime::reflector::ObjectRef;

/// An object's name and namespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Name(Arc<str>);

impl Name {
    fn new(namespace: Option<&str>, name: &str) -> Self {
        Self(match namespace {
            Some(namespace) => format!("{namespace}/{name}").into(),
            None => name.into(),
        })
    }

    pub(crate) fn of<K: Resource<DynamicType = ()>>(at: &ObjectRef<K>) -> Self {
        Self::new(at.namespace.as_deref(), &at.name)
    }

    /// The object's name and namespace, read from the object itself.
    pub(crate) fn of_obj<K: Resource<DynamicType = ()>>(obj: &K) -> Self {
        let meta = obj.meta();
        Self::new(
            meta.namespace.as_deref(),
            meta.name.as_deref().unwrap_or_default(),
        )
    }

    /// The namespace (none for a cluster-scoped object) and the name.
    pub(crate) fn parts(&self) -> (Option<&str>, &str) {
        match self.0.split_once('/') {
            Some((namespace, name)) => (Some(namespace), name),
            None => (None, &self.0),
        }
    }

    pub(crate) fn to_ref<K: Resource<DynamicType = ()>>(&self) -> ObjectRef<K> {
        let (namespace, name) = self.parts();
        let mut at = ObjectRef::new(name);
        at.namespace = namespace.map(str::to_string);
        at
    }
}

/// `namespace/name`, or the name alone for a cluster-scoped object.
impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::ObjectMeta;

    use super::*;

    #[test]
    fn a_name_keeps_what_an_object_ref_compares_and_nothing_else() {
        let cm = ConfigMap {
            metadata: ObjectMeta {
                name: Some("cfg".into()),
                namespace: Some("ns".into()),
                uid: Some("u-1".into()),
                resource_version: Some("7".into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        };
        let full = ObjectRef::from_obj(&cm);
        assert_eq!(Name::of(&full), Name::of_obj(&cm));
        let back: ObjectRef<ConfigMap> = Name::of(&full).to_ref();
        assert_eq!(back, full, "ObjectRef compares by name and namespace");
        assert_eq!(back.extra.uid, None, "the uid stays out of the key");
        assert_eq!(Name::of(&full).parts(), (Some("ns"), "cfg"));
        let cluster_scoped = Name::of(&ObjectRef::<ConfigMap>::new("cfg"));
        assert_eq!(cluster_scoped.parts(), (None, "cfg"));
        assert_ne!(cluster_scoped, Name::of(&full));
        assert_eq!(std::mem::size_of::<Name>(), 16);
    }
}
