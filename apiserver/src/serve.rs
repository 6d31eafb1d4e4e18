//! The accept loop: at most `max_connections` connections at once (more wait in the listen
//! backlog), each served by [`crate::connection`]. Stopping stops accepting, closes every
//! connection gracefully and waits for in-flight requests up to the drain timeout.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_util::task::TaskTracker;

use crate::connection::{self, Served};

/// Serves on `listener` until `served.stop` turns true, then drains.
pub async fn serve(listener: TcpListener, served: Served) {
    let slots = Arc::new(Semaphore::new(served.serving.max_connections));
    let connections = TaskTracker::new();
    let mut stop = served.stop.clone();
    let mut full = false;
    loop {
        // Said once each time the cap is reached, not at every connection after it.
        let at_cap = slots.available_permits() == 0;
        if at_cap && !full {
            let max = served.serving.max_connections;
            tracing::warn!(
                max,
                "connection cap reached; accepting again when one closes"
            );
        }
        full = at_cap;
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = stopping(&mut stop) => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    connections.spawn(connection::serve(tcp, served.clone(), slot));
                }
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = stopping(&mut stop) => break,
        }
    }
    drop(listener);
    connections.close();
    let drain = served.serving.drain_timeout;
    if tokio::time::timeout(drain, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("in-flight requests did not finish in {drain:?}; stopping anyway");
    }
}

/// Resolves once `stop` turns true or its sender is gone.
async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
