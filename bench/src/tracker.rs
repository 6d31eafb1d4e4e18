//! Watches the children the benchmark disturbs and times each repair from the watch event that
//! showed the drift to the one that showed it undone: each drift of the drift scenario, and every
//! repair episode of the churn scenario's ConfigMaps (see [`Tracker`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client, ResourceExt};

/// A disturbance the benchmark makes to one child.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DriftKind {
    /// The Service is deleted.
    DeleteService,
    /// A ConfigMap value is changed.
    EditConfigMap,
    /// The Deployment is scaled.
    ScaleDeployment,
}

impl DriftKind {
    /// Every kind, cycled through by the drift scenario.
    pub const ALL: [DriftKind; 3] = [
        DriftKind::DeleteService,
        DriftKind::EditConfigMap,
        DriftKind::ScaleDeployment,
    ];
}

/// The value the benchmark writes into `max_connections` to make drift.
pub const DRIFTED_SETTING: &str = "drifted";
/// The replicas the benchmark scales a Deployment to.
pub const DRIFTED_REPLICAS: i32 = 7;

/// The value the operator keeps in `max_connections` (what `scenario::create_primaries` specs).
pub const DESIRED_SETTING: &str = "100";

/// What the tracker knows of one child: a repair episode state machine.
///
/// An episode starts at the first event that shows the child drifted while it was last seen
/// correct, and ends at the first event that shows it correct again. Events that show it drifted
/// during an open episode (a second edit, say) do not restart it; a child first seen drifted
/// opens no episode until it has been seen correct.
#[derive(Debug, Default)]
struct Child {
    /// Whether the last event showed the child correct; `None` before any event.
    last_correct: Option<bool>,
    /// When the open episode started.
    drifted_at: Option<Instant>,
}

impl Child {
    /// A child known to be correct: the benchmark is about to drift it.
    fn correct() -> Self {
        Self {
            last_correct: Some(true),
            drifted_at: None,
        }
    }

