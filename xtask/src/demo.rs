//! `cargo xtask demo`: the `database` operator creating a Database's children and repairing a
//! deleted Service through `reconcile_secondaries`, with the wake-up counts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Service};
use kube::api::{DeleteParams, ObjectMeta, PostParams};
use kube::{Api, Client};
use kube_secondary::crd::install_crd;
use kube_secondary::{Controller, Metrics};
use kube_secondary_examples::database::{Database, DatabaseOperator, DatabaseSpec};

use crate::{cluster, cluster_state, kubeconfig};

const NAMESPACE: &str = "kube-secondary-demo";

fn print_counts(metrics: &Metrics) {
    let snapshot = metrics.snapshot();
    println!(
        "    wake-ups by trigger: {:?}; reconcile_secondaries by kind: {:?}",
        snapshot.wakeups, snapshot.secondary_kinds
    );
}

async fn wait(what: &str, mut check: impl AsyncFnMut() -> bool) -> anyhow::Result<Duration> {
    let start = Instant::now();
    while !check().await {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(start.elapsed())
}

async fn scenario(client: Client) -> anyhow::Result<()> {
    println!("1. installing the Database CRD and starting the operator (namespace {NAMESPACE})");
    install_crd::<Database>(&client, "kube-secondary-demo").await?;
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(NAMESPACE.into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    if namespaces.get_opt(NAMESPACE).await?.is_none() {
        namespaces.create(&PostParams::default(), &ns).await?;
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = Controller::<Database>::new(client.clone())
        .namespace(NAMESPACE)
        .shutdown_on(async move {
            let _ = stopped.await;
        });
    let metrics = controller.metrics();
    let operator = tokio::spawn(controller.run(DatabaseOperator));

    println!("2. creating Database `orders`");
    let dbs: Api<Database> = Api::namespaced(client.clone(), NAMESPACE);
    let spec = DatabaseSpec {
        image: "postgres:16".into(),
        replicas: 1,
        port: 5432,
        config: BTreeMap::from([("max_connections".to_string(), "100".to_string())]),
    };
    let _ = dbs.delete("orders", &DeleteParams::default()).await;
    wait("the old Database to go", async || {
        dbs.get_opt("orders").await.ok().flatten().is_none()
    })
    .await?;
    dbs.create(&PostParams::default(), &Database::new("orders", spec))
        .await?;
    let services: Api<Service> = Api::namespaced(client.clone(), NAMESPACE);
    let took = wait("the children", async || {
        services.get_opt("orders").await.ok().flatten().is_some()
    })
    .await?;
    println!(
        "   Deployment, Service, Secret and ConfigMap created in {} ms",
        took.as_millis()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    print_counts(&metrics);

    println!("3. deleting Service `orders` (drift)");
    services.delete("orders", &DeleteParams::default()).await?;
    let took = wait("the repair", async || {
        services.get_opt("orders").await.ok().flatten().is_some()
    })
    .await?;
    println!(
        "   Service recreated {} ms after the delete, by reconcile_secondaries",
        took.as_millis()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    print_counts(&metrics);

    println!("4. idle for 10 s: nothing should wake the operator");
    let before = metrics.snapshot().total_wakeups();
    tokio::time::sleep(Duration::from_secs(10)).await;
    println!(
        "   wake-ups while idle: {}",
        metrics.snapshot().total_wakeups() - before
    );

    println!("5. cleaning up");
    let _ = stop.send(());
    operator.await??;
    namespaces
        .delete(NAMESPACE, &DeleteParams::background())
        .await?;
    Ok(())
}

/// Starts (or reuses) the cluster and runs the demo scenario; the cluster keeps running, so the
/// next demo or test starts in seconds.
pub fn run() -> anyhow::Result<()> {
    cluster::up(&cluster::UpOptions::default())?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        scenario(kubeconfig::client(&cluster_state::kubeconfig_path()?).await?).await
    })?;
    println!("the control plane keeps running; stop it with `cargo xtask cluster down`");
    Ok(())
}
