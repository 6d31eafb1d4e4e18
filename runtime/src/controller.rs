//! Runs the watches, the dispatch and the user's handlers on kube-runtime's applier.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::channel::mpsc;
use futures::future::{self, BoxFuture, Either};
use kube::Client;
use kube::runtime::controller;
use kube::runtime::reflector::ObjectRef;

use crate::aware::SecondaryAware;
use crate::cache::expectations::Expectations;
use crate::cache::form::ManagedFields;
use crate::dispatch::backoff::Backoff;
use crate::dispatch::budget::RepairBudget;
use crate::dispatch::ledger::Ledger;
use crate::dispatch::run::Run;
use crate::dispatch::shared::Shared;
use crate::dispatch::terms::Terms;
use crate::error::Error;
use crate::handler::reconciler::Reconciler;
use crate::handler::writes::Writes;
use crate::ops::leader::LeaderElection;
use crate::ops::metrics::Metrics;
use crate::watch::set::{WatchSet, Watches};

/// The primaries handled at once unless told otherwise.
const DEFAULT_CONCURRENCY: u16 = 16;

/// How long running handlers may take to finish after the shutdown signal, unless told
/// otherwise: within a pod's default 30 s termination grace period, with room to exit.
const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// An event-driven controller for primary `P` and every secondary kind it declares.
///
/// ```no_run
/// # use kube_secondary::{Controller, Reconciler};
/// # async fn run<P: kube_secondary::SecondaryAware, R: Reconciler<P>>(client: kube::Client, reconciler: R) -> Result<(), kube_secondary::Error> {
/// let controller = Controller::<P>::new(client)
///     .namespace("prod") // default: every namespace
///     .concurrency(4) // primaries reconciled at once (never the same one twice)
///     .debounce(std::time::Duration::from_millis(100)); // trade latency for coalescing
/// let metrics = controller.metrics();
/// controller.shutdown_on(tokio::signal::ctrl_c().map(drop)).run(reconciler).await?;
/// println!("{:?}", metrics.snapshot());
/// # Ok(()) }
/// # use futures::FutureExt;
/// ```
pub struct Controller<P: SecondaryAware> {
    client: Client,
    namespace: Option<String>,
    config: controller::Config,
    metrics: Arc<Metrics>,
    backoff: Backoff,
    repairs: RepairBudget,
    preflight: bool,
    keep_managed_fields: bool,
    streaming_lists: bool,
    writes: Writes,
    #[cfg(feature = "endpoints")]
    endpoints: Option<crate::ops::endpoints::Endpoints>,
    shutdown: BoxFuture<'static, ()>,
    shutdown_grace: Duration,
    leader: Option<LeaderElection>,
    _primary: std::marker::PhantomData<fn() -> P>,
}

