//! One kube-runtime `watcher` + `reflector` per kind over `DynamicObject` (metadata only for
//! the kinds [`crate::holding`] says), with the owner and label index fed from the same event
//! stream. Requests read these; nothing lists per request.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, TypeMeta};
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::freshness::{Freshness, Problem};
use crate::holding;
use crate::index::{Indexer, ObjectKey};
use crate::kinds::Kinds;
use crate::tree::Cached;

/// The cache of one kind.
#[derive(Debug)]
pub struct KindCache {
    store: Option<Store<DynamicObject>>,
    /// Owner uid and mapped-name index of the kind's objects.
    pub index: Indexer,
    /// Synced, failing, stale.
    pub freshness: Freshness,
    resource_version: Mutex<Option<String>>,
}

impl KindCache {
    fn new(store: Option<Store<DynamicObject>>, freshness: Freshness) -> Self {
        Self {
            store,
            index: Indexer::default(),
            freshness,
            resource_version: Mutex::new(None),
        }
    }

    /// Whether the first list has been received.
    pub fn synced(&self) -> bool {
        self.freshness.synced()
    }

    /// The newest resourceVersion among the events the watch has delivered: the cache holds
    /// this kind's state as of at least that version.
    pub fn resource_version(&self) -> Option<String> {
        self.resource_version
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether the kind is watched at all (discovery knew it).
    pub fn watched(&self) -> bool {
        self.store.is_some()
    }

    fn observe(&self, event: &watcher::Event<DynamicObject>) -> bool {
        let recovered = self
            .freshness
            .delivered(matches!(event, watcher::Event::InitDone));
        let newest = match event {
            watcher::Event::Apply(obj)
            | watcher::Event::Delete(obj)
            | watcher::Event::InitApply(obj) => obj.resource_version(),
            watcher::Event::Init | watcher::Event::InitDone => None,
        };
        if let Some(newest) = newest {
            let mut current = self
                .resource_version
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if is_newer(&newest, current.as_deref()) {
                *current = Some(newest);
            }
        }
        recovered
    }
}

/// A watch error in words for the response: the API's own message when it answered one.
fn describe(error: &watcher::Error) -> String {
    use watcher::Error::{InitialListFailed, WatchFailed, WatchStartFailed};
    match error {
        InitialListFailed(kube::Error::Api(status))
        | WatchStartFailed(kube::Error::Api(status))
        | WatchFailed(kube::Error::Api(status)) => {
            format!("cannot watch this kind: {} {}", status.code, status.message)
        }
        error => error.to_string(),
    }
}

/// `newest` is a later resourceVersion than `current`. Versions are opaque, but etcd's are
/// numbers; one that is not a number is taken as newer.
fn is_newer(newest: &str, current: Option<&str>) -> bool {
    match (newest.parse::<u64>(), current.map(str::parse::<u64>)) {
        (Ok(newest), Some(Ok(current))) => newest > current,
        _ => true,
    }
}

/// The caches of every kind, by kind id.
#[derive(Debug)]
pub struct Caches {
    kinds: Arc<Kinds>,
    caches: Vec<KindCache>,
    stale_after: Duration,
}

impl Caches {
    /// Starts one watch per resolved kind; returns at once with the caches and their tasks. A
    /// kind whose watch fails for `stale_after` is stale.
    pub fn start(
        client: &Client,
        kinds: Arc<Kinds>,
        stale_after: Duration,
    ) -> (Arc<Caches>, Vec<JoinHandle<()>>) {
        let mut writers = Vec::new();
        let caches = kinds
            .iter()
            .map(|(id, kind)| match &kind.unresolved {
                Some(why) => KindCache::new(None, Freshness::unwatched(why.clone())),
                None => {
                    let writer = reflector::store::Writer::new(kind.resource.clone());
                    let store = writer.as_reader();
                    writers.push((id, writer));
                    KindCache::new(Some(store), Freshness::default())
                }
            })
            .collect();
        let caches = Arc::new(Caches {
            kinds: Arc::clone(&kinds),
            caches,
            stale_after,
        });
        let tasks = writers
            .into_iter()
            .map(|(id, writer)| {
                let caches = Arc::clone(&caches);
                tokio::spawn(watch(client.clone(), caches, id, writer))
            })
            .collect();
        (caches, tasks)
    }

    /// The cache of kind `id`.
    pub fn kind(&self, id: usize) -> &KindCache {
        &self.caches[id]
    }

