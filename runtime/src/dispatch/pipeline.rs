//! Turns watch events into "primary X is due because it, or its child Y, changed".
//!
//! Both pipelines hold back what a relist shows until its `InitDone`: kube-runtime's reflector
//! swaps the relisted objects into its store only then, and a run started earlier would read the
//! previous snapshot and consume the change.

use std::sync::Arc;

use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher::Event;

use crate::aware::SecondaryAware;
use crate::cache::expectations::{Expectations, ObjectKey, Version, kind_of};
use crate::cache::index::OwnerIndex;
use crate::cache::packed::Packed;
use crate::handler::changes::{Change, ChangeOp};
use crate::kinds::declaration::PredicateFn;
use crate::kinds::resource::Mapping;
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::describe;
use crate::ops::metrics::EventOutcome;

/// A primary due because one of its children changed.
#[derive(Debug)]
pub(crate) struct Due<P: SecondaryAware> {
    pub(crate) primary: ObjectRef<P>,
    pub(crate) change: Change<P::Kind>,
    /// The uid the child's controller ownerReference names (none for label mappings).
    pub(crate) owner_uid: Option<String>,
    /// The applied child's version, to recognise the echo of our own write at drain time.
    pub(crate) version: Option<Version>,
}

/// What one child event did.
pub(crate) struct Seen<P: SecondaryAware> {
    pub(crate) due: Vec<Due<P>>,
    /// How an event that made nobody due ended; events that did are counted when drained.
    pub(crate) outcome: Option<EventOutcome>,
}

impl<P: SecondaryAware> Seen<P> {
    fn due(due: Vec<Due<P>>) -> Self {
        Self { due, outcome: None }
    }

    fn nothing(outcome: Option<EventOutcome>) -> Self {
        Self {
            due: Vec::new(),
            outcome,
        }
    }
}

/// The per-kind state between the reflector and the ledger.
pub(crate) struct KindPipeline<C: SecondaryResource, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) mapping: Mapping,
    pub(crate) predicate: PredicateFn<C>,
    pub(crate) store: Store<Packed<C>>,
    pub(crate) index: Arc<OwnerIndex<C, P>>,
    pub(crate) expectations: Arc<Expectations>,
    /// What the running relist made due, released at its `InitDone`.
    pub(crate) relist: Option<Vec<Due<P>>>,
}

impl<C: SecondaryResource, P: SecondaryAware> KindPipeline<C, P> {
    pub(crate) fn new(
        kind: P::Kind,
        mapping: Mapping,
        predicate: PredicateFn<C>,
        store: Store<Packed<C>>,
        index: Arc<OwnerIndex<C, P>>,
        expectations: Arc<Expectations>,
    ) -> Self {
        Self {
            kind,
            mapping,
            predicate,
            store,
            index,
            expectations,
            relist: None,
        }
    }

    /// The change `op` of `obj`, as the ledger records it.
    fn change(&self, obj: &C, op: ChangeOp) -> Change<P::Kind> {
        let (namespace, name) = describe(obj);
        Change {
            kind: self.kind,
            namespace,
            name,
            op,
        }
    }

    fn due(&self, primary: ObjectRef<P>, obj: &C, op: ChangeOp) -> Due<P> {
        Due {
            primary,
            change: self.change(obj, op),
            owner_uid: self.mapping.owner_uid::<P, C>(obj),
            version: (op == ChangeOp::Applied)
                .then(|| Version::of(obj))
                .flatten(),
        }
    }

    /// The primaries `event` makes due, or why it made none due.
    pub(crate) fn on_event(&mut self, event: &Event<C>) -> Seen<P> {
        match event {
            Event::Init => {
                self.index.begin_relist();
                self.relist = Some(Vec::new());
                Seen::nothing(None)
            }
            Event::Apply(obj) => self.applied(obj),
            Event::InitApply(obj) => {
                let seen = self.applied(obj);
                match self.relist.as_mut() {
                    Some(held) if !seen.due.is_empty() => {
                        held.extend(seen.due);
                        Seen::nothing(None)
                    }
                    _ => seen,
                }
            }
            Event::Delete(obj) => self.deleted(obj),
            Event::InitDone => Seen::due(self.relisted()),
        }
    }

