//! The four scenarios, each run for one contestant alone in a fresh namespace.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, Service};
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, Client, ResourceExt};
use kube_secondary_examples::database::{Database, DatabaseSpec};
use serde::{Deserialize, Serialize};

/// A scenario and its size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scenario", rename_all = "kebab-case")]
pub enum Scenario {
    /// `primaries` converge, then nothing happens for `seconds`.
    Idle { primaries: usize, seconds: u64 },
    /// `count` child edits or deletions at `per_second`.
    Drift {
        primaries: usize,
        count: usize,
        per_second: f64,
    },
    /// `count` status-only updates and unrelated label changes at `per_second`.
    Noise {
        primaries: usize,
        count: usize,
        per_second: f64,
    },
    /// ConfigMap edits at `per_second` for `seconds`, as fast as the API server takes them.
    Churn {
        primaries: usize,
        seconds: u64,
        per_second: f64,
    },
}

impl Scenario {
    /// The scenario's name.
    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Idle { .. } => "idle",
            Scenario::Drift { .. } => "drift",
            Scenario::Noise { .. } => "noise",
            Scenario::Churn { .. } => "churn",
        }
    }

    /// The same scenario over `primaries` primaries.
    pub fn with_primaries(mut self, primaries: usize) -> Self {
        match &mut self {
            Scenario::Idle { primaries: n, .. }
            | Scenario::Drift { primaries: n, .. }
            | Scenario::Noise { primaries: n, .. }
            | Scenario::Churn { primaries: n, .. } => *n = primaries,
        }
        self
    }

    /// The number of primaries.
    pub fn primaries(&self) -> usize {
        match *self {
            Scenario::Idle { primaries, .. }
            | Scenario::Drift { primaries, .. }
            | Scenario::Noise { primaries, .. }
            | Scenario::Churn { primaries, .. } => primaries,
        }
    }
}

/// The runs of a benchmark: the built-in scenarios named in `names` (all without any), at the
/// sizes in `sizes` (the built-in ones without any). A size a scenario has no built-in run for
/// takes that scenario's first built-in run over that many primaries, so any N can be measured.
/// `idle_seconds` overrides the length of the idle windows.
pub fn plan(
    builtin: &[Scenario],
    names: &[String],
    sizes: &[usize],
    idle_seconds: Option<u64>,
) -> Vec<Scenario> {
    let named = |s: &&Scenario| names.is_empty() || names.iter().any(|n| n == s.name());
    let mut plan: Vec<Scenario> = vec![];
    for scenario in builtin.iter().filter(named) {
        if sizes.is_empty() {
            plan.push(*scenario);
        } else if !plan.iter().any(|p| p.name() == scenario.name()) {
            for &size in sizes {
                let same = |s: &&Scenario| s.name() == scenario.name() && s.primaries() == size;
                let run = builtin.iter().find(same).copied();
                plan.push(run.unwrap_or_else(|| scenario.with_primaries(size)));
            }
        }
    }
    for scenario in &mut plan {
        if let (Scenario::Idle { primaries, .. }, Some(seconds)) = (*scenario, idle_seconds) {
            *scenario = Scenario::Idle { primaries, seconds };
        }
    }
    plan
}

/// A small deterministic generator, so every contestant sees the same sequence for one seed.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// The name of primary `i`.
pub fn db_name(i: usize) -> String {
    format!("db-{i}")
}

/// Creates `namespace` and `count` Databases in it.
pub async fn create_primaries(
    client: &Client,
    namespace: &str,
    count: usize,
) -> anyhow::Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some(namespace.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    namespaces.create(&PostParams::default(), &ns).await?;
    let dbs: Api<Database> = Api::namespaced(client.clone(), namespace);
    for i in 0..count {
        let spec = DatabaseSpec {
            image: "postgres:16".into(),
            replicas: 1,
            port: 5432,
            config: BTreeMap::from([("max_connections".to_string(), "100".to_string())]),
        };
        dbs.create(&PostParams::default(), &Database::new(&db_name(i), spec))
            .await?;
    }
    Ok(())
}

