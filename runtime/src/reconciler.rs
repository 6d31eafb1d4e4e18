//! What the user implements: a full `reconcile` and a cheap `reconcile_secondaries`.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use kube::{Client, Resource};
use serde::Serialize;

use crate::cache::Caches;
use crate::expectations::{Expectations, Version};
use crate::metrics::Metrics;
use crate::{SecondaryAware, SecondaryKind};

/// What to do after a handler ran.
///
/// ```
/// use std::time::Duration;
/// use kube_secondary::Action;
///
/// // The normal outcome: nothing to do until something changes (or the fallback resync).
/// assert_eq!(Action::await_change().requeue_after(), None);
/// // Legitimate time-based work, e.g. the next run of a schedule.
/// let next_run = Action::requeue(Duration::from_secs(60));
/// assert_eq!(next_run.requeue_after(), Some(Duration::from_secs(60)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    pub(crate) next: Next,
}

/// When a primary runs next, by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    AwaitChange,
    Requeue(Duration),
    Backoff,
}

impl Action {
    /// Run the full `reconcile` again after `duration`, even if nothing changed. Durations past
    /// six months are clamped to six months.
    #[must_use]
    pub const fn requeue(duration: Duration) -> Self {
        Self {
            next: Next::Requeue(duration),
        }
    }

    /// Wait for a change (or the fallback resync): the normal outcome.
    #[must_use]
    pub const fn await_change() -> Self {
        Self {
            next: Next::AwaitChange,
        }
    }

    /// Retry with a full `reconcile` after this primary's next backoff delay: exponential while
    /// its handlers keep failing, with jitter and a cap ([`Controller::backoff`](crate::Controller::backoff)),
    /// reset by a run that succeeds. The default [`Reconciler::error_policy`].
    #[must_use]
    pub const fn backoff() -> Self {
        Self {
            next: Next::Backoff,
        }
    }

    /// The requested fixed delay, if any.
    pub const fn requeue_after(&self) -> Option<Duration> {
        match self.next {
            Next::Requeue(duration) => Some(duration),
            Next::AwaitChange | Next::Backoff => None,
        }
    }
}

/// How a child changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeOp {
    /// Created or updated (after predicates).
    Applied,
    /// Deleted, or no longer mapped to this primary.
    Deleted,
}

/// One child that changed since the primary's last run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Change<Kd> {
    /// The declared kind of the child.
    pub kind: Kd,
    /// The child's namespace (none for cluster-scoped children).
    pub namespace: Option<String>,
    /// The child's name.
    pub name: String,
    /// The last thing that happened to it.
    pub op: ChangeOp,
}

/// A child: its kind, namespace and name.
type ObjectKey<Kd> = (Kd, Option<String>, String);

/// Every child change of one primary since its last run, coalesced: one entry per object, holding
/// the last operation seen.
///
/// A change says *that* a child changed; the typed secondaries say what it is now, and handlers
/// should read its state from them. When the run starts, each operation is checked against the
/// cache: a child deleted and created again is `Applied`, one created and deleted again
/// `Deleted`; changes that were only echoes of this operator's own writes, or that name a child
/// controlled by another object of the primary's name (another uid), are left out.
///
/// The controller builds it; tests of a `reconcile_secondaries` can build one from [`Change`]s.
///
/// ```
/// # use k8s_openapi::api::core::v1::{ConfigMap, Service};
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// # #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// # #[secondary(Service)]
/// # #[secondary(ConfigMap)]
/// # pub struct DatabaseSpec {}
/// use kube_secondary::{Change, ChangeOp, Changes};
///
/// let change = |kind, name: &str, op| Change { kind, namespace: Some("prod".into()), name: name.into(), op };
/// let changes: Changes<DatabaseSecondaryKind> = [
///     change(DatabaseSecondaryKind::Service, "db", ChangeOp::Applied),
///     change(DatabaseSecondaryKind::Service, "db", ChangeOp::Deleted), // coalesced: the last op wins
///     change(DatabaseSecondaryKind::ConfigMap, "db-config", ChangeOp::Applied),
/// ]
/// .into_iter()
/// .collect();
///
/// assert_eq!(changes.len(), 2);
/// assert_eq!(changes.kinds(), [DatabaseSecondaryKind::Service, DatabaseSecondaryKind::ConfigMap]);
/// for deleted in changes.of(DatabaseSecondaryKind::Service).filter(|c| c.op == ChangeOp::Deleted) {
///     println!("recreate Service {}", deleted.name);
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes<Kd: SecondaryKind> {
    items: BTreeMap<ObjectKey<Kd>, ChangeOp>,
}

