//! A running server: kinds resolved, caches, the trust watch and certificate reloading
//! started, the listener bound; and the way it stops.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kube::Client;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::authn::Authenticator;
use crate::authz::Authorizer;
use crate::cache::Caches;
use crate::config::ServerConfig;
use crate::connection::Served;
use crate::error::Error;
use crate::kinds::Kinds;
use crate::metrics::{self, ServerMetrics};
use crate::routes;
use crate::serving_cert::ServingCert;
use crate::state::AppState;
use crate::{serve, tls, trust_watch};

/// The aggregated API server, running.
#[derive(Debug)]
pub struct Server {
    local_addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    stopping: Arc<AtomicBool>,
    shutdown_delay: Duration,
    stop: watch::Sender<bool>,
    serving: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
}

impl Server {
    /// Reads the serving certificate, resolves the kinds through discovery, binds, and starts
    /// the caches, the trust watch, certificate reloading and the listener; returns without
    /// waiting for the caches (`/readyz` tells when they are synced).
    pub async fn start(client: Client, config: ServerConfig) -> anyhow::Result<Server> {
        let cert = ServingCert::load(&config.tls_cert, &config.tls_key)?;
        let tls = tls::server_config(Arc::clone(&cert) as _)?;
        let authn = Arc::new(Authenticator::default());
        let kinds = Arc::new(Kinds::resolve(&client, &config).await?);
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| Error::Bind {
                addr: config.bind,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.bind,
            source,
        })?;

        let serving = Arc::new(config.serving);
        let (caches, mut background) = Caches::start(&client, kinds, serving.stale_after);
        background.push(tokio::spawn(trust_watch::watch(
            client.clone(),
            Arc::clone(&authn),
        )));
        background.push(tokio::spawn(cert.watch(serving.cert_reload_interval)));
        let metrics = Arc::new(ServerMetrics::default());
        let metrics_addr = match config.metrics_bind {
            Some(addr) => {
                let bind = |source| Error::Bind { addr, source };
                let listener = TcpListener::bind(addr).await.map_err(bind)?;
                let bound = listener.local_addr().map_err(bind)?;
                let serving = metrics::serve(listener, Arc::clone(&metrics), Arc::clone(&caches));
                background.push(tokio::spawn(serving));
                tracing::info!(%bound, "serving metrics");
                Some(bound)
            }
            None => None,
        };
        let stopping = Arc::new(AtomicBool::new(false));
        let state = AppState {
            caches,
            authn,
            authz: Arc::new(Authorizer::new(client, Arc::clone(&metrics))),
            stopping: Arc::clone(&stopping),
            metrics,
        };
        let (stop, stopped) = watch::channel(false);
        let served = Served {
            acceptor: TlsAcceptor::from(tls),
            router: routes::router(state),
            serving: Arc::clone(&serving),
            stop: stopped,
        };
        let serving_task = tokio::spawn(serve::serve(listener, served));
        tracing::info!(%local_addr, "serving primary-all");
        Ok(Server {
            local_addr,
            metrics_addr,
            stopping,
            shutdown_delay: serving.shutdown_delay,
            stop,
            serving: serving_task,
            background,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The address it serves metrics on, if it does.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Stops as `k8s.io/apiserver` does: `/readyz` fails at once while requests are still
    /// served for the shutdown delay, so that the aggregator and load balancers stop sending
    /// new ones; then it stops accepting, closes every connection gracefully and lets
    /// in-flight requests finish (up to the drain timeout), then stops the watches.
    pub async fn shutdown(mut self) {
        self.stopping.store(true, Ordering::Release);
        tokio::time::sleep(self.shutdown_delay).await;
        let _ = self.stop.send(true);
        if let Err(error) = (&mut self.serving).await {
            tracing::warn!(%error, "the listener task failed");
        }
    }
}

/// Dropping a server without [`Server::shutdown`] stops it too, without waiting.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.background {
            task.abort();
        }
    }
}
