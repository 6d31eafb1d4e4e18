//! A watch that keeps failing shows on the primaries it feeds: their `SecondariesStale`
//! condition is `True`, naming the kinds and their latest errors, once a watch has failed for
//! [`WATCH_FAILING_BOUND`], and `False` again when every watch works. Written by the leader
//! only, once per primary per change (a watch failing for good costs each primary two status
//! writes: one when it shows, one when it clears).

use std::sync::Arc;

use kube::runtime::reflector::Store;

use crate::aware::SecondaryAware;
use crate::dispatch::shared::Shared;
use crate::handler::condition::{self, STALE, Says};
use crate::ops::watch_health::WATCH_FAILING_BOUND;

/// The condition's message now, from each failing watch, how long it has failed and its latest
/// error: `None` while no watch has failed for long.
fn says(failing: &[(&'static str, std::time::Duration, String)]) -> Option<String> {
    let long: Vec<String> = (failing.iter())
        .filter(|(_, failed_for, _)| *failed_for >= WATCH_FAILING_BOUND)
        .map(|(watch, failed_for, error)| {
            format!("{watch} for {} s: {error}", failed_for.as_secs())
        })
        .collect();
    (!long.is_empty()).then(|| format!("watch failing: {}", long.join("; ")))
}

/// Keeps every primary's `SecondariesStale` condition in step with the watches until dropped.
pub(crate) async fn report<P: SecondaryAware>(store: Store<P>, shared: Arc<Shared<P>>) {
    let health = &shared.metrics.health;
    let mut changes = health.subscribe();
    // What the primaries say now: `True` left by an earlier leader is cleared when all is well.
    let left_stale = store.state().iter().any(|primary| {
        let primary = serde_json::to_value(primary.as_ref()).unwrap_or_default();
        condition::stored(&primary, STALE).is_some_and(|stale| stale["status"] == "True")
    });
    let mut shown: Option<bool> = left_stale.then_some(true);
    loop {
        let failing = health.failing();
        let stale = says(&failing);
        let now_stale = stale.is_some();
        if shown != Some(now_stale) && (now_stale || shown == Some(true)) {
            let (status, reason, message) = match stale {
                Some(message) => ("True", "WatchFailing", message),
                None => ("False", "Watching", String::new()),
            };
            let says = Says {
                type_: STALE,
                status,
                reason,
                message,
            };
            let compute =
                |current: &serde_json::Value, now: &str| condition::says_patch(current, &says, now);
            let manager = &shared.writes.field_manager;
            tracing::info!(
                primaries = store.state().len(),
                status,
                "writing the {STALE} condition"
            );
            for primary in store.state() {
                condition::write(&shared.client, primary.as_ref(), manager, STALE, compute).await;
            }
            shown = Some(now_stale);
        }
        // Until what fails changes, or the next failing watch reaches the bound.
        let next = (failing.iter())
            .filter(|(_, failed_for, _)| *failed_for < WATCH_FAILING_BOUND)
            .map(|(_, failed_for, _)| WATCH_FAILING_BOUND - *failed_for)
            .min();
        let reached = async {
            match next {
                Some(wait) => tokio::time::sleep(wait).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return },
            () = reached => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_watch_shows_once_it_has_failed_for_the_bound_naming_it_and_its_error() {
        let short = ("ConfigMap", Duration::from_secs(3), "refused".to_string());
        assert_eq!(
            says(std::slice::from_ref(&short)),
            None,
            "an API server restart is ridden out"
        );
        let long = ("Secret", WATCH_FAILING_BOUND, "forbidden".to_string());
        assert_eq!(
            says(&[short, long]),
            Some("watch failing: Secret for 30 s: forbidden".to_string())
        );
    }
}
