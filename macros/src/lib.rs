//! The derive behind `kube_secondary::SecondaryAware`. Use it through the `kube-secondary` crate.

mod attrs;
mod derive;
mod duration;
mod expand;
mod fallback;
mod keys;
mod kube_attr;
mod model;
mod names;
mod selector;
mod validate;
mod value;

/// Declares the children (secondary resources) a primary resource owns, and generates their
/// watches, a typed cache of them, and the glue for a separate `reconcile_secondaries` dispatch.
///
/// Put it on the spec struct next to kube's `CustomResource`: it generates for the resource type
/// kube generates, named by `#[kube(kind = "...")]` (or `root = "..."`). On a hand-written type that implements `kube::Resource`
/// (no `#[kube]` attribute), it generates for that type itself.
///
/// For `kind = "Database"` it generates:
/// - `DatabaseSecondaries`: one field per kind, `Vec<Arc<Kind>>` (or
///   `Vec<Arc<PartialObjectMeta<Kind>>>` with `metadata_only`), built from watch caches;
/// - `DatabaseSecondaryKind`: an enum with one variant per kind, used in change reports;
/// - `impl SecondaryAware for Database`.
///
/// ```
/// use k8s_openapi::api::apps::v1::Deployment;
/// use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
/// use kube::CustomResource;
/// use kube_secondary::SecondaryAware;
/// use schemars::JsonSchema;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// #[secondary(Deployment, predicate = generation)]
/// #[secondary(Service)]
/// #[secondary(Secret, metadata_only)]
/// #[secondary(ConfigMap, predicate = labels | annotations)]
/// pub struct DatabaseSpec {
///     replicas: i32,
/// }
///
/// let children = DatabaseSecondaries::default();
/// assert!(children.deployments.is_empty() && children.config_maps.is_empty());
/// ```
///
/// # `#[secondary(Kind)]`
/// One attribute per owned kind; the kind is a Rust type implementing `kube::Resource` with a
/// static type (k8s-openapi types, or another `CustomResource`). Each kind is watched once for all
/// primaries. A namespaced primary cannot own a cluster-scoped kind.
/// The cache field is the kind's name in plural snake case (`ConfigMap` -> `config_maps`,
/// `Ingress` -> `ingresses`; a name ending in one `s`, like `Endpoints`, is kept), the enum variant
/// is the kind's name, and its `name()` returns the variant's name. `ALL` and `name()` are
/// inherent on the enum (and also implement the `SecondaryKind` trait), so they need no import.
///
/// ```
/// # use k8s_openapi::api::batch::v1::Job;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "batch.example.com", version = "v1", kind = "CronJob", namespaced)]
/// #[secondary(Job)]
/// pub struct CronJobSpec { schedule: String }
///
/// let jobs: Vec<std::sync::Arc<Job>> = CronJobSecondaries::default().jobs;
/// assert_eq!(CronJobSecondaryKind::Job.to_string(), "Job");
/// assert_eq!(CronJobSecondaryKind::ALL, [CronJobSecondaryKind::Job]);
/// assert_eq!(CronJobSecondaryKind::Job.name(), "Job");
/// ```
///
/// ## `#[secondary(Kind, predicate = ...)]`
/// Which changes of a child wake its primary: `generation`, `labels`, `annotations`,
/// `resource_version`, or the path of a function `fn(&Kind) -> Option<u64>`, combined with `|`
/// (wake when any of them changed). A lone name within two edits of a built-in one (`genration`)
/// is reported as a typo; a function of such a name is written as a path (`self::label`). Without `predicate`, objects with a `metadata.generation` wake on generation, labels
/// and annotations (status-only updates are ignored), others on every new resourceVersion.
/// Creations and deletions always wake the primary.
///
/// ```
/// # use k8s_openapi::api::core::v1::ConfigMap;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// fn data_only(cm: &ConfigMap) -> Option<u64> {
///     use std::hash::{Hash, Hasher};
///     let mut hasher = std::collections::hash_map::DefaultHasher::new();
///     cm.data.hash(&mut hasher);
///     Some(hasher.finish())
/// }
///
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "App", namespaced)]
/// #[secondary(ConfigMap, predicate = data_only | labels)]
/// pub struct AppSpec {}
/// ```
///
/// ## `#[secondary(Kind, metadata_only)]`
/// Watch and cache only metadata (`PartialObjectMeta<Kind>`): Secret data never enters the
/// operator's memory, and large objects cost little. A user predicate then receives
/// `&PartialObjectMeta<Kind>`.
///
/// ```
/// # use k8s_openapi::api::core::v1::Secret;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "App", namespaced)]
/// #[secondary(Secret, metadata_only)]
/// pub struct AppSpec {}
///
/// let secrets: Vec<std::sync::Arc<kube::core::PartialObjectMeta<Secret>>> = AppSecondaries::default().secrets;
/// ```
///
/// ## `#[secondary(Kind, map = ...)]`
/// How a child names its primary: `owner` (default: the ownerReference with `controller: true`
/// whose kind is the primary's), `label("key")` or `annotation("key")` (the value is the primary's
/// name, in the child's namespace) for children without ownerReferences.
///
/// ```
/// # use k8s_openapi::api::core::v1::Pod;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "ReplSet", namespaced)]
/// #[secondary(Pod, map = label("app.kubernetes.io/instance"))]
/// pub struct ReplSetSpec {}
/// ```
///
/// ## `#[secondary(Kind, selector = "...")]`
/// A label selector narrowing the watch, so the cache holds only the operator's own children.
/// It is checked at compile time with the Kubernetes grammar: requirements separated by `,`,
/// each `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)` or
/// `key notin (a,b)` (or `key>1`, `key<1`, which the API server also accepts).
///
/// ```
/// # use k8s_openapi::api::core::v1::Pod;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "ReplSet", namespaced)]
/// #[secondary(Pod, map = label("app.kubernetes.io/instance"), selector = "app.kubernetes.io/managed-by=replset")]
/// pub struct ReplSetSpec {}
/// ```
///
/// ## `#[secondary(Kind, field = name)]`
/// Names the cache field (and the enum variant, in upper camel case); needed when two kinds
/// would get the same name.
///
/// ```
/// # use k8s_openapi::api::core::v1::Pod;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "ReplSet", namespaced)]
/// #[secondary(Pod, map = label("app.kubernetes.io/instance"), field = members)]
/// pub struct ReplSetSpec {}
///
/// let _ = (ReplSetSecondaries::default().members, ReplSetSecondaryKind::Members);
/// ```
///
/// ## `#[secondary(Kind, drift = ...)]`
/// The path of a function `fn(&Kind, &Kind) -> bool` that decides, for `Context::apply`, whether
/// the cached child has drifted from the desired one (given first) and needs a write. It replaces
/// the default comparison: a field this controller set through server-side apply that someone
/// changed or removed. Not with `metadata_only`: a metadata-only kind is created
/// (`Context::create_if_absent`), never applied.
///
/// ```
/// # use k8s_openapi::api::apps::v1::Deployment;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// mod rules {
///     use k8s_openapi::api::apps::v1::Deployment;
///
///     /// Only the images are the operator's to keep; other edits (an autoscaler's replica
///     /// count) stay.
///     pub fn deployment_drifted(desired: &Deployment, cached: &Deployment) -> bool {
///         let images = |deployment: &Deployment| {
///             let pod = deployment.spec.template.spec.as_ref()?;
///             Some(pod.containers.iter().map(|c| c.image.clone()).collect::<Vec<_>>())
///         };
///         images(desired) != images(cached)
///     }
/// }
///
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "App", namespaced)]
/// #[secondary(Deployment, drift = rules::deployment_drifted)]
/// pub struct AppSpec {}
/// ```
///
/// # `#[secondaries(...)]`
/// ## `#[secondaries(resync = "...")]`
/// The fallback full reconcile of each primary when nothing else woke it; default `"30m"`.
/// Each primary's interval is spread between this and a tenth longer (by its name), so primaries
/// created together do not resync at once and none resyncs more often than this.
/// Durations are written `500ms`, `45s`, `30m`, `1h`, `2h30m`, `1d`.
///
/// ## `#[secondaries(periodic = "...")]`
/// Runs the reconciler's `periodic` handler at this interval, for time-based work such as polling
/// a system outside Kubernetes, instead of a full reconcile.
///
/// ## `#[secondaries(status_summary)]`
/// After every successful handler run, writes a compact list of the primary's secondaries (kind,
/// name, resourceVersion, readiness) into its `status.secondaries`, with a merge patch of the
/// status subresource and only when the list changed; that write does not wake the primary.
/// Needs the `status-summary` feature of `kube-secondary` (without it, the option is a compile
/// error saying so), and a status struct with the field, so that the CRD schema declares it
/// (the API server drops fields the schema does not declare). The list is built from the caches
/// plus the objects handlers pass to `Context::record_write`; it is as fresh as the last run, so
/// child changes the predicates ignore (a Deployment's status heartbeat) do not refresh it.
///
/// ```
/// # use k8s_openapi::api::apps::v1::Deployment;
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// use kube_secondary::summary::SecondarySummary;
///
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "App", namespaced, status = "AppStatus")]
/// #[secondaries(status_summary)]
/// #[secondary(Deployment)]
/// pub struct AppSpec {}
///
/// #[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
/// pub struct AppStatus {
///     #[serde(default, skip_serializing_if = "Vec::is_empty")]
///     pub secondaries: Vec<SecondarySummary>,
/// }
/// ```
///
/// ## `#[secondaries(crate = "...")]`
/// The path of the `kube-secondary` crate when it is renamed or re-exported.
///
/// ```
/// # use k8s_openapi::api::batch::v1::Job;
/// # use kube::CustomResource; use kube_secondary::{SecondaryAware, SecondaryAware as _};
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "batch.example.com", version = "v1", kind = "CronJob", namespaced)]
/// #[secondaries(resync = "1h", periodic = "1m", crate = "::kube_secondary")]
/// #[secondary(Job)]
/// pub struct CronJobSpec { schedule: String }
///
/// let options = <CronJob as kube_secondary::SecondaryAware>::options();
/// assert_eq!(options.resync, std::time::Duration::from_secs(3600));
/// assert_eq!(options.periodic, Some(std::time::Duration::from_secs(60)));
/// ```
#[proc_macro_derive(SecondaryAware, attributes(secondary, secondaries))]
pub fn derive_secondary_aware(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive::derive(input.into()).into()
}
