//! `--scenario primary-all`: how fast "one Database and all its children" is read through the
//! aggregated `primary-all` API, against a GET plus label-selected LISTs and against the thesis
//! prototype's discovery-and-list-everything, and what the extension server's caches cost.
//!
//! The flow: a namespace with one childless `probe` Database -> the `kube-secondary-apiserver`
//! process, synced (its RSS read) -> N Databases × 5 children created -> the control plane
//! settles and the server has every child (RSS read again) -> the APIService registered, in this
//! process's turn -> every method on the same seeded sample of primaries, interleaved ->
//! unregistered, server stopped, namespace deleted.

mod fixture;
mod methods;
mod report;
mod run;

use run::Run;
mod server;

use std::path::Path;
use std::time::Duration;

use kube::Client;
use serde::{Deserialize, Serialize};

use crate::scenario::{self};
pub use methods::Method;
pub use report::markdown;
use server::ServerProcess;
pub use server::build;

/// How big a run is and how much it samples.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Databases, each with [`CHILDREN_PER_PRIMARY`] children.
    pub primaries: usize,
    /// Timed requests per method (the sample of primaries).
    pub requests: usize,
    /// Untimed requests per method first ((b): two).
    pub warmup: usize,
    /// (b) stops being sampled once its requests took this long in all, so that the
    /// APIService turn stays well within the e2e tests' patience.
    pub thesis_budget: Duration,
}

impl Plan {
    /// The default plan for `primaries` (1,000, or 100 with `--quick`).
    pub fn new(primaries: usize, quick: bool) -> Self {
        Self {
            primaries,
            requests: if quick { 100 } else { 300 },
            warmup: 20,
            thesis_budget: Duration::from_secs(if quick { 60 } else { 240 }),
        }
    }

    /// The default N.
    pub fn default_primaries(quick: bool) -> usize {
        if quick { 100 } else { 1000 }
    }
}

/// One method's figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MethodResult {
    pub method: Method,
    /// Timed requests that answered correctly.
    pub requests: usize,
    /// Requests that failed or returned a wrong set of children (not timed).
    pub errors: usize,
    /// The first of those, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// Fewest and most children a correct answer held.
    pub children: [usize; 2],
    /// p50, p95, p99, max in ms.
    pub latency_ms: Option<[f64; 4]>,
}

/// Everything measured in one run of the scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PrimaryAllResult {
    pub primaries: usize,
    pub children_per_primary: usize,
    /// Databases and children created.
    pub objects_created: usize,
    /// Seconds to create them.
    pub create_seconds: f64,
    /// Primaries created at once.
    pub primaries_in_flight: usize,
    /// Seconds until the control plane's controllers were done with them.
    pub settle_seconds: f64,
    /// Server RSS once synced, before the objects existed, MiB.
    pub rss_before_mib: f64,
    /// Server RSS with every object cached, MiB.
    pub rss_after_mib: f64,
    /// Server CPU seconds over the timed requests of every method.
    pub server_cpu_seconds: f64,
    /// Seconds the timed, interleaved requests took in all.
    pub measure_seconds: f64,
    pub warmup_per_method: usize,
    pub thesis_budget_seconds: f64,
    /// What was registered as `v1.primary-all.demo.kube-secondary.dev` when this run's turn came.
    pub registration: String,
    pub methods: Vec<MethodResult>,
}

impl PrimaryAllResult {
    /// Objects the server caches for the run: the Databases and their children.
    pub fn cached_objects(&self) -> usize {
        self.objects_created
    }

    /// KiB of server RSS per cached object.
    pub fn kib_per_cached_object(&self) -> f64 {
        (self.rss_after_mib - self.rss_before_mib) * 1024.0 / self.cached_objects().max(1) as f64
    }

    /// The p50 of `method`, in ms.
    pub fn p50(&self, method: Method) -> Option<f64> {
        let result = self.methods.iter().find(|m| m.method == method)?;
        result.latency_ms.map(|l| l[0])
    }
}

/// Runs the scenario: its own namespace, its own server process, cleaned up on every path.
pub async fn run(
    client: &Client,
    binary: &Path,
    pki: &Path,
    logs: &Path,
    plan: Plan,
    seed: u64,
) -> anyhow::Result<PrimaryAllResult> {
    let namespace = format!(
        "bench-primary-all-{}-{}",
        plan.primaries,
        std::process::id()
    );
    fixture::create_namespace(client, &namespace).await?;
    let log = logs.join(format!("{namespace}.log"));
    let mut server = match ServerProcess::start(binary, pki, &log) {
        Ok(server) => server,
        Err(error) => {
            scenario::delete_namespace(client, &namespace, plan.primaries).await;
            return Err(error);
        }
    };
    let mut registration = None;
    let outcome = Run {
        client,
        pki,
        namespace: &namespace,
        plan,
        seed,
    }
    .measure(&mut server, &mut registration)
    .await;
    if let Some(registration) = registration
        && let Err(error) = registration.release(client).await
    {
        tracing::warn!("could not unregister the primary-all APIService: {error:#}");
    }
    server.stop().await;
    println!("    deleting {namespace}");
    scenario::delete_namespace(client, &namespace, plan.primaries).await;
    outcome.map_err(|e| anyhow::anyhow!("{e:#}; server log: {}", log.display()))
}