impl<Kd: SecondaryKind> Default for Changes<Kd> {
    fn default() -> Self {
        Self {
            items: BTreeMap::new(),
        }
    }
}

impl<Kd: SecondaryKind> Changes<Kd> {
    /// Records a change; a later one of the same object replaces it.
    pub(crate) fn record(&mut self, change: Change<Kd>) {
        self.items
            .insert((change.kind, change.namespace, change.name), change.op);
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The number of changed objects.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Every change, ordered by kind then namespace and name.
    pub fn iter(&self) -> impl Iterator<Item = Change<Kd>> + '_ {
        self.items
            .iter()
            .map(|((kind, namespace, name), op)| Change {
                kind: *kind,
                namespace: namespace.clone(),
                name: name.clone(),
                op: *op,
            })
    }

    /// Whether any object of `kind` changed.
    pub fn contains(&self, kind: Kd) -> bool {
        self.items.keys().any(|(k, _, _)| *k == kind)
    }

    /// The kinds that changed, in declaration order.
    pub fn kinds(&self) -> Vec<Kd> {
        Kd::ALL
            .iter()
            .copied()
            .filter(|kind| self.contains(*kind))
            .collect()
    }

    /// The changes of one kind.
    pub fn of(&self, kind: Kd) -> impl Iterator<Item = Change<Kd>> + '_ {
        self.iter().filter(move |change| change.kind == kind)
    }
}

impl<Kd: SecondaryKind> FromIterator<Change<Kd>> for Changes<Kd> {
    /// Coalesces `changes` in order, as the controller does: the last operation per object wins.
    fn from_iter<I: IntoIterator<Item = Change<Kd>>>(changes: I) -> Self {
        let mut coalesced = Self::default();
        for change in changes {
            coalesced.record(change);
        }
        coalesced
    }
}

/// Objects written during one run, for the status summary.
#[cfg(feature = "status-summary")]
type Written = Arc<std::sync::Mutex<Vec<crate::summary::Observed>>>;

/// Shared by every handler call: the client and the bookkeeping of the operator's own writes.
///
/// ```no_run
/// # use k8s_openapi::api::core::v1::{ConfigMap, Service};
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// # #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// # #[secondary(Service)]
/// # #[secondary(ConfigMap)]
/// # pub struct DatabaseSpec {}
/// use kube::api::{Patch, PatchParams};
/// use kube::{Api, ResourceExt};
/// use kube_secondary::Context;
///
/// async fn write_config(db: &Database, desired: &ConfigMap, ctx: &Context<Database>) -> kube::Result<()> {
///     let api: Api<ConfigMap> = Api::namespaced(ctx.client().clone(), &db.namespace().unwrap());
///     let params = PatchParams::apply("database-operator").force();
///     let written = api.patch(&desired.name_any(), &params, &Patch::Apply(desired)).await?;
///     // The watch event of this very write will not wake the Database again.
///     ctx.record_write(&written);
///     Ok(())
/// }
/// ```
pub struct Context<P: SecondaryAware> {
    client: Client,
    caches: Caches,
    expectations: Arc<Expectations>,
    metrics: Arc<Metrics>,
    /// This run's writes, when the primary's status lists its secondaries.
    #[cfg(feature = "status-summary")]
    written: Option<Written>,
    _primary: std::marker::PhantomData<fn() -> P>,
}

impl<P: SecondaryAware> Clone for Context<P> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            caches: self.caches.clone(),
            expectations: self.expectations.clone(),
            metrics: self.metrics.clone(),
            #[cfg(feature = "status-summary")]
            written: self.written.clone(),
            _primary: std::marker::PhantomData,
        }
    }
}