impl<P: SecondaryAware> Controller<P> {
    /// A controller watching `P` and its secondaries in every namespace.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            namespace: None,
            config: controller::Config::default().concurrency(DEFAULT_CONCURRENCY),
            metrics: Arc::default(),
            backoff: Backoff::default(),
            repairs: RepairBudget::default(),
            preflight: true,
            keep_managed_fields: false,
            streaming_lists: true,
            writes: Writes::for_primary::<P>(),
            #[cfg(feature = "endpoints")]
            endpoints: None,
            shutdown: future::pending().boxed(),
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            leader: None,
            _primary: std::marker::PhantomData,
        }
    }

    /// Restricts every watch to one namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The most primaries handled at once (default: 16; `0`: unlimited); one primary never runs
    /// twice at once. The bound is what keeps a cold start over thousands of primaries from
    /// holding thousands of requests and responses in memory at once; the API server, not the
    /// number of runs, sets the pace of such a start.
    #[must_use]
    pub fn concurrency(mut self, concurrency: u16) -> Self {
        self.config = self.config.concurrency(concurrency);
        self
    }

    /// Waits this long after a trigger before running, so a burst of changes to one primary's
    /// children coalesces into one run (kube-runtime's scheduler debounce; default none).
    ///
    /// Every request of the primary is delayed, its fallback resync, retries and periodic runs
    /// included: while its children keep changing faster than `debounce`, none of them runs.
    #[must_use]
    pub fn debounce(mut self, debounce: std::time::Duration) -> Self {
        self.config = self.config.debounce(debounce);
        self
    }

    /// How often a primary's children are repaired while something keeps changing them: `burst`
    /// runs of [`reconcile_secondaries`](crate::Reconciler::reconcile_secondaries) that write a
    /// child (through the [`Context`](crate::Context), or recorded with
    /// [`record_write`](crate::Context::record_write)) at once, then one after `every`, whatever
    /// the number of changes; the changes made meanwhile fold into that run. While the drift goes
    /// on through each wait, the next wait doubles, up to twice `every` (a child stays wrong at
    /// most that long after the drift stops); one wait without drift ends it. Default: 5, then
    /// 10 s, then 20 s, so ordinary drift (a deleted Service, a few edits a minute) is repaired at
    /// once, and a child another controller rewrites a hundred times a second costs a few
    /// repairs, not a hundred a second. A run that writes no child (say, woken by a Deployment's
    /// readiness) costs nothing. A change of the primary never waits; `u32::MAX` never holds.
    #[must_use]
    pub fn repair_budget(mut self, burst: u32, every: Duration) -> Self {
        self.repairs = RepairBudget { burst, every };
        self
    }

    /// Whether each watch gets its first full picture through a streaming list (default: yes): the
    /// objects arrive one by one, instead of in pages of 500 decoded at once, which bounds the
    /// memory a start over many existing children takes. An API server that refuses streaming
    /// lists (before Kubernetes 1.32, or the `WatchList` gate off) gets a paginated list.
    #[must_use]
    pub fn streaming_lists(mut self, streaming: bool) -> Self {
        self.streaming_lists = streaming;
        self
    }

    /// The retry delays of a primary whose handlers keep failing (with the default
    /// [`error_policy`](crate::Reconciler::error_policy), [`Action::backoff`](crate::Action::backoff)):
    /// from `min`, doubling with jitter, up to `max`; a run that succeeds starts over. Default:
    /// 5 ms to 1,000 s, as controller-runtime's per-object rate limiter.
    #[must_use]
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff = Backoff { min, max };
        self
    }

    /// Skips the start-up permission check (for clients that cannot create access reviews).
    #[must_use]
    pub fn skip_preflight(mut self) -> Self {
        self.preflight = false;
        self
    }

    /// The server-side apply field manager of [`Context::apply`](crate::Context::apply) and of
    /// the other writes the context makes (default `<kind>-controller`, e.g.
    /// `database-controller`). The caches keep this manager's `managedFields` entries only.
    #[must_use]
    pub fn field_manager(mut self, manager: impl Into<String>) -> Self {
        self.writes.field_manager = manager.into().into();
        self
    }

    /// Makes [`Context::apply`](crate::Context::apply) fail with a 409 when another field
    /// manager owns a field it sets. By default it forces: the controller owns the fields it
    /// sets, and takes them back from whoever changed them (other fields stay theirs).
    #[must_use]
    pub fn fail_on_conflicts(mut self) -> Self {
        self.writes.force = false;
        self
    }

    /// Gives every primary the finalizer `name` (e.g. `memcached.cache.example.com/cleanup`),
    /// managed by the runtime: it is added before the primary's first
    /// [`reconcile`](crate::Reconciler::reconcile), in the same run, which goes on with the
    /// primary as that write returned it; when the primary is deleted,
    /// [`Reconciler::cleanup`](crate::Reconciler::cleanup) runs instead of any other handler (its
    /// children are still there to read), and the finalizer is removed once it succeeds. A
    /// failed cleanup is retried like any failed handler, and the primary stays until it
    /// succeeds.
    #[must_use]
    pub fn finalizer(mut self, name: impl Into<String>) -> Self {
        self.writes.finalizer = Some(name.into().into());
        self
    }

    /// Turns off (`false`) or on (`true`, the default) the Events the runtime records on a
    /// primary of what it does: a child `Created`, `Adopted`, `Updated` (the desired object
    /// changed), `Repaired` (naming the drifted path, never values), `Pruned` or `Deleted`, a
    /// `Refused` take-over, and `ReconcileFailed` with the handler's one-line cause. They are
    /// published in the background (a run does not wait for them), at most 25 per primary at once
    /// and then one per five minutes (client-go's spam filter); each costs a `create`, or a
    /// `patch` when it repeats, counted apart as `event` in
    /// [`RequestCounts`](crate::client::RequestCounts). The handler's own
    /// ([`Context::event`](crate::Context::event)) are recorded either way.
    #[must_use]
    pub fn runtime_events(mut self, record: bool) -> Self {
        self.writes.runtime_events = record;
        self
    }

    /// Makes [`Context::apply_all`](crate::Context::apply_all) log the children it would prune
    /// ("would prune ...") instead of deleting them.
    #[must_use]
    pub fn dry_run_prune(mut self) -> Self {
        self.writes.prune_dry_run = true;
        self
    }

    /// Keeps every `metadata.managedFields` entry in the cached primaries and secondaries. By
    /// default only this controller's [`field_manager`](Self::field_manager) entries are kept,
    /// which [`Context::apply`](crate::Context::apply) compares with; the others are dropped
    /// before caching (as controller-runtime's `TransformStripManagedFields` drops all): they are
    /// often the largest part of a small object's metadata.
    #[must_use]
    pub fn keep_managed_fields(mut self) -> Self {
        self.keep_managed_fields = true;
        self
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` on `addr` while the controller runs (cargo
    /// feature `endpoints`): `/metrics` is `registry` with the controller's
    /// [metrics](Metrics::register) added (register your own, and
    /// [`RequestCounts`](crate::client::RequestCounts) for requests by verb, before); `/readyz`
    /// answers 200 once every watch has filled its cache, and 503 with the reason before that or
    /// while a watch has been failing for longer than
    /// [`WATCH_FAILING_BOUND`](crate::metrics::WATCH_FAILING_BOUND). A port that cannot be bound
    /// fails [`run`](Self::run) at start-up.
    ///
    /// ```no_run
    /// # use kube_secondary::Controller;
    /// # fn f<P: kube_secondary::SecondaryAware>(client: kube::Client) -> Controller<P> {
    /// let mut registry = prometheus_client::registry::Registry::default();
    /// Controller::<P>::new(client).serve_endpoints("0.0.0.0:8080".parse().unwrap(), registry)
    /// # }
    /// ```
    #[cfg(feature = "endpoints")]
    #[must_use]
    pub fn serve_endpoints(
        mut self,
        addr: std::net::SocketAddr,
        registry: prometheus_client::registry::Registry,
    ) -> Self {
        self.endpoints = Some(crate::ops::endpoints::Endpoints { addr, registry });
        self
    }

    /// Stops the controller when `signal` completes: no handler starts after it, and running
    /// handlers get the [grace period](Self::shutdown_grace) to finish.
    #[must_use]
    pub fn shutdown_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = signal.boxed();
        self
    }

    /// How long running handlers may take to finish after the shutdown signal (default 20 s,
    /// inside a pod's default 30 s grace period); handlers still running then are dropped
    /// between two awaits, and [`run`](Self::run) returns. A handler waiting on an API server
    /// that stopped answering would otherwise hold shutdown until the kubelet's SIGKILL.
    #[must_use]
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Runs handlers only while this replica holds `election`'s Lease; the others stand by with
    /// their caches filled, and the one that takes over gives every primary a full run. A leader
    /// that cannot renew stops its handlers before the Lease can expire for the others; at
    /// shutdown it gives the Lease up once its handlers are done. It needs
    /// [`rbac::lease_rule`](crate::rbac::lease_rule) in the election's namespace.
    #[must_use]
    pub fn leader_election(mut self, election: LeaderElection) -> Self {
        self.leader = Some(election);
        self
    }

    /// The controller's counters, readable while it runs.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Runs until shutdown: checks permissions, starts one watch per kind, waits for every cache
    /// to be filled, then dispatches each wake-up to `reconciler`.
    ///
    /// Fails at start-up when the client lacks permissions, or when the API server rejects a
    /// watch for good (a kind it does not serve, a malformed selector), naming the kind. Dropping
    /// the returned future stops every watch.
    pub async fn run<R: Reconciler<P>>(self, reconciler: R) -> Result<(), Error> {
        let leader = self.leader.as_ref().map(LeaderElection::lease_namespace);
        let lease = leader.transpose().map_err(Error::Terminal)?;
        if self.preflight {
            crate::ops::rbac::preflight::<P>(&self.client, self.namespace.as_deref()).await?;
            crate::ops::rbac::preflight_lease(&self.client, lease).await?;
        }
        #[cfg(feature = "endpoints")]
        let _serving = match self.endpoints {
            Some(endpoints) => {
                Some(crate::ops::endpoints::serve(endpoints, self.metrics.clone()).await?)
            }
            None => None,
        };
        let (triggers, queue) = mpsc::unbounded::<ObjectRef<P>>();
        let mut writes = self.writes;
        writes.managed_fields =
            ManagedFields::kept(self.keep_managed_fields, &writes.field_manager);
        let shared = Arc::new(Shared {
            client: self.client.clone(),
            namespace: self.namespace.clone(),
            ledger: Arc::new(Ledger::<P>::new(P::options(), self.backoff, self.repairs)),
            triggers,
            expectations: Arc::new(Expectations::new(WatchSet::<P>::watched_kinds())),
            metrics: self.metrics.clone(),
            managed_fields: writes.managed_fields.clone(),
            streaming_lists: self.streaming_lists,
            writes,
        });
        // Dropped with `run` (returned, failed or dropped itself): every watch task is aborted.
        let watches = Watches::start(&shared);
        // The first run of each primary sees its existing children: wait for every cache.
        let shutdown = self.shutdown.shared();
        match future::select(watches.ready, shutdown.clone()).await {
            Either::Left((ready, _)) => ready?,
            Either::Right(_) => return Ok(()),
        };
        tracing::info!("all caches are filled");
        let run = Run::new(reconciler, watches.caches, watches.store.clone(), &shared);
        let terms = Terms {
            run: Arc::new(run),
            store: watches.store,
            queue,
            shared,
            config: self.config,
            shutdown,
            grace: self.shutdown_grace,
        };
        terms.serve(self.leader).await;
        Ok(())
    }
}
