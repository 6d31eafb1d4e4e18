//! Runs the `database` operator:
//! `cargo run -p kube-secondary-examples --bin database -- --install-crd`.
//!
//! `--mode timer` and `--mode by-hand` run the same job as the benchmark's baselines.

use std::sync::Arc;

use futures::FutureExt;
use kube_secondary::Controller;
use kube_secondary::client::counting_client;
use kube_secondary::crd::install_crd;
use kube_secondary::metrics::serve_http;
use kube_secondary_examples::baseline::{self, Baseline};
use kube_secondary_examples::database::{Database, DatabaseOperator};
use kube_secondary_examples::support::{Flags, Mode, init_tracing};

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
            let metrics = controller.metrics();
            if let Some(addr) = flags.metrics_addr {
                let metrics = metrics.clone();
                tokio::spawn(serve_http(addr, move |path| match path {
                    "/metrics" => Some(("text/plain; version=0.0.4", metrics.render_prometheus())),
                    "/metrics.json" => {
                        let body = serde_json::json!({ "kube_secondary": metrics.snapshot(), "requests": requests.snapshot() });
                        Some(("application/json", body.to_string()))
                    }
                    _ => None,
                }));
            }
            controller.run(DatabaseOperator::default()).await?;
            tracing::info!(wakeups = ?metrics.snapshot().wakeups, "stopped");
        }
        Mode::Timer | Mode::ByHand => {
            let baseline = Arc::new(Baseline::new(client, &name));
            if let Some(addr) = flags.metrics_addr {
                let baseline = baseline.clone();
                tokio::spawn(serve_http(addr, move |path| {
                    let body = serde_json::json!({ "wakeups": { "reconcile": baseline.wakeups() }, "requests": requests.snapshot() });
                    (path == "/metrics.json").then(|| ("application/json", body.to_string()))
                }));
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
