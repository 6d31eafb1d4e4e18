//! What the drift and noise scenarios do to the children, paced.

use crate::scenario::{Rng, db_name};
use crate::tracker::{DRIFTED_REPLICAS, DRIFTED_SETTING, DriftKind, Tracker};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use kube::api::{DeleteParams, Patch, PatchParams};
use kube::{Api, Client};
use std::time::{Duration, Instant};

/// Makes one drift of `kind` to the children of `db`.
pub async fn drift(
    client: &Client,
    namespace: &str,
    kind: DriftKind,
    db: &str,
) -> anyhow::Result<()> {
    match kind {
        DriftKind::DeleteService => {
            Api::<Service>::namespaced(client.clone(), namespace)
                .delete(db, &DeleteParams::default())
                .await?;
        }
        DriftKind::EditConfigMap => {
            let patch = serde_json::json!({ "data": { "max_connections": DRIFTED_SETTING } });
            Api::<ConfigMap>::namespaced(client.clone(), namespace)
                .patch(
                    &format!("{db}-config"),
                    &PatchParams::default(),
                    &Patch::Merge(&patch),
                )
                .await?;
        }
        DriftKind::ScaleDeployment => {
            let patch = serde_json::json!({ "spec": { "replicas": DRIFTED_REPLICAS } });
            Api::<Deployment>::namespaced(client.clone(), namespace)
                .patch(db, &PatchParams::default(), &Patch::Merge(&patch))
                .await?;
        }
    }
    Ok(())
}

/// Makes one change nobody needs to react to: a status-only update of a Deployment, or an
/// unrelated label on a Service, ConfigMap or Secret.
pub async fn noise(client: &Client, namespace: &str, step: usize, db: &str) -> anyhow::Result<()> {
    let label = serde_json::json!({ "metadata": { "labels": { "bench.kube-secondary.dev/noise": step.to_string() } } });
    let params = PatchParams::default();
    match step % 4 {
        0 => {
            let status = serde_json::json!({ "status": { "observedGeneration": 1, "unavailableReplicas": step % 7 + 1 } });
            Api::<Deployment>::namespaced(client.clone(), namespace)
                .patch_status(db, &params, &Patch::Merge(&status))
                .await?;
        }
        1 => {
            Api::<Service>::namespaced(client.clone(), namespace)
                .patch(db, &params, &Patch::Merge(&label))
                .await?;
        }
        2 => {
            Api::<ConfigMap>::namespaced(client.clone(), namespace)
                .patch(&format!("{db}-config"), &params, &Patch::Merge(&label))
                .await?;
        }
        _ => {
            Api::<Secret>::namespaced(client.clone(), namespace)
                .patch(&format!("{db}-credentials"), &params, &Patch::Merge(&label))
                .await?;
        }
    }
    Ok(())
}

/// Sleeps so that step `i` of a run at `per_second` starts on time.
pub async fn pace(start: Instant, i: usize, per_second: f64) {
    let due = start + Duration::from_secs_f64(i as f64 / per_second);
    tokio::time::sleep_until(due.into()).await;
}

/// Runs `drift`s at the scenario's rate, one open drift per kind and primary at most.
pub async fn run_drifts(
    client: &Client,
    namespace: &str,
    tracker: &Tracker,
    rng: &mut Rng,
    primaries: usize,
    count: usize,
    per_second: f64,
) -> anyhow::Result<usize> {
    let start = Instant::now();
    let mut made = 0;
    for i in 0..count {
        pace(start, i, per_second).await;
        let kind = DriftKind::ALL[i % DriftKind::ALL.len()];
        let db = db_name(rng.below(primaries));
        if tracker.is_open(kind, &db) {
            continue;
        }
        tracker.expect(kind, &db);
        drift(client, namespace, kind, &db).await?;
        made += 1;
    }
    Ok(made)
}