    /// The kinds cached.
    pub fn kinds(&self) -> &Kinds {
        &self.kinds
    }

    /// What keeps kind `id`'s answer from being current now, if anything.
    pub fn problem(&self, id: usize) -> Option<Problem> {
        self.kind(id)
            .freshness
            .problem(self.stale_after, Instant::now())
    }

    /// The first watched kind whose cache is not synced or is stale, with why; `None` when
    /// every one is current.
    pub fn not_current(&self) -> Option<(usize, Problem)> {
        let watched = self.kinds.iter().filter(|(id, _)| self.kind(*id).watched());
        watched
            .filter_map(|(id, _)| Some((id, self.problem(id)?)))
            .next()
    }

    /// The cached object of kind `id` named `name` in `namespace`.
    pub fn get(
        &self,
        id: usize,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Arc<DynamicObject>> {
        let store = self.caches[id].store.as_ref()?;
        let mut key = ObjectRef::new_with(name, self.kinds.get(id).resource.clone());
        if let Some(namespace) = namespace {
            key = key.within(namespace);
        }
        store.get(&key)
    }

    /// The cached object at `key`.
    pub fn object(&self, key: &ObjectKey) -> Option<Arc<DynamicObject>> {
        self.get(key.kind, key.namespace.as_deref(), &key.name)
    }
}

impl Cached for Caches {
    fn owned_by(&self, uid: &str) -> Vec<ObjectKey> {
        let children = self.kinds.iter().filter(|(_, kind)| kind.child);
        let owned = children.map(|(id, _)| {
            self.kind(id)
                .index
                .read()
                .owned_by(uid)
                .cloned()
                .collect::<Vec<_>>()
        });
        owned.flatten().collect()
    }

    fn mapped_to(&self, primary: usize, name: &str, namespace: Option<&str>) -> Vec<ObjectKey> {
        let mappings = self.kinds.mappings_to(primary);
        let mapped = mappings.map(|mapping| {
            self.kind(mapping.child)
                .index
                .read()
                .mapped_to(&mapping.key, name, namespace)
                .cloned()
                .collect::<Vec<_>>()
        });
        mapped.flatten().collect()
    }

    fn object(&self, key: &ObjectKey) -> Option<Arc<DynamicObject>> {
        Caches::object(self, key)
    }
}

async fn watch(
    client: Client,
    caches: Arc<Caches>,
    id: usize,
    writer: reflector::store::Writer<DynamicObject>,
) {
    let resource = caches.kinds.get(id).resource.clone();
    let map_keys = caches.kinds.get(id).map_keys.clone();
    let types = TypeMeta {
        api_version: resource.api_version.clone(),
        kind: resource.kind.clone(),
    };
    let cache = caches.kind(id);
    let config = watcher::Config::default();
    let events = if caches.kinds.get(id).metadata_only {
        let api = Api::<PartialObjectMeta<DynamicObject>>::all_with(client, &resource);
        watcher(api, config).map_ok(holding::as_object).boxed()
    } else {
        let api = Api::<DynamicObject>::all_with(client, &resource);
        watcher(api, config).boxed()
    };
    let events = events
        .default_backoff()
        .modify(move |obj| {
            obj.metadata.managed_fields = None;
            obj.types = Some(types.clone());
        })
        .reflect(writer);
    let mut events = std::pin::pin!(events);
    let kind = &resource.kind;
    loop {
        let next = match cache.freshness.recovers_at() {
            Some(at) => match tokio::time::timeout_at(at, events.next()).await {
                Ok(next) => next,
                Err(_) => {
                    if cache.freshness.quiet() {
                        tracing::info!(%kind, group = %resource.group, "watch works again: its retry has not failed");
                    }
                    continue;
                }
            },
            None => events.next().await,
        };
        match next {
            None => break,
            Some(Ok(event)) => {
                cache.index.event(id, &map_keys, &event);
                if cache.observe(&event) {
                    tracing::info!(%kind, group = %resource.group, "watch works again");
                }
            }
            Some(Err(error)) => {
                if let Some(error) = cache.freshness.failed(describe(&error), Instant::now()) {
                    tracing::warn!(%kind, group = %resource.group, %error, "watch failed; retrying");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_versions_only_move_forward() {
        assert!(is_newer("12", None));
        assert!(is_newer("12", Some("9")));
        assert!(!is_newer("9", Some("12")));
        assert!(is_newer("opaque", Some("12")));
    }
}
