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
use serde::Serialize;

/// Why a primary's handler ran.
///
/// ```
/// use kube_secondary::Trigger;
///
/// assert_eq!(Trigger::Secondary.as_str(), "secondary");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The primary changed, or was seen for the first time: full `reconcile`.
    Primary,
    /// Only children changed: `reconcile_secondaries`.
    Secondary,
    /// The fallback resync: full `reconcile`.
    Resync,
    /// A handler returned `Action::requeue`: full `reconcile`.
    Requeue,
    /// A handler failed and the error policy asked for a retry: full `reconcile`.
    Retry,
    /// The periodic check declared with `periodic = "..."`: `periodic`.
    Periodic,
}

impl Trigger {
    const ALL: [Trigger; 6] = [
        Trigger::Primary,
        Trigger::Secondary,
        Trigger::Resync,
        Trigger::Requeue,
        Trigger::Retry,
        Trigger::Periodic,
    ];

    /// The label value used in metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            Trigger::Primary => "primary",
            Trigger::Secondary => "secondary",
            Trigger::Resync => "resync",
            Trigger::Requeue => "requeue",
            Trigger::Retry => "retry",
            Trigger::Periodic => "periodic",
        }
    }
}

/// How one child watch event ended: each event is counted once, by the first of these that
/// applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum EventOutcome {
    /// It was handed to a handler run (alone or coalesced with others).
    Woke,
    /// A predicate found nothing relevant changed.
    Predicate,
    /// It was the echo of this controller's own write.
    OwnEcho,
    /// It maps to no primary (or to another primary of the same name, by uid).
    NoOwner,
    /// The primary it maps to does not exist (deleted, or never created).
    OwnerGone,
}

impl EventOutcome {
    const ALL: [EventOutcome; 5] = [
        EventOutcome::Woke,
        EventOutcome::Predicate,
        EventOutcome::OwnEcho,
        EventOutcome::NoOwner,
        EventOutcome::OwnerGone,
    ];

    /// The label value used in metrics.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            EventOutcome::Woke => "woke",
            EventOutcome::Predicate => "predicate",
            EventOutcome::OwnEcho => "own_echo",
            EventOutcome::NoOwner => "no_owner",
            EventOutcome::OwnerGone => "owner_gone",
        }
    }
}

/// The label of the primaries' own watch in the per-watch counters.
pub const PRIMARY: &str = "primary";

/// A copy of the counters at one moment; compare two to see what happened in between.
///
/// ```
/// use kube_secondary::{MetricsSnapshot, Trigger};
///
/// let before = MetricsSnapshot::default();
/// let mut after = before.clone();
/// after.wakeups.insert("primary", 1);
/// after.wakeups.insert("secondary", 2);
/// assert_eq!(after.wakeups(Trigger::Secondary) - before.wakeups(Trigger::Secondary), 2);
/// assert_eq!(after.total_wakeups() - before.total_wakeups(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MetricsSnapshot {
    /// Handler runs by trigger (`primary`, `secondary`, `resync`, `requeue`, `retry`, `periodic`).
    pub wakeups: BTreeMap<&'static str, u64>,
    /// `reconcile_secondaries` runs that included a change of each kind, by kind name.
    pub secondary_kinds: BTreeMap<&'static str, u64>,
    /// Child events received, by kind name, before predicates.
    pub events: BTreeMap<&'static str, u64>,
    /// Child events that woke nobody: filtered by a predicate, own-write echoes, unmapped, or
    /// mapped to a primary that does not exist.
    pub filtered: BTreeMap<&'static str, u64>,
    /// Child events by kind and outcome (`woke`, `predicate`, `own_echo`, `no_owner`,
    /// `owner_gone`); each event counts once, when its outcome is known (for an event that made
    /// a primary due, when that primary's run starts).
    pub outcomes: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    /// Failed watch requests (refused, forbidden, expired…), by kind name or `primary`; each is
    /// retried with backoff.
    pub watch_failures: BTreeMap<&'static str, u64>,
    /// Full lists after the first (after a `410 Gone` or a broken watch), by kind name or `primary`.
    pub relists: BTreeMap<&'static str, u64>,
    /// Whether each watch's cache holds its first full list, by kind name or `primary`.
    pub synced: BTreeMap<&'static str, bool>,
    /// Scheduled runs that found their reason already handled by the previous run.
    pub skipped: u64,
    /// Handler runs that returned an error.
    pub errors: u64,
}

impl MetricsSnapshot {
    /// Handler runs of every trigger.
    pub fn total_wakeups(&self) -> u64 {
        self.wakeups.values().sum()
    }

    /// Handler runs of one trigger.
    pub fn wakeups(&self, trigger: Trigger) -> u64 {
        self.wakeups.get(trigger.as_str()).copied().unwrap_or(0)
    }

