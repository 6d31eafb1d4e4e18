//! Turns the watch events of one secondary kind into "primary X is due because child Y changed".

use std::collections::HashMap;
use std::sync::Arc;

use kube::Resource;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;

use crate::__private::SecondaryResource;
use crate::cache::OwnerIndex;
use crate::expectations::{Expectations, Version};
use crate::reconciler::{Change, ChangeOp};
use crate::watch::{Mapping, PredicateFn, describe};
use crate::{SecondaryAware, SecondaryKind};

/// A primary that is due, why, and the version of the applied child (for echo detection).
pub(crate) type Trigger<P> = (
    ObjectRef<P>,
    Change<<P as SecondaryAware>::Kind>,
    Option<Version>,
);

/// The per-kind state between the reflector and the dispatch.
pub(crate) struct KindPipeline<C: SecondaryResource, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) mapping: Mapping,
    pub(crate) predicate: PredicateFn<C>,
    pub(crate) index: Arc<OwnerIndex<C, P>>,
    pub(crate) expectations: Arc<Expectations>,
    /// The predicate value last seen per object; forgotten on delete so churn does not grow it.
    pub(crate) last: HashMap<ObjectRef<C>, Option<u64>>,
}

impl<C: SecondaryResource, P: SecondaryAware> KindPipeline<C, P> {
    fn change(&self, obj: &C, op: ChangeOp) -> Change<P::Kind> {
        let (namespace, name) = describe(obj);
        Change {
            kind: self.kind,
            namespace,
            name,
            op,
        }
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
                    (owner, change, None)
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
            triggers.push((previous, self.change(obj, ChangeOp::Deleted), None));
            if let Some(owner) = owner {
                triggers.push((owner, self.change(obj, ChangeOp::Applied), Version::of(obj)));
            }
        } else if let Some(owner) = owner.filter(|_| changed && !own_echo) {
            triggers.push((owner, self.change(obj, ChangeOp::Applied), Version::of(obj)));
        }
        triggers
    }

    fn deleted(&mut self, obj: &C) -> Vec<Trigger<P>> {
        let child = ObjectRef::from_obj(obj);
        self.last.remove(&child);
        self.expectations.forget(obj);
        let owner = self
            .index
            .remove(&child)
            .or_else(|| self.mapping.owner_of::<P, C>(obj));
        owner
            .map(|owner| (owner, self.change(obj, ChangeOp::Deleted), None))
            .into_iter()
            .collect()
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
        Self {
            last: HashMap::new(),
            relist: None,
        }
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
                let value = crate::predicates::generation(obj)
                    .or_else(|| crate::predicates::resource_version(obj));
                let changed = self.last.insert(primary.clone(), value) != Some(value);
                changed
                    .then_some(PrimaryEvent::Changed(primary))
                    .into_iter()
                    .collect()
            }
            Event::Delete(obj) => {
                let primary = ObjectRef::from_obj(obj);
                self.last.remove(&primary);
                vec![PrimaryEvent::Deleted(primary)]
            }
            Event::InitDone => {
                let seen: std::collections::HashSet<_> =
                    self.relist.take().unwrap_or_default().into_iter().collect();
                let gone: Vec<_> = self
                    .last
                    .keys()
                    .filter(|p| !seen.contains(*p))
                    .cloned()
                    .collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Kind, Primary, child, primary};
    use k8s_openapi::api::core::v1::ConfigMap;

    fn pipeline() -> KindPipeline<ConfigMap, Primary> {
        KindPipeline {
            kind: Kind::ConfigMap,
            mapping: Mapping::Owner,
            predicate: Arc::new(crate::predicates::default_predicate::<ConfigMap>),
            index: Arc::default(),
            expectations: Arc::default(),
            last: HashMap::new(),
        }
    }

    fn ops(triggers: &[Trigger<Primary>]) -> Vec<(String, String, ChangeOp)> {
        triggers
            .iter()
            .map(|(p, c, _)| (p.name.clone(), c.name.clone(), c.op))
            .collect()
    }

    #[test]
    fn maps_a_child_to_its_controller_owner_and_filters_unchanged_versions() {
        let db = primary("db", "u1");
        let mut p = pipeline();
        let first = p.on_event(&Event::Apply(child("cfg", &db, "1")));
        assert_eq!(
            ops(&first),
            vec![("db".into(), "cfg".into(), ChangeOp::Applied)]
        );
        assert!(
            p.on_event(&Event::Apply(child("cfg", &db, "1"))).is_empty(),
            "same resourceVersion"
        );
        assert_eq!(p.on_event(&Event::Apply(child("cfg", &db, "2"))).len(), 1);
        assert_eq!(p.index.children_of(&ObjectRef::from_obj(&db)).len(), 1);
    }

    #[test]
    fn ignores_owner_references_without_controller() {
        let db = primary("db", "u1");
        let mut orphan = child("cfg", &db, "1");
        orphan.metadata.owner_references.as_mut().unwrap()[0].controller = None;
        assert!(pipeline().on_event(&Event::Apply(orphan)).is_empty());
    }

    #[test]
    fn own_writes_do_not_wake_but_later_writes_do() {
        let db = primary("db", "u1");
        let mut p = pipeline();
        p.on_event(&Event::Apply(child("cfg", &db, "1")));
        p.expectations.expect(&child("cfg", &db, "2"));
        assert!(p.on_event(&Event::Apply(child("cfg", &db, "2"))).is_empty());
        assert_eq!(p.on_event(&Event::Apply(child("cfg", &db, "3"))).len(), 1);
    }

    #[test]
    fn delete_maps_through_the_last_known_owner_and_forgets_state() {
        let db = primary("db", "u1");
        let mut p = pipeline();
        p.on_event(&Event::Apply(child("cfg", &db, "1")));
        let mut gone = child("cfg", &db, "2");
        gone.metadata.owner_references = None;
        let triggers = p.on_event(&Event::Delete(gone));
        assert_eq!(
            ops(&triggers),
            vec![("db".into(), "cfg".into(), ChangeOp::Deleted)]
        );
        assert!(p.last.is_empty());
        assert!(p.index.children_of(&ObjectRef::from_obj(&db)).is_empty());
    }

    #[test]
    fn relist_reports_children_that_vanished_and_only_changed_survivors() {
        let db = primary("db", "u1");
        let mut p = pipeline();
        p.on_event(&Event::Apply(child("kept", &db, "1")));
        p.on_event(&Event::Apply(child("vanished", &db, "1")));
        p.on_event(&Event::Apply(child("edited", &db, "1")));
        let mut triggers = p.on_event(&Event::Init);
        for event in [
            Event::InitApply(child("kept", &db, "1")),
            Event::InitApply(child("edited", &db, "5")),
            Event::InitDone,
        ] {
            triggers.extend(p.on_event(&event));
        }
        assert_eq!(
            ops(&triggers),
            vec![
                ("db".into(), "edited".into(), ChangeOp::Applied),
                ("db".into(), "vanished".into(), ChangeOp::Deleted)
            ]
        );
        assert_eq!(p.index.children_of(&ObjectRef::from_obj(&db)).len(), 2);
    }

    #[test]
    fn moving_a_label_mapped_child_tells_both_primaries() {
        let mut p = pipeline();
        p.mapping = Mapping::Label("app.kubernetes.io/instance");
        let labelled = |owner: &str, rv: &str| {
            let mut cm = ConfigMap::default();
            cm.metadata.name = Some("pod-config".into());
            cm.metadata.namespace = Some("ns".into());
            cm.metadata.resource_version = Some(rv.into());
            cm.metadata.labels =
                Some([("app.kubernetes.io/instance".to_string(), owner.to_string())].into());
            cm
        };
        p.on_event(&Event::Apply(labelled("a", "1")));
        let triggers = p.on_event(&Event::Apply(labelled("b", "2")));
        assert_eq!(
            ops(&triggers),
            vec![
                ("a".into(), "pod-config".into(), ChangeOp::Deleted),
                ("b".into(), "pod-config".into(), ChangeOp::Applied)
            ]
        );
    }

    #[test]
    fn primary_wakes_on_generation_not_on_status_writes() {
        let mut p = PrimaryPipeline::<Primary>::default();
        let mut db = primary("db", "u1");
        assert_eq!(p.on_event(&Event::Apply(db.clone())).len(), 1);
        db.metadata.resource_version = Some("9".into());
        assert!(
            p.on_event(&Event::Apply(db.clone())).is_empty(),
            "status-only write"
        );
        db.metadata.generation = Some(2);
        assert_eq!(p.on_event(&Event::Apply(db)).len(), 1);
    }
}
