//! What every handler call gets besides the primary: the client and the bookkeeping of the
//! operator's own writes.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kube::{Client, Resource};
use serde::Serialize;

use crate::aware::SecondaryAware;
use crate::cache::caches::Caches;
use crate::cache::expectations::{Expectations, Version, kind_of};
use crate::handler::events::Events;
use crate::handler::writes::Writes;
use crate::ops::metrics::Metrics;

/// Objects written during one run, for the status summary.
#[cfg(feature = "status-summary")]
type Written = Arc<std::sync::Mutex<Vec<crate::ops::summary::Observed>>>;

/// Shared by every handler call: the client and the bookkeeping of the operator's own writes.
///
/// Handlers write children through it ([`apply`](Self::apply), [`apply_all`](Self::apply_all),
/// [`create_if_absent`](Self::create_if_absent), [`delete`](Self::delete),
/// [`patch_status`](Self::patch_status)), which record their own writes. A write made by other
/// means is recorded with [`record_write`](Self::record_write), as here:
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
    /// The primary of this run.
    primary: Option<Arc<P>>,
    pub(crate) caches: Caches,
    pub(crate) writes: Arc<Writes>,
    /// The versions of the primary and children this run's handlers were given.
    given: Arc<HashSet<Version>>,
    /// Whether this run wrote a child: created, changed or deleted one.
    wrote_children: Arc<AtomicBool>,
    pub(crate) expectations: Arc<Expectations>,
    metrics: Arc<Metrics>,
    /// The Events recorded on the primary.
    pub(crate) events: Events,
    /// This run's writes, when the primary's status lists its secondaries.
    #[cfg(feature = "status-summary")]
    written: Option<Written>,
    _primary: std::marker::PhantomData<fn() -> P>,
}

