//! Runs the watches, the dispatch and the user's handlers on kube-runtime's applier.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures::channel::mpsc;
use futures::future::{self, BoxFuture};
use futures::{FutureExt, StreamExt};
use kube::runtime::controller::{self, applier};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tracing::Instrument;

use crate::cache::Caches;
use crate::dispatch::{Dispatch, Main, Outcome};
use crate::expectations::Expectations;
use crate::metrics::{Metrics, Trigger};
use crate::pipeline::{PrimaryEvent, PrimaryPipeline};
use crate::reconciler::{Action, Context, Reconciler};
use crate::set::{Shared, WatchSet};
use crate::watch::api;
use crate::{Error, SecondaryAware, SecondaryKind};

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
    preflight: bool,
    keep_managed_fields: bool,
    shutdown: BoxFuture<'static, ()>,
    _primary: std::marker::PhantomData<fn() -> P>,
}

impl<P: SecondaryAware> Controller<P> {
    /// A controller watching `P` and its secondaries in every namespace.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            namespace: None,
            config: controller::Config::default(),
            metrics: Arc::default(),
            preflight: true,
            keep_managed_fields: false,
            shutdown: future::pending().boxed(),
            _primary: std::marker::PhantomData,
        }
    }

    /// Restricts every watch to one namespace.
    #[must_use]
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The most primaries handled at once (default: unlimited); one primary never runs twice at once.
    #[must_use]
    pub fn concurrency(mut self, concurrency: u16) -> Self {
        self.config = self.config.concurrency(concurrency);
        self
    }

    /// Waits this long after a trigger before running, so a burst of changes to one primary's
    /// children coalesces into one run (kube-runtime's scheduler debounce; default none).
    #[must_use]
    pub fn debounce(mut self, debounce: std::time::Duration) -> Self {
        self.config = self.config.debounce(debounce);
        self
    }

    /// Skips the start-up permission check (for clients that cannot create access reviews).
    #[must_use]
    pub fn skip_preflight(mut self) -> Self {
        self.preflight = false;
        self
    }

    /// Keeps `metadata.managedFields` in the cached primaries and secondaries. By default they are
    /// dropped before caching (as controller-runtime's `TransformStripManagedFields` does): the
    /// API server keeps them, handlers rarely read them, and they are often the largest part of a
    /// small object's metadata.
    #[must_use]
    pub fn keep_managed_fields(mut self) -> Self {
        self.keep_managed_fields = true;
        self
    }

    /// Stops the controller when `signal` completes; running handlers finish first.
    #[must_use]
    pub fn shutdown_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = signal.boxed();
        self
    }

    /// The controller's counters, readable while it runs.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Runs until shutdown: checks permissions, starts one watch per kind, waits for every cache
    /// to be filled, then dispatches each wake-up to `reconciler`.
    pub async fn run<R: Reconciler<P>>(self, reconciler: R) -> Result<(), Error> {
        if self.preflight {
            crate::rbac::preflight::<P>(&self.client, self.namespace.as_deref()).await?;
        }
        let (triggers, queue) = mpsc::unbounded::<ObjectRef<P>>();
        let dispatch = Arc::new(Dispatch::<P>::new(P::options()));
        let expectations = Arc::new(Expectations::default());
        let shared = Shared {
            client: self.client.clone(),
            namespace: self.namespace.clone(),
            dispatch: dispatch.clone(),
            triggers: triggers.clone(),
            expectations: expectations.clone(),
            metrics: self.metrics.clone(),
            keep_managed_fields: self.keep_managed_fields,
        };
        let mut caches = Caches::default();
        let started: Vec<_> = WatchSet::<P>::declared()
            .watches
            .iter()
            .map(|watch| watch.start(&shared, &mut caches))
            .collect();
        let mut readies = Vec::new();
        let mut drivers = Vec::new();
        let mut forget_owner = Vec::new();
        for started in started {
            readies.push(started.ready);
            drivers.push(tokio::spawn(started.driver));
            forget_owner.push(started.forget_owner);
        }

        let (store, writer) = reflector::store::<P>();
        let api: Api<P> = api(self.client.clone(), self.namespace.as_deref());
        let primary_events = reflector::reflector(
            writer,
            watcher(api, watcher::Config::default())
                .modify(crate::watch::cache_form(self.keep_managed_fields))
                .default_backoff(),
        );
        let primary_dispatch = dispatch.clone();
        let primary_expectations = expectations.clone();
        let summary = P::options().status_summary;
        let mut pipeline = PrimaryPipeline::<P>::default();
        drivers.push(tokio::spawn(primary_events.for_each(move |event| {
            match event {
                Ok(event) => {
                    // The echo of our own status summary write wakes nothing.
                    let own_echo = summary
                        && match &event {
                            watcher::Event::Apply(obj) => primary_expectations.is_own_echo(obj),
                            watcher::Event::Delete(obj) => {
                                primary_expectations.forget(obj);
                                false
                            }
                            _ => false,
                        };
                    for change in pipeline.on_event(&event) {
                        match change {
                            PrimaryEvent::Changed(_) if own_echo => {}
                            PrimaryEvent::Changed(primary) => {
                                primary_dispatch.record_primary(primary.clone());
                                let _ = triggers.unbounded_send(primary);
                            }
                            PrimaryEvent::Deleted(primary) => {
                                primary_dispatch.forget(&primary);
                                forget_owner.iter().for_each(|forget| forget(&primary));
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "primary watch failed; retrying with backoff"),
            }
            future::ready(())
        })));

        // Requests wait in the channel until every secondary cache is filled, so the first
        // reconcile of each primary sees its existing children.
        let queue = future::join_all(readies)
            .map(move |_| {
                tracing::info!("all secondary caches are ready");
                queue
            })
            .flatten_stream()
            .take_until(self.shutdown)
            .map(Ok::<_, Infallible>);
        let run = Arc::new(Run {
            reconciler,
            caches,
            dispatch: dispatch.clone(),
            ctx: Context::new(
                self.client.clone(),
                expectations.clone(),
                self.metrics.clone(),
            ),
            expectations,
            metrics: self.metrics.clone(),
        });
        applier(
            |primary, run: Arc<Run<P, R>>| {
                async move { Ok::<_, Infallible>(run.dispatch_one(primary).await) }.boxed()
            },
            |_, never, _| match *never {},
            run,
            store,
            queue,
            self.config,
        )
        .for_each(|result| {
            if let Err(controller::Error::ObjectNotFound(primary)) = &result {
                // A label-mapped child seen before its primary: the primary's own first run sees it.
                let mut owner = ObjectRef::<P>::new(&primary.name);
                owner.namespace = primary.namespace.clone();
                dispatch.forget(&owner);
                tracing::debug!(%primary, "primary not in cache; dropped request");
            } else if let Err(error) = result {
                tracing::warn!(%error, "controller error");
            }
            future::ready(())
        })
        .await;
        drivers.iter().for_each(tokio::task::JoinHandle::abort);
        Ok(())
    }
}

/// Everything one primary's run needs.
struct Run<P: SecondaryAware, R: Reconciler<P>> {
    reconciler: R,
    caches: Caches,
    dispatch: Arc<Dispatch<P>>,
    ctx: Context<P>,
    expectations: Arc<Expectations>,
    metrics: Arc<Metrics>,
}

impl<P: SecondaryAware, R: Reconciler<P>> Run<P, R> {
    fn settle(
        &self,
        primary: &P,
        result: Result<Action, R::Error>,
        handler: &str,
    ) -> Result<Action, Action> {
        result.map_err(|error| {
            self.metrics.error();
            tracing::warn!(%error, handler, "handler failed");
            self.reconciler.error_policy(primary, &error, &self.ctx)
        })
    }

    async fn dispatch_one(&self, primary: Arc<P>) -> controller::Action {
        let key = ObjectRef::from_obj(primary.as_ref());
        let plan = self
            .dispatch
            .begin(&key, Instant::now(), &self.expectations);
        let ctx = self.ctx.for_run();
        let mut outcome = Outcome::default();
        if plan.main.is_none() && !plan.periodic {
            self.metrics.skipped();
            tracing::debug!(primary = %key, "no reason left; the previous run handled it");
        }
        if let Some(main) = plan.main {
            let secondaries = P::secondaries(&self.caches, &primary);
            match main {
                Main::Full(trigger) => {
                    self.metrics.wakeup(trigger);
                    let span = tracing::info_span!("reconcile", primary = %key, trigger = trigger.as_str());
                    let result = self
                        .reconciler
                        .reconcile(primary.clone(), secondaries, &ctx)
                        .instrument(span)
                        .await;
                    outcome.full = Some(self.settle(&primary, result, "reconcile"));
                }
                Main::Secondaries(changes) => {
                    self.metrics.wakeup(Trigger::Secondary);
                    changes
                        .kinds()
                        .into_iter()
                        .for_each(|kind| self.metrics.secondary_kind(kind.name()));
                    let kinds: Vec<_> = changes.kinds().iter().map(|kind| kind.name()).collect();
                    let span = tracing::info_span!("reconcile_secondaries", primary = %key, kinds = ?kinds, changes = changes.len());
                    let result = self
                        .reconciler
                        .reconcile_secondaries(primary.clone(), secondaries, &changes, &ctx)
                        .instrument(span)
                        .await;
                    outcome.secondaries =
                        Some(self.settle(&primary, result, "reconcile_secondaries"));
                }
            }
        }
        if plan.periodic {
            self.metrics.wakeup(Trigger::Periodic);
            let secondaries = P::secondaries(&self.caches, &primary);
            let span = tracing::info_span!("periodic", primary = %key);
            let result = self
                .reconciler
                .periodic(primary.clone(), secondaries, &ctx)
                .instrument(span)
                .await;
            outcome.periodic = Some(self.settle(&primary, result, "periodic"));
        }
        #[cfg(feature = "status-summary")]
        if outcome.succeeded() {
            self.write_summary(&primary, &ctx).await;
        }
        match self.dispatch.finish(&key, Instant::now(), outcome) {
            Some(next) => controller::Action::requeue(next),
            None => controller::Action::await_change(),
        }
    }

    /// Writes the summary of the primary's secondaries into its status when it opted in and the
    /// summary changed: the caches, with this run's own writes merged in.
    #[cfg(feature = "status-summary")]
    async fn write_summary(&self, primary: &P, ctx: &Context<P>) {
        let secondaries = P::secondaries(&self.caches, primary);
        let Some(mut summary) = P::status_summary(primary, &secondaries) else {
            return;
        };
        summary.merge_written(ctx.take_written());
        if let Some(patch) = summary.patch() {
            crate::summary::write(ctx.client(), primary, &patch, &self.expectations).await;
        }
    }
}
