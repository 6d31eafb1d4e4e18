//! Counters of wake-ups by trigger, readable in-process and in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

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
/// use kube_secondary::{Metrics, Trigger};
///
/// let metrics = Metrics::default();
/// let before = metrics.snapshot();
/// // … the controller runs …
/// let after = metrics.snapshot();
/// assert_eq!(after.wakeups(Trigger::Primary) - before.wakeups(Trigger::Primary), 0);
/// assert_eq!(after.total_wakeups(), 0, "nothing woke at idle");
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

/// The counters of one controller: take them from [`Controller::metrics`](crate::Controller::metrics)
/// before running it, and read them in-process, as Prometheus text, or over HTTP.
///
/// ```
/// use kube_secondary::Metrics;
///
/// let metrics = Metrics::default();
/// let text = metrics.render_prometheus();
/// assert!(text.contains("# TYPE kube_secondary_wakeups_total counter"));
/// assert!(text.contains("kube_secondary_errors_total 0"));
/// ```
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<MetricsSnapshot>,
}

impl Metrics {
    fn update(&self, f: impl FnOnce(&mut MetricsSnapshot)) {
        f(&mut self.inner.lock().expect("metrics lock poisoned"));
    }

    pub(crate) fn wakeup(&self, trigger: Trigger) {
        self.update(|m| *m.wakeups.entry(trigger.as_str()).or_default() += 1);
    }

    pub(crate) fn secondary_kind(&self, kind: &'static str) {
        self.update(|m| *m.secondary_kinds.entry(kind).or_default() += 1);
    }

    /// A child event arrived.
    pub(crate) fn event(&self, kind: &'static str) {
        self.update(|m| *m.events.entry(kind).or_default() += 1);
    }

    /// `count` child events of `kind` ended with `outcome`.
    pub(crate) fn outcome(&self, kind: &'static str, outcome: EventOutcome, count: u64) {
        if count == 0 {
            return;
        }
        self.update(|m| {
            *m.outcomes
                .entry(kind)
                .or_default()
                .entry(outcome.as_str())
                .or_default() += count;
            if outcome != EventOutcome::Woke {
                *m.filtered.entry(kind).or_default() += count;
            }
        });
    }

    /// A watch of `kind` started: not synced until its first list is in.
    pub(crate) fn watch_started(&self, kind: &'static str) {
        self.update(|m| {
            m.synced.insert(kind, false);
        });
    }

    /// A watch request of `kind` failed.
    pub(crate) fn watch_failed(&self, kind: &'static str) {
        self.update(|m| *m.watch_failures.entry(kind).or_default() += 1);
    }

    /// A full list of `kind` started: a relist if the cache was filled before.
    pub(crate) fn list_started(&self, kind: &'static str) {
        self.update(|m| {
            if m.synced.get(kind) == Some(&true) {
                *m.relists.entry(kind).or_default() += 1;
            }
        });
    }

    /// A full list of `kind` is in its cache.
    pub(crate) fn listed(&self, kind: &'static str) {
        self.update(|m| {
            m.synced.insert(kind, true);
        });
    }

    pub(crate) fn skipped(&self) {
        self.update(|m| m.skipped += 1);
    }

    pub(crate) fn error(&self) {
        self.update(|m| m.errors += 1);
    }

