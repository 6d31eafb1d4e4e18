//! The operator's own writes, so their watch events do not wake the primary again.
//!
//! The idea of the Kubernetes ReplicaSet controller's "expectations": after a write, remember the
//! resourceVersion the API server returned; the watch event carrying it is our own echo. A write
//! that returned the very version the run's handler was given (a server-side apply that changed
//! nothing returns the current object) created nothing, so it expects nothing: that version's
//! change was someone else's and must still wake the primary.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use kube::Resource;
use kube::runtime::reflector::ObjectRef;

/// One object of one kind: what an expectation is keyed by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ObjectKey {
    pub(crate) group: String,
    pub(crate) kind: String,
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
}

impl ObjectKey {
    /// The key of `obj`, if it has a name.
    pub(crate) fn of<K: Resource<DynamicType = ()>>(obj: &K) -> Option<Self> {
        let meta = obj.meta();
        Some(Self {
            group: K::group(&()).into_owned(),
            kind: K::kind(&()).into_owned(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone()?,
        })
    }

    /// Whether the object is of `(group, kind)` ([`kind_of`]).
    pub(crate) fn is_of(&self, (group, kind): &(String, String)) -> bool {
        (&self.group, &self.kind) == (group, kind)
    }
}

/// One version of one object: its key and resourceVersion.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Version {
    pub(crate) key: ObjectKey,
    pub(crate) resource_version: String,
}

impl Version {
    /// The version of `obj`, if it has a name and a resourceVersion.
    pub(crate) fn of<K: Resource<DynamicType = ()>>(obj: &K) -> Option<Self> {
        Some(Self {
            key: ObjectKey::of(obj)?,
            resource_version: obj.meta().resource_version.clone()?,
        })
    }
}

/// The group and kind of `K`.
pub(crate) fn kind_of<K: Resource<DynamicType = ()>>() -> (String, String) {
    (K::group(&()).into_owned(), K::kind(&()).into_owned())
}

/// A type-erased object our write returned.
pub(crate) type Written = Arc<dyn Any + Send + Sync>;

/// What our writes of one object still expect: the versions they returned, oldest first (two
/// writes before the first echo expect two events), the deletion we asked for, and the object
/// the last write returned: until its echo arrives the cache holds an older version than the
/// server (read-after-write).
#[derive(Default)]
struct Pending {
    versions: Vec<String>,
    /// The uid of the object we are deleting (`Some(None)`: one without a uid).
    deletion: Option<Option<String>>,
    written: Option<(String, Written)>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.versions.is_empty() && self.deletion.is_none()
    }
}

/// Whether resourceVersion `a` is older than `b`: compared as numbers, as the API server makes
/// them; `false` when either is not a number.
pub(crate) fn older(a: &str, b: &str) -> bool {
    matches!((a.parse::<u64>(), b.parse::<u64>()), (Ok(a), Ok(b)) if a < b)
}

/// Pending echoes, keyed by object.
#[derive(Default)]
pub(crate) struct Expectations {
    /// The kinds whose events we see; a write of any other kind has no echo to wait for.
    watched: HashSet<(String, String)>,
    pending: Mutex<HashMap<ObjectKey, Pending>>,
    /// Primaries refused a child's name, waiting for it to be free.
    pub(crate) waiting: crate::cache::waiting::Waiting<ObjectKey>,
}

/// How many versions of one object may wait for their echo; older ones are dropped (they wake
/// the primary once, which is safe).
const VERSIONS_KEPT: usize = 8;

impl Expectations {
    /// Expectations for writes of the `watched` kinds (group, kind).
    pub(crate) fn new(watched: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            watched: watched.into_iter().collect(),
            pending: Mutex::default(),
            waiting: crate::cache::waiting::Waiting::default(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<ObjectKey, Pending>) -> R) -> R {
        f(&mut self.pending.lock().expect("expectations lock poisoned"))
    }

    /// Remembers the version of an object we wrote, unless the write changed nothing
    /// (`unchanged`: it returned the version the handler was given) or the kind is not watched;
    /// with `object` (what the write returned), [`written`](Self::written) serves it until its
    /// echo arrives.
    pub(crate) fn expect(&self, written: Version, unchanged: bool, object: Option<Written>) {
        if !self.is_watched(&written.key) || unchanged {
            return;
        }
        let version = written.resource_version;
        self.with(|all| {
            let pending = all.entry(written.key).or_default();
            pending.deletion = None;
            if !pending.versions.contains(&version) {
                pending.versions.push(version.clone());
            }
            if pending.versions.len() > VERSIONS_KEPT {
                pending.versions.remove(0);
            }
            if let Some(object) = object {
                pending.written = Some((version, object));
            }
        });
    }

