//! The typed secondaries cache: reflector stores plus an owner index beside each.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use kube::Resource;
use kube::runtime::reflector::{ObjectRef, Store};

use crate::aware::SecondaryResource;
use crate::aware::{SecondaryAware, SecondaryKind};
use crate::expectations::{Version, kind_of};
use crate::watch::{Mapping, controller_owner};

/// Which children each primary has, for one kind; follows the reflector, relists included.
pub(crate) struct OwnerIndex<C: Resource, P: Resource> {
    state: RwLock<IndexState<C, P>>,
}

struct IndexState<C: Resource, P: Resource> {
    children: HashMap<ObjectRef<P>, HashSet<ObjectRef<C>>>,
    owner: HashMap<ObjectRef<C>, ObjectRef<P>>,
    /// Owners seen since the last `Init`, swapped in atomically at `InitDone`.
    relist: Option<HashMap<ObjectRef<C>, ObjectRef<P>>>,
}

impl<C: SecondaryResource, P: SecondaryAware> Default for OwnerIndex<C, P> {
    fn default() -> Self {
        Self {
            state: RwLock::new(IndexState {
                children: HashMap::new(),
                owner: HashMap::new(),
                relist: None,
            }),
        }
    }
}

impl<C: SecondaryResource, P: SecondaryAware> OwnerIndex<C, P> {
    /// Records `child`'s owner (or none) and returns its previous owner.
    pub(crate) fn set(
        &self,
        child: ObjectRef<C>,
        owner: Option<ObjectRef<P>>,
    ) -> Option<ObjectRef<P>> {
        let mut state = self.state.write().expect("owner index lock poisoned");
        let previous = state.remove(&child);
        if let Some(relist) = state.relist.as_mut()
            && let Some(owner) = &owner
        {
            relist.insert(child.clone(), owner.clone());
        }
        if let Some(owner) = owner {
            state.insert(child, owner);
        }
        previous
    }

    /// Forgets `child`, returning the owner it had.
    pub(crate) fn remove(&self, child: &ObjectRef<C>) -> Option<ObjectRef<P>> {
        self.state
            .write()
            .expect("owner index lock poisoned")
            .remove(child)
    }

    /// Starts a relist: children not seen again before [`finish_relist`](Self::finish_relist) are gone.
    pub(crate) fn begin_relist(&self) {
        self.state
            .write()
            .expect("owner index lock poisoned")
            .relist = Some(HashMap::new());
    }

    /// Ends a relist and returns the children that disappeared, with the owner each had.
    pub(crate) fn finish_relist(&self) -> Vec<(ObjectRef<C>, ObjectRef<P>)> {
        let mut state = self.state.write().expect("owner index lock poisoned");
        let Some(seen) = state.relist.take() else {
            return Vec::new();
        };
        let gone: Vec<_> = state
            .owner
            .iter()
            .filter(|(child, _)| !seen.contains_key(*child))
            .map(|(child, owner)| (child.clone(), owner.clone()))
            .collect();
        state.children.clear();
        state.owner.clear();
        for (child, owner) in seen {
            state.insert(child, owner);
        }
        gone
    }

    /// Drops every entry of a deleted primary.
    pub(crate) fn forget_owner(&self, owner: &ObjectRef<P>) {
        let mut state = self.state.write().expect("owner index lock poisoned");
        if let Some(children) = state.children.remove(owner) {
            for child in children {
                state.owner.remove(&child);
            }
        }
    }

    /// The children of `owner`.
    pub(crate) fn children_of(&self, owner: &ObjectRef<P>) -> Vec<ObjectRef<C>> {
        let state = self.state.read().expect("owner index lock poisoned");
        state
            .children
            .get(owner)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl<C: Resource, P: Resource> IndexState<C, P>
where
    C::DynamicType: std::hash::Hash + Eq + Clone,
    P::DynamicType: std::hash::Hash + Eq + Clone,
{
    fn insert(&mut self, child: ObjectRef<C>, owner: ObjectRef<P>) {
        self.children
            .entry(owner.clone())
            .or_default()
            .insert(child.clone());
        self.owner.insert(child, owner);
    }

    fn remove(&mut self, child: &ObjectRef<C>) -> Option<ObjectRef<P>> {
        let owner = self.owner.remove(child)?;
        if let Some(children) = self.children.get_mut(&owner) {
            children.remove(child);
            if children.is_empty() {
                self.children.remove(&owner);
            }
        }
        Some(owner)
    }
}

/// The reflector store and owner index of one declared kind.
pub(crate) struct KindCache<C: SecondaryResource, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) store: Store<C>,
    pub(crate) index: Arc<OwnerIndex<C, P>>,
    pub(crate) mapping: Mapping,
}

impl<C: SecondaryResource, P: SecondaryAware> KindCache<C, P> {
    /// The cached children of `primary`, sorted by name; O(children of this primary).
    fn children(&self, primary: &P) -> Vec<Arc<C>> {
        let owner = ObjectRef::from_obj(primary);
        let uid = primary.meta().uid.as_deref();
        let mut children: Vec<Arc<C>> = self
            .index
            .children_of(&owner)
            .iter()
            .filter_map(|child| self.store.get(child))
            // A same-named primary recreated since: only the current one's children are its own.
            .filter(|child| match self.mapping {
                Mapping::Owner => {
                    controller_owner::<P, C>(child.as_ref()).map(|o| o.uid.as_str()) == uid
                }
                Mapping::Label(_) | Mapping::Annotation(_) => true,
            })
            .collect();
        children.sort_by(|a, b| a.meta().name.cmp(&b.meta().name));
        children
    }
}

