//! Which children each primary has, per kind: the owner index beside each reflector store.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::RwLock;

use kube::Resource;
use kube::runtime::reflector::ObjectRef;

use crate::aware::SecondaryAware;
use crate::kinds::resource::SecondaryResource;

/// An object's name and namespace: what the owner index keys by, without the resource version
/// and uid an [`ObjectRef`] made from an object carries.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Name {
    name: Box<str>,
    namespace: Option<Box<str>>,
}

impl Name {
    fn of<K: Resource<DynamicType = ()>>(at: &ObjectRef<K>) -> Self {
        Self {
            name: at.name.as_str().into(),
            namespace: at.namespace.as_deref().map(Into::into),
        }
    }

    fn to_ref<K: Resource<DynamicType = ()>>(&self) -> ObjectRef<K> {
        let mut at = ObjectRef::new(&self.name);
        at.namespace = self.namespace.as_deref().map(str::to_string);
        at
    }
}

/// Which children each primary has, for one kind; follows the reflector, relists included.
pub(crate) struct OwnerIndex<C: Resource, P: Resource> {
    state: RwLock<IndexState>,
    types: PhantomData<fn() -> (C, P)>,
}

/// The index by names. A primary's children of one kind are a list, not a set: most primaries
/// have one or a few of each kind, and a set's table costs several hundred bytes each.
#[derive(Default)]
struct IndexState {
    children: HashMap<Name, Vec<Name>>,
    owner: HashMap<Name, Name>,
    /// Owners seen since the last `Init`, swapped in atomically at `InitDone`.
    relist: Option<HashMap<Name, Name>>,
}

impl<C: SecondaryResource, P: SecondaryAware> Default for OwnerIndex<C, P> {
    fn default() -> Self {
        Self {
            state: RwLock::default(),
            types: PhantomData,
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
        let child = Name::of(&child);
        let owner = owner.as_ref().map(Name::of);
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
        previous.map(|previous| previous.to_ref())
    }

    /// Forgets `child`, returning the owner it had.
    pub(crate) fn remove(&self, child: &ObjectRef<C>) -> Option<ObjectRef<P>> {
        let previous = self
            .state
            .write()
            .expect("owner index lock poisoned")
            .remove(&Name::of(child));
        previous.map(|previous| previous.to_ref())
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
            .map(|(child, owner)| (child.to_ref(), owner.to_ref()))
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
        if let Some(children) = state.children.remove(&Name::of(owner)) {
            for child in children {
                state.owner.remove(&child);
            }
        }
    }

    /// The owner `child` maps to now.
    pub(crate) fn owner_of(&self, child: &ObjectRef<C>) -> Option<ObjectRef<P>> {
        let state = self.state.read().expect("owner index lock poisoned");
        state.owner.get(&Name::of(child)).map(Name::to_ref)
    }

    /// The children of `owner`.
    pub(crate) fn children_of(&self, owner: &ObjectRef<P>) -> Vec<ObjectRef<C>> {
        let state = self.state.read().expect("owner index lock poisoned");
        state
            .children
            .get(&Name::of(owner))
            .map(|children| children.iter().map(Name::to_ref).collect())
            .unwrap_or_default()
    }
}

impl IndexState {
    fn insert(&mut self, child: Name, owner: Name) {
        let children = self.children.entry(owner.clone()).or_default();
        if !children.contains(&child) {
            // Exactly one more for the first few: most primaries have one or a few of a kind.
            if children.len() < 4 {
                children.reserve_exact(1);
            }
            children.push(child.clone());
        }
        self.owner.insert(child, owner);
    }

    fn remove(&mut self, child: &Name) -> Option<Name> {
        let owner = self.owner.remove(child)?;
        if let Some(children) = self.children.get_mut(&owner) {
            children.retain(|other| other != child);
            if children.is_empty() {
                self.children.remove(&owner);
            }
        }
        Some(owner)
    }
}
