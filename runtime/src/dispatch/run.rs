//! One run of one primary: drain its reasons from the ledger, call the handlers they name, report
//! failures, and tell kube-runtime's scheduler when time is next due.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use kube::runtime::controller;
use kube::runtime::reflector::{ObjectRef, Store};
use tracing::Instrument;

use crate::aware::{SecondaryAware, SecondaryKind};
use crate::cache::caches::Caches;
use crate::cache::expectations::Version;
use crate::dispatch::plan::{Main, Outcome};
use crate::dispatch::shared::Shared;
use crate::error::chain;
use crate::handler::condition::{self, Failure};
use crate::handler::context::Context;
use crate::handler::events::Did;
use crate::handler::reconciler::{Action, Reconciler};
use crate::ops::metrics::Trigger;

/// What the managed finalizer leaves of a run.
enum Finalizer<P> {
    /// The primary carries the finalizer: the run goes on with it.
    Ready(Arc<P>),
    /// The primary was being deleted (cleaned up, or not ours to clean), or the finalizer could
    /// not be written: no other handler runs.
    Done(Result<(), (String, Action)>),
}

/// Everything a primary's run needs.
pub(crate) struct Run<P: SecondaryAware, R: Reconciler<P>> {
    reconciler: R,
    caches: Caches,
    store: Store<P>,
    shared: Arc<Shared<P>>,
    ctx: Context<P>,
}

impl<P: SecondaryAware, R: Reconciler<P>> Run<P, R> {
    pub(crate) fn new(
        reconciler: R,
        caches: Caches,
        store: Store<P>,
        shared: &Arc<Shared<P>>,
    ) -> Self {
        let ctx = Context::new(
            shared.client.clone(),
            caches.clone(),
            shared.writes.clone(),
            shared.expectations.clone(),
            shared.metrics.clone(),
        );
        Self {
            reconciler,
            caches,
            store,
            shared: shared.clone(),
            ctx,
        }
    }

    /// Runs one handler in `span`, times it, and settles its result: a failure is logged once,
    /// with its cause chain, remembered for the condition, and the error policy says when to
    /// retry.
    async fn call(
        &self,
        ctx: &Context<P>,
        primary: &P,
        handler: &'static str,
        span: tracing::Span,
        run: impl Future<Output = Result<Action, R::Error>>,
        failure: &mut Option<Failure>,
    ) -> Result<Action, Action> {
        let started = Instant::now();
        let result = run.instrument(span).await;
        let metrics = &self.shared.metrics;
        metrics.handler_ran(handler, started.elapsed());
        result.map_err(|error| {
            metrics.error();
            let message = chain(&error);
            if crate::error::unreachable(&error) {
                // The watches say once that the API server is gone; reports would fail too.
                tracing::debug!(primary = %ObjectRef::from_obj(primary), handler, error = %message, "handler failed: the API server does not answer; retrying");
                return Action::requeue(crate::error::UNREACHABLE_RETRY);
            }
            tracing::warn!(primary = %ObjectRef::from_obj(primary), handler, error = %message, "handler failed");
            self.failed(primary, handler, &message);
            *failure = Some(Failure { handler, message });
            self.reconciler.error_policy(primary, &error, ctx)
        })
    }