    /// The object our last write of `key` returned, while the cache holds an older version of
    /// it (`cached`) or none: what a handler must compare with, or it would write again what it
    /// just wrote. When a resourceVersion is not a number the cache is taken.
    pub(crate) fn written<K: Send + Sync + 'static>(
        &self,
        key: &ObjectKey,
        cached: Option<&str>,
    ) -> Option<Arc<K>> {
        self.with(|all| {
            let (ours, written) = all.get(key)?.written.as_ref()?;
            let newer = cached.is_none_or(|cached| older(cached, ours));
            newer
                .then(|| written.clone().downcast::<K>().ok())
                .flatten()
        })
    }

    /// `cached`, or the object our last write of it returned when the cache does not show that
    /// write yet: the newest state this controller knows.
    pub(crate) fn newest<K>(&self, cached: Arc<K>) -> Arc<K>
    where
        K: Resource<DynamicType = ()> + Send + Sync + 'static,
    {
        let Some(key) = ObjectKey::of(cached.as_ref()) else {
            return cached;
        };
        let version = cached.meta().resource_version.as_deref();
        self.written::<K>(&key, version).unwrap_or(cached)
    }

    /// Every object of kind `K` our writes returned whose echo has not arrived, and the uids of
    /// the objects of that kind we are deleting: what a handler must see of its own writes that
    /// the cache does not show yet.
    pub(crate) fn own_writes_of<K>(&self) -> (Vec<Arc<K>>, Vec<Option<String>>)
    where
        K: Resource<DynamicType = ()> + Send + Sync + 'static,
    {
        let kind = kind_of::<K>();
        self.with(|all| {
            let mut written = Vec::new();
            let mut deleting = Vec::new();
            let of_kind = all.iter().filter(|(key, _)| key.is_of(&kind));
            for pending in of_kind.map(|(_, pending)| pending) {
                if let Some(uid) = &pending.deletion {
                    deleting.push(uid.clone());
                } else if let Some((_, object)) = &pending.written
                    && let Ok(object) = object.clone().downcast::<K>()
                {
                    written.push(object);
                }
            }
            (written, deleting)
        })
    }

    /// Remembers that we are about to delete `obj`, so its deletion event does not wake the
    /// primary. Recorded before the request, since the event may arrive before the response.
    pub(crate) fn expect_deletion<K: Resource<DynamicType = ()>>(&self, obj: &K) {
        if let Some(key) = ObjectKey::of(obj).filter(|key| self.is_watched(key)) {
            let uid = obj.meta().uid.clone();
            self.with(|pending| {
                let pending = pending.entry(key).or_default();
                pending.deletion = Some(uid);
                pending.written = None;
            });
        }
    }

    /// Drops the deletion expected of `obj` when the request did not delete it.
    pub(crate) fn cancel_deletion<K: Resource<DynamicType = ()>>(&self, obj: &K) {
        if let Some(key) = ObjectKey::of(obj) {
            self.with(|all| {
                if let Some(pending) = all.get_mut(&key) {
                    pending.deletion = None;
                    if pending.is_empty() {
                        all.remove(&key);
                    }
                }
            });
        }
    }

    /// Whether the deletion of `seen` is one we made, consuming the expectation when it is.
    pub(crate) fn is_own_deletion<K: Resource<DynamicType = ()>>(&self, seen: &K) -> bool {
        let Some(key) = ObjectKey::of(seen) else {
            return false;
        };
        let uid = seen.meta().uid.clone();
        self.with(|all| {
            let ours = all.get(&key).and_then(|p| p.deletion.as_ref()) == Some(&uid);
            if ours {
                all.remove(&key);
            }
            ours
        })
    }

    fn is_watched(&self, key: &ObjectKey) -> bool {
        self.watched.iter().any(|kind| key.is_of(kind))
    }

    /// Whether `seen` is the echo of our own write, consuming the expectation when it is.
    ///
    /// Events of other versions (an older event still in flight, or a later write by someone
    /// else) leave it in place.
    pub(crate) fn is_own_echo<K: Resource<DynamicType = ()>>(&self, seen: &K) -> bool {
        Version::of(seen).is_some_and(|version| self.is_echo(&version))
    }

    /// [`is_own_echo`](Self::is_own_echo) for a version recorded earlier: a change seen before
    /// our write's response arrived is recognised when the primary's next run drains it. The
    /// versions expected before it are dropped: the watch has passed them.
    pub(crate) fn is_echo(&self, version: &Version) -> bool {
        let seen = &version.resource_version;
        self.with(|all| {
            let Some(pending) = all.get_mut(&version.key) else {
                return false;
            };
            let Some(at) = pending.versions.iter().position(|ours| ours == seen) else {
                return false;
            };
            pending.versions.drain(..=at);
            if pending
                .written
                .as_ref()
                .is_some_and(|(ours, _)| ours == seen || older(ours, seen))
            {
                pending.written = None;
            }
            if pending.is_empty() {
                all.remove(&version.key);
            }
            true
        })
    }

    /// Drops the expectation of a deleted object.
    pub(crate) fn forget<K: Resource<DynamicType = ()>>(&self, object: &ObjectRef<K>) {
        let (group, kind) = kind_of::<K>();
        let key = ObjectKey {
            group,
            kind,
            namespace: object.namespace.clone(),
            name: object.name.clone(),
        };
        self.with(|pending| pending.remove(&key));
    }

    /// After a relist of `kind`: keeps its expectations only for objects that still exist.
    pub(crate) fn retain_listed(
        &self,
        kind: &(String, String),
        exists: impl Fn(&ObjectKey) -> bool,
    ) {
        self.with(|pending| pending.retain(|key, _| !key.is_of(kind) || exists(key)));
    }

    /// The number of pending expectations.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.with(|pending| pending.len())
    }
}

#[cfg(test)]
#[path = "expectations_tests.rs"]
mod tests;