    /// Whether every watch (the primaries' and each declared kind's) has filled its cache: what
    /// a readiness probe asks.
    pub fn caches_synced(&self) -> bool {
        !self.synced.is_empty() && self.synced.values().all(|synced| *synced)
    }
}

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
            "Scheduled runs with no reason left",
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

    /// A primary's request started waiting for the scheduler.
    #[allow(dead_code)]
    pub(crate) fn queued(&self) {
        self.queue_depth.inc();
    }

    /// A primary's request left the scheduler's queue.
    #[allow(dead_code)]
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
            skipped: self.skipped.get(),
            errors: self.errors.get(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The metrics as a scrape would see them.
    fn scrape(metrics: &Metrics) -> String {
        let mut registry = Registry::default();
        metrics.register(&mut registry);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &registry).unwrap();
        text
    }

    fn has_line(text: &str, line: &str) -> bool {
        text.lines().any(|l| l == line)
    }

    #[test]
    fn counters_land_in_their_families_with_their_labels_and_in_the_snapshot() {
        let metrics = Metrics::default();
        metrics.wakeup(Trigger::Primary);
        metrics.wakeup(Trigger::Secondary);
        metrics.wakeup(Trigger::Secondary);
        metrics.secondary_kind("Service");
        metrics.event("Service");
        metrics.event("Service");
        metrics.event("Service");
        metrics.outcome("Service", EventOutcome::Woke, 1);
        metrics.outcome("Service", EventOutcome::Predicate, 1);
        metrics.outcome("Service", EventOutcome::OwnEcho, 1);
        metrics.outcome("Service", EventOutcome::NoOwner, 0);
        metrics.skipped();
        metrics.error();
        metrics.error();

        let text = scrape(&metrics);
        for line in [
            "# TYPE kube_secondary_wakeups counter",
            "kube_secondary_wakeups_total{trigger=\"primary\"} 1",
            "kube_secondary_wakeups_total{trigger=\"secondary\"} 2",
            "kube_secondary_secondary_kind_wakeups_total{kind=\"Service\"} 1",
            "kube_secondary_child_events_total{kind=\"Service\"} 3",
            "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"woke\"} 1",
            "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"predicate\"} 1",
            "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"own_echo\"} 1",
            "kube_secondary_skipped_runs_total 1",
            "kube_secondary_errors_total 2",
        ] {
            assert!(has_line(&text, line), "missing `{line}` in\n{text}");
        }
        assert!(
            !text.contains("no_owner"),
            "a zero count makes no series:\n{text}"
        );

        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.wakeups(Trigger::Secondary), 2);
        assert_eq!(snapshot.total_wakeups(), 3);
        assert_eq!(snapshot.secondary_kinds, BTreeMap::from([("Service", 1)]));
        assert_eq!(snapshot.events, BTreeMap::from([("Service", 3)]));
        assert_eq!(snapshot.filtered, BTreeMap::from([("Service", 2)]));
        assert_eq!(
            snapshot.outcomes["Service"],
            BTreeMap::from([("woke", 1), ("predicate", 1), ("own_echo", 1)])
        );
        assert_eq!((snapshot.skipped, snapshot.errors), (1, 2));
    }

    #[test]
    fn caches_are_synced_once_every_watch_listed_and_relists_are_counted() {
        let metrics = Metrics::default();
        assert!(!metrics.snapshot().caches_synced(), "no watch started yet");
        metrics.watch_started(PRIMARY);
        metrics.watch_started("Service");
        metrics.list_started(PRIMARY);
        metrics.listed(PRIMARY);
        assert!(!metrics.snapshot().caches_synced());
        metrics.list_started("Service");
        metrics.listed("Service");
        assert!(metrics.snapshot().caches_synced());
        metrics.watch_failed("Service");
        metrics.list_started("Service");
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.relists.get("Service"), Some(&1));
        assert_eq!(snapshot.relists.get(PRIMARY), None);
        assert_eq!(snapshot.watch_failures.get("Service"), Some(&1));
        assert_eq!(
            snapshot.synced,
            BTreeMap::from([(PRIMARY, true), ("Service", true)])
        );

        let text = scrape(&metrics);
        for line in [
            "# TYPE kube_secondary_cache_synced gauge",
            "kube_secondary_cache_synced{watch=\"primary\"} 1",
            "kube_secondary_relists_total{watch=\"Service\"} 1",
            "kube_secondary_watch_failures_total{watch=\"Service\"} 1",
        ] {
            assert!(has_line(&text, line), "missing `{line}` in\n{text}");
        }
        assert!(!text.contains("relists_total{watch=\"primary\"}"), "{text}");
    }

    #[test]
    fn handler_durations_land_in_the_histogram_by_handler() {
        let metrics = Metrics::default();
        metrics.handler_ran("reconcile", Duration::from_millis(20));
        metrics.handler_ran("reconcile", Duration::from_millis(3));
        metrics.handler_ran("periodic", Duration::from_millis(1));

        let text = scrape(&metrics);
        for line in [
            "# TYPE kube_secondary_handler_duration_seconds histogram",
            "# UNIT kube_secondary_handler_duration_seconds seconds",
            "kube_secondary_handler_duration_seconds_count{handler=\"reconcile\"} 2",
            "kube_secondary_handler_duration_seconds_sum{handler=\"reconcile\"} 0.023",
            "kube_secondary_handler_duration_seconds_bucket{le=\"0.004\",handler=\"reconcile\"} 1",
            "kube_secondary_handler_duration_seconds_bucket{le=\"0.032\",handler=\"reconcile\"} 2",
            "kube_secondary_handler_duration_seconds_count{handler=\"periodic\"} 1",
        ] {
            assert!(has_line(&text, line), "missing `{line}` in\n{text}");
        }
    }

    #[test]
    fn the_queue_depth_goes_up_and_down() {
        let metrics = Metrics::default();
        metrics.queued();
        metrics.queued();
        metrics.dequeued();
        let text = scrape(&metrics);
        assert!(has_line(&text, "kube_secondary_queue_depth 1"), "{text}");
        metrics.dequeued();
        let text = scrape(&metrics);
        assert!(has_line(&text, "kube_secondary_queue_depth 0"), "{text}");
    }
}