    pub(crate) async fn run(&self, primary: Arc<P>) -> controller::Action {
        // The object our last write of the primary returned, until the cache shows it.
        let primary = self.shared.expectations.newest(primary);
        let key = ObjectRef::from_obj(primary.as_ref());
        let live = |kind: P::Kind, namespace: Option<&str>, name: &str| {
            self.caches
                .has_child(kind, primary.as_ref(), namespace, name)
        };
        let plan =
            self.shared
                .ledger
                .begin(&primary, Instant::now(), &self.shared.expectations, &live);
        let metrics = &self.shared.metrics;
        for (kind, outcome, events) in plan.drained {
            metrics.outcome(kind.name(), outcome, events);
        }
        if plan.main.is_none() && !plan.periodic {
            metrics.skipped();
            tracing::debug!(primary = %key, "nothing left to do: handled by the previous run, or only echoes and other objects' children");
            return self.next(&key, Outcome::default());
        }
        let mut outcome = Outcome::default();
        let mut failure = None;
        let (mut main, mut periodic) = (plan.main, plan.periodic);
        let mut primary = primary;
        if let Some(finalizer) = self.shared.writes.finalizer.clone() {
            match self.finalizer(primary.clone(), &finalizer).await {
                Finalizer::Ready(ready) => primary = ready,
                Finalizer::Done(result) => {
                    metrics.wakeup(match &main {
                        Some(Main::Full(trigger)) => *trigger,
                        Some(Main::Secondaries(_)) => Trigger::Secondary,
                        None => Trigger::Primary,
                    });
                    (main, periodic) = (None, false);
                    if let Err((message, retry)) = result {
                        metrics.error();
                        tracing::warn!(primary = %key, handler = "cleanup", error = %message, "handler failed");
                        self.failed(primary.as_ref(), "cleanup", &message);
                        failure = Some(Failure {
                            handler: "cleanup",
                            message,
                        });
                        outcome.full = Some(Err(retry));
                    } else {
                        outcome.full = Some(Ok(Action::await_change()));
                    }
                }
            }
        }
        let given = self.caches.versions_of(primary.as_ref());
        let ctx = self.ctx.for_run(
            primary.clone(),
            given.into_iter().chain(Version::of(primary.as_ref())),
        );
        if let Some(main) = main {
            let secondaries = P::secondaries(&self.caches, &primary);
            match main {
                Main::Full(trigger) => {
                    metrics.wakeup(trigger);
                    let span = tracing::info_span!("reconcile", primary = %key, trigger = trigger.as_str());
                    let run = self
                        .reconciler
                        .reconcile(primary.clone(), secondaries, &ctx);
                    let result = self.call(&ctx, &primary, "reconcile", span, run, &mut failure);
                    outcome.full = Some(result.await);
                }
                Main::Secondaries(changes) => {
                    metrics.wakeup(Trigger::Secondary);
                    let kinds: Vec<_> = changes.kinds().iter().map(|kind| kind.name()).collect();
                    kinds.iter().for_each(|kind| metrics.secondary_kind(kind));
                    let span = tracing::info_span!("reconcile_secondaries", primary = %key, kinds = ?kinds, changes = changes.len());
                    let run = self.reconciler.reconcile_secondaries(
                        primary.clone(),
                        secondaries,
                        &changes,
                        &ctx,
                    );
                    let handler = "reconcile_secondaries";
                    let result = self.call(&ctx, &primary, handler, span, run, &mut failure);
                    outcome.secondaries = Some(result.await);
                }
            }
        }
        if periodic {
            metrics.wakeup(Trigger::Periodic);
            let secondaries = P::secondaries(&self.caches, &primary);
            let span = tracing::info_span!("periodic", primary = %key);
            let run = self.reconciler.periodic(primary.clone(), secondaries, &ctx);
            let result = self.call(&ctx, &primary, "periodic", span, run, &mut failure);
            outcome.periodic = Some(result.await);
        }
        outcome.wrote_children = ctx.wrote_children();
        if outcome.failed() || outcome.succeeded() {
            // The handlers may have written the primary: start from the newest state, the
            // cache's or this run's own write (no conflict with the handler's status write).
            let cached = self.store.get(&key).unwrap_or_else(|| primary.clone());
            let latest = self.shared.expectations.newest(cached);
            let manager = &self.shared.writes.field_manager;
            let report =
                condition::report(ctx.client(), latest.as_ref(), failure.as_ref(), manager);
            if let Some(written) = report.await {
                self.ctx.record_primary(written);
            }
        }
        #[cfg(feature = "status-summary")]
        if outcome.succeeded() {
            self.write_summary(&primary, &ctx).await;
        }
        self.next(&key, outcome)
    }

