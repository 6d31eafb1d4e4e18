//! One declared secondary kind: how it is watched, filtered and mapped to its primary.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use kube::api::{DynamicObject, ListParams, ObjectList};
use kube::core::ApiResource;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::watcher;
use kube::{Api, Client};
use serde_json::Value;

use crate::aware::{SecondaryAware, SecondaryKind};
use crate::cache::caches::{Caches, KindCache};
use crate::cache::index::OwnerIndex;
use crate::cache::packed::Packed;
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
        let (store, mut writer) = reflector::store::<Packed<C>>();
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
            move |event| {
                if let Some(packed) = Packed::event(event) {
                    writer.apply_watcher_event(&packed);
                }
            },
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
        let (store, mut writer) = reflector::store::<Packed<C>>();
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
            // No pipeline follows a filled cache: no predicate value to remember.
            index.set(
                ObjectRef::from_obj(&child),
                self.mapping.owner_of::<P, C>(&child),
                None,
            );
            writer.apply_watcher_event(&watcher::Event::Apply(Packed::pack(&child)?));
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
                let pages = every_page(&params, |page| {
                    let api = api.clone();
                    async move { api.list_metadata(&page).await }
                });
                let mut items = to_values(pages.await?)?;
                // Their type is `PartialObjectMetadata`; the cache keeps the kind's.
                for item in &mut items {
                    item["apiVersion"] = resource.api_version.clone().into();
                    item["kind"] = resource.kind.clone().into();
                }
                items
            } else {
                let pages = every_page(&params, |page| {
                    let api = api.clone();
                    async move { api.list(&page).await }
                });
                to_values(pages.await?)?
            };
            Ok(items)
        }
        .boxed()
    }
}

/// How many objects one page of a fallback LIST holds.
const PAGE: u32 = 500;

/// Every object `list` finds, a page of [`PAGE`] at a time: one request never carries a whole
/// kind, and a continue token that expired fails the read rather than cutting it short.
async fn every_page<T, F, Fut>(params: &ListParams, list: F) -> kube::Result<Vec<T>>
where
    T: Clone,
    F: Fn(ListParams) -> Fut,
    Fut: Future<Output = kube::Result<ObjectList<T>>>,
{
    let mut params = params.clone().limit(PAGE);
    let mut items = Vec::new();
    loop {
        let page = list(params.clone()).await?;
        items.extend(page.items);
        match page.metadata.continue_.filter(|token| !token.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(items),
        }
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

    #[tokio::test]
    async fn a_fallback_list_reads_every_page_and_asks_for_each_by_its_token() {
        let asked = std::sync::Mutex::new(Vec::new());
        let items = every_page(&ListParams::default().labels("app=db"), |params| {
            asked
                .lock()
                .unwrap()
                .push((params.limit, params.continue_token.clone()));
            let page = params.continue_token.as_deref().map_or(0, |t| t.len());
            async move {
                let metadata = kube::core::ListMeta {
                    continue_: (page < 2).then(|| "x".repeat(page + 1)),
                    ..Default::default()
                };
                let list: ObjectList<usize> = ObjectList {
                    types: Default::default(),
                    metadata,
                    items: vec![page * 10, page * 10 + 1],
                };
                Ok(list)
            }
        })
        .await
        .unwrap();
        assert_eq!(items, [0, 1, 10, 11, 20, 21]);
        assert_eq!(
            *asked.lock().unwrap(),
            [
                (Some(PAGE), None),
                (Some(PAGE), Some("x".into())),
                (Some(PAGE), Some("xx".into()))
            ]
        );
    }

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
                None,
            );
            forget_owner(&mapping, index.clone())(&owner);
            assert_eq!(index.children_of(&owner).len(), kept, "{mapping:?}");
        }
    }
}
