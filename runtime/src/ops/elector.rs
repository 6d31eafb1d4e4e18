//! The elector: tries to acquire or renew the Lease every `retry`, watches it to try the moment
//! it can be taken, and tells the controller's terms whether this replica leads.

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::ops::leader::{LeaderElection, Observed, try_acquire_or_renew};

/// Runs the election until dropped: sends `true` on `leading` when this replica acquires the
/// Lease, `false` when it loses it, and fences itself: `false` at the renew deadline after the
/// last successful renewal was *sent*, whether or not a renewal is still in flight.
///
/// Besides trying every `retry`, it watches the Lease: a renewal is observed when it is written,
/// not up to `retry` later, so a standby tries the moment the holder's duration has run out since
/// its last renewal, and at once when the holder releases it. Without `list` and `watch` on
/// Leases it falls back to trying every `retry`.
pub(crate) async fn elect(client: Client, election: LeaderElection, leading: watch::Sender<bool>) {
    let api: Api<Lease> = Api::namespaced(client, &election.namespace);
    let mut changes = watcher::watch_object(api.clone(), &election.name)
        .default_backoff()
        .boxed();
    let mut observed = Observed::default();
    let mut fence: Option<Instant> = None;
    let mut next = Instant::now();
    let mut holder_seen: Option<Option<String>> = None;
    let mut watch_failed = false;
    loop {
        // Between attempts: a change of the Lease may bring the next one forward.
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            Some(change) = changes.next() => {
                match change {
                    Ok(Some(lease)) => {
                        let now = Instant::now();
                        observed.see(&lease.spec.unwrap_or_default(), now);
                        if fence.is_none() {
                            next = next.min(now + observed.try_in(election.duration, now));
                        }
                    }
                    Ok(None) => next = Instant::now(),
                    Err(error) => {
                        if !watch_failed {
                            tracing::debug!(error = %crate::error::chain(&error), "watching the lease failed; trying it every {:?}", election.retry);
                        }
                        watch_failed = true;
                    }
                }
                continue;
            }
            () = fenced(fence) => {
                fence = None;
                stop_leading(&election, &leading);
                continue;
            }
        }
        let sent = Instant::now();
        next = sent + election.retry;
        let attempt = tokio::time::timeout(
            election.retry,
            try_acquire_or_renew(&api, &election, &mut observed),
        );
        let result = tokio::select! {
            result = attempt => result,
            () = fenced(fence) => {
                fence = None;
                stop_leading(&election, &leading);
                continue;
            }
        };
        match result {
            Ok(Ok(Ok(()))) => {
                fence = Some(sent + election.renew_deadline);
                if !*leading.borrow() {
                    tracing::info!(identity = %election.identity, lease = %election.name, "leading");
                    let _ = leading.send(true);
                }
                holder_seen = None;
            }
            Ok(Ok(Err(holder))) => {
                // Try again when the holder's lease would expire, if that is sooner.
                let now = Instant::now();
                next = next.min(now + observed.try_in(election.duration, now));
                if fence.take().is_some() {
                    tracing::warn!(identity = %election.identity, holder = ?holder, "lost the lease; standing by");
                    let _ = leading.send(false);
                }
                if holder_seen.as_ref() != Some(&holder) {
                    tracing::info!(identity = %election.identity, holder = ?holder, "standing by: the lease is held");
                    holder_seen = Some(holder);
                }
            }
            Ok(Err(error)) => {
                tracing::debug!(error = %crate::error::chain(&error), "lease attempt failed");
            }
            Err(_) => tracing::debug!("lease attempt timed out"),
        }
    }
}

/// Fenced: the renew deadline passed without a renewal.
fn stop_leading(election: &LeaderElection, leading: &watch::Sender<bool>) {
    tracing::warn!(identity = %election.identity, deadline = ?election.renew_deadline, "could not renew the lease: stopped leading before it can expire for the others");
    let _ = leading.send(false);
}

/// Resolves at the fence, if there is one (this replica leads), else never.
async fn fenced(fence: Option<Instant>) {
    match fence {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
#[path = "elector_tests.rs"]
mod tests;
