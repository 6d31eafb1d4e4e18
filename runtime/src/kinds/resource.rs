//! How a statically typed resource is addressed and owned: its scope (namespaced or not) and
//! [`Api`], and how a child names its primary. Plain functions of kube's `Resource`: the
//! declarations of a primary's kinds and everything above them use it.

use std::fmt::Debug;

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::core::ApiResource;
use kube::runtime::reflector::ObjectRef;
use kube::{Api, Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
    pub fn owner_of<P: Resource<DynamicType = (), Scope: ApiScope>, C: Resource>(
        &self,
        child: &C,
    ) -> Option<ObjectRef<P>> {
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
    pub(crate) fn owner_uid<P: Resource<DynamicType = ()>, C: Resource>(
        &self,
        child: &C,
    ) -> Option<String> {
        match self {
            Mapping::Owner => controller_owner::<P, C>(child).map(|owner| owner.uid.clone()),
            Mapping::Label(_) | Mapping::Annotation(_) => None,
        }
    }
}

/// The ownerReference of `child` with `controller: true` that points at a `P`.
pub fn controller_owner<P: Resource<DynamicType = ()>, C: Resource>(
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

/// A type that can be declared as a secondary kind. Named by generated code through `__private`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a secondary kind: it is not a Kubernetes resource",
    label = "not a `kube::Resource` with a static type",
    note = "a kind in `#[secondary(...)]` must implement `kube::Resource<DynamicType = ()>`, `Clone`, `Debug`, `Serialize`, `DeserializeOwned`, `Send` and `Sync`, like the `k8s_openapi` types or a `#[derive(CustomResource)]` type"
)]
pub trait SecondaryResource:
    Resource<DynamicType = (), Scope: ApiScope>
    + Clone
    + Serialize
    + DeserializeOwned
    + Debug
    + Send
    + Sync
    + 'static
{
}

// Not recommended: rustc then reports a kind that is not a resource as not a `SecondaryResource`,
// with the message above, instead of once per missing supertrait with a list of unrelated types.
#[diagnostic::do_not_recommend]
impl<K> SecondaryResource for K where
    K: Resource<DynamicType = (), Scope: ApiScope>
        + Clone
        + Serialize
        + DeserializeOwned
        + Debug
        + Send
        + Sync
        + 'static
{
}

/// `Kind namespace/name` of `obj`, for errors and logs.
pub(crate) fn display<K: Resource<DynamicType = ()>>(obj: &K) -> String {
    match obj.namespace() {
        Some(namespace) => format!("{} {namespace}/{}", K::kind(&()), obj.name_any()),
        None => format!("{} {}", K::kind(&()), obj.name_any()),
    }
}

/// The name of the object as a short reference for logs and change reports.
pub(crate) fn describe<K: Resource>(obj: &K) -> (Option<String>, String) {
    (obj.namespace(), obj.name_any())
}

/// An untyped [`Api`] for the primary `primary`'s own kind, in its namespace: for patches of its
/// status whose result is read as JSON.
pub(crate) fn dynamic_api<P: Resource<DynamicType = (), Scope: ApiScope>>(
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