impl<P: SecondaryAware> Context<P> {
    pub(crate) fn new(
        client: Client,
        caches: Caches,
        expectations: Arc<Expectations>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            client,
            caches,
            expectations,
            metrics,
            #[cfg(feature = "status-summary")]
            written: None,
            _primary: std::marker::PhantomData,
        }
    }

    /// The context of one run: it records the run's writes when `P` summarises its secondaries
    /// in its status.
    pub(crate) fn for_run(&self) -> Self {
        #[cfg(feature = "status-summary")]
        if P::options().status_summary {
            return Self {
                written: Some(Written::default()),
                ..self.clone()
            };
        }
        self.clone()
    }

    /// The objects recorded with [`record_write`](Self::record_write) during this run.
    #[cfg(feature = "status-summary")]
    pub(crate) fn take_written(&self) -> Vec<crate::summary::Observed> {
        self.written
            .as_ref()
            .map(|written| std::mem::take(&mut *written.lock().expect("written lock poisoned")))
            .unwrap_or_default()
    }

    /// The client the controller was built with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The controller's counters.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Remembers an object this operator just wrote (the object the API server returned), so
    /// the watch event carrying exactly that resourceVersion does not wake the primary again.
    ///
    /// A later change by anyone else has another resourceVersion and wakes it as usual. A write
    /// that changed nothing (the API server returned a version the watch already delivered) is
    /// not remembered: that version's change was someone else's. Writes of kinds this controller
    /// does not watch are ignored. With
    /// `#[secondaries(status_summary)]`, the object also goes into this run's summary, which the
    /// cache may not show yet.
    pub fn record_write<K: Resource<DynamicType = ()> + Serialize>(&self, written: &K) {
        if let Some(version) = Version::of(written) {
            let seen = self.caches.holds(&version);
            self.expectations.expect(version, seen);
        }
        #[cfg(feature = "status-summary")]
        if let Some(recorded) = &self.written
            && let Some(observed) = crate::summary::Observed::of(written)
        {
            recorded
                .lock()
                .expect("written lock poisoned")
                .push(observed);
        }
    }
}

/// The operator's logic for primary `P`.
///
/// ```
/// # use k8s_openapi::api::core::v1::{ConfigMap, Service};
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// # #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// # #[secondary(Service)]
/// # #[secondary(ConfigMap)]
/// # pub struct DatabaseSpec {}
/// use std::sync::Arc;
/// use kube_secondary::{Action, ChangeOp, Changes, Context, Reconciler};
///
/// struct Operator;
///
/// impl Reconciler<Database> for Operator {
///     type Error = kube::Error;
///
///     async fn reconcile(
///         &self,
///         db: Arc<Database>,
///         children: DatabaseSecondaries,
///         ctx: &Context<Database>,
///     ) -> kube::Result<Action> {
///         // Compute the desired children and write those that differ from `children`.
///         let _ = (db, children.services, children.config_maps, ctx);
///         Ok(Action::await_change())
///     }
///
///     async fn reconcile_secondaries(
///         &self,
///         db: Arc<Database>,
///         children: DatabaseSecondaries,
///         changes: &Changes<DatabaseSecondaryKind>,
///         ctx: &Context<Database>,
///     ) -> kube::Result<Action> {
///         // Only the kinds that drifted: a deleted Service is recreated, nothing else is touched.
///         if changes.of(DatabaseSecondaryKind::Service).any(|c| c.op == ChangeOp::Deleted) {
///             let _ = (&db, &children, ctx); // … recreate the Service …
///         }
///         Ok(Action::await_change())
///     }
/// }
/// ```
///
/// `reconcile` runs when the primary changed, on first sight, on the fallback resync, and when a
/// previous run asked for a requeue or failed. `reconcile_secondaries` runs when only children
/// changed; by default it calls `reconcile`. Handlers may run concurrently for different primaries,
/// never for the same one.
pub trait Reconciler<P: SecondaryAware>: Send + Sync + 'static {
    /// The error handlers return; it is logged and passed to [`error_policy`](Self::error_policy).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Brings every child of `primary` to its desired state.
    fn reconcile(
        &self,
        primary: Arc<P>,
        secondaries: P::Secondaries,
        ctx: &Context<P>,
    ) -> impl Future<Output = Result<Action, Self::Error>> + Send;

    /// Repairs after children changed while the primary did not; `changes` says which ones and how.
    fn reconcile_secondaries(
        &self,
        primary: Arc<P>,
        secondaries: P::Secondaries,
        changes: &Changes<P::Kind>,
        ctx: &Context<P>,
    ) -> impl Future<Output = Result<Action, Self::Error>> + Send {
        let _ = changes;
        self.reconcile(primary, secondaries, ctx)
    }

    /// Time-based work declared with `#[secondaries(periodic = "...")]`, e.g. polling a system
    /// outside Kubernetes; runs instead of a full reconcile.
    fn periodic(
        &self,
        primary: Arc<P>,
        secondaries: P::Secondaries,
        ctx: &Context<P>,
    ) -> impl Future<Output = Result<Action, Self::Error>> + Send {
        let _ = (primary, secondaries, ctx);
        async { Ok(Action::await_change()) }
    }

    /// When to retry after a handler failed. The default, [`Action::backoff`], retries with a
    /// full reconcile after an exponentially growing delay per primary.
    fn error_policy(&self, primary: &P, error: &Self::Error, ctx: &Context<P>) -> Action {
        let _ = (primary, error, ctx);
        Action::backoff()
    }
}
