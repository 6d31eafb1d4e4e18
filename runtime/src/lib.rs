//! Event-driven handling of the secondary resources of Kubernetes operators.
//!
//! Declare the children a custom resource owns with `#[derive(SecondaryAware)]`, implement
//! [`Reconciler`], and run a [`Controller`]: every declared kind is watched once (never per
//! primary), filtered by predicates, mapped to its primary, and cached; a change of a child runs
//! the cheap [`Reconciler::reconcile_secondaries`] instead of a full reconcile, and a long
//! fallback resync replaces the polling timer.
//!
//! Built on kube-runtime: its watcher, reflector stores, predicates and its applier's scheduler.

#![warn(missing_docs)]

mod aware;
mod cache;
mod controller;
mod dispatch;
mod expectations;
pub mod metrics;
mod pipeline;
pub mod predicates;
pub mod rbac;
mod reconciler;
mod set;
#[cfg(feature = "status-summary")]
pub mod summary;
#[cfg(test)]
mod testing;
mod watch;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use aware::{Options, SecondaryAware, SecondaryKind};
pub use controller::Controller;
pub use metrics::{Metrics, MetricsSnapshot, Trigger};
pub use reconciler::{Action, Change, ChangeOp, Changes, Context, Reconciler};
pub use watch::{ApiScope, Mapping};

#[cfg(feature = "derive")]
pub use kube_secondary_macros::SecondaryAware;

/// Errors of starting or running a controller.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client lacks permissions the watches need.
    #[error(
        "missing permissions: {}; grant them, e.g. with the ClusterRole from `kube_secondary::rbac::cluster_role_yaml`",
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    MissingPermissions(Vec<rbac::MissingPermission>),
    /// The permission check itself failed.
    #[error("permission check failed: {0}")]
    Preflight(#[source] kube::Error),
}
