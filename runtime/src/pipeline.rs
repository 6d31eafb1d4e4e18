//! Turns the watch events of one secondary kind into "primary X is due because child Y changed".

use std::collections::HashMap;
use std::sync::Arc;

use kube::Resource;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;

use crate::__private::SecondaryResource;
use crate::cache::OwnerIndex;
use crate::expectations::Expectations;
use crate::reconciler::{Change, ChangeOp};
use crate::watch::{Mapping, describe};
use crate::{SecondaryAware, SecondaryKind};

/// A primary that is due, and why.
pub(crate) type Trigger<P> = (ObjectRef<P>, Change<<P as SecondaryAware>::Kind>);

/// The per-kind state between the reflector and the dispatch.
pub(crate) struct KindPipeline<C: SecondaryResource, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) mapping: Mapping,
    pub(crate) predicate: Arc<dyn Fn(&C) -> Option<u64> + Send + Sync>,
    pub(crate) index: Arc<OwnerIndex<C, P>>,
    pub(crate) expectations: Arc<Expectations>,
    /// The predicate value last seen per object; forgotten on delete so churn does not grow it.
    pub(crate) last: HashMap<ObjectRef<C>, Option<u64>>,
}

impl<C: SecondaryResource, P: SecondaryAware> KindPipeline<C, P> {
    fn change(&self, obj: &C, op: ChangeOp) -> Change<P::Kind> {
        let (namespace, name) = describe(obj);
        Change { kind: self.kind, namespace, name, op }
    }

    /// The primaries `event` makes due; the bool is false when the event woke nobody.
    pub(crate) fn on_event(&mut self, event: &Event<C>) -> Vec<Trigger<P>> {
        match event {
            Event::Init => {
                self.index.begin_relist();
                Vec::new()
            }
            Event::Apply(obj) | Event::InitApply(obj) => self.applied(obj),
            Event::Delete(obj) => self.deleted(obj),
            Event::InitDone => self
                .index
                .finish_relist()
                .into_iter()
                .map(|(child, owner)| {
                    self.last.remove(&child);
                    let change = Change {
                        kind: self.kind,
                        namespace: child.namespace.clone(),
                        name: child.name.clone(),
                        op: ChangeOp::Deleted,
                    };
                    (owner, change)
                })
                .collect(),
        }
    }

    fn applied(&mut self, obj: &C) -> Vec<Trigger<P>> {
        let child = ObjectRef::from_obj(obj);
        let owner = self.mapping.owner_of::<P, C>(obj);
        let previous_owner = self.index.set(child.clone(), owner.clone());
        let value = (self.predicate)(obj);
        let changed = self.last.insert(child, value) != Some(value);
        let own_echo = self.expectations.is_own_echo(obj);
        let mut triggers = Vec::new();
        if let Some(previous) = previous_owner.filter(|previous| Some(previous) != owner.as_ref()) {
            triggers.push((previous, self.change(obj, ChangeOp::Deleted)));
            if let Some(owner) = owner {
                triggers.push((owner, self.change(obj, ChangeOp::Applied)));
            }
        } else if let Some(owner) = owner.filter(|_| changed && !own_echo) {
            triggers.push((owner, self.change(obj, ChangeOp::Applied)));
        }
        triggers
    }

    fn deleted(&mut self, obj: &C) -> Vec<Trigger<P>> {
        let child = ObjectRef::from_obj(obj);
        self.last.remove(&child);
        self.expectations.forget(obj);
        let owner = self.index.remove(&child).or_else(|| self.mapping.owner_of::<P, C>(obj));
        owner.map(|owner| (owner, self.change(obj, ChangeOp::Deleted))).into_iter().collect()
    }

    pub(crate) fn kind_name(&self) -> &'static str {
        self.kind.name()
    }
}

/// The primary's own events: whether each wakes it, by `metadata.generation` (spec changes), and
/// which primaries were deleted.
pub(crate) struct PrimaryPipeline<P: Resource> {
    last: HashMap<ObjectRef<P>, Option<u64>>,
    relist: Option<Vec<ObjectRef<P>>>,
}

impl<P: Resource> Default for PrimaryPipeline<P> {
    fn default() -> Self {
        Self { last: HashMap::new(), relist: None }
    }
}

/// What a primary event means for the dispatch.
pub(crate) enum PrimaryEvent<P: Resource> {
    Changed(ObjectRef<P>),
    Deleted(ObjectRef<P>),
}

impl<P: SecondaryAware> PrimaryPipeline<P> {
    pub(crate) fn on_event(&mut self, event: &Event<P>) -> Vec<PrimaryEvent<P>> {
        match event {
            Event::Init => {
                self.relist = Some(Vec::new());
                Vec::new()
            }
            Event::Apply(obj) | Event::InitApply(obj) => {
                let primary = ObjectRef::from_obj(obj);
                if let Some(relist) = self.relist.as_mut() {
                    relist.push(primary.clone());
                }
                let value = crate::predicates::generation(obj).or_else(|| crate::predicates::resource_version(obj));
                let changed = self.last.insert(primary.clone(), value) != Some(value);
                changed.then_some(PrimaryEvent::Changed(primary)).into_iter().collect()
            }
            Event::Delete(obj) => {
                let primary = ObjectRef::from_obj(obj);
                self.last.remove(&primary);
                vec![PrimaryEvent::Deleted(primary)]
            }
            Event::InitDone => {
                let seen: std::collections::HashSet<_> = self.relist.take().unwrap_or_default().into_iter().collect();
                let gone: Vec<_> = self.last.keys().filter(|p| !seen.contains(*p)).cloned().collect();
                gone.into_iter()
                    .map(|primary| {
                        self.last.remove(&primary);
                        PrimaryEvent::Deleted(primary)
                    })
                    .collect()
            }
        }
    }
}
