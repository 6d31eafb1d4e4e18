//! What a careful kube-rs user writes today: kube-runtime's `Controller` with `.owns()` for every
//! child kind, no extra predicates, and the hour-long requeue kube-rs recommends as a fallback.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;

use super::Baseline;
use crate::database::Database;

/// The fallback requeue.
pub const RESYNC: Duration = Duration::from_secs(3600);

fn api<K>(baseline: &Baseline, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>,
{
    match namespace {
        Some(ns) => Api::namespaced(baseline.client.clone(), ns),
        None => Api::all(baseline.client.clone()),
    }
}

/// Runs until `shutdown` completes.
pub async fn run(
    baseline: Arc<Baseline>,
    namespace: Option<&str>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let config = watcher::Config::default();
    Controller::new(api::<Database>(&baseline, namespace), config.clone())
        .owns(api::<Deployment>(&baseline, namespace), config.clone())
        .owns(api::<Service>(&baseline, namespace), config.clone())
        .owns(api::<Secret>(&baseline, namespace), config.clone())
        .owns(api::<ConfigMap>(&baseline, namespace), config)
        .graceful_shutdown_on(shutdown)
        .run(
            |db, baseline: Arc<Baseline>| async move {
                baseline.run(&db).await?;
                Ok::<_, kube::Error>(Action::requeue(RESYNC))
            },
            |_, _, _| Action::requeue(Duration::from_secs(5)),
            baseline,
        )
        .for_each(|_| futures::future::ready(()))
        .await;
}
