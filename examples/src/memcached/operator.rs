//! The `memcached` operator: the tutorial's reconcile and finalizer operations.

use std::sync::Arc;

use kube::ResourceExt;
use kube::runtime::events::EventType;
use kube_secondary::{Action, Context, Error, Reconciler, condition};

use super::{Memcached, MemcachedSecondaries, desired};

/// The finalizer the runtime manages for every `Memcached`.
pub const FINALIZER: &str = "cache.demo.kube-secondary.dev/finalizer";

/// Keeps each `Memcached`'s Deployment at `size` replicas and reports it in `Available`; before
/// a `Memcached` goes, records a Warning Event and sets `Degraded`. Run it with
/// `Controller::finalizer(FINALIZER)`.
pub struct MemcachedOperator;

impl MemcachedOperator {
    /// Writes `type_` into the status, beside the stored conditions.
    async fn report(
        &self,
        memcached: &Memcached,
        ctx: &Context<Memcached>,
        type_: &str,
        reason: &str,
        message: String,
    ) -> Result<(), Error> {
        let mut status = memcached.status.clone().unwrap_or_default();
        condition::set(
            &mut status.conditions,
            ctx.condition(type_, true, reason, message),
        );
        ctx.patch_status(&status).await
    }
}

impl Reconciler<Memcached> for MemcachedOperator {
    type Error = Error;

    async fn reconcile(
        &self,
        memcached: Arc<Memcached>,
        _children: MemcachedSecondaries,
        ctx: &Context<Memcached>,
    ) -> Result<Action, Error> {
        ctx.apply(desired::deployment(&memcached)).await?;
        let (name, size) = (memcached.name_any(), memcached.spec.size);
        let message = format!(
            "Deployment for custom resource ({name}) with {size} replicas created successfully"
        );
        self.report(&memcached, ctx, "Available", "Reconciling", message)
            .await?;
        Ok(Action::await_change())
    }

    async fn cleanup(
        &self,
        memcached: Arc<Memcached>,
        _children: MemcachedSecondaries,
        ctx: &Context<Memcached>,
    ) -> Result<Action, Error> {
        let (name, namespace) = (
            memcached.name_any(),
            memcached.namespace().unwrap_or_default(),
        );
        let note =
            format!("Custom Resource {name} is being deleted from the namespace {namespace}");
        ctx.event(EventType::Warning, "Deleting", note).await;
        let message = format!(
            "Finalizer operations for custom resource {name} name were successfully accomplished"
        );
        self.report(&memcached, ctx, "Degraded", "Finalizing", message)
            .await?;
        Ok(Action::await_change())
    }
}
