//! The timer pattern (as in the Percona MongoDB operator): no child watches; every primary is
//! fully reconciled every 5 seconds to notice drift.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;

use super::Baseline;
use crate::database::Database;

/// The requeue interval.
pub const INTERVAL: Duration = Duration::from_secs(5);

/// Runs until `shutdown` completes.
pub async fn run(
    baseline: Arc<Baseline>,
    namespace: Option<&str>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let api: Api<Database> = match namespace {
        Some(ns) => Api::namespaced(baseline.client.clone(), ns),
        None => Api::all(baseline.client.clone()),
    };
    Controller::new(api, watcher::Config::default())
        .graceful_shutdown_on(shutdown)
        .run(
            |db, baseline: Arc<Baseline>| async move {
                baseline.run(&db).await?;
                Ok::<_, kube::Error>(Action::requeue(INTERVAL))
            },
            |_, _, _| Action::requeue(INTERVAL),
            baseline,
        )
        .for_each(|_| futures::future::ready(()))
        .await;
}
