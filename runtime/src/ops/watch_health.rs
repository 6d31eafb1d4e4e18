//! Which watches are failing, and since when: the `kube_secondary_watch_failing` gauge, and what
//! `/readyz` and the snapshot read.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// How long a watch may keep failing before the controller stops saying it is ready: long
/// enough to ride out an API server restart, short enough that a revoked permission shows
/// within a minute.
pub const WATCH_FAILING_BOUND: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WatchLabel {
    watch: &'static str,
}

/// The watches failing now: since when, and the latest error.
#[derive(Debug)]
pub(crate) struct WatchHealth {
    failing: Family<WatchLabel, Gauge>,
    since: Mutex<BTreeMap<&'static str, (Instant, String)>>,
    /// Told each time a watch starts failing or works again.
    changes: tokio::sync::watch::Sender<()>,
}

impl Default for WatchHealth {
    fn default() -> Self {
        Self {
            failing: Family::default(),
            since: Mutex::default(),
            changes: tokio::sync::watch::Sender::new(()),
        }
    }
}

impl WatchHealth {
    /// Registers the gauge into the controller's sub-registry.
    pub(crate) fn register(&self, registry: &mut Registry) {
        registry.register(
            "watch_failing",
            "Whether the watch's last attempt failed and no later one has succeeded yet",
            self.failing.clone(),
        );
    }

    /// The watch is running: its gauge exists, at 0.
    pub(crate) fn started(&self, watch: &'static str) {
        self.failing.get_or_create(&WatchLabel { watch }).set(0);
    }

    /// `watch` failed with `error`; returns whether it was healthy until now.
    pub(crate) fn failed(&self, watch: &'static str, error: &str) -> bool {
        self.failing.get_or_create(&WatchLabel { watch }).set(1);
        let mut since = self.since.lock().expect("watch health lock poisoned");
        match since.get_mut(watch) {
            // Still failing: the latest error is the one to show.
            Some((_, last)) => {
                error.clone_into(last);
                false
            }
            None => {
                since.insert(watch, (Instant::now(), error.to_string()));
                self.changes.send_replace(());
                true
            }
        }
    }

    /// `watch` works again; returns for how long it had failed, if it had.
    pub(crate) fn recovered(&self, watch: &'static str) -> Option<Duration> {
        self.failing.get_or_create(&WatchLabel { watch }).set(0);
        let mut since = self.since.lock().expect("watch health lock poisoned");
        let failed_for = since.remove(watch).map(|(at, _)| at.elapsed());
        if failed_for.is_some() {
            self.changes.send_replace(());
        }
        failed_for
    }

    /// Each failing watch, with how long it has been failing and its latest error.
    pub(crate) fn failing(&self) -> Vec<(&'static str, Duration, String)> {
        let since = self.since.lock().expect("watch health lock poisoned");
        (since.iter())
            .map(|(&watch, (at, error))| (watch, at.elapsed(), error.clone()))
            .collect()
    }

    /// Resolves at each change of what fails.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<()> {
        self.changes.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_is_failing_from_its_first_failure_until_it_recovers() {
        let health = WatchHealth::default();
        health.started("ConfigMap");
        assert!(health.failing().is_empty());
        let mut changes = health.subscribe();
        assert!(
            health.failed("ConfigMap", "forbidden"),
            "the first failure is a change"
        );
        assert!(changes.has_changed().unwrap());
        changes.mark_unchanged();
        assert!(!health.failed("ConfigMap", "again"), "the second is not");
        assert!(!changes.has_changed().unwrap());
        assert_eq!(health.failing()[0].2, "again", "the latest error is kept");
        assert_eq!(health.failing()[0].0, "ConfigMap");
        assert!(health.recovered("ConfigMap").is_some());
        assert_eq!(health.recovered("ConfigMap"), None, "recovered once");
        assert!(health.failing().is_empty());
    }
}
