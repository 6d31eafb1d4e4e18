//! The operator's own writes, so their watch events do not wake the primary again.
//!
//! The idea of the Kubernetes ReplicaSet controller's "expectations": after a write, remember the
//! resourceVersion the API server returned; the watch event carrying it is our own echo.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::Resource;

/// One version of one object: its kind-qualified key and resourceVersion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    key: String,
    resource_version: String,
}

impl Version {
    /// The version of `obj`, if it has a name and a resourceVersion.
    pub(crate) fn of<K: Resource<DynamicType = ()>>(obj: &K) -> Option<Self> {
        Some(Self {
            key: key(obj)?,
            resource_version: obj.meta().resource_version.clone()?,
        })
    }
}

/// Pending echoes, keyed by kind and object, holding the resourceVersion we wrote.
#[derive(Default)]
pub(crate) struct Expectations {
    pending: Mutex<HashMap<String, String>>,
}

fn key<K: Resource<DynamicType = ()>>(obj: &K) -> Option<String> {
    let meta = obj.meta();
    Some(format!(
        "{}/{}/{}/{}",
        K::group(&()),
        K::kind(&()),
        meta.namespace.as_deref().unwrap_or(""),
        meta.name.as_deref()?
    ))
}

impl Expectations {
    /// Remembers the resourceVersion of an object we wrote.
    pub(crate) fn expect<K: Resource<DynamicType = ()>>(&self, written: &K) {
        if let Some(version) = Version::of(written) {
            self.pending
                .lock()
                .expect("expectations lock poisoned")
                .insert(version.key, version.resource_version);
        }
    }

    /// Whether `seen` is the echo of our own write, consuming the expectation when it is.
    ///
    /// Events of other versions (an older event still in flight, or a later write by someone
    /// else) leave it in place; there is at most one per object, replaced by the next write.
    pub(crate) fn is_own_echo<K: Resource<DynamicType = ()>>(&self, seen: &K) -> bool {
        Version::of(seen).is_some_and(|version| self.is_echo(&version))
    }

    /// [`is_own_echo`](Self::is_own_echo) for a version recorded earlier: a change seen before
    /// our write's response arrived is recognised when the primary's next run drains it.
    pub(crate) fn is_echo(&self, version: &Version) -> bool {
        let mut pending = self.pending.lock().expect("expectations lock poisoned");
        if pending.get(&version.key) == Some(&version.resource_version) {
            pending.remove(&version.key);
            true
        } else {
            false
        }
    }

    /// Drops the expectation of a deleted object.
    pub(crate) fn forget<K: Resource<DynamicType = ()>>(&self, obj: &K) {
        if let Some(key) = key(obj) {
            self.pending
                .lock()
                .expect("expectations lock poisoned")
                .remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Service;

    fn service(rv: &str) -> Service {
        let mut s = Service::default();
        s.metadata.name = Some("db".into());
        s.metadata.namespace = Some("ns".into());
        s.metadata.resource_version = Some(rv.into());
        s
    }

    #[test]
    fn own_write_is_recognised_once() {
        let expectations = Expectations::default();
        expectations.expect(&service("7"));
        assert!(expectations.is_own_echo(&service("7")));
        assert!(!expectations.is_own_echo(&service("7")));
    }

    #[test]
    fn an_event_seen_before_the_write_returned_is_recognised_later() {
        let expectations = Expectations::default();
        let seen = Version::of(&service("7")).unwrap();
        assert!(!expectations.is_echo(&seen), "nothing expected yet");
        expectations.expect(&service("7"));
        assert!(expectations.is_echo(&seen));
    }

    #[test]
    fn someone_elses_later_write_is_not_an_echo() {
        let expectations = Expectations::default();
        expectations.expect(&service("7"));
        assert!(
            !expectations.is_own_echo(&service("6")),
            "an older event in flight"
        );
        assert!(expectations.is_own_echo(&service("7")));
        assert!(!expectations.is_own_echo(&service("9")));
    }
}