impl<P: SecondaryAware> Clone for Context<P> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            primary: self.primary.clone(),
            caches: self.caches.clone(),
            writes: self.writes.clone(),
            given: self.given.clone(),
            wrote_children: self.wrote_children.clone(),
            expectations: self.expectations.clone(),
            metrics: self.metrics.clone(),
            events: self.events.clone(),
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
        writes: Writes,
        expectations: Arc<Expectations>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let events = Events::new(client.clone(), &writes.field_manager, writes.runtime_events);
        Self {
            client,
            primary: None,
            caches,
            writes: Arc::new(writes),
            given: Arc::default(),
            wrote_children: Arc::default(),
            expectations,
            metrics,
            events,
            #[cfg(feature = "status-summary")]
            written: None,
            _primary: std::marker::PhantomData,
        }
    }

    /// The context of one run of `primary`: it records the run's writes when `P` summarises its
    /// secondaries in its status.
    /// `given` are the versions of the primary and the children its handlers are given.
    pub(crate) fn for_run(
        &self,
        primary: Arc<P>,
        given: impl IntoIterator<Item = Version>,
    ) -> Self {
        let run = Self {
            primary: Some(primary),
            given: Arc::new(given.into_iter().collect()),
            wrote_children: Arc::default(),
            ..self.clone()
        };
        #[cfg(feature = "status-summary")]
        if P::options().status_summary {
            return Self {
                written: Some(Written::default()),
                ..run
            };
        }
        run
    }

    /// The objects recorded with [`record_write`](Self::record_write) during this run.
    #[cfg(feature = "status-summary")]
    pub(crate) fn take_written(&self) -> Vec<crate::ops::summary::Observed> {
        self.written
            .as_ref()
            .map(|written| std::mem::take(&mut *written.lock().expect("written lock poisoned")))
            .unwrap_or_default()
    }

    /// Whether this run's handlers wrote a child: created, changed or deleted one (a write that
    /// changed nothing, and writes of the primary, do not count).
    pub(crate) fn wrote_children(&self) -> bool {
        self.wrote_children.load(Ordering::Relaxed)
    }

    /// Notes that this run wrote a child.
    pub(crate) fn wrote_child(&self) {
        self.wrote_children.store(true, Ordering::Relaxed);
    }

    /// The primary this run handles.
    pub(crate) fn primary(&self) -> &Arc<P> {
        self.primary
            .as_ref()
            .expect("handlers and error policies get the context of a run")
    }

    /// The primary's children as they are now: the caches, with this controller's own writes
    /// the caches do not show yet (created or changed children as written, deleted ones gone).
    /// A handler's `children` argument was built when its run started; this reads again after
    /// its writes, without a request.
    pub fn secondaries(&self) -> P::Secondaries {
        P::secondaries(&self.caches, self.primary())
    }

    /// A condition of this run's primary in one call ([`condition::new`](crate::handler::condition::new)):
    /// `type_` is `True` or `False` for `reason`, with `message`, at the primary's generation,
    /// now. Put it into the status with [`condition::set`](crate::handler::condition::set).
    pub fn condition(
        &self,
        type_: &str,
        status: bool,
        reason: &str,
        message: impl Into<String>,
    ) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
        crate::handler::condition::new(self.primary().as_ref(), type_, status, reason, message)
    }

    /// Records a Kubernetes Event on this run's primary (what `kubectl describe` shows), reported
    /// as the controller's [field manager](crate::Controller::field_manager), through the
    /// controller's one kube-runtime [`Recorder`](kube::runtime::events::Recorder): repeats of
    /// an Event (same type and reason) are counted in one object, which keeps its first note. An
    /// Event that cannot be written is logged, never an error of the handler. The generated
    /// ClusterRole allows it (`events.k8s.io` `create`, `patch`). The runtime records its own
    /// Events besides ([`Controller::runtime_events`](crate::Controller::runtime_events)).
    pub async fn event(
        &self,
        type_: kube::runtime::events::EventType,
        reason: &str,
        note: impl Into<String>,
    ) {
        let primary = self.primary();
        self.events
            .publish(primary.as_ref(), type_, reason, note.into(), None)
            .await;
    }

    /// The client the controller was built with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The server-side apply field manager of this controller's writes
    /// ([`Controller::field_manager`](crate::Controller::field_manager)).
    pub fn field_manager(&self) -> &str {
        &self.writes.field_manager
    }

    /// The controller's counters.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Remembers a version this run wrote (and the object, for a write the context made),
    /// unless it is one the run was given (a write that changed nothing). Returns whether the
    /// write changed the object.
    pub(crate) fn expect(
        &self,
        version: Version,
        object: Option<crate::cache::expectations::Written>,
    ) -> bool {
        let unchanged = self.given.contains(&version);
        self.expectations.expect(version, unchanged, object);
        !unchanged
    }

    /// Remembers an object this operator just wrote (the object the API server returned), so
    /// the watch event carrying exactly that resourceVersion does not wake the primary again,
    /// whether it arrives before or after the write's response.
    ///
    /// A later change by anyone else has another resourceVersion and wakes it as usual. A write
    /// that changed nothing (it returned the version this run was given) is not remembered: that
    /// version's change was someone else's. A change someone makes while the handler runs, which
    /// the handler's own write then leaves as it is, returns a version the run was not given and
    /// is taken for the echo. Writes of kinds this controller does not watch are ignored. With
    /// `#[secondaries(status_summary)]`, the object also goes into this run's summary, which the
    /// cache may not show yet.
    pub fn record_write<K: Resource<DynamicType = ()> + Serialize>(&self, written: &K) {
        self.record(written, None);
    }

    /// [`record_write`](Self::record_write) of an object the context wrote, kept so that the
    /// run compares with it until the cache catches up.
    pub(crate) fn record_written<K>(&self, written: &Arc<K>)
    where
        K: Resource<DynamicType = ()> + Serialize + Send + Sync + 'static,
    {
        self.record(written.as_ref(), Some(written.clone()));
    }

    fn record<K: Resource<DynamicType = ()> + Serialize>(
        &self,
        written: &K,
        object: Option<crate::cache::expectations::Written>,
    ) {
        if let Some(version) = Version::of(written) {
            // A write of the primary is no write of a child.
            let child = !version.key.is_of(&kind_of::<P>());
            if self.expect(version, object) && child {
                self.wrote_child();
            }
        }
        #[cfg(feature = "status-summary")]
        if let Some(recorded) = &self.written
            && let Some(observed) = crate::ops::summary::Observed::of(written)
        {
            recorded
                .lock()
                .expect("written lock poisoned")
                .push(observed);
        }
    }
}
