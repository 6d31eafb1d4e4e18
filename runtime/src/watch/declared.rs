//! One declared secondary kind: how it is watched, filtered and mapped to its primary.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use kube::api::{DynamicObject, ListParams};
use kube::core::ApiResource;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::watcher;
use kube::{Api, Client};
use serde_json::Value;

use crate::aware::{SecondaryAware, SecondaryKind};
use crate::cache::caches::{Caches, KindCache, OwnerIndex};
use crate::dispatch::pipeline::KindPipeline;
use crate::dispatch::shared::Shared;
use crate::kinds::declaration::Declaration;
use crate::kinds::resource::SecondaryResource;
use crate::kinds::resource::{Mapping, is_namespaced};
use crate::watch::driver::{Driven, drive};

/// The declaration of one secondary kind `C` of primary `P`: which of `P`'s kinds it is, and how
/// it is watched.
pub struct Watch<C, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) declared: Declaration<C>,
}

impl<C, P: SecondaryAware> std::ops::Deref for Watch<C, P> {
    type Target = Declaration<C>;

    fn deref(&self) -> &Declaration<C> {
        &self.declared
    }
}

/// Drops the owner-index entries of a deleted primary.
pub(crate) type ForgetOwner<P> = Box<dyn Fn(&ObjectRef<P>) + Send + Sync>;

/// A started secondary watch and how to forget a deleted primary's children in its index.
pub(crate) struct Started<P: SecondaryAware> {
    pub(crate) driven: Driven,
    pub(crate) forget_owner: ForgetOwner<P>,
}

/// What the controller, and a one-off read of a primary with its children, need of a declared
/// watch, whatever its cached type.
pub(crate) trait ErasedWatch<P: SecondaryAware>: Send + Sync {
    fn resource(&self) -> &ApiResource;
    fn start(&self, shared: &Arc<Shared<P>>, caches: &mut Caches) -> Started<P>;
    /// Adds this kind's cache, filled with `objects` (JSON, as the API serves them) as the
    /// watch would fill it: each decoded into the cached type, the ones the declared selector
    /// does not select left out, managedFields dropped, and each mapped to its primary.
    fn fill(&self, caches: &mut Caches, objects: Vec<Value>) -> Result<(), serde_json::Error>;
    /// Lists, with one request, the objects of this kind that may be children of the primary
    /// `name` in `namespace`: those the declared selector selects, and for a label mapping
    /// those whose label names `name`.
    fn list(
        &self,
        client: Client,
        namespace: Option<&str>,
        name: &str,
    ) -> BoxFuture<'static, kube::Result<Vec<Value>>>;
}

impl<C: SecondaryResource, P: SecondaryAware> ErasedWatch<P> for Watch<C, P> {
    fn resource(&self) -> &ApiResource {
        &self.resource
    }

    fn start(&self, shared: &Arc<Shared<P>>, caches: &mut Caches) -> Started<P> {
        let (store, writer) = reflector::store::<C>();
        let index = Arc::new(OwnerIndex::<C, P>::default());
        caches.push(KindCache {
            kind: self.kind,
            store: store.clone(),
            index: index.clone(),
            mapping: self.mapping.clone(),
            drift: self.drift.clone(),
            selector: self.selector,
            namespace: shared.namespace.clone(),
            expectations: shared.expectations.clone(),
        });
        let mut pipeline = KindPipeline::new(
            self.kind,
            self.mapping.clone(),
            self.predicate_fn(&shared.writes.field_manager),
            store,
            index.clone(),
            shared.expectations.clone(),
        );
        let kind = self.kind.name();
        let (client, namespace) = (shared.client.clone(), shared.namespace.clone());
        let events = self.watch_stream(client, namespace, shared.streaming_lists);
        let state = shared.clone();
        let driven = drive(
            crate::watch::driver::spec(shared, kind, events),
            writer,
            shared.metrics.clone(),
            move |event| {
                if matches!(
                    event,
                    watcher::Event::Apply(_)
                        | watcher::Event::InitApply(_)
                        | watcher::Event::Delete(_)
                ) {
                    state.metrics.event(kind);
                }
                let seen = pipeline.on_event(event);
                if let Some(outcome) = seen.outcome {
                    state.metrics.outcome(kind, outcome, 1);
                }
                for due in seen.due {
                    tracing::debug!(primary = %due.primary, kind, child = %due.change.name, op = ?due.change.op, "child changed");
                    let send = state.ledger.record_child(
                        due.primary.clone(),
                        due.change,
                        due.owner_uid,
                        due.version,
                    );
                    state.trigger(send, due.primary);
                }
            },
        );
        Started {
            driven,
            forget_owner: forget_owner(&self.mapping, index),
        }
    }

