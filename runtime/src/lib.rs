//! Event-driven handling of the secondary resources of Kubernetes operators.
//!
//! Declare the children a custom resource owns with `#[derive(SecondaryAware)]`, implement
//! [`Reconciler`], and run a [`Controller`]: every declared kind is watched once (never per
//! primary), filtered by predicates, mapped to its primary, and cached; a change of a child runs
//! the cheap [`Reconciler::reconcile_secondaries`] instead of a full reconcile, and a long
//! fallback resync replaces the polling timer.
//!
//! Handlers write children as data: [`Context::apply`] makes a desired child the primary's,
//! compares it with the cached copy on the fields the controller owns ([`matcher`]) and writes
//! only what drifted; [`Context::apply_all`] also prunes what is no longer desired;
//! [`Context::create_if_absent`] and [`Context::patch_status`] complete the set. None of their
//! writes wakes the primary again.
//!
//! Built on kube-runtime: its watcher, reflector stores, predicates and its applier's scheduler.
//!
//! ```no_run
//! use std::sync::Arc;
//! use k8s_openapi::api::apps::v1::Deployment;
//! use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
//! use kube::CustomResource;
//! use kube_secondary::{Action, Changes, Context, Controller, Reconciler, SecondaryAware};
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
//! #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
//! #[secondary(Deployment)] // default predicate: generation, labels, annotations
//! #[secondary(Service)]
//! #[secondary(Secret, metadata_only)] // secret data never enters the operator's memory
//! #[secondary(ConfigMap, predicate = labels | annotations)]
//! pub struct DatabaseSpec {
//!     replicas: i32,
//! }
//!
//! struct Operator;
//!
//! impl Reconciler<Database> for Operator {
//!     type Error = kube::Error;
//!
//!     // The primary changed, first sight, fallback resync, requeue or retry.
//!     async fn reconcile(
//!         &self,
//!         db: Arc<Database>,
//!         children: DatabaseSecondaries,
//!         ctx: &Context<Database>,
//!     ) -> kube::Result<Action> {
//!         let _ = (db, children.deployments, children.secrets, ctx);
//!         Ok(Action::await_change())
//!     }
//!
//!     // Only children changed: repair just those kinds.
//!     async fn reconcile_secondaries(
//!         &self,
//!         db: Arc<Database>,
//!         children: DatabaseSecondaries,
//!         changes: &Changes<DatabaseSecondaryKind>,
//!         ctx: &Context<Database>,
//!     ) -> kube::Result<Action> {
//!         for kind in changes.kinds() {
//!             let _ = (kind, &db, &children, ctx); // e.g. DatabaseSecondaryKind::Service
//!         }
//!         Ok(Action::await_change())
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), kube_secondary::Error> {
//!     let client = kube::Client::try_default().await.expect("a kubeconfig");
//!     Controller::<Database>::new(client).run(Operator).await
//! }
//! ```
//!
//! Cargo features: `derive` (default) re-exports `#[derive(SecondaryAware)]`; `status-summary`
//! lets a primary opt in (`#[secondaries(status_summary)]`) to a list of its secondaries in its
//! status (the `summary` module, present with the feature); `endpoints` adds
//! `Controller::serve_endpoints` (`/metrics`, `/healthz`, `/readyz`).

#![warn(missing_docs)]

mod aware;
mod cache;
mod children;
pub mod client;
mod controller;
mod dispatch;
mod error;
mod handler;
mod kinds;
mod ops;
#[cfg(test)]
mod testing;
mod watch;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use aware::{
    Declares, Full, MetadataOnly, Options, SecondaryAware, SecondaryKind, SecondaryOf,
};
pub use children::matcher;
pub use children::stamp::SET_LABEL;
pub use client::primary_all;
pub use controller::Controller;
pub use error::{Error, is_terminal};
pub use handler::changes::{Change, ChangeOp, Changes};
pub use handler::condition;
pub use handler::context::Context;
pub use handler::reconciler::{Action, Reconciler};
pub use kinds::predicates;
pub use kinds::resource::{ApiScope, Mapping};
pub use ops::leader::LeaderElection;
pub use ops::metrics::{Metrics, MetricsSnapshot, Trigger};
#[cfg(feature = "status-summary")]
pub use ops::summary;
pub use ops::{crd, metrics, rbac};

#[cfg(feature = "derive")]
pub use kube_secondary_macros::SecondaryAware;
