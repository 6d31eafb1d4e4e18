//! The controller's counters as `prometheus-client` metrics, registered into the user's
//! [`Registry`] and readable in-process as a [`MetricsSnapshot`].

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

pub(crate) use crate::ops::snapshot::EventOutcome;
pub use crate::ops::snapshot::{MetricsSnapshot, PRIMARY, Trigger};
pub use crate::ops::watch_health::WATCH_FAILING_BOUND;
use crate::ops::watch_health::WatchHealth;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TriggerLabel {
    trigger: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WatchLabel {
    watch: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HandlerLabel {
    handler: &'static str,
}

/// Buckets from 1 ms to about 33 s: a handler's API calls take milliseconds, slow ones seconds.
fn handler_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The counters of one controller: take them from [`Controller::metrics`](crate::Controller::metrics)
/// before running it, [`register`](Self::register) them into your `prometheus-client`
/// [`Registry`] to export them, and read them in-process with [`snapshot`](Self::snapshot).
#[derive(Debug)]
pub struct Metrics {
    wakeups: Family<TriggerLabel, Counter>,
    secondary_kinds: Family<KindLabel, Counter>,
    events: Family<KindLabel, Counter>,
    outcomes: Family<OutcomeLabels, Counter>,
    watch_failures: Family<WatchLabel, Counter>,
    relists: Family<WatchLabel, Counter>,
    synced: Family<WatchLabel, Gauge>,
    skipped: Counter,
    errors: Counter,
    handler_duration: Family<HandlerLabel, Histogram, fn() -> Histogram>,
    queue_depth: Gauge,
    leading: Gauge,
    pub(crate) health: WatchHealth,
    /// The kind and watch names that label a series: families cannot be listed, so the snapshot
    /// looks each name up.
    names: Mutex<BTreeSet<&'static str>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            wakeups: Family::default(),
            secondary_kinds: Family::default(),
            events: Family::default(),
            outcomes: Family::default(),
            watch_failures: Family::default(),
            relists: Family::default(),
            synced: Family::default(),
            skipped: Counter::default(),
            errors: Counter::default(),
            handler_duration: Family::new_with_constructor(handler_histogram),
            queue_depth: Gauge::default(),
            leading: Gauge::default(),
            health: WatchHealth::default(),
            names: Mutex::default(),
        }
    }
}

/// The value of one series, if it exists.
fn count<S: Clone + Hash + Eq>(family: &Family<S, Counter>, labels: &S) -> Option<u64> {
    family.get(labels).map(|counter| counter.get())
}

impl Metrics {
    /// Registers every metric into `registry` under the prefix `kube_secondary`; give each
    /// controller its own label (`Registry::sub_registry_with_label`) when several share one
    /// registry.
    ///
    /// ```
    /// use prometheus_client::registry::Registry;
    ///
    /// let mut registry = Registry::default();
    /// kube_secondary::Metrics::default().register(&mut registry);
    /// let mut text = String::new();
    /// prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
    /// assert!(text.contains("# TYPE kube_secondary_errors counter"), "{text}");
    /// assert!(text.contains("# TYPE kube_secondary_queue_depth gauge"), "{text}");
    /// ```
    pub fn register(&self, registry: &mut Registry) {
        let registry = registry.sub_registry_with_prefix("kube_secondary");
        registry.register("wakeups", "Handler runs by trigger", self.wakeups.clone());
        registry.register(
            "secondary_kind_wakeups",
            "reconcile_secondaries runs including a change of the kind",
            self.secondary_kinds.clone(),
        );
        registry.register(
            "child_events",
            "Child watch events received, before predicates",
            self.events.clone(),
        );
        registry.register(
            "child_event_outcomes",
            "Child events by how they ended, each counted once",
            self.outcomes.clone(),
        );
        registry.register(
            "watch_failures",
            "Failed watch requests, retried with backoff",
            self.watch_failures.clone(),
        );
        registry.register(
            "relists",
            "Full lists after the first",
            self.relists.clone(),
        );
        registry.register(
            "cache_synced",
            "Whether the watch's cache holds its first full list",
            self.synced.clone(),
        );
        registry.register(
            "skipped_runs",
            "Scheduled runs that found nothing left to do",
            self.skipped.clone(),
        );
        registry.register("errors", "Handler runs that failed", self.errors.clone());
        registry.register_with_unit(
            "handler_duration",
            "Time a handler took, by handler",
            Unit::Seconds,
            self.handler_duration.clone(),
        );
        registry.register(
            "queue_depth",
            "Primaries with a request waiting for the scheduler",
            self.queue_depth.clone(),
        );
        registry.register(
            "leading",
            "1 while this replica runs handlers (always, without leader election)",
            self.leading.clone(),
        );
        self.health.register(registry);
    }