    fn fill(&self, caches: &mut Caches, objects: Vec<Value>) -> Result<(), serde_json::Error> {
        let (store, mut writer) = reflector::store::<C>();
        let index = Arc::new(OwnerIndex::<C, P>::default());
        for mut object in objects {
            // Items of a list carry no type; a metadata-only cache keeps the kind's.
            if let Some(fields) = object.as_object_mut() {
                let resource = &self.resource;
                fields
                    .entry("apiVersion")
                    .or_insert_with(|| resource.api_version.clone().into());
                fields
                    .entry("kind")
                    .or_insert_with(|| resource.kind.clone().into());
            }
            let mut child: C = serde_json::from_value(object)?;
            if let Some(selector) = self.selector
                && !crate::kinds::selector::matches(selector, child.meta().labels.as_ref())
            {
                continue;
            }
            child.meta_mut().managed_fields = None;
            index.set(
                ObjectRef::from_obj(&child),
                self.mapping.owner_of::<P, C>(&child),
            );
            writer.apply_watcher_event(&watcher::Event::Apply(child));
        }
        caches.push(KindCache {
            kind: self.kind,
            store,
            index,
            mapping: self.mapping.clone(),
            drift: self.drift.clone(),
            selector: self.selector,
            namespace: None,
            expectations: Arc::default(),
        });
        Ok(())
    }

    fn list(
        &self,
        client: Client,
        namespace: Option<&str>,
        name: &str,
    ) -> BoxFuture<'static, kube::Result<Vec<Value>>> {
        let mut selector: Vec<String> = self.selector.map(str::to_string).into_iter().collect();
        if let Mapping::Label(key) = self.mapping {
            // A name too long for a label value is on no child.
            if name.len() > 63 {
                return futures::future::ready(Ok(Vec::new())).boxed();
            }
            selector.push(format!("{key}={name}"));
        }
        let mut params = ListParams::default();
        if !selector.is_empty() {
            params = params.labels(&selector.join(","));
        }
        let resource = self.resource.clone();
        let api: Api<DynamicObject> = match namespace.filter(|_| is_namespaced::<C>()) {
            Some(namespace) => Api::namespaced_with(client, namespace, &resource),
            None => Api::all_with(client, &resource),
        };
        let metadata_only = self.metadata_only;
        async move {
            let items = if metadata_only {
                let mut items = to_values(api.list_metadata(&params).await?.items)?;
                // Their type is `PartialObjectMetadata`; the cache keeps the kind's.
                for item in &mut items {
                    item["apiVersion"] = resource.api_version.clone().into();
                    item["kind"] = resource.kind.clone().into();
                }
                items
            } else {
                to_values(api.list(&params).await?.items)?
            };
            Ok(items)
        }
        .boxed()
    }
}

fn to_values<T: serde::Serialize>(items: Vec<T>) -> kube::Result<Vec<Value>> {
    items
        .into_iter()
        .map(|item| serde_json::to_value(item).map_err(kube::Error::SerdeError))
        .collect()
}

/// What a deleted primary drops from one kind's owner index. A controller ownerReference names
/// one object, whose children go with it; a label or annotation names the primary, and a primary
/// created again under that name owns the same children, so their entries stay.
fn forget_owner<C: SecondaryResource, P: SecondaryAware>(
    mapping: &Mapping,
    index: Arc<OwnerIndex<C, P>>,
) -> ForgetOwner<P> {
    match mapping {
        Mapping::Owner => Box::new(move |owner| index.forget_owner(owner)),
        Mapping::Label(_) | Mapping::Annotation(_) => Box::new(|_| {}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Primary, child, primary};
    use k8s_openapi::api::core::v1::ConfigMap;

    #[test]
    fn a_deleted_primary_keeps_the_index_entries_of_label_mapped_children_only() {
        let db = primary("db", "u1");
        let owner = ObjectRef::from_obj(&db);
        for (mapping, kept) in [
            (Mapping::Owner, 0),
            (Mapping::Label("app.kubernetes.io/instance"), 1),
        ] {
            let index = Arc::new(OwnerIndex::<ConfigMap, Primary>::default());
            index.set(
                ObjectRef::from_obj(&child("cfg", &db, "1")),
                Some(owner.clone()),
            );
            forget_owner(&mapping, index.clone())(&owner);
            assert_eq!(index.children_of(&owner).len(), kept, "{mapping:?}");
        }
    }
}
