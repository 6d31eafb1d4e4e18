//! Handling the queue in terms: kube-runtime's applier runs the handlers while this replica
//! leads (always, without leader election), and stops at once when it loses the lead, or after a
//! grace period for running handlers at shutdown. Between terms the watches keep the caches warm
//! and the ledger keeps what is due.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use futures::channel::mpsc::UnboundedReceiver;
use futures::future::{self, BoxFuture, Either, Shared as SharedFuture};
use futures::{FutureExt, StreamExt};
use kube::runtime::controller::{self, applier};
use kube::runtime::reflector::{ObjectRef, Store};
use tokio::sync::watch;

use crate::aware::SecondaryAware;
use crate::dispatch::run::Run;
use crate::dispatch::shared::Shared;
use crate::handler::reconciler::Reconciler;
use crate::ops::elector;
use crate::ops::leader::{self, LeaderElection};

/// What the terms need: the runs, the primaries, the trigger channel and how to stop.
pub(crate) struct Terms<P: SecondaryAware, R: Reconciler<P>> {
    pub(crate) run: Arc<Run<P, R>>,
    pub(crate) store: Store<P>,
    pub(crate) queue: UnboundedReceiver<ObjectRef<P>>,
    pub(crate) shared: Arc<Shared<P>>,
    pub(crate) config: controller::Config,
    pub(crate) shutdown: SharedFuture<BoxFuture<'static, ()>>,
    pub(crate) grace: Duration,
}

impl<P: SecondaryAware, R: Reconciler<P>> Terms<P, R> {
    /// Handles the queue until shutdown: in one term without `election`, else in each term this
    /// replica leads; gives the Lease up at the end.
    pub(crate) async fn serve(mut self, election: Option<LeaderElection>) {
        let (leading_tx, leading) = watch::channel(election.is_none());
        // Without an election the sender stays here, so the one term never sees it closed.
        let (elector, _always) = match election.clone() {
            Some(election) => {
                let client = self.shared.client.clone();
                // Aborted with `serve`, also when `run` is dropped: a dropped controller must
                // not go on renewing the Lease.
                let elect = tokio::spawn(elector::elect(client, election, leading_tx));
                (Some(AbortOnDrop(elect)), None)
            }
            None => (None, Some(leading_tx)),
        };
        loop {
            let mut standby = leading.clone();
            let led = async move {
                // An election that ended (its task gone) never leads again.
                if standby.wait_for(|leading| *leading).await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            .boxed();
            if let Either::Right(_) = future::select(led, self.shutdown.clone()).await {
                break;
            }
            self.shared.metrics.leading(true);
            if election.is_some() {
                // What the last leader left undone is unknown: every primary gets a full run.
                for primary in self.store.state() {
                    let primary = ObjectRef::from_obj(primary.as_ref());
                    let send = self.shared.ledger.record_primary(primary.clone());
                    self.shared.trigger(send, primary);
                }
            }
            let lost = self.term(&leading).await;
            self.shared.metrics.leading(false);
            if !lost {
                break;
            }
        }
        if let (Some(elector), Some(election)) = (elector, election) {
            // Stopped, not just told to stop: a renewal still in flight must not land after the
            // release.
            elector.stop().await;
            let api = kube::Api::namespaced(self.shared.client.clone(), &election.namespace);
            let released = tokio::time::timeout(election.retry, leader::release(&api, &election));
            match released.await {
                Ok(Ok(())) => {
                    tracing::info!(identity = %election.identity_str(), "released the lease")
                }
                Ok(Err(error)) => {
                    tracing::warn!(error = %crate::error::chain(&error), "could not release the lease; the standby takes over when it expires")
                }
                Err(_) => tracing::warn!(
                    "could not release the lease in time; the standby takes over when it expires"
                ),
            }
        }
    }

    /// One term: runs handlers until the lead is lost (returns `true`, running handlers dropped
    /// at once, since another replica may lead now) or shutdown (`false`, running handlers given
    /// the grace period).
    async fn term(&mut self, leading: &watch::Receiver<bool>) -> bool {
        let mut lead = leading.clone();
        let lost = async move {
            let _ = lead.wait_for(|leading| !*leading).await;
        };
        let shutdown = self.shutdown.clone();
        let stop = async move {
            future::select(lost.boxed(), shutdown).await;
        }
        .boxed()
        .shared();
        let (ledger, metrics) = (self.shared.ledger.clone(), self.shared.metrics.clone());
        let queue = (&mut self.queue)
            .inspect(move |primary| {
                ledger.received(primary);
                metrics.dequeued();
            })
            .take_until(stop.clone())
            .map(Ok::<_, Infallible>);
        let shared = self.shared.clone();
        let handled = applier(
            |primary, run: Arc<Run<P, R>>| {
                async move { Ok::<_, Infallible>(run.run(primary).await) }.boxed()
            },
            |_, never, _| match *never {},
            self.run.clone(),
            self.store.clone(),
            queue,
            self.config.clone(),
        )
        .for_each(move |result| {
            shared.settle(result);
            future::ready(())
        });
        // Only the leader writes: the stale-watch condition follows the term.
        let reporter = tokio::spawn(crate::dispatch::stale::report(
            self.store.clone(),
            self.shared.clone(),
        ));
        let _reporter = AbortOnDrop(reporter);
        let grace = self.grace;
        let leading = leading.clone();
        let deadline = stop.then(move |()| {
            let lost = !*leading.borrow();
            async move {
                if !lost {
                    tokio::time::sleep(grace).await;
                }
                lost
            }
        });
        match future::select(handled.boxed(), deadline.boxed()).await {
            Either::Left(((), _)) => self.shutdown.clone().now_or_never().is_none(),
            Either::Right((true, _)) => {
                tracing::warn!("lost the lead: dropped the handlers still running");
                true
            }
            Either::Right((false, _)) => {
                tracing::warn!(
                    ?grace,
                    "shutdown: dropped the handlers still running after the grace period"
                );
                false
            }
        }
    }
}

/// Aborts a spawned task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    /// Aborts the task and waits until it has stopped.
    async fn stop(mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
