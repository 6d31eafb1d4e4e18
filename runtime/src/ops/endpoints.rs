//! The operator's `/metrics`, `/healthz` and `/readyz`, served by the runtime (cargo feature
//! `endpoints`), as controller-runtime's manager serves them from two options.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::registry::Registry;
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::ops::metrics::Metrics;

/// Where to serve, and the registry to serve (the controller's metrics are added to it).
pub(crate) struct Endpoints {
    pub(crate) addr: SocketAddr,
    pub(crate) registry: Registry,
}

/// The serving task; dropping it stops the server.
pub(crate) struct Serving(JoinHandle<()>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Binds `endpoints.addr` and serves `/metrics` (the registry with `metrics` in it, in the
/// OpenMetrics text format), `/healthz` (200 while the process serves) and `/readyz` (200 once
/// every watch has filled its cache and none has been failing for longer than
/// [`WATCH_FAILING_BOUND`](crate::ops::watch_health::WATCH_FAILING_BOUND), 503 with the reason
/// otherwise).
pub(crate) async fn serve(endpoints: Endpoints, metrics: Arc<Metrics>) -> Result<Serving, Error> {
    let Endpoints { addr, mut registry } = endpoints;
    metrics.register(&mut registry);
    let registry = Arc::new(registry);
    let app = axum::Router::new()
        .route(
            "/metrics",
            get(move || std::future::ready(openmetrics(&registry))),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move || {
                std::future::ready(match metrics.snapshot().ready() {
                    Ok(()) => (StatusCode::OK, "ok".to_string()),
                    Err(why) => (StatusCode::SERVICE_UNAVAILABLE, why),
                })
            }),
        );
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Serve { addr, source })?;
    tracing::info!(%addr, "serving /metrics, /healthz and /readyz");
    Ok(Serving(tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "the endpoints server stopped");
        }
    })))
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