/// Deletes `namespace`, which holds `count` primaries, and waits (at most five minutes plus a
/// second per 20 primaries) until the namespace controller and the garbage collector have removed
/// it, so that the next run does not share the control plane with this run's clean-up.
pub async fn delete_namespace(client: &Client, namespace: &str, count: usize) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    if let Err(e) = namespaces
        .delete(namespace, &DeleteParams::background())
        .await
    {
        tracing::warn!(namespace, error = %e, "deleting the namespace failed");
        return;
    }
    let start = Instant::now();
    let limit = Duration::from_secs(300 + count as u64 / 20);
    while start.elapsed() < limit {
        match namespaces.get_opt(namespace).await {
            Ok(None) => {
                tracing::info!(
                    namespace,
                    seconds = start.elapsed().as_secs_f64(),
                    "namespace gone"
                );
                return;
            }
            Ok(Some(_)) | Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
    tracing::warn!(namespace, ?limit, "namespace still terminating; going on");
}

/// Whether every primary has all four children in their desired state.
pub async fn converged(client: &Client, namespace: &str, count: usize) -> anyhow::Result<bool> {
    let all = ListParams::default();
    let configs = Api::<ConfigMap>::namespaced(client.clone(), namespace)
        .list(&all)
        .await?;
    let good_configs = configs
        .items
        .iter()
        .filter(|c| {
            c.data
                .as_ref()
                .and_then(|d| d.get("max_connections"))
                .map(String::as_str)
                == Some("100")
        })
        .count();
    let services = Api::<Service>::namespaced(client.clone(), namespace)
        .list_metadata(&all)
        .await?
        .items
        .len();
    let secrets = Api::<Secret>::namespaced(client.clone(), namespace)
        .list_metadata(&ListParams::default().labels("app.kubernetes.io/instance"))
        .await?
        .items
        .len();
    let deployments = Api::<Deployment>::namespaced(client.clone(), namespace)
        .list(&all)
        .await?;
    let good_deployments = deployments
        .items
        .iter()
        .filter(|d| d.spec.replicas == Some(1))
        .count();
    Ok(good_configs == count && services == count && secrets == count && good_deployments == count)
}

/// The resourceVersions of what the control plane's own controllers write for the children
/// (Deployments, their ReplicaSets and Pods), and whether every Deployment's status has caught
/// up with its spec.
async fn control_plane_state(
    client: &Client,
    namespace: &str,
) -> anyhow::Result<(Vec<String>, bool)> {
    let all = ListParams::default();
    let deployments = Api::<Deployment>::namespaced(client.clone(), namespace)
        .list(&all)
        .await?;
    let caught_up = deployments
        .items
        .iter()
        .all(|d| d.status.as_ref().and_then(|s| s.observed_generation) == d.metadata.generation);
    let mut versions: Vec<String> = deployments
        .items
        .iter()
        .map(|d| d.resource_version().unwrap_or_default())
        .collect();
    for rs in Api::<ReplicaSet>::namespaced(client.clone(), namespace)
        .list_metadata(&all)
        .await?
    {
        versions.push(rs.resource_version().unwrap_or_default());
    }
    for pod in Api::<Pod>::namespaced(client.clone(), namespace)
        .list_metadata(&all)
        .await?
    {
        versions.push(pod.resource_version().unwrap_or_default());
    }
    versions.sort();
    Ok((versions, caught_up))
}

/// How long to wait between two reads of every child of `count` primaries: `base` up to 1,000
/// primaries, longer in proportion beyond, so that the benchmark's own lists do not load the
/// control plane the contestant shares with it (a read of 10,000 primaries' children lists
/// 40,000 objects).
fn poll_interval(count: usize, base: Duration) -> Duration {
    base * u32::try_from(count.div_ceil(1000))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// Waits until the control plane has finished its own work on the children (the Deployment and
/// ReplicaSet controllers are rate-limited and lag behind a burst of creations): nothing of
/// theirs changed for six seconds. Gives up after `limit` and says so; the window then starts
/// anyway.
pub async fn wait_quiescent(
    client: &Client,
    namespace: &str,
    count: usize,
    limit: Duration,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let mut last = None;
    let mut quiet = 0;
    while quiet < 3 {
        if start.elapsed() > limit {
            tracing::warn!(
                namespace,
                ?limit,
                "the control plane did not settle; measuring anyway"
            );
            return Ok(start.elapsed());
        }
        tokio::time::sleep(poll_interval(count, Duration::from_secs(2))).await;
        let (versions, caught_up) = control_plane_state(client, namespace).await?;
        quiet = if caught_up && last.as_ref() == Some(&versions) {
            quiet + 1
        } else {
            0
        };
        last = Some(versions);
    }
    tracing::info!(
        namespace,
        seconds = start.elapsed().as_secs_f64(),
        "control plane settled"
    );
    Ok(start.elapsed())
}

/// Waits until [`converged`], or fails after `limit`.
pub async fn wait_converged(
    client: &Client,
    namespace: &str,
    count: usize,
    limit: Duration,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    while !converged(client, namespace, count).await? {
        anyhow::ensure!(
            start.elapsed() < limit,
            "{namespace}: {count} primaries did not converge within {limit:?}"
        );
        tokio::time::sleep(poll_interval(count, Duration::from_millis(250))).await;
    }
    Ok(start.elapsed())
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
