//! How one secondary kind is watched, filtered and mapped to its primary: the data the derive's
//! `declare` hands to the controller for each `#[secondary(...)]`. It names no primary: the
//! trait the derive implements uses it, and the watch machinery builds on it.

use std::fmt::Debug;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use kube::core::{ApiResource, PartialObjectMeta};
use kube::runtime::watcher::{self, watcher};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use crate::kinds::resource::{Mapping, SecondaryResource, api};

/// A type-erased predicate.
pub(crate) type PredicateFn<C> = Arc<dyn Fn(&C) -> Option<u64> + Send + Sync>;
/// A user's rule for whether a cached child (second) has drifted from the desired one (first).
pub(crate) type DriftFn<C> = Arc<dyn Fn(&C, &C) -> bool + Send + Sync>;
type StreamFn<C> = Arc<
    dyn Fn(
            Client,
            Option<&str>,
            watcher::Config,
        ) -> BoxStream<'static, watcher::Result<watcher::Event<C>>>
        + Send
        + Sync,
>;

/// How one secondary kind, cached as `C`, is watched, filtered and mapped to its primary, as the
/// derive writes it (`#[secondary(Kind, predicate = ..., map = ..., selector = ..., drift = ...)]`).
pub struct Declaration<C> {
    pub(crate) predicate: Option<PredicateFn<C>>,
    pub(crate) drift: Option<DriftFn<C>>,
    pub(crate) mapping: Mapping,
    pub(crate) selector: Option<&'static str>,
    pub(crate) resource: ApiResource,
    /// Whether the cache holds `PartialObjectMeta` (`#[secondary(Kind, metadata_only)]`), so
    /// one-off reads list metadata only too.
    pub(crate) metadata_only: bool,
    pub(crate) stream: StreamFn<C>,
}

impl<C> Declaration<C>
where
    C: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    fn with_stream(resource: ApiResource, metadata_only: bool, stream: StreamFn<C>) -> Self {
        Self {
            predicate: None,
            drift: None,
            mapping: Mapping::Owner,
            selector: None,
            resource,
            metadata_only,
            stream,
        }
    }

    /// Adds a predicate: the child wakes its primary when any added predicate's value changes.
    ///
    /// Without any, [`default_predicate`](crate::kinds::predicates::default_predicate) applies.
    #[must_use]
    pub fn predicate(
        mut self,
        predicate: impl Fn(&C) -> Option<u64> + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(match self.predicate.take() {
            None => Arc::new(predicate),
            Some(previous) => Arc::new(move |obj: &C| {
                crate::kinds::predicates::combine(previous(obj), predicate(obj))
            }),
        });
        self
    }

    /// Replaces the managed-fields comparison of [`Context::apply`](crate::Context::apply) for
    /// this kind: `drifted(desired, cached)` says whether the cached child needs a write.
    #[must_use]
    pub fn drift(mut self, drifted: impl Fn(&C, &C) -> bool + Send + Sync + 'static) -> Self {
        self.drift = Some(Arc::new(drifted));
        self
    }

    /// Maps the child to its primary through a label naming the primary.
    #[must_use]
    pub fn map_label(mut self, key: &'static str) -> Self {
        self.mapping = Mapping::Label(key);
        self
    }

    /// Maps the child to its primary through an annotation naming the primary.
    #[must_use]
    pub fn map_annotation(mut self, key: &'static str) -> Self {
        self.mapping = Mapping::Annotation(key);
        self
    }

    /// Narrows the watch with a label selector (`app=db,tier!=cache`).
    #[must_use]
    pub fn selector(mut self, selector: &'static str) -> Self {
        self.selector = Some(selector);
        self
    }

    /// The declared predicate, or the default for the controller whose field manager is
    /// `field_manager`.
    pub(crate) fn predicate_fn(&self, field_manager: &str) -> PredicateFn<C> {
        self.predicate.clone().unwrap_or_else(|| {
            Arc::new(crate::kinds::predicates::default_predicate::<C>(
                field_manager,
            ))
        })
    }

    /// The watch of this kind in `namespace` (all when `None`), listing first by a streaming
    /// list when `streaming` and the API server serves it.
    pub(crate) fn watch_stream(
        &self,
        client: Client,
        namespace: Option<String>,
        streaming: bool,
    ) -> BoxStream<'static, watcher::Result<watcher::Event<C>>> {
        let mut config = watcher::Config::default();
        if let Some(selector) = self.selector {
            config = config.labels(selector);
        }
        let stream = self.stream.clone();
        crate::kinds::initial::events(config, streaming, move |config| {
            stream(client.clone(), namespace.as_deref(), config)
        })
    }
}

/// Declares a watch that caches whole `K` objects.
pub fn watch_full<K: SecondaryResource>() -> Declaration<K> {
    Declaration::with_stream(
        ApiResource::erase::<K>(&()),
        false,
        Arc::new(|client, namespace, config| watcher(api::<K>(client, namespace), config).boxed()),
    )
}

/// Declares a metadata-only watch of `K`: the cache holds `PartialObjectMeta<K>`, never data or spec.
pub fn watch_metadata<K: SecondaryResource>() -> Declaration<PartialObjectMeta<K>> {
    Declaration::with_stream(
        ApiResource::erase::<K>(&()),
        true,
        Arc::new(|client, namespace, config| {
            watcher(api::<PartialObjectMeta<K>>(client, namespace), config).boxed()
        }),
    )
}
