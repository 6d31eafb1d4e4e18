//! One client connection: the TLS handshake within its timeout, then hyper-util serving the
//! router over HTTP/2 or HTTP/1.1 with the header, stream and keepalive limits, and each
//! connection's client certificate chain put into its requests. It is closed gracefully (the
//! request in flight finishes) when it goes without a request for too long or the server
//! stops, and dropped if the client does not let it close within the drain timeout.

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::activity::Activity;
use crate::authn::PeerChain;
use crate::serving::Serving;

/// What every connection is served with.
#[derive(Clone)]
pub struct Served {
    /// TLS.
    pub acceptor: TlsAcceptor,
    /// The routes.
    pub router: Router,
    /// The limits.
    pub serving: Arc<Serving>,
    /// Turns true when the server stops.
    pub stop: watch::Receiver<bool>,
}

/// Serves one accepted connection until it closes; `_slot` is its place under the connection
/// cap, given back when it closes.
pub async fn serve(tcp: TcpStream, served: Served, _slot: OwnedSemaphorePermit) {
    let Served {
        acceptor,
        router,
        serving,
        mut stop,
    } = served;
    let opened = Instant::now();
    let tls = match tokio::time::timeout(serving.handshake_timeout, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(error)) => {
            tracing::debug!(%error, "TLS handshake failed");
            return;
        }
        Err(_) => {
            tracing::debug!("TLS handshake timed out");
            return;
        }
    };
    let chain = tls
        .get_ref()
        .1
        .peer_certificates()
        .map(|certs| PeerChain(certs.iter().map(|cert| cert.clone().into_owned()).collect()));
    let activity = Activity::new(opened);
    let service = tower::service_fn({
        let activity = Arc::clone(&activity);
        move |mut request: Request<hyper::body::Incoming>| {
            if let Some(chain) = &chain {
                request.extensions_mut().insert(chain.clone());
            }
            let busy = activity.begin();
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                drop(busy);
                response
            }
        }
    });
    let builder = builder(&serving);
    let connection = builder.serve_connection(TokioIo::new(tls), TowerToHyperService::new(service));
    let mut connection = std::pin::pin!(connection);
    let mut closing: Option<Instant> = None;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = activity.idle(serving.header_read_timeout, serving.idle_timeout), if closing.is_none() => {
                tracing::debug!("closing a connection that sent no request in time");
                connection.as_mut().graceful_shutdown();
                closing = Some(Instant::now() + serving.drain_timeout);
            }
            _ = stop.wait_for(|stop| *stop), if closing.is_none() => {
                connection.as_mut().graceful_shutdown();
                closing = Some(Instant::now() + serving.drain_timeout);
            }
            () = tokio::time::sleep_until(closing.unwrap_or(opened)), if closing.is_some() => {
                tracing::debug!("dropping a connection that did not close in time");
                return;
            }
        }
    }
}

/// HTTP/1.1 and HTTP/2 with the limits of `serving`; hyper's timers run on tokio.
fn builder(serving: &Serving) -> auto::Builder<TokioExecutor> {
    let header_bytes = usize::try_from(serving.max_header_bytes).unwrap_or(usize::MAX);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(serving.header_read_timeout)
        .max_headers(serving.max_headers)
        // The request line and headers must fit in the read buffer (at least hyper's minimum).
        .max_buf_size(header_bytes.saturating_add(4096).max(8192));
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(serving.keepalive_interval)
        .keep_alive_timeout(serving.keepalive_timeout)
        .max_concurrent_streams(serving.max_concurrent_streams)
        .max_header_list_size(serving.max_header_bytes);
    builder
}
