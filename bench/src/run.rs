//! One contestant through one scenario: set up, converge, measure the window, tear down.

use std::path::Path;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Patch, PatchParams};
use kube::{Api, Client};
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;

use crate::contestant::{Binaries, Contestant, Counters, Running};
use crate::disturb::{self, pace};
use crate::procfs;
use crate::scenario::{self, Rng, Scenario, db_name};
use crate::tracker::{DriftKind, Tracker, percentiles};

/// Everything measured in one run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunResult {
    pub contestant: Contestant,
    #[serde(flatten)]
    pub scenario: Scenario,
    /// Seconds from start to all children in place.
    pub converge_seconds: f64,
    /// Seconds of the measured window.
    pub window_seconds: f64,
    /// Operator CPU seconds from its start until every child was in place.
    #[serde(default)]
    pub converge_cpu_seconds: Option<f64>,
    /// Wake-ups and API requests during the window.
    pub counters: Counters,
    /// Operator CPU seconds during the window.
    pub cpu_seconds: f64,
    /// Operator peak RSS over the whole run, MiB.
    pub peak_rss_mib: f64,
    /// Operator RSS right after convergence, MiB.
    pub converged_rss_mib: f64,
    /// Disturbances made (drifts, noise updates or churn edits).
    pub events: usize,
    /// Drifts repaired by the end of the window (drift scenario), or repair episodes ended by the
    /// end of the window and the settling after it (churn scenario).
    pub repaired: usize,
    /// Repair episodes started (churn scenario): each runs from the first watch event that showed
    /// a ConfigMap drifted while it was last seen correct to the first that showed it correct
    /// again, edits during it not restarting it. Those still open after the window and the
    /// settling are the unrepaired ones (`episodes - repaired`).
    #[serde(default)]
    pub episodes: Option<usize>,
    /// Repair latency p50, p95, p99, max in ms: of the drifts (drift scenario) or of the repair
    /// episodes (churn scenario).
    pub latency_ms: Option<[f64; 4]>,
    /// Whether every child was in its desired state at the end.
    pub final_state_ok: bool,
    /// A restart over the converged primaries (idle runs).
    #[serde(default)]
    pub restart: Option<crate::restart::Restart>,
}

impl RunResult {
    /// Wake-ups per primary per hour over the window.
    pub fn wakeups_per_primary_hour(&self) -> f64 {
        self.counters.total_wakeups() as f64 / self.scenario.primaries() as f64 * 3600.0
            / self.window_seconds.max(1e-9)
    }

    /// API requests per disturbance (drift and churn).
    pub fn requests_per_event(&self) -> Option<f64> {
        (self.events > 0).then(|| self.counters.total_requests() as f64 / self.events as f64)
    }

    /// Wake-ups per disturbance.
    pub fn wakeups_per_event(&self) -> Option<f64> {
        (self.events > 0).then(|| self.counters.total_wakeups() as f64 / self.events as f64)
    }
}

/// Waits until the contestant's counters stop moving for two seconds (at most `limit`).
async fn settle(running: &Running, limit: Duration) -> anyhow::Result<Counters> {
    let start = Instant::now();
    let mut last = running.counters().await?;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let now = running.counters().await?;
        if now == last || start.elapsed() > limit {
            return Ok(now);
        }
        last = now;
    }
}

/// Runs `contestant` through `scenario` in a namespace of its own.
pub async fn run(
    client: &Client,
    binaries: &Binaries,
    contestant: Contestant,
    scenario: Scenario,
    seed: u64,
    port: u16,
    logs: &Path,
) -> anyhow::Result<RunResult> {
    let namespace = format!("bench-{}-{}-{port}", contestant.name(), scenario.name());
    let primaries = scenario.primaries();
    scenario::create_primaries(client, &namespace, primaries).await?;
    let log = logs.join(format!("{namespace}.log"));
    let running = Running::start(contestant, binaries, &namespace, port, &log)?;
    let pid = running.pid();
    let result = measure(client, &running, &namespace, scenario, seed).await;
    let peak_rss_mib = procfs::peak_rss_mib(pid).unwrap_or(0.0);
    running.stop().await;
    let restart = match (&result, scenario) {
        (Ok(_), Scenario::Idle { .. }) => {
            let log = logs.join(format!("{namespace}-restart.log"));
            let restart =
                crate::restart::measure(contestant, binaries, &namespace, port, &log, primaries);
            Some(restart.await)
        }
        _ => None,
    };
    scenario::delete_namespace(client, &namespace, primaries).await;
    let mut result = result.map_err(|e| anyhow::anyhow!("{e}; operator log: {}", log.display()))?;
    result.restart = restart.transpose()?;
    result.contestant = contestant;
    // The converged reading counts too: the high-water mark may not have caught up with it.
    result.peak_rss_mib = peak_rss_mib.max(result.converged_rss_mib);
    Ok(result)
}

