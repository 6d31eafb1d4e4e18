//! What the user implements: a full `reconcile` and a cheap `reconcile_secondaries`, and what
//! a handler returns.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::aware::SecondaryAware;
use crate::handler::changes::Changes;
use crate::handler::context::Context;

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

    /// Cleans up after `primary`, which is being deleted, when the controller manages a
    /// [finalizer](crate::Controller::finalizer): release what the garbage collector cannot
    /// (state outside the cluster, objects in other namespaces), record an Event. Its children are
    /// still cached; the finalizer is removed once this succeeds. The default does nothing.
    fn cleanup(
        &self,
        primary: Arc<P>,
        secondaries: P::Secondaries,
        ctx: &Context<P>,
    ) -> impl Future<Output = Result<Action, Self::Error>> + Send {
        let _ = (primary, secondaries, ctx);
        async { Ok(Action::await_change()) }
    }

    /// When to retry after a handler failed. The default retries with a full reconcile after an
    /// exponentially growing delay per primary ([`Action::backoff`]), except after a failure
    /// retrying cannot fix ([`is_terminal`](crate::is_terminal): an [`Error::Terminal`](crate::Error::Terminal),
    /// or a child the API server refuses as invalid), which waits for a change of the primary or
    /// one of its children ([`Action::await_change`]).
    fn error_policy(&self, primary: &P, error: &Self::Error, ctx: &Context<P>) -> Action {
        let _ = (primary, ctx);
        if crate::error::is_terminal(error) {
            Action::await_change()
        } else {
            Action::backoff()
        }
    }
}
