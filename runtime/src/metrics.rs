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
    /// Child events that woke nobody: filtered by a predicate, own-write echoes, unmapped.
    pub filtered: BTreeMap<&'static str, u64>,
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

    pub(crate) fn event(&self, kind: &'static str, woke: bool) {
        self.update(|m| {
            *m.events.entry(kind).or_default() += 1;
            if !woke {
                *m.filtered.entry(kind).or_default() += 1;
            }
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
        let mut family =
            |name: &str, help: &str, label: &str, values: &BTreeMap<&'static str, u64>| {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                for (value, count) in values {
                    let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {count}");
                }
            };
        family(
            "kube_secondary_wakeups_total",
            "Handler runs by trigger.",
            "trigger",
            &m.wakeups,
        );
        family(
            "kube_secondary_secondary_kind_wakeups_total",
            "reconcile_secondaries runs including a change of the kind.",
            "kind",
            &m.secondary_kinds,
        );
        family(
            "kube_secondary_child_events_total",
            "Child watch events received.",
            "kind",
            &m.events,
        );
        family(
            "kube_secondary_child_events_filtered_total",
            "Child events that woke nobody.",
            "kind",
            &m.filtered,
        );
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
        metrics.event("Service", true);
        metrics.event("Service", false);
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.wakeups(Trigger::Secondary), 2);
        assert_eq!(snapshot.total_wakeups(), 3);
        assert_eq!(snapshot.filtered.get("Service"), Some(&1));
        let text = metrics.render_prometheus();
        assert!(
            text.contains("kube_secondary_wakeups_total{trigger=\"secondary\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("kube_secondary_child_events_total{kind=\"Service\"} 2"),
            "{text}"
        );
    }
}