    /// A copy of the counters now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        self.inner.lock().expect("metrics lock poisoned").clone()
    }

    /// The counters in the Prometheus text exposition format.
    pub fn render_prometheus(&self) -> String {
        let m = self.snapshot();
        let mut out = String::new();
        let family = |out: &mut String,
                      name: &str,
                      help: &str,
                      label: &str,
                      values: &BTreeMap<&'static str, u64>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (value, count) in values {
                let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {count}");
            }
        };
        family(
            &mut out,
            "kube_secondary_wakeups_total",
            "Handler runs by trigger.",
            "trigger",
            &m.wakeups,
        );
        family(
            &mut out,
            "kube_secondary_secondary_kind_wakeups_total",
            "reconcile_secondaries runs including a change of the kind.",
            "kind",
            &m.secondary_kinds,
        );
        family(
            &mut out,
            "kube_secondary_child_events_total",
            "Child watch events received.",
            "kind",
            &m.events,
        );
        family(
            &mut out,
            "kube_secondary_child_events_filtered_total",
            "Child events that woke nobody.",
            "kind",
            &m.filtered,
        );
        let _ = writeln!(
            out,
            "# HELP kube_secondary_child_event_outcomes_total Child events by outcome.\n# TYPE kube_secondary_child_event_outcomes_total counter"
        );
        for (kind, outcomes) in &m.outcomes {
            for (outcome, count) in outcomes {
                let _ = writeln!(
                    out,
                    "kube_secondary_child_event_outcomes_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {count}"
                );
            }
        }
        family(
            &mut out,
            "kube_secondary_watch_failures_total",
            "Failed watch requests, retried with backoff.",
            "watch",
            &m.watch_failures,
        );
        family(
            &mut out,
            "kube_secondary_relists_total",
            "Full lists after the first.",
            "watch",
            &m.relists,
        );
        let _ = writeln!(
            out,
            "# HELP kube_secondary_cache_synced Whether the watch's cache holds its first full list.\n# TYPE kube_secondary_cache_synced gauge"
        );
        for (watch, synced) in &m.synced {
            let _ = writeln!(
                out,
                "kube_secondary_cache_synced{{watch=\"{watch}\"}} {}",
                u8::from(*synced)
            );
        }
        let _ = writeln!(
            out,
            "# HELP kube_secondary_skipped_runs_total Scheduled runs with no reason left.\n# TYPE kube_secondary_skipped_runs_total counter\nkube_secondary_skipped_runs_total {}",
            m.skipped
        );
        let _ = writeln!(
            out,
            "# HELP kube_secondary_errors_total Handler runs that failed.\n# TYPE kube_secondary_errors_total counter\nkube_secondary_errors_total {}",
            m.errors
        );
        out
    }
}

impl Metrics {
    /// Serves the counters at `GET /metrics` (Prometheus text) and `GET /metrics.json` on `addr`.
    ///
    /// ```no_run
    /// # async fn run<P: kube_secondary::SecondaryAware>(client: kube::Client) {
    /// let controller = kube_secondary::Controller::<P>::new(client);
    /// tokio::spawn(controller.metrics().serve("0.0.0.0:9090".parse().unwrap()));
    /// # }
    /// ```
    pub async fn serve(
        self: std::sync::Arc<Self>,
        addr: std::net::SocketAddr,
    ) -> std::io::Result<()> {
        serve_http(addr, move |path| match path {
            "/metrics" => Some(("text/plain; version=0.0.4", self.render_prometheus())),
            "/metrics.json" => Some((
                "application/json",
                serde_json::to_string(&self.snapshot()).ok()?,
            )),
            _ => None,
        })
        .await
    }
}

/// A minimal HTTP/1.1 server for read-only endpoints: `handler` maps a GET path to a content type
/// and body, `None` answers 404. Enough for a metrics scrape; not a web framework.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// kube_secondary::metrics::serve_http("127.0.0.1:8080".parse().unwrap(), |path| match path {
///     "/healthz" => Some(("text/plain", "ok\n".to_string())),
///     _ => None,
/// })
/// .await
/// # }
/// ```
pub async fn serve_http(
    addr: std::net::SocketAddr,
    handler: impl Fn(&str) -> Option<(&'static str, String)> + Send + Sync + 'static,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving metrics");
    let handler = std::sync::Arc::new(handler);
    loop {
        let (mut socket, _) = listener.accept().await?;
        let handler = handler.clone();
        tokio::spawn(async move {
            let mut request = [0u8; 2048];
            let read = socket.read(&mut request).await.unwrap_or(0);
            let path = std::str::from_utf8(&request[..read])
                .ok()
                .and_then(|text| text.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_string();
            let (status, kind, body) = match handler(&path) {
                Some((kind, body)) => ("200 OK", kind, body),
                None => ("404 Not Found", "text/plain", "not found\n".to_string()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body.as_bytes()).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_renders_by_trigger() {
        let metrics = Metrics::default();
        metrics.wakeup(Trigger::Primary);
        metrics.wakeup(Trigger::Secondary);
        metrics.wakeup(Trigger::Secondary);
        metrics.event("Service");
        metrics.event("Service");
        metrics.outcome("Service", EventOutcome::Woke, 1);
        metrics.outcome("Service", EventOutcome::Predicate, 1);
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.wakeups(Trigger::Secondary), 2);
        assert_eq!(snapshot.total_wakeups(), 3);
        assert_eq!(snapshot.filtered.get("Service"), Some(&1));
        assert_eq!(snapshot.outcomes["Service"]["woke"], 1);
        let text = metrics.render_prometheus();
        assert!(
            text.contains("kube_secondary_wakeups_total{trigger=\"secondary\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("kube_secondary_child_events_total{kind=\"Service\"} 2"),
            "{text}"
        );
        assert!(
            text.contains(
                "kube_secondary_child_event_outcomes_total{kind=\"Service\",outcome=\"predicate\"} 1"
            ),
            "{text}"
        );
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
    }
}
