//! A running server: kinds resolved, caches and the trust watch started, the listener bound.

use std::net::SocketAddr;
use std::sync::Arc;

use kube::Client;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::authn::Authenticator;
use crate::authz::Authorizer;
use crate::cache::Caches;
use crate::config::ServerConfig;
use crate::error::Error;
use crate::kinds::Kinds;
use crate::routes;
use crate::state::AppState;
use crate::{serve, tls, trust_watch};

/// The aggregated API server, running.
#[derive(Debug)]
pub struct Server {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    serving: JoinHandle<()>,
    background: Vec<JoinHandle<()>>,
}

impl Server {
    /// Reads the serving certificate, resolves the kinds through discovery, binds, and starts
    /// the caches, the trust watch and the listener; returns without waiting for the caches
    /// (`/readyz` tells when they are synced).
    pub async fn start(client: Client, config: ServerConfig) -> anyhow::Result<Server> {
        let tls = tls::server_config(&config.tls_cert, &config.tls_key)?;
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

        let label_keys: Arc<[String]> = config.label_keys.into();
        let (caches, mut background) = Caches::start(&client, kinds, label_keys);
        background.push(tokio::spawn(trust_watch::watch(
            client.clone(),
            Arc::clone(&authn),
        )));
        let state = AppState {
            caches,
            authn,
            authz: Arc::new(Authorizer::new(client)),
        };
        let (stop, stopped) = watch::channel(false);
        let router = routes::router(state);
        let serving = tokio::spawn(serve::serve(listener, tls, router, stopped));
        tracing::info!(%local_addr, "serving primary-all");
        Ok(Server {
            local_addr,
            stop,
            serving,
            background,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, lets in-flight requests finish, then stops the watches.
    pub async fn shutdown(mut self) {
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