    /// Remembers `name` as a label of some series, for the snapshot.
    fn named(&self, name: &'static str) -> &'static str {
        self.names
            .lock()
            .expect("metrics lock poisoned")
            .insert(name);
        name
    }

    pub(crate) fn wakeup(&self, trigger: Trigger) {
        let trigger = trigger.as_str();
        self.wakeups.get_or_create(&TriggerLabel { trigger }).inc();
    }

    pub(crate) fn secondary_kind(&self, kind: &'static str) {
        let kind = self.named(kind);
        self.secondary_kinds
            .get_or_create(&KindLabel { kind })
            .inc();
    }

    /// A child event arrived.
    pub(crate) fn event(&self, kind: &'static str) {
        let kind = self.named(kind);
        self.events.get_or_create(&KindLabel { kind }).inc();
    }

    /// `count` child events of `kind` ended with `outcome`.
    pub(crate) fn outcome(&self, kind: &'static str, outcome: EventOutcome, count: u64) {
        if count == 0 {
            return;
        }
        let kind = self.named(kind);
        let outcome = outcome.as_str();
        self.outcomes
            .get_or_create(&OutcomeLabels { kind, outcome })
            .inc_by(count);
    }

    /// A watch of `kind` started: not synced until its first list is in.
    pub(crate) fn watch_started(&self, kind: &'static str) {
        let watch = self.named(kind);
        self.synced.get_or_create(&WatchLabel { watch }).set(0);
        self.health.started(watch);
    }

    /// A watch request of `kind` failed.
    pub(crate) fn watch_failed(&self, kind: &'static str) {
        let watch = self.named(kind);
        self.watch_failures
            .get_or_create(&WatchLabel { watch })
            .inc();
    }

    /// A full list of `kind` started: a relist if the cache was filled before.
    pub(crate) fn list_started(&self, kind: &'static str) {
        let labels = WatchLabel { watch: kind };
        if self
            .synced
            .get(&labels)
            .is_some_and(|synced| synced.get() == 1)
        {
            self.relists.get_or_create(&labels).inc();
        }
    }

    /// A full list of `kind` is in its cache.
    pub(crate) fn listed(&self, kind: &'static str) {
        let watch = self.named(kind);
        self.synced.get_or_create(&WatchLabel { watch }).set(1);
    }

    pub(crate) fn skipped(&self) {
        self.skipped.inc();
    }

    pub(crate) fn error(&self) {
        self.errors.inc();
    }

    /// `handler` (`reconcile`, `reconcile_secondaries` or `periodic`) ran for `duration`.
    pub(crate) fn handler_ran(&self, handler: &'static str, duration: Duration) {
        self.handler_duration
            .get_or_create(&HandlerLabel { handler })
            .observe(duration.as_secs_f64());
    }

    /// This replica started or stopped running handlers.
    pub(crate) fn leading(&self, leading: bool) {
        self.leading.set(i64::from(leading));
    }

    /// A primary's request started waiting for the scheduler.
    pub(crate) fn queued(&self) {
        self.queue_depth.inc();
    }

    /// A primary's request left the scheduler's queue.
    pub(crate) fn dequeued(&self) {
        self.queue_depth.dec();
    }

    /// A copy of the counters now, read from the metrics.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let names = self.names.lock().expect("metrics lock poisoned").clone();
        let by_name = |family: &Family<KindLabel, Counter>| {
            names
                .iter()
                .filter_map(|&kind| Some((kind, count(family, &KindLabel { kind })?)))
                .collect()
        };
        let by_watch = |family: &Family<WatchLabel, Counter>| {
            names
                .iter()
                .filter_map(|&watch| Some((watch, count(family, &WatchLabel { watch })?)))
                .collect()
        };
        let mut outcomes = BTreeMap::<_, BTreeMap<_, _>>::new();
        let mut filtered = BTreeMap::new();
        for &kind in &names {
            for outcome in EventOutcome::ALL {
                let labels = OutcomeLabels {
                    kind,
                    outcome: outcome.as_str(),
                };
                let Some(events) = count(&self.outcomes, &labels) else {
                    continue;
                };
                outcomes
                    .entry(kind)
                    .or_default()
                    .insert(outcome.as_str(), events);
                if outcome != EventOutcome::Woke {
                    *filtered.entry(kind).or_default() += events;
                }
            }
        }
        MetricsSnapshot {
            wakeups: Trigger::ALL
                .iter()
                .filter_map(|trigger| {
                    let trigger = trigger.as_str();
                    Some((trigger, count(&self.wakeups, &TriggerLabel { trigger })?))
                })
                .collect(),
            secondary_kinds: by_name(&self.secondary_kinds),
            events: by_name(&self.events),
            filtered,
            outcomes,
            watch_failures: by_watch(&self.watch_failures),
            relists: by_watch(&self.relists),
            synced: names
                .iter()
                .filter_map(|&watch| {
                    let synced = self.synced.get(&WatchLabel { watch })?.get() == 1;
                    Some((watch, synced))
                })
                .collect(),
            failing: (self.health.failing().into_iter())
                .map(|(watch, failing_for, _)| (watch, failing_for))
                .collect(),
            skipped: self.skipped.get(),
            errors: self.errors.get(),
        }
    }
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
