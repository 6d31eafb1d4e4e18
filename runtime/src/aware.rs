//! The trait the derive implements for a primary resource.

use std::fmt::{Debug, Display};
use std::hash::Hash;
use std::time::Duration;

use kube::Resource;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::kinds::declaration::Declaration;
use crate::kinds::resource::{ApiScope, SecondaryResource};

/// A primary resource whose secondaries (the children it owns) are watched and cached.
///
/// Implemented by `#[derive(SecondaryAware)]`; see the derive's documentation for the attributes.
/// Implementing it by hand is possible but not covered by semver: the derive is the supported way.
/// For a resource type written by hand (implementing `kube::Resource` itself rather than coming
/// from `#[derive(CustomResource)]`), put the derive on that type.
///
/// ```
/// use k8s_openapi::api::apps::v1::Deployment;
/// use k8s_openapi::api::core::v1::Secret;
/// use kube::CustomResource;
/// use kube_secondary::{SecondaryAware, SecondaryKind};
/// use schemars::JsonSchema;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// #[secondary(Deployment)]
/// #[secondary(Secret, metadata_only)]
/// #[secondaries(resync = "1h")]
/// pub struct DatabaseSpec {}
///
/// // The typed children, one field per declared kind, built from the watch caches.
/// let children = DatabaseSecondaries::default();
/// let _: &Vec<std::sync::Arc<Deployment>> = &children.deployments;
/// let _: &Vec<std::sync::Arc<kube::core::PartialObjectMeta<Secret>>> = &children.secrets;
///
/// assert_eq!(Database::options().resync, std::time::Duration::from_secs(3600));
/// let names: Vec<_> = DatabaseSecondaryKind::ALL.iter().map(|kind| kind.name()).collect();
/// assert_eq!(names, ["Deployment", "Secret"]);
/// ```
pub trait SecondaryAware:
    Resource<DynamicType = (), Scope: ApiScope>
    + Clone
    + DeserializeOwned
    + Serialize
    + Debug
    + Send
    + Sync
    + 'static
{
    /// The typed view of one primary's children, one field per declared kind.
    type Secondaries: Clone + Debug + Default + Send + Sync + 'static;
    /// Names the declared kinds, one variant each, for change reports and metrics.
    type Kind: SecondaryKind;

    /// Global options from `#[secondaries(...)]`.
    fn options() -> Options;

    /// Declares one watch per secondary kind, in declaration order.
    #[doc(hidden)]
    fn declare<D: Declare<Self>>(set: &mut D);

    /// Builds the typed children of `primary` from the watch caches, without API requests.
    #[doc(hidden)]
    fn secondaries<C: Children>(caches: &C, primary: &Self) -> Self::Secondaries;

    /// Adds `secondaries` to the summary of `primary` for its status; called only when
    /// [`Options::status_summary`] says the primary opted in (`#[secondaries(status_summary)]`).
    #[doc(hidden)]
    fn status_summary<S: Summarize>(
        primary: &Self,
        secondaries: &Self::Secondaries,
        summary: &mut S,
    ) {
        let _ = (primary, secondaries, summary);
    }
}

/// Where a primary's kinds are declared (the controller's watch set): `declare` adds each kind
/// there. Named by generated code through `__private`.
#[doc(hidden)]
pub trait Declare<P: SecondaryAware> {
    /// Declares `kind`, cached as `C`, watched as `declared` says.
    fn add<C: SecondaryResource>(&mut self, kind: P::Kind, declared: Declaration<C>);
}

/// Where a primary's children are read from (the watch caches): `secondaries` reads each kind
/// there. Named by generated code through `__private`.
#[doc(hidden)]
pub trait Children {
    /// The cached children of `primary` of the kind cached as `C`.
    fn of<P: SecondaryAware, C: SecondaryResource>(&self, primary: &P) -> Vec<std::sync::Arc<C>>;
}

/// The summary of a primary's children written into its status (`status-summary` feature):
/// `status_summary` adds each kind's children. Named by generated code through `__private`.
#[doc(hidden)]
pub trait Summarize {
    /// Adds the children of one kind.
    fn add<C: SecondaryResource + Serialize>(&mut self, children: &[std::sync::Arc<C>]);
}

