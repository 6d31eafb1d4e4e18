//! The form the children's caches keep an object in: its JSON text, LZ4-compressed, decoded when
//! it is read.
//!
//! A typed k8s-openapi object is several times its JSON. Every optional part is held inline
//! whether it is set or not (`Container` is 2,336 bytes before any string, `Volume` 3,280), and
//! each map is a tree of nodes. The `database` example's Deployment (two containers, the
//! controller's own managedFields entry) takes 18.3 KB typed, 4.1 KB as JSON and 2.0 KB
//! compressed; its ConfigMap 3.7 KB, 1.0 KB and 0.7 KB. The caches hold every child of every
//! primary for as long as the controller runs, and read a few of them per run: they keep the
//! compressed JSON, and a read decodes it (17 µs for that Deployment, 3 µs of it LZ4).
//!
//! The reflector store keys a packed object by its name and namespace only ([`Lookup`]), so no
//! key holds a copy of its resource version or uid either.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

use kube::Resource;
use kube::runtime::reflector::{Lookup, ObjectRef};
use kube::runtime::watcher::Event;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cache::name::Name;

/// An object of kind `C` as its compressed JSON text, with the name and namespace its store key
/// needs (one shared string, as the controller's maps keep them).
pub(crate) struct Packed<C> {
    name: Name,
    /// LZ4 block, its decompressed size first.
    json: Box<[u8]>,
    kind: PhantomData<fn() -> C>,
}

impl<C> Clone for Packed<C> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            json: self.json.clone(),
            kind: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for Packed<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packed")
            .field("name", &self.name)
            .field("bytes", &self.json.len())
            .finish()
    }
}

impl<C: Resource<DynamicType = ()> + Serialize + DeserializeOwned> Packed<C> {
    /// `obj` as its compressed JSON text.
    pub(crate) fn pack(obj: &C) -> Result<Self, serde_json::Error> {
        let json = serde_json::to_vec(obj)?;
        let json = lz4_flex::compress_prepend_size(&json).into_boxed_slice();
        Ok(Self::holding(obj, json))
    }

    /// `json` under `obj`'s name and namespace.
    fn holding(obj: &C, json: Box<[u8]>) -> Self {
        Self {
            name: Name::of_obj(obj),
            json,
            kind: PhantomData,
        }
    }

    /// The object again. A decoding that fails (a type whose `Deserialize` does not read what its
    /// `Serialize` wrote) is logged and reads as no object.
    pub(crate) fn unpack(&self) -> Option<Arc<C>> {
        let decoded = lz4_flex::decompress_size_prepended(&self.json)
            .map_err(|error| error.to_string())
            .and_then(|json| serde_json::from_slice(&json).map_err(|error| error.to_string()));
        match decoded {
            Ok(obj) => Some(Arc::new(obj)),
            Err(error) => {
                tracing::error!(kind = %C::kind(&()), name = %self.name, %error, "a cached object does not decode into its type; it reads as absent");
                None
            }
        }
    }

    /// The watch event `event` with its object packed; `None` when the object does not encode
    /// (logged), which leaves the store as it was.
    pub(crate) fn event(event: &Event<C>) -> Option<Event<Self>> {
        let pack = |obj: &C| match Self::pack(obj) {
            Ok(packed) => Some(packed),
            Err(error) => {
                tracing::error!(kind = %C::kind(&()), name = ?obj.meta().name, %error, "an object does not encode as JSON; the cache keeps what it had");
                None
            }
        };
        Some(match event {
            Event::Init => Event::Init,
            Event::InitDone => Event::InitDone,
            Event::Apply(obj) => Event::Apply(pack(obj)?),
            Event::InitApply(obj) => Event::InitApply(pack(obj)?),
            // The store only drops the object its key names: nothing to encode.
            Event::Delete(obj) => Event::Delete(Self::holding(obj, Box::default())),
        })
    }
}

/// The store key of the object `at` names.
pub(crate) fn key<C: Resource<DynamicType = ()>>(at: &ObjectRef<C>) -> ObjectRef<Packed<C>> {
    let mut key = ObjectRef::<Packed<C>>::new(&at.name);
    key.namespace.clone_from(&at.namespace);
    key
}

impl<C: Resource<DynamicType = ()>> Lookup for Packed<C> {
    type DynamicType = ();

    fn kind(dyntype: &()) -> Cow<'_, str> {
        C::kind(dyntype)
    }

    fn group(dyntype: &()) -> Cow<'_, str> {
        C::group(dyntype)
    }

    fn version(dyntype: &()) -> Cow<'_, str> {
        C::version(dyntype)
    }

    fn plural(dyntype: &()) -> Cow<'_, str> {
        C::plural(dyntype)
    }

    fn name(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self.name.parts().1))
    }

    fn namespace(&self) -> Option<Cow<'_, str>> {
        self.name.parts().0.map(Cow::Borrowed)
    }

    /// None: the store finds an object by name and namespace, and its key keeps no copy.
    fn resource_version(&self) -> Option<Cow<'_, str>> {
        None
    }

    /// None, as [`resource_version`](Self::resource_version).
    fn uid(&self) -> Option<Cow<'_, str>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::apps::v1::Deployment;

    use super::*;

    #[test]
    fn a_packed_deployment_reads_back_as_it_was() {
        let served = include_str!("../children/matcher/fixtures/deployment.json");
        let deployment: Deployment = serde_json::from_str(served).unwrap();
        let packed = Packed::pack(&deployment).unwrap();
        assert_eq!(*packed.unpack().unwrap(), deployment);
        assert_eq!(packed.name(), Some(Cow::Borrowed("db")));
        assert_eq!(
            packed.namespace().as_deref(),
            deployment.metadata.namespace.as_deref()
        );
        assert!(
            packed.json.len() < served.len() / 2,
            "{} bytes kept of {} served",
            packed.json.len(),
            served.len()
        );
    }

    #[test]
    fn a_key_names_the_object_and_carries_no_version() {
        let mut at = ObjectRef::<Deployment>::new("db").within("ns");
        at.extra.resource_version = Some("7".into());
        let key = key(&at);
        assert_eq!(
            (key.name.as_str(), key.namespace.as_deref()),
            ("db", Some("ns"))
        );
        assert_eq!(key.extra.resource_version, None);
    }
}