    /// Steps on one event. Returns `Some(None)` when the event opens an episode and
    /// `Some(Some(latency))` when it closes one.
    fn observe(&mut self, drifted: bool, now: Instant) -> Option<Option<Duration>> {
        let was_correct = self.last_correct.replace(!drifted) == Some(true);
        match (drifted, self.drifted_at) {
            (true, None) if was_correct => {
                self.drifted_at = Some(now);
                Some(None)
            }
            (false, Some(start)) => {
                self.drifted_at = None;
                Some(Some(now - start))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    children: HashMap<(DriftKind, String), Child>,
    /// Episodes started.
    started: usize,
    /// Repair latencies of the episodes that ended.
    finished: Vec<Duration>,
}

/// Repair episodes of the disturbed children, keyed by kind and primary name.
///
/// By default only drifts registered with [`Tracker::expect`] are timed, each once (the drift
/// scenario). [`Tracker::following`] times every episode of every child of one kind instead (the
/// churn scenario, where edits come faster than repairs): its latency is the time from the first
/// event that shows a child drifted while it was last seen correct to the first event that shows
/// it correct again, edits during an open episode not restarting it. Episodes still open when
/// the tracker is read count as started but unrepaired.
#[derive(Clone, Default)]
pub struct Tracker {
    state: Arc<Mutex<State>>,
    /// The kind whose every child is tracked without [`Tracker::expect`].
    follows: Option<DriftKind>,
}

/// What a tracker measured: the episodes started and the latencies of those repaired.
#[derive(Debug, Default, PartialEq)]
pub struct Episodes {
    pub started: usize,
    pub latencies: Vec<Duration>,
}

impl Tracker {
    /// A tracker of every repair episode of every child of `kind`.
    pub fn following(kind: DriftKind) -> Self {
        Self {
            follows: Some(kind),
            ..Self::default()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("tracker lock")
    }

    /// Registers a drift about to be made to the children of `db`.
    pub fn expect(&self, kind: DriftKind, db: &str) {
        self.lock()
            .children
            .insert((kind, db.to_string()), Child::correct());
    }

    /// Whether a drift of `kind` on `db` is still open.
    pub fn is_open(&self, kind: DriftKind, db: &str) -> bool {
        self.lock().children.contains_key(&(kind, db.to_string()))
    }

    /// Drifts expected and not repaired yet, and episodes open of the kind followed.
    pub fn open(&self) -> usize {
        self.lock()
            .children
            .iter()
            .filter(|((kind, _), child)| Some(*kind) != self.follows || child.drifted_at.is_some())
            .count()
    }

    /// Episodes started and repair latencies so far, read together.
    pub fn episodes(&self) -> Episodes {
        let state = self.lock();
        Episodes {
            started: state.started,
            latencies: state.finished.clone(),
        }
    }

    fn observe(&self, kind: DriftKind, db: &str, drifted: bool, now: Instant) {
        let mut state = self.lock();
        let key = (kind, db.to_string());
        let followed = self.follows == Some(kind);
        let child = match state.children.get_mut(&key) {
            Some(child) => child,
            None if followed => state.children.entry(key.clone()).or_default(),
            None => return,
        };
        match child.observe(drifted, now) {
            Some(None) => state.started += 1,
            Some(Some(latency)) => {
                let order = state.finished.len() + 1;
                tracing::debug!(
                    ?kind,
                    db,
                    order,
                    ms = latency.as_secs_f64() * 1000.0,
                    "repaired"
                );
                state.finished.push(latency);
                // An expected drift is timed once; a followed child stays for its next episode.
                if !followed {
                    state.children.remove(&key);
                }
            }
            None => {}
        }
    }

    /// Watches Services, ConfigMaps and Deployments of `namespace` until the returned task is aborted.
    pub fn spawn_watches(
        &self,
        client: &Client,
        namespace: &str,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let services: Api<Service> = Api::namespaced(client.clone(), namespace);
        let configs: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), namespace);
        let tracker = self.clone();
        let service_task = tokio::spawn(async move {
            let mut events = watcher(services, watcher::Config::default())
                .default_backoff()
                .boxed();
            while let Some(Ok(event)) = events.next().await {
                let now = Instant::now();
                match event {
                    watcher::Event::Delete(s) => {
                        tracker.observe(DriftKind::DeleteService, &s.name_any(), true, now)
                    }
                    watcher::Event::Apply(s) => {
                        tracker.observe(DriftKind::DeleteService, &s.name_any(), false, now)
                    }
                    _ => {}
                }
            }
        });
        let tracker = self.clone();
        let config_task = tokio::spawn(async move {
            let mut events = watcher(configs, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Some(Ok(cm)) = events.next().await {
                let now = Instant::now();
                let name = cm.name_any();
                // Only the Databases' ConfigMaps (not `kube-root-ca.crt`).
                let Some(db) = name.strip_suffix("-config") else {
                    continue;
                };
                let value = cm.data.as_ref().and_then(|d| d.get("max_connections"));
                let drifted = value.map(String::as_str) != Some(DESIRED_SETTING);
                tracker.observe(DriftKind::EditConfigMap, db, drifted, now);
            }
        });
        let tracker = self.clone();
        let deployment_task = tokio::spawn(async move {
            let mut events = watcher(deployments, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Some(Ok(d)) = events.next().await {
                let now = Instant::now();
                let replicas = d.spec.replicas;
                tracker.observe(
                    DriftKind::ScaleDeployment,
                    &d.name_any(),
                    replicas == Some(DRIFTED_REPLICAS),
                    now,
                );
            }
        });
        vec![service_task, config_task, deployment_task]
    }
}

/// p50, p95, p99 and max of `samples`, in milliseconds.
pub fn percentiles(samples: &[Duration]) -> Option<[f64; 4]> {
    if samples.is_empty() {
        return None;
    }
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((q * (ms.len() - 1) as f64).round() as usize).min(ms.len() - 1)];
    Some([at(0.50), at(0.95), at(0.99), ms[ms.len() - 1]])
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
