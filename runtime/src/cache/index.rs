//! Which children each primary has, per kind: the owner index beside each reflector store. It
//! also keeps, per owned child, the predicate value of the last event that showed it: one table
//! for both, since both follow the same children.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::RwLock;

use kube::Resource;
use kube::runtime::reflector::ObjectRef;

use crate::aware::SecondaryAware;
use crate::cache::name::Name;
use crate::cache::short;
use crate::kinds::resource::SecondaryResource;

/// Which children each primary has, for one kind; follows the reflector, relists included.
pub(crate) struct OwnerIndex<C: Resource, P: Resource> {
    state: RwLock<IndexState>,
    types: PhantomData<fn() -> (C, P)>,
}

/// A child's owner, and the predicate value of the last event that showed the child.
#[derive(Clone)]
struct Owned {
    owner: Name,
    seen: Option<u64>,
}

/// The index by names. A primary's children of one kind are a list, not a set: most primaries
/// have one or a few of each kind, and a set's table costs several hundred bytes each.
#[derive(Default)]
struct IndexState {
    children: HashMap<Name, Vec<Name>>,
    owner: HashMap<Name, Owned>,
    /// Owners seen since the last `Init`, swapped in atomically at `InitDone`.
    relist: Option<HashMap<Name, Owned>>,
}

/// What the index held for a child before an event: its owner and the predicate value then.
pub(crate) struct Previous<P: Resource> {
    pub(crate) owner: ObjectRef<P>,
    pub(crate) seen: Option<u64>,
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
    /// Records `child`'s owner (or none) and the predicate value `seen` of the event that showed
    /// it; returns what it held before. An unowned child is not kept.
    pub(crate) fn set(
        &self,
        child: ObjectRef<C>,
        owner: Option<ObjectRef<P>>,
        seen: Option<u64>,
    ) -> Option<Previous<P>> {
        let child = Name::of(&child);
        let owned = owner.as_ref().map(|owner| Owned {
            owner: Name::of(owner),
            seen,
        });
        let mut state = self.state.write().expect("owner index lock poisoned");
        let previous = state.remove(&child);
        if let Some(relist) = state.relist.as_mut()
            && let Some(owned) = &owned
        {
            relist.insert(child.clone(), owned.clone());
        }
        if let Some(owned) = owned {
            state.insert(child, owned);
        }
        previous.map(|previous| Previous {
            owner: previous.owner.to_ref(),
            seen: previous.seen,
        })
    }

    /// Forgets `child`, returning the owner it had.
    pub(crate) fn remove(&self, child: &ObjectRef<C>) -> Option<ObjectRef<P>> {
        let previous = self
            .state
            .write()
            .expect("owner index lock poisoned")
            .remove(&Name::of(child));
        previous.map(|previous| previous.owner.to_ref())
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
            .map(|(child, owned)| (child.to_ref(), owned.owner.to_ref()))
            .collect();
        state.children.clear();
        state.owner.clear();
        for (child, owned) in seen {
            state.insert(child, owned);
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
        state
            .owner
            .get(&Name::of(child))
            .map(|owned| owned.owner.to_ref())
    }

    /// The names of the children the index remembers, sorted.
    #[cfg(test)]
    pub(crate) fn remembered(&self) -> Vec<String> {
        let state = self.state.read().expect("owner index lock poisoned");
        let mut names: Vec<_> = state
            .owner
            .keys()
            .map(|child| child.parts().1.to_string())
            .collect();
        names.sort();
        names
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
    fn insert(&mut self, child: Name, mut owned: Owned) {
        // The owner's name is shared by its entry and each of its children's.
        if let Some((owner, _)) = self.children.get_key_value(&owned.owner) {
            owned.owner = owner.clone();
        }
        let children = self.children.entry(owned.owner.clone()).or_default();
        if !children.contains(&child) {
            short::push(children, child.clone());
        }
        self.owner.insert(child, owned);
    }

    fn remove(&mut self, child: &Name) -> Option<Owned> {
        let owned = self.owner.remove(child)?;
        if let Some(children) = self.children.get_mut(&owned.owner) {
            children.retain(|other| other != child);
            if children.is_empty() {
                self.children.remove(&owned.owner);
            }
        }
        Some(owned)
    }
}