/// The generated enum naming each declared secondary kind (`DatabaseSecondaryKind` for
/// `Database`), one variant per `#[secondary(...)]`, named after the kind or its `field`.
///
/// ```
/// # use k8s_openapi::api::core::v1::{Pod, Service};
/// # use kube::CustomResource; use kube_secondary::{SecondaryAware, SecondaryKind};
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "demo.example.com", version = "v1", kind = "ReplSet", namespaced)]
/// #[secondary(Service)]
/// #[secondary(Pod, map = label("app.kubernetes.io/instance"), field = members)]
/// pub struct ReplSetSpec {}
///
/// assert_eq!(ReplSetSecondaryKind::ALL, [ReplSetSecondaryKind::Service, ReplSetSecondaryKind::Members]);
/// assert_eq!(ReplSetSecondaryKind::Members.name(), "Members");
/// assert_eq!(ReplSetSecondaryKind::Service.to_string(), "Service");
/// ```
pub trait SecondaryKind: Copy + Eq + Ord + Hash + Debug + Display + Send + Sync + 'static {
    /// Every declared kind, in declaration order.
    const ALL: &'static [Self];

    /// The kind's name as written in the attribute (e.g. `"Deployment"`), used in metrics.
    fn name(self) -> &'static str;
}

/// Options that apply to every secondary of a primary, set with `#[secondaries(...)]`.
///
/// ```
/// use std::time::Duration;
/// use kube_secondary::Options;
///
/// let options = Options::default();
/// assert_eq!(options.resync, Options::DEFAULT_RESYNC); // 30 minutes
/// assert_eq!(options.periodic, None);
/// assert_eq!(Options::new(Duration::from_secs(3600), Some(Duration::from_secs(30))).periodic,
///            Some(Duration::from_secs(30)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Fallback full reconcile of each primary when nothing else woke it (default 30 minutes).
    /// Each primary's interval is spread between this and a tenth longer, so primaries created
    /// together do not resync at once and none resyncs more often than this.
    pub resync: Duration,
    /// Interval of the periodic check handler, if declared (`periodic = "30s"`).
    pub periodic: Option<Duration>,
    /// Whether a summary of the secondaries is written into the primary's status
    /// (`status_summary`, with the `status-summary` feature).
    pub status_summary: bool,
}

impl Options {
    /// The default fallback resync: scheduled reconciliation is the fallback, not the mechanism.
    pub const DEFAULT_RESYNC: Duration = Duration::from_secs(30 * 60);

    /// Options with the given resync and periodic interval.
    pub const fn new(resync: Duration, periodic: Option<Duration>) -> Self {
        Self {
            resync,
            periodic,
            status_summary: false,
        }
    }

    /// These options, with the summary of the secondaries written into the primary's status.
    #[must_use]
    pub const fn with_status_summary(mut self) -> Self {
        self.status_summary = true;
        self
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new(Self::DEFAULT_RESYNC, None)
    }
}

/// `Self` declares `K` as a secondary kind cached in form `F` ([`Full`] or [`MetadataOnly`]).
/// The derive implements it once per `#[secondary(...)]`; a kind declared twice in one form is
/// a conflicting implementation.
pub trait Declares<K, F>: SecondaryAware {}

/// `Self` is a secondary kind of `P` cached in form `F`: what lets
/// [`Context::apply`](crate::Context::apply) and
/// [`Context::create_if_absent`](crate::Context::create_if_absent) accept a `Self`. Implemented
/// for every kind `P` [`Declares`]. The bound sits on the child's type, so that rustc checks the
/// argument against it rather than guessing the child's type from `P`'s only declared kind.
#[diagnostic::on_unimplemented(
    message = "`{P}` declares no secondary `{Self}` that can be written this way",
    label = "not declared with `#[secondary(...)]` on `{P}`",
    note = "add `#[secondary({Self})]` to the struct that derives `SecondaryAware` for `{P}`; `Context::apply` compares with the cached child, so it needs the kind cached in full (not `metadata_only`), while `Context::create_if_absent` takes either"
)]
pub trait SecondaryOf<P, F> {}

#[diagnostic::do_not_recommend]
impl<K, F, P: Declares<K, F>> SecondaryOf<P, F> for K {}

/// The form of a kind declared without `metadata_only`: whole objects are cached.
#[derive(Clone, Copy, Debug)]
pub struct Full;

/// The form of a kind declared `metadata_only`: the cache holds `PartialObjectMeta<K>`.
#[derive(Clone, Copy, Debug)]
pub struct MetadataOnly;
