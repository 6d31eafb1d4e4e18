//! Watches the children the benchmark disturbs and times each repair from the watch event that
//! showed the drift to the one that showed it undone.

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

#[derive(Debug, Default)]
struct Pending {
    seen: Option<Instant>,
    repaired: Option<Instant>,
}

/// Open and finished drifts, keyed by kind and primary name.
#[derive(Clone, Default)]
pub struct Tracker {
    drifts: Arc<Mutex<HashMap<(DriftKind, String), Pending>>>,
    finished: Arc<Mutex<Vec<Duration>>>,
}

impl Tracker {
    /// Registers a drift about to be made to the children of `db`.
    pub fn expect(&self, kind: DriftKind, db: &str) {
        self.drifts
            .lock()
            .expect("tracker lock")
            .insert((kind, db.to_string()), Pending::default());
    }

    /// Whether a drift of `kind` on `db` is still open.
    pub fn is_open(&self, kind: DriftKind, db: &str) -> bool {
        self.drifts
            .lock()
            .expect("tracker lock")
            .contains_key(&(kind, db.to_string()))
    }

    /// Drifts not repaired yet.
    pub fn open(&self) -> usize {
        self.drifts.lock().expect("tracker lock").len()
    }

    /// Repair latencies so far.
    pub fn latencies(&self) -> Vec<Duration> {
        self.finished.lock().expect("tracker lock").clone()
    }

    fn observe(&self, kind: DriftKind, db: &str, drifted: bool, now: Instant) {
        let mut drifts = self.drifts.lock().expect("tracker lock");
        let key = (kind, db.to_string());
        let Some(pending) = drifts.get_mut(&key) else {
            return;
        };
        match (drifted, pending.seen) {
            (true, None) => pending.seen = Some(now),
            (false, Some(seen)) => {
                pending.repaired = Some(now);
                self.finished.lock().expect("tracker lock").push(now - seen);
                drifts.remove(&key);
            }
            _ => {}
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
                let value = cm
                    .data
                    .as_ref()
                    .and_then(|d| d.get("max_connections"))
                    .cloned()
                    .unwrap_or_default();
                let db = cm.name_any().trim_end_matches("-config").to_string();
                tracker.observe(DriftKind::EditConfigMap, &db, value == DRIFTED_SETTING, now);
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
mod tests {
    use super::*;

    #[test]
    fn a_drift_is_timed_from_its_event_to_its_repair() {
        let tracker = Tracker::default();
        let t0 = Instant::now();
        tracker.expect(DriftKind::EditConfigMap, "db-1");
        tracker.observe(DriftKind::EditConfigMap, "db-1", false, t0);
        tracker.observe(
            DriftKind::EditConfigMap,
            "db-1",
            true,
            t0 + Duration::from_millis(5),
        );
        assert_eq!(tracker.open(), 1);
        tracker.observe(
            DriftKind::EditConfigMap,
            "db-1",
            false,
            t0 + Duration::from_millis(45),
        );
        assert_eq!(tracker.open(), 0);
        assert_eq!(tracker.latencies(), vec![Duration::from_millis(40)]);
    }

    #[test]
    fn percentiles_of_a_sample() {
        let samples: Vec<_> = (1..=100).map(Duration::from_millis).collect();
        let [p50, p95, p99, max] = percentiles(&samples).unwrap();
        assert!(
            (p50 - 50.0).abs() <= 1.0 && (p95 - 95.0).abs() <= 1.0 && (p99 - 99.0).abs() <= 1.0
        );
        assert_eq!(max, 100.0);
        assert!(percentiles(&[]).is_none());
    }
}
