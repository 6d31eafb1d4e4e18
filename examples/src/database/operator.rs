//! The kube-secondary form of the `database` operator.

use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::ResourceExt;
use kube_secondary::{Action, Changes, Context, Reconciler};

use super::desired;
use super::{Database, DatabaseSecondaries, DatabaseSecondaryKind};
use crate::support::Writer;

/// Creates and repairs the children of every `Database`.
pub struct DatabaseOperator {
    /// The server-side apply field manager.
    pub field_manager: String,
}

impl Default for DatabaseOperator {
    fn default() -> Self {
        Self {
            field_manager: "kube-secondary-database".into(),
        }
    }
}

/// Whether every label this operator sets is on the cached object (others may add their own).
fn labels_kept(cached: &impl kube::Resource, desired: &impl kube::Resource) -> bool {
    desired
        .labels()
        .iter()
        .all(|(key, value)| cached.labels().get(key) == Some(value))
}

/// Whether the cached Deployment differs from the desired one in a field this operator owns.
fn deployment_drifted(cached: &Deployment, desired: &Deployment) -> bool {
    let replicas = |d: &Deployment| d.spec.replicas;
    let container = |d: &Deployment| {
        d.spec
            .template
            .spec
            .as_ref()
            .and_then(|p| p.containers.first())
            .map(|c| (c.image.clone(), c.ports.clone()))
    };
    replicas(cached) != replicas(desired)
        || container(cached) != container(desired)
        || !labels_kept(cached, desired)
}

fn service_drifted(cached: &Service, desired: &Service) -> bool {
    let ports = |s: &Service| {
        s.spec.as_ref().map(|spec| {
            let ports = spec
                .ports
                .iter()
                .flatten()
                .map(|p| (p.name.clone(), p.port, p.target_port.clone()));
            (spec.selector.clone(), ports.collect::<Vec<_>>())
        })
    };
    ports(cached) != ports(desired) || !labels_kept(cached, desired)
}

fn config_map_drifted(cached: &ConfigMap, desired: &ConfigMap) -> bool {
    cached.data.clone().unwrap_or_default() != desired.data.clone().unwrap_or_default()
        || !labels_kept(cached, desired)
}

/// Applies `want` unless the cached child of that name exists and has not drifted from it.
async fn apply_if_drifted<K>(
    writer: &Writer,
    ctx: &Context<Database>,
    cached: &[Arc<K>],
    want: K,
    drifted: fn(&K, &K) -> bool,
) -> kube::Result<()>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::Serialize
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let current = cached
        .iter()
        .find(|child| child.name_any() == want.name_any());
    if current.is_none_or(|child| drifted(child, &want)) {
        ctx.record_write(&writer.apply(&want).await?);
    }
    Ok(())
}

impl DatabaseOperator {
    async fn ensure_secret(
        &self,
        db: &Database,
        children: &DatabaseSecondaries,
        ctx: &Context<Database>,
    ) -> kube::Result<()> {
        let name = desired::secret_name(db);
        if !children
            .secrets
            .iter()
            .any(|secret| secret.name_any() == name)
        {
            let writer = Writer::new(ctx.client().clone(), &self.field_manager);
            if let Some(created) = writer
                .create_if_missing(&desired::secret(db, &self.field_manager))
                .await?
            {
                ctx.record_write(&created);
            }
        }
        Ok(())
    }

    /// Applies one kind if its cached object is missing or drifted.
    async fn repair(
        &self,
        kind: DatabaseSecondaryKind,
        db: &Database,
        children: &DatabaseSecondaries,
        ctx: &Context<Database>,
    ) -> kube::Result<()> {
        let writer = Writer::new(ctx.client().clone(), &self.field_manager);
        let manager = &self.field_manager;
        match kind {
            DatabaseSecondaryKind::Deployment => {
                let want = desired::deployment(db, manager);
                apply_if_drifted(
                    &writer,
                    ctx,
                    &children.deployments,
                    want,
                    deployment_drifted,
                )
                .await?;
            }
            DatabaseSecondaryKind::Service => {
                let want = desired::service(db, manager);
                apply_if_drifted(&writer, ctx, &children.services, want, service_drifted).await?;
            }
            DatabaseSecondaryKind::ConfigMap => {
                let want = desired::config_map(db, manager);
                apply_if_drifted(
                    &writer,
                    ctx,
                    &children.config_maps,
                    want,
                    config_map_drifted,
                )
                .await?;
            }
            DatabaseSecondaryKind::Secret => self.ensure_secret(db, children, ctx).await?,
        }
        Ok(())
    }
}

impl Reconciler<Database> for DatabaseOperator {
    type Error = kube::Error;

    async fn reconcile(
        &self,
        db: Arc<Database>,
        children: DatabaseSecondaries,
        ctx: &Context<Database>,
    ) -> kube::Result<Action> {
        let writer = Writer::new(ctx.client().clone(), &self.field_manager);
        if db.spec.invalid().is_none() {
            let manager = &self.field_manager;
            ctx.record_write(&writer.apply(&desired::deployment(&db, manager)).await?);
            ctx.record_write(&writer.apply(&desired::service(&db, manager)).await?);
            ctx.record_write(&writer.apply(&desired::config_map(&db, manager)).await?);
            self.ensure_secret(&db, &children, ctx).await?;
        }
        if let Some(status) = desired::status_update(&db) {
            writer.patch_status(db.as_ref(), status).await?;
        }
        Ok(Action::await_change())
    }

    async fn reconcile_secondaries(
        &self,
        db: Arc<Database>,
        children: DatabaseSecondaries,
        changes: &Changes<DatabaseSecondaryKind>,
        ctx: &Context<Database>,
    ) -> kube::Result<Action> {
        if db.spec.invalid().is_none() {
            for kind in changes.kinds() {
                self.repair(kind, &db, &children, ctx).await?;
            }
        }
        Ok(Action::await_change())
    }
}