    /// Records the failure of `handler` on `primary` as a Warning Event, unless the runtime's
    /// Events are off.
    fn failed(&self, primary: &P, handler: &str, message: &str) {
        let note = format!("{handler}: {message}");
        self.ctx.events.runtime(primary, Did::Failed, note, None);
    }

    /// The managed finalizer: added to a primary that lacks it (the run goes on with the primary
    /// as written); a primary being deleted gets its cleanup, then loses the finalizer, and no
    /// other handler runs.
    async fn finalizer(&self, primary: Arc<P>, finalizer: &str) -> Finalizer<P> {
        let client = &self.shared.client;
        let manager = &*self.shared.writes.field_manager;
        let deleting = primary.meta().deletion_timestamp.is_some();
        if !deleting && crate::handler::finalizer::has(primary.as_ref(), finalizer) {
            return Finalizer::Ready(primary);
        }
        if !deleting {
            return match crate::handler::finalizer::write(
                client,
                primary.as_ref(),
                finalizer,
                true,
                manager,
            )
            .await
            {
                Ok(written) => Finalizer::Ready(self.ctx.record_primary(written)),
                Err(error) => Finalizer::Done(Err((chain(&error), Action::backoff()))),
            };
        }
        if !crate::handler::finalizer::has(primary.as_ref(), finalizer) {
            return Finalizer::Done(Ok(()));
        }
        let ctx = self
            .ctx
            .for_run(primary.clone(), self.caches.versions_of(primary.as_ref()));
        let secondaries = P::secondaries(&self.caches, &primary);
        let key = ObjectRef::from_obj(primary.as_ref());
        let span = tracing::info_span!("cleanup", primary = %key);
        let started = Instant::now();
        let result = self
            .reconciler
            .cleanup(primary.clone(), secondaries, &ctx)
            .instrument(span)
            .await;
        self.shared
            .metrics
            .handler_ran("cleanup", started.elapsed());
        if let Err(error) = result {
            let retry = self.reconciler.error_policy(&primary, &error, &ctx);
            return Finalizer::Done(Err((chain(&error), retry)));
        }
        tracing::info!(primary = %key, "cleaned up");
        // From the cleanup's own last write of the primary (its status), not a conflict with it.
        let latest = ctx.latest_primary();
        match crate::handler::finalizer::write(client, latest.as_ref(), finalizer, false, manager)
            .await
        {
            Ok(_) => Finalizer::Done(Ok(())),
            Err(error) => Finalizer::Done(Err((chain(&error), Action::backoff()))),
        }
    }

    /// Records how the run ended; tells the scheduler when the primary is next due by time.
    fn next(&self, key: &ObjectRef<P>, outcome: Outcome) -> controller::Action {
        match self.shared.ledger.finish(key, Instant::now(), outcome) {
            Some(next) => controller::Action::requeue(next),
            None => controller::Action::await_change(),
        }
    }

    /// Writes the summary of the primary's secondaries into its status when it opted in and the
    /// summary changed: the caches, with this run's own writes merged in.
    #[cfg(feature = "status-summary")]
    async fn write_summary(&self, primary: &P, ctx: &Context<P>) {
        if !P::options().status_summary {
            return;
        }
        let secondaries = P::secondaries(&self.caches, primary);
        let mut summary = crate::ops::summary::Summary::of(primary);
        P::status_summary(primary, &secondaries, &mut summary);
        summary.merge_written(ctx.take_written());
        if let Some(patch) = summary.patch() {
            let manager = &self.shared.writes.field_manager;
            crate::ops::summary::write(
                ctx.client(),
                primary,
                &patch,
                &self.shared.expectations,
                manager,
            )
            .await;
        }
    }
}
