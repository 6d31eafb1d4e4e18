//! One declared secondary kind: how it is watched, filtered and mapped to its primary.

use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::core::{ApiResource, PartialObjectMeta};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::{self, watcher};
use kube::{Api, Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;

use crate::aware::SecondaryAware;

/// How a child names its primary: `#[secondary(Kind)]` maps through the controller
/// ownerReference, `#[secondary(Kind, map = label("key"))]` or `map = annotation("key")` through
/// a label or annotation whose value is the primary's name.
///
/// ```
/// use k8s_openapi::api::core::v1::Pod;
/// use kube_secondary::Mapping;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// # #[kube(group = "demo.example.com", version = "v1", kind = "ReplSet", namespaced)]
/// # #[secondary(Pod, map = label("app.kubernetes.io/instance"))]
/// # pub struct ReplSetSpec {}
///
/// let mut pod = Pod::default();
/// pod.metadata.namespace = Some("prod".into());
/// pod.metadata.labels = Some([("app.kubernetes.io/instance".to_string(), "rs".to_string())].into());
///
/// let owner = Mapping::Label("app.kubernetes.io/instance").owner_of::<ReplSet, _>(&pod);
/// assert_eq!(owner.map(|o| (o.name, o.namespace)), Some(("rs".into(), Some("prod".into()))));
/// // No controller ownerReference points at a ReplSet:
/// assert!(Mapping::Owner.owner_of::<ReplSet, _>(&pod).is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// The ownerReference with `controller: true` whose kind and apiVersion are the primary's.
    Owner,
    /// A label whose value is the primary's name (same namespace as the child).
    Label(&'static str),
    /// An annotation whose value is the primary's name (same namespace as the child).
    Annotation(&'static str),
}

impl Mapping {
    /// The primary `child` belongs to, if any.
    pub fn owner_of<P: SecondaryAware, C: Resource>(&self, child: &C) -> Option<ObjectRef<P>> {
        let name = match self {
            Mapping::Owner => controller_owner::<P, C>(child).map(|owner| owner.name.clone())?,
            Mapping::Label(key) => child.meta().labels.as_ref()?.get(*key)?.clone(),
            Mapping::Annotation(key) => child.meta().annotations.as_ref()?.get(*key)?.clone(),
        };
        let owner = ObjectRef::new(&name);
        match (is_namespaced::<P>(), child.meta().namespace.as_deref()) {
            (true, Some(namespace)) => Some(owner.within(namespace)),
            (true, None) => None,
            (false, _) => Some(owner),
        }
    }
}

impl Mapping {
    /// The uid `child`'s controller ownerReference names, for the owner mapping.
    pub(crate) fn owner_uid<P: SecondaryAware, C: Resource>(&self, child: &C) -> Option<String> {
        match self {
            Mapping::Owner => controller_owner::<P, C>(child).map(|owner| owner.uid.clone()),
            Mapping::Label(_) | Mapping::Annotation(_) => None,
        }
    }
}

/// The ownerReference of `child` with `controller: true` that points at a `P`.
pub fn controller_owner<P: SecondaryAware, C: Resource>(
    child: &C,
) -> Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference> {
    child
        .meta()
        .owner_references
        .as_ref()?
        .iter()
        .find(|owner| {
            owner.controller == Some(true)
                && owner.kind == P::kind(&())
                && owner.api_version == P::api_version(&())
        })
}

/// The scope of a statically typed resource: whether it lives in a namespace, and how to build
/// its [`Api`].
///
/// ```
/// use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
/// use kube_secondary::ApiScope;
///
/// assert!(NamespaceResourceScope::NAMESPACED);
/// assert!(!ClusterResourceScope::NAMESPACED);
/// ```
pub trait ApiScope: 'static {
    /// Whether objects of this scope live in a namespace.
    const NAMESPACED: bool;

    /// An [`Api`] for `K` in `namespace`, or across the cluster.
    fn api<K: Resource<DynamicType = (), Scope = Self>>(
        client: Client,
        namespace: Option<&str>,
    ) -> Api<K>;
}

impl ApiScope for NamespaceResourceScope {
    const NAMESPACED: bool = true;

    fn api<K: Resource<DynamicType = (), Scope = Self>>(
        client: Client,
        namespace: Option<&str>,
    ) -> Api<K> {
        match namespace {
            Some(namespace) => Api::namespaced(client, namespace),
            None => Api::all(client),
        }
    }
}

impl ApiScope for ClusterResourceScope {
    const NAMESPACED: bool = false;

    fn api<K: Resource<DynamicType = (), Scope = Self>>(
        client: Client,
        _namespace: Option<&str>,
    ) -> Api<K> {
        Api::all(client)
    }
}

/// Whether `K` lives in a namespace.
pub(crate) fn is_namespaced<K: Resource<Scope: ApiScope>>() -> bool {
    K::Scope::NAMESPACED
}

/// An [`Api`] for `K` in `namespace` (ignored for cluster-scoped kinds), or across the cluster.
pub(crate) fn api<K: Resource<DynamicType = (), Scope: ApiScope>>(
    client: Client,
    namespace: Option<&str>,
) -> Api<K> {
    K::Scope::api(client, namespace)
}

/// An untyped [`Api`] for the primary `primary`'s own kind, in its namespace: for patches of its
/// status whose result is read as JSON.
pub(crate) fn dynamic_api<P: SecondaryAware>(
    client: &Client,
    primary: &P,
) -> Api<kube::api::DynamicObject> {
    let resource = ApiResource::erase::<P>(&());
    match primary.meta().namespace.as_deref() {
        Some(namespace) if is_namespaced::<P>() => {
            Api::namespaced_with(client.clone(), namespace, &resource)
        }
        _ => Api::all_with(client.clone(), &resource),
    }
}

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

/// The declaration of one secondary kind `C` of primary `P`, as the derive writes it.
pub struct Watch<C, P: SecondaryAware> {
    pub(crate) kind: P::Kind,
    pub(crate) predicate: Option<PredicateFn<C>>,
    pub(crate) drift: Option<DriftFn<C>>,
    pub(crate) mapping: Mapping,
    pub(crate) selector: Option<&'static str>,
    pub(crate) resource: ApiResource,
    /// Whether the cache holds `PartialObjectMeta` (`#[secondary(Kind, metadata_only)]`), so
    /// one-off reads list metadata only too.
    pub(crate) metadata_only: bool,
    pub(crate) stream: StreamFn<C>,
    _primary: PhantomData<fn() -> P>,
}

impl<C, P> Watch<C, P>
where
    C: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    P: SecondaryAware,
{
    fn with_stream(
        kind: P::Kind,
        resource: ApiResource,
        metadata_only: bool,
        stream: StreamFn<C>,
    ) -> Self {
        Self {
            kind,
            predicate: None,
            drift: None,
            mapping: Mapping::Owner,
            selector: None,
            resource,
            metadata_only,
            stream,
            _primary: PhantomData,
        }
    }

    /// Adds a predicate: the child wakes its primary when any added predicate's value changes.
    ///
    /// Without any, [`default_predicate`](crate::predicates::default_predicate) applies.
    #[must_use]
    pub fn predicate(
        mut self,
        predicate: impl Fn(&C) -> Option<u64> + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(match self.predicate.take() {
            None => Arc::new(predicate),
            Some(previous) => {
                Arc::new(move |obj: &C| crate::predicates::combine(previous(obj), predicate(obj)))
            }
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

    pub(crate) fn predicate_fn(&self) -> PredicateFn<C> {
        self.predicate
            .clone()
            .unwrap_or_else(|| Arc::new(crate::predicates::default_predicate::<C>))
    }

    pub(crate) fn watch_stream(
        &self,
        client: Client,
        namespace: Option<&str>,
    ) -> BoxStream<'static, watcher::Result<watcher::Event<C>>> {
        let mut config = watcher::Config::default();
        if let Some(selector) = self.selector {
            config = config.labels(selector);
        }
        (self.stream)(client, namespace, config)
    }
}

/// Declares a watch that caches whole `K` objects.
pub fn watch_full<P, K>(kind: P::Kind) -> Watch<K, P>
where
    P: SecondaryAware,
    K: crate::aware::SecondaryResource,
{
    Watch::with_stream(
        kind,
        ApiResource::erase::<K>(&()),
        false,
        Arc::new(|client, namespace, config| watcher(api::<K>(client, namespace), config).boxed()),
    )
}

/// Declares a metadata-only watch of `K`: the cache holds `PartialObjectMeta<K>`, never data or spec.
pub fn watch_metadata<P, K>(kind: P::Kind) -> Watch<PartialObjectMeta<K>, P>
where
    P: SecondaryAware,
    K: crate::aware::SecondaryResource,
{
    Watch::with_stream(
        kind,
        ApiResource::erase::<K>(&()),
        true,
        Arc::new(|client, namespace, config| {
            watcher(api::<PartialObjectMeta<K>>(client, namespace), config).boxed()
        }),
    )
}

/// Which `metadata.managedFields` entries the caches keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ManagedFields {
    /// Only the entries of this field manager: what the apply matcher reads.
    Own(Arc<str>),
    /// Every entry.
    All,
    /// None: the primaries' cache, which no matcher reads.
    Nothing,
}

impl ManagedFields {
    /// The form of the primaries' cache: nothing, unless every entry is kept.
    pub(crate) fn for_primary(&self) -> Self {
        match self {
            ManagedFields::All => ManagedFields::All,
            ManagedFields::Own(_) | ManagedFields::Nothing => ManagedFields::Nothing,
        }
    }

    /// Drops the entries of `obj` this form does not keep.
    pub(crate) fn apply<K: Resource>(&self, obj: &mut K) {
        let entries = &mut obj.meta_mut().managed_fields;
        match self {
            ManagedFields::All => {}
            ManagedFields::Nothing => *entries = None,
            ManagedFields::Own(manager) => {
                if let Some(list) = entries.as_mut() {
                    list.retain(|entry| entry.manager.as_deref() == Some(manager));
                    if list.is_empty() {
                        *entries = None;
                    }
                }
            }
        }
    }
}

/// What the watch does to an object before it is cached: drops the `metadata.managedFields`
/// entries of other managers unless told to keep them all.
pub(crate) fn cache_form<K: Resource>(managed_fields: ManagedFields) -> impl FnMut(&mut K) {
    move |obj| managed_fields.apply(obj)
}

/// The name of the object as a short reference for logs and change reports.
pub(crate) fn describe<K: Resource>(obj: &K) -> (Option<String>, String) {
    (obj.namespace(), obj.name_any())
}