async fn measure(
    client: &Client,
    running: &Running,
    namespace: &str,
    scenario: Scenario,
    seed: u64,
) -> anyhow::Result<RunResult> {
    let primaries = scenario.primaries();
    let converge = scenario::wait_converged(
        client,
        namespace,
        primaries,
        Duration::from_secs(120 + primaries as u64 / 2),
    )
    .await?;
    let converge_cpu_seconds = procfs::cpu_seconds(running.pid())?;
    // The window measures the operator, not the control plane catching up with its creations.
    // Beyond a thousand primaries it does not wait for all of that: the Deployment controller
    // reads every ReplicaSet and Pod of the namespace per sync, so its catching up grows with
    // N squared (at N = 10,000, five Deployments a second, for an hour).
    scenario::wait_quiescent(
        client,
        namespace,
        primaries,
        Duration::from_secs((60 + primaries as u64 / 5).min(300)),
    )
    .await?;
    // Let the start-up wake-ups finish (the timer never settles; 10 s bounds the wait).
    let before = settle(running, Duration::from_secs(10)).await?;
    let converged_rss_mib = procfs::rss_mib(running.pid())?;
    let cpu_before = procfs::cpu_seconds(running.pid())?;
    let tracker = match scenario {
        Scenario::Churn { .. } => Tracker::following(DriftKind::EditConfigMap),
        _ => Tracker::default(),
    };
    let watches = tracker.spawn_watches(client, namespace);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut rng = Rng::new(seed);
    let start = Instant::now();
    let mut events = 0;
    match scenario {
        Scenario::Idle { seconds, .. } => tokio::time::sleep(Duration::from_secs(seconds)).await,
        Scenario::Drift {
            count, per_second, ..
        } => {
            events = disturb::run_drifts(
                client, namespace, &tracker, &mut rng, primaries, count, per_second,
            )
            .await?;
            let deadline = Instant::now() + Duration::from_secs(30);
            while tracker.open() > 0 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Scenario::Noise {
            count, per_second, ..
        } => {
            for i in 0..count {
                pace(start, i, per_second).await;
                disturb::noise(client, namespace, i, &db_name(rng.below(primaries))).await?;
            }
            events = count;
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        Scenario::Churn {
            seconds,
            per_second,
            ..
        } => {
            let total = (seconds as f64 * per_second) as usize;
            let configs: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
            let mut in_flight = JoinSet::new();
            for i in 0..total {
                pace(start, i, per_second).await;
                while in_flight.len() >= 64 {
                    if let Some(done) = in_flight.join_next().await {
                        events += usize::from(done.unwrap_or(false));
                    }
                }
                let (configs, name) = (
                    configs.clone(),
                    format!("{}-config", db_name(rng.below(primaries))),
                );
                in_flight.spawn(async move {
                    let patch =
                        serde_json::json!({ "data": { "max_connections": format!("churn-{i}") } });
                    configs
                        .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                        .await
                        .is_ok()
                });
            }
            while let Some(done) = in_flight.join_next().await {
                events += usize::from(done.unwrap_or(false));
            }
        }
    }
    let window_end = Instant::now();
    let final_state_ok =
        scenario::wait_converged(client, namespace, primaries, Duration::from_secs(30))
            .await
            .is_ok();
    let after = match scenario {
        Scenario::Idle { .. } => running.counters().await?,
        _ => settle(running, Duration::from_secs(10)).await?,
    };
    let cpu_after = procfs::cpu_seconds(running.pid())?;
    watches.iter().for_each(tokio::task::JoinHandle::abort);
    let episodes = tracker.episodes();
    Ok(RunResult {
        contestant: running.contestant,
        scenario,
        converge_seconds: converge.as_secs_f64(),
        window_seconds: match scenario {
            Scenario::Idle { .. } => (window_end - start).as_secs_f64(),
            _ => start.elapsed().as_secs_f64(),
        },
        converge_cpu_seconds: Some(converge_cpu_seconds),
        counters: after.since(&before),
        cpu_seconds: cpu_after - cpu_before,
        peak_rss_mib: 0.0,
        converged_rss_mib,
        events,
        repaired: episodes.latencies.len(),
        episodes: matches!(scenario, Scenario::Churn { .. }).then_some(episodes.started),
        latency_ms: percentiles(&episodes.latencies),
        final_state_ok,
        restart: None,
    })
}
