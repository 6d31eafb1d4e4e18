//! The declared watches of one primary type, started together by the controller.

use std::sync::Arc;

use futures::channel::mpsc::UnboundedSender;
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt};
use kube::Client;
use kube::core::ApiResource;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};

use crate::__private::SecondaryResource;
use crate::cache::{Caches, KindCache, OwnerIndex};
use crate::dispatch::Dispatch;
use crate::expectations::Expectations;
use crate::metrics::Metrics;
use crate::pipeline::KindPipeline;
use crate::watch::Watch;
use crate::{SecondaryAware, SecondaryKind};

/// What a running controller shares with every watch.
pub(crate) struct Shared<P: SecondaryAware> {
    pub(crate) client: Client,
    pub(crate) namespace: Option<String>,
    pub(crate) dispatch: Arc<Dispatch<P>>,
    pub(crate) triggers: UnboundedSender<ObjectRef<P>>,
    pub(crate) expectations: Arc<Expectations>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) keep_managed_fields: bool,
}

/// Drops the owner-index entries of a deleted primary.
pub(crate) type ForgetOwner<P> = Box<dyn Fn(&ObjectRef<P>) + Send + Sync>;

/// A started watch: resolves `ready` once its cache holds the first full list; `driver` runs it.
pub(crate) struct Started<P: SecondaryAware> {
    pub(crate) ready: BoxFuture<'static, ()>,
    pub(crate) driver: BoxFuture<'static, ()>,
    pub(crate) forget_owner: ForgetOwner<P>,
}

/// What the controller needs of a declared watch, whatever its cached type.
pub(crate) trait ErasedWatch<P: SecondaryAware>: Send + Sync {
    fn resource(&self) -> &ApiResource;
    fn start(&self, shared: &Shared<P>, caches: &mut Caches) -> Started<P>;
}

impl<C: SecondaryResource, P: SecondaryAware> ErasedWatch<P> for Watch<C, P> {
    fn resource(&self) -> &ApiResource {
        &self.resource
    }

    fn start(&self, shared: &Shared<P>, caches: &mut Caches) -> Started<P> {
        let (store, writer) = reflector::store::<C>();
        let index = Arc::new(OwnerIndex::<C, P>::default());
        caches.push(KindCache {
            store: store.clone(),
            index: index.clone(),
            mapping: self.mapping.clone(),
        });
        let mut pipeline = KindPipeline {
            kind: self.kind,
            mapping: self.mapping.clone(),
            predicate: self.predicate_fn(),
            index: index.clone(),
            expectations: shared.expectations.clone(),
            last: Default::default(),
        };
        let events = reflector::reflector(
            writer,
            self.watch_stream(shared.client.clone(), shared.namespace.as_deref())
                .modify(crate::watch::cache_form(shared.keep_managed_fields))
                .default_backoff(),
        );
        let (dispatch, triggers, metrics) = (
            shared.dispatch.clone(),
            shared.triggers.clone(),
            shared.metrics.clone(),
        );
        let kind = self.kind.name();
        let driver = events.for_each(move |event| {
            match event {
                Ok(event) => {
                    let due = pipeline.on_event(&event);
                    if matches!(event, watcher::Event::Apply(_) | watcher::Event::InitApply(_) | watcher::Event::Delete(_)) {
                        metrics.event(pipeline.kind_name(), !due.is_empty());
                    }
                    for (primary, change, version) in due {
                        tracing::debug!(%primary, kind, child = %change.name, op = ?change.op, "child changed");
                        dispatch.record_child(primary.clone(), change, version);
                        // The receiver lives as long as the controller; a closed channel means shutdown.
                        let _ = triggers.unbounded_send(primary);
                    }
                }
                Err(error) => tracing::warn!(kind, %error, "watch failed; retrying with backoff"),
            }
            futures::future::ready(())
        });
        Started {
            ready: async move {
                let _ = store.wait_until_ready().await;
            }
            .boxed(),
            driver: driver.boxed(),
            forget_owner: Box::new(move |owner| index.forget_owner(owner)),
        }
    }
}

/// Collects the watches a primary type declares; the derive's `declare` fills it.
pub struct WatchSet<P: SecondaryAware> {
    pub(crate) watches: Vec<Box<dyn ErasedWatch<P>>>,
}

impl<P: SecondaryAware> WatchSet<P> {
    /// The watches `P` declares, in declaration order.
    pub(crate) fn declared() -> Self {
        let mut set = Self {
            watches: Vec::new(),
        };
        P::declare(&mut set);
        set
    }

    /// Adds the watch of one secondary kind.
    pub fn add<C: SecondaryResource>(&mut self, watch: Watch<C, P>) {
        self.watches.push(Box::new(watch));
    }
}