    /// The end of a relist: releases what it made due, reports the children that vanished, and
    /// forgets the expectations of objects no longer listed (the index forgets their owners and
    /// predicate values).
    fn relisted(&mut self) -> Vec<Due<P>> {
        let mut due = self.relist.take().unwrap_or_default();
        for (child, owner) in self.index.finish_relist() {
            due.push(Due {
                primary: owner,
                change: Change {
                    kind: self.kind,
                    namespace: child.namespace.clone(),
                    name: child.name.clone(),
                    op: ChangeOp::Deleted,
                },
                owner_uid: None,
                version: None,
            });
        }
        let store = &self.store;
        self.expectations.retain_listed(&kind_of::<C>(), |key| {
            let mut child = ObjectRef::<Packed<C>>::new(&key.name);
            child.namespace = key.namespace.clone();
            store.get(&child).is_some()
        });
        due
    }

    /// The primaries refused `obj`'s name while another object controlled it, now that it is
    /// free: deleted, or without a controller.
    fn freed(&self, obj: &C, deleted: bool) -> Vec<Due<P>> {
        let waiting = &self.expectations.waiting;
        let controlled = || {
            obj.meta()
                .owner_references
                .iter()
                .flatten()
                .any(|owner| owner.controller == Some(true))
        };
        if waiting.is_empty() || (!deleted && controlled()) {
            return Vec::new();
        }
        let Some(key) = ObjectKey::of(obj) else {
            return Vec::new();
        };
        let op = if deleted {
            ChangeOp::Deleted
        } else {
            ChangeOp::Applied
        };
        waiting
            .freed(&key)
            .into_iter()
            .map(|waiter| Due {
                primary: waiter.to_ref(),
                change: self.change(obj, op),
                owner_uid: None,
                version: None,
            })
            .collect()
    }

    fn applied(&mut self, obj: &C) -> Seen<P> {
        let freed = self.freed(obj, false);
        let mut seen = self.applied_child(obj);
        if !freed.is_empty() {
            seen.due.extend(freed);
            seen.outcome = None;
        }
        seen
    }

    fn applied_child(&mut self, obj: &C) -> Seen<P> {
        let owner = self.mapping.owner_of::<P, C>(obj);
        let value = (self.predicate)(obj);
        let previous = self
            .index
            .set(ObjectRef::from_obj(obj), owner.clone(), value);
        let changed = previous.as_ref().map(|previous| previous.seen) != Some(value);
        let own_echo = self.expectations.is_own_echo(obj);
        if let Some(previous) = previous.filter(|previous| Some(&previous.owner) != owner.as_ref())
        {
            let mut due = vec![self.due(previous.owner, obj, ChangeOp::Deleted)];
            due.extend(owner.map(|owner| self.due(owner, obj, ChangeOp::Applied)));
            return Seen::due(due);
        }
        match owner {
            None => Seen::nothing(Some(EventOutcome::NoOwner)),
            Some(_) if !changed => Seen::nothing(Some(EventOutcome::Predicate)),
            Some(_) if own_echo => Seen::nothing(Some(EventOutcome::OwnEcho)),
            Some(owner) => Seen::due(vec![self.due(owner, obj, ChangeOp::Applied)]),
        }
    }

    fn deleted(&mut self, obj: &C) -> Seen<P> {
        let freed = self.freed(obj, true);
        let mut seen = self.deleted_child(obj);
        if !freed.is_empty() {
            seen.due.extend(freed);
            seen.outcome = None;
        }
        seen
    }

    fn deleted_child(&mut self, obj: &C) -> Seen<P> {
        let child = ObjectRef::from_obj(obj);
        let own_deletion = self.expectations.is_own_deletion(obj);
        self.expectations.forget(&child);
        let owner = self
            .index
            .remove(&child)
            .or_else(|| self.mapping.owner_of::<P, C>(obj));
        match owner {
            Some(_) if own_deletion => Seen::nothing(Some(EventOutcome::OwnEcho)),
            Some(owner) => Seen::due(vec![self.due(owner, obj, ChangeOp::Deleted)]),
            None => Seen::nothing(Some(EventOutcome::NoOwner)),
        }
    }
}

#[path = "pipeline_primary.rs"]
mod primary;
pub(crate) use primary::{PrimaryEvent, PrimaryPipeline};

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