/// What the ledger and the expectations ask of any cache, whatever its object type.
trait Lookup: Send + Sync {
    /// The declared kind's name; none for the primary's own cache.
    fn declared(&self) -> Option<&'static str>;
    /// The group and kind of the cached objects.
    fn resource(&self) -> (String, String);
    /// The resourceVersion of the cached object of that name, if any.
    fn resource_version(&self, namespace: Option<&str>, name: &str) -> Option<String>;
}

fn cached_version<K: Resource<DynamicType = ()> + Clone>(
    store: &Store<K>,
    namespace: Option<&str>,
    name: &str,
) -> Option<String> {
    let mut key = ObjectRef::<K>::new(name);
    key.namespace = namespace.map(str::to_string);
    store.get(&key)?.meta().resource_version.clone()
}

impl<C: SecondaryResource, P: SecondaryAware> Lookup for KindCache<C, P> {
    fn declared(&self) -> Option<&'static str> {
        Some(self.kind.name())
    }

    fn resource(&self) -> (String, String) {
        kind_of::<C>()
    }

    fn resource_version(&self, namespace: Option<&str>, name: &str) -> Option<String> {
        cached_version(&self.store, namespace, name)
    }
}

/// The primaries' own store.
struct PrimaryCache<P: SecondaryAware>(Store<P>);

impl<P: SecondaryAware> Lookup for PrimaryCache<P> {
    fn declared(&self) -> Option<&'static str> {
        None
    }

    fn resource(&self) -> (String, String) {
        kind_of::<P>()
    }

    fn resource_version(&self, namespace: Option<&str>, name: &str) -> Option<String> {
        cached_version(&self.0, namespace, name)
    }
}

/// The caches of every declared kind of one primary type, in declaration order, and the
/// primaries' own store.
#[derive(Clone, Default)]
pub struct Caches {
    kinds: Vec<Arc<dyn Any + Send + Sync>>,
    lookups: Vec<Arc<dyn Lookup>>,
}

impl Caches {
    pub(crate) fn push<C: SecondaryResource, P: SecondaryAware>(&mut self, cache: KindCache<C, P>) {
        let cache = Arc::new(cache);
        self.kinds.push(cache.clone());
        self.lookups.push(cache);
    }

    pub(crate) fn push_primary<P: SecondaryAware>(&mut self, store: Store<P>) {
        self.lookups.push(Arc::new(PrimaryCache(store)));
    }

    /// Whether a cache holds exactly this version: the watch has delivered it.
    pub(crate) fn holds(&self, version: &Version) -> bool {
        let key = &version.key;
        self.lookups
            .iter()
            .filter(|cache| cache.resource() == (key.group.clone(), key.kind.clone()))
            .any(|cache| {
                cache
                    .resource_version(key.namespace.as_deref(), &key.name)
                    .as_ref()
                    == Some(&version.resource_version)
            })
    }

    /// Whether the cache of the declared kind `kind` holds an object of that name.
    pub(crate) fn contains<Kd: SecondaryKind>(
        &self,
        kind: Kd,
        namespace: Option<&str>,
        name: &str,
    ) -> bool {
        self.lookups
            .iter()
            .filter(|cache| cache.declared() == Some(kind.name()))
            .any(|cache| cache.resource_version(namespace, name).is_some())
    }

    /// The cached children of `primary` of the declared kind whose cached type is `C`; a kind is
    /// declared once, so its type names its cache and no position has to match a declaration.
    ///
    /// # Panics
    /// When `P` declares no kind cached as `C`, which generated code never asks for.
    pub fn of<P: SecondaryAware, C: SecondaryResource>(&self, primary: &P) -> Vec<Arc<C>> {
        self.kinds
            .iter()
            .find_map(|cache| cache.downcast_ref::<KindCache<C, P>>())
            .expect("the secondary kind is declared")
            .children(primary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Kind, Primary, child, primary};
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::runtime::reflector;
    use kube::runtime::watcher::Event;

    #[test]
    fn a_cache_tells_which_versions_the_watch_delivered_and_which_children_are_live() {
        let db = primary("db", "u1");
        let (store, mut writer) = reflector::store::<ConfigMap>();
        writer.apply_watcher_event(&Event::Apply(child("cfg", &db, "7")));
        let mut caches = Caches::default();
        caches.push(KindCache::<ConfigMap, Primary> {
            kind: Kind::ConfigMap,
            store,
            index: Arc::default(),
            mapping: Mapping::Owner,
        });
        let version = |rv: &str| Version::of(&child("cfg", &db, rv)).unwrap();
        assert!(caches.holds(&version("7")), "delivered");
        assert!(!caches.holds(&version("8")), "not delivered yet");
        assert!(caches.contains(Kind::ConfigMap, Some("ns"), "cfg"));
        assert!(!caches.contains(Kind::ConfigMap, Some("ns"), "other"));
        let mut same_name = primary("cfg", "u2");
        same_name.metadata.resource_version = Some("7".into());
        assert!(
            !caches.holds(&Version::of(&same_name).unwrap()),
            "the same name and version of another kind"
        );
    }
}
