//! Runs the `database` operator:
//! `cargo run -p kube-secondary-examples --bin database -- --install-crd`.
//!
//! `--metrics-addr 127.0.0.1:9090` serves `/metrics` (requests by verb included), `/healthz` and
//! `/readyz`. `--leader-election NAMESPACE/NAME` runs handlers only while holding that Lease, so
//! several replicas can run with one leading. `--mode timer` and `--mode by-hand` run the same job as the benchmark's baselines
//! (which serve their counters as `/metrics.json`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::FutureExt;
use kube_secondary::Controller;
use kube_secondary::client::counting_client;
use kube_secondary::crd::install_crd;
use kube_secondary_examples::baseline::{self, Baseline};
use kube_secondary_examples::database::{Database, DatabaseOperator};
use kube_secondary_examples::support::{Flags, Mode, init_tracing};
use prometheus_client::registry::Registry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let flags = Flags::from_env()?;
    if flags.print_rbac {
        print!(
            "{}",
            kube_secondary::rbac::cluster_role_yaml::<Database>("database-operator")
        );
        return Ok(());
    }
    let name = format!("database-{}", flags.mode.as_str());
    let mut config = kube::Config::infer().await?;
    config
        .headers
        .push((http::header::USER_AGENT, name.parse()?));
    let (client, requests) = counting_client(config)?;
    if flags.install_crd {
        install_crd::<Database>(&client, &name).await?;
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::spawn(async move {
        futures::future::select(tokio::signal::ctrl_c().boxed(), Box::pin(terminate.recv())).await;
        let _ = stop.send(());
    });
    let shutdown = async move {
        let _ = stopped.await;
    };
    let namespace = flags.namespace.as_deref();
    match flags.mode {
        Mode::KubeSecondary => {
            let mut controller = Controller::<Database>::new(client).shutdown_on(shutdown);
            if let Some(namespace) = namespace {
                controller = controller.namespace(namespace);
            }
            if let Some((namespace, name)) = &flags.leader_election {
                let election = kube_secondary::LeaderElection::new(name, namespace);
                controller = controller.leader_election(election);
            }
            let metrics = controller.metrics();
            if let Some(addr) = flags.metrics_addr {
                let mut registry = Registry::default();
                requests.register(&mut registry);
                controller = controller.serve_endpoints(addr, registry);
            }
            controller.run(DatabaseOperator).await?;
            tracing::info!(wakeups = ?metrics.snapshot().wakeups, "stopped");
        }
        Mode::Timer | Mode::ByHand => {
            let baseline = Arc::new(Baseline::new(client, &name));
            if let Some(addr) = flags.metrics_addr {
                let baseline = baseline.clone();
                let body = move || serde_json::json!({ "wakeups": { "reconcile": baseline.wakeups() }, "requests": requests.snapshot() });
                serve(addr, body).await?;
            }
            match flags.mode {
                Mode::Timer => baseline::timer::run(baseline.clone(), namespace, shutdown).await,
                _ => baseline::by_hand::run(baseline.clone(), namespace, shutdown).await,
            }
            tracing::info!(wakeups = baseline.wakeups(), "stopped");
        }
    }
    Ok(())
}

/// Serves a baseline's `/metrics.json` (`json()`, which the benchmark reads), and `/metrics` (an
/// empty OpenMetrics registry: the baselines count in `json()`), `/healthz` and `/readyz` (both
/// `ok` while the process serves) on `addr`.
async fn serve(
    addr: SocketAddr,
    json: impl Fn() -> serde_json::Value + Clone + Send + Sync + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new()
        .route(
            "/metrics",
            get(|| std::future::ready(openmetrics(&Registry::default()))),
        )
        .route(
            "/metrics.json",
            get(move || std::future::ready(Json(json()))),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving /metrics, /metrics.json, /healthz and /readyz");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "metrics server stopped");
        }
    });
    Ok(())
}

fn openmetrics(registry: &Registry) -> Response {
    let mut body = String::new();
    match prometheus_client::encoding::text::encode(&mut body, registry) {
        Ok(()) => {
            let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
            ([(CONTENT_TYPE, content_type)], body).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
