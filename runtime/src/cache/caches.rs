//! The typed secondaries cache: reflector stores plus an owner index beside each.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use kube::runtime::reflector::{ObjectRef, Store};

use crate::aware::Children;
use crate::aware::{SecondaryAware, SecondaryKind};
use crate::cache::expectations::{Expectations, Version, older};
use crate::cache::index::OwnerIndex;
use crate::cache::packed::{Packed, key};
use crate::kinds::declaration::DriftFn;
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::{Mapping, controller_owner};

/// The reflector store and owner index of one declared kind.
pub(crate) struct KindCache<C: SecondaryResource, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    /// The children as their JSON text: [`get`](Self::get) decodes one.
    pub(crate) store: Store<Packed<C>>,
    pub(crate) index: Arc<OwnerIndex<C, P>>,
    pub(crate) mapping: Mapping,
    /// The user's drift rule for [`Context::apply`](crate::Context::apply), if declared.
    pub(crate) drift: Option<DriftFn<C>>,
    /// The declared label selector that narrows the watch: a child outside it is never seen.
    pub(crate) selector: Option<&'static str>,
    /// The one namespace the controller watches, if it watches one.
    pub(crate) namespace: Option<String>,
    /// The controller's own writes, which the children shown include before the watch does.
    pub(crate) expectations: Arc<Expectations>,
}

impl<C: SecondaryResource, P: SecondaryAware> KindCache<C, P> {
    /// The cached object `at` names, decoded.
    pub(crate) fn get(&self, at: &ObjectRef<C>) -> Option<Arc<C>> {
        self.store.get(&key(at))?.unpack()
    }

    /// Whether an object of that name is cached.
    pub(crate) fn contains(&self, at: &ObjectRef<C>) -> bool {
        self.store.get(&key(at)).is_some()
    }

    /// The children of `primary`, sorted by name: the cached ones, with the controller's own
    /// writes the cache does not show yet (a child it created or changed, as the write returned
    /// it; a child it deleted, gone), as java-operator-sdk's temporary resource cache does.
    /// O(children of this primary + pending own writes of this kind).
    pub(crate) fn children(&self, primary: &P) -> Vec<Arc<C>> {
        let owner = ObjectRef::from_obj(primary);
        let (written, deleting) = self.expectations.own_writes_of::<C>();
        let mut children: HashMap<ObjectRef<C>, Arc<C>> = self
            .index
            .children_of(&owner)
            .iter()
            .filter_map(|child| self.get(child))
            .filter(|child| self.is_child(primary, child))
            .map(|child| (ObjectRef::from_obj(child.as_ref()), child))
            .collect();
        children.retain(|_, child| !deleting.contains(&child.meta().uid));
        for ours in written {
            if self.mapping.owner_of::<P, C>(ours.as_ref()).as_ref() != Some(&owner)
                || !self.is_child(primary, &ours)
            {
                continue;
            }
            let at = ObjectRef::from_obj(ours.as_ref());
            // The cached child is most often decoded above already: decoded once, not twice.
            let stored = children.get(&at).cloned().or_else(|| self.get(&at));
            let stored = stored
                .as_ref()
                .and_then(|s| s.meta().resource_version.as_deref());
            let newer = match (stored, ours.meta().resource_version.as_deref()) {
                (None, _) => true,
                (Some(stored), Some(ours)) => older(stored, ours),
                (Some(_), None) => false,
            };
            if newer {
                children.insert(at, ours);
            }
        }
        let mut children: Vec<Arc<C>> = children.into_values().collect();
        children.sort_by(|a, b| a.meta().name.cmp(&b.meta().name));
        children
    }

    /// Whether `child`, mapped to `primary`, is the current primary's: for owner mappings, its
    /// controller is this primary's uid (a same-named primary recreated since is another).
    fn is_child(&self, primary: &P, child: &C) -> bool {
        match self.mapping {
            Mapping::Owner => {
                controller_owner::<P, C>(child).map(|o| o.uid.as_str())
                    == primary.meta().uid.as_deref()
            }
            Mapping::Label(_) | Mapping::Annotation(_) => true,
        }
    }
}

/// What the ledger and the context ask of a kind's cache, whatever its object type.
trait Lookup: Send + Sync {
    /// The declared kind's name.
    fn declared(&self) -> &'static str;
    /// Whether an object of that name is cached and maps to `primary` (a `P`).
    fn has_child(&self, primary: &dyn Any, namespace: Option<&str>, name: &str) -> bool;
    /// The versions of the cached children of `primary` (a `P`).
    fn versions_of(&self, primary: &dyn Any) -> Vec<Version>;
}

impl<C: SecondaryResource, P: SecondaryAware> Lookup for KindCache<C, P> {
    fn declared(&self) -> &'static str {
        self.kind.name()
    }

    fn has_child(&self, primary: &dyn Any, namespace: Option<&str>, name: &str) -> bool {
        let Some(primary) = primary.downcast_ref::<P>() else {
            return false;
        };
        let mut key = ObjectRef::<C>::new(name);
        key.namespace = namespace.map(str::to_string);
        self.contains(&key) && self.index.owner_of(&key) == Some(ObjectRef::from_obj(primary))
    }

    fn versions_of(&self, primary: &dyn Any) -> Vec<Version> {
        let Some(primary) = primary.downcast_ref::<P>() else {
            return Vec::new();
        };
        let children = self.children(primary);
        children
            .iter()
            .filter_map(|c| Version::of(c.as_ref()))
            .collect()
    }
}

/// The caches of every declared kind of one primary type, in declaration order.
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

    /// The versions of every cached child of `primary`: what a run's handlers are given.
    pub(crate) fn versions_of<P: SecondaryAware>(&self, primary: &P) -> Vec<Version> {
        let primary = primary as &dyn Any;
        let children = self
            .lookups
            .iter()
            .flat_map(|cache| cache.versions_of(primary));
        children.collect()
    }

    /// Whether the cache of the declared kind `kind` holds an object of that name that maps to
    /// `primary` now.
    pub(crate) fn has_child<P: SecondaryAware, Kd: SecondaryKind>(
        &self,
        kind: Kd,
        primary: &P,
        namespace: Option<&str>,
        name: &str,
    ) -> bool {
        let primary = primary as &dyn Any;
        self.lookups
            .iter()
            .filter(|cache| cache.declared() == kind.name())
            .any(|cache| cache.has_child(primary, namespace, name))
    }

    /// The cache of the declared kind whose cached type is `C`.
    pub(crate) fn kind<P: SecondaryAware, C: SecondaryResource>(&self) -> Option<&KindCache<C, P>> {
        self.kinds
            .iter()
            .find_map(|cache| cache.downcast_ref::<KindCache<C, P>>())
    }
}

#[cfg(test)]
#[path = "caches_tests.rs"]
mod tests;

impl Children for Caches {
    /// The cached children of `primary` of the declared kind whose cached type is `C`; a kind is
    /// declared once, so its type names its cache and no position has to match a declaration.
    ///
    /// # Panics
    /// When `P` declares no kind cached as `C`, which generated code never asks for.
    fn of<P: SecondaryAware, C: SecondaryResource>(&self, primary: &P) -> Vec<Arc<C>> {
        self.kind::<P, C>()
            .expect("the secondary kind is declared")
            .children(primary)
    }
}
