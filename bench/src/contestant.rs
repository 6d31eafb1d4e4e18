//! The four implementations of the `database` job, started as processes of their own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One implementation under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Contestant {
    /// No child watches; full reconcile every 5 s.
    Timer,
    /// kube-runtime `Controller::owns` for every kind.
    ByHand,
    /// The derive, default predicates, separate dispatch.
    KubeSecondary,
    /// controller-runtime `For` + `Owns`, `GenerationChangedPredicate` on the Deployment.
    ControllerRuntime,
}

impl Contestant {
    /// Every contestant, in report order.
    pub const ALL: [Contestant; 4] = [
        Contestant::Timer,
        Contestant::ByHand,
        Contestant::KubeSecondary,
        Contestant::ControllerRuntime,
    ];

    /// The name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Contestant::Timer => "timer",
            Contestant::ByHand => "by-hand",
            Contestant::KubeSecondary => "kube-secondary",
            Contestant::ControllerRuntime => "controller-runtime",
        }
    }

    /// Whether it keeps the children in a cache: the timer does not watch them, and kube-runtime's
    /// `Controller::owns` watches their metadata without storing it.
    pub fn caches_children(self) -> bool {
        matches!(
            self,
            Contestant::KubeSecondary | Contestant::ControllerRuntime
        )
    }

    /// Parses a name from the command line.
    pub fn parse(name: &str) -> anyhow::Result<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name).ok_or_else(|| {
            anyhow::anyhow!("unknown contestant `{name}`; expected one of timer, by-hand, kube-secondary, controller-runtime")
        })
    }
}

/// Where the contestants' binaries are.
pub struct Binaries {
    /// The `database` example binary (all three Rust contestants).
    pub database: PathBuf,
    /// The controller-runtime operator.
    pub controller_runtime: PathBuf,
}

fn run(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let output = command.output()?;
    if !output.status.success() {
        anyhow::bail!(
            "{what} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

impl Binaries {
    /// Builds the contestants: the Rust example (release), the Go operator (the Go caches).
    pub fn build(repo: &Path, cache: &Path) -> anyhow::Result<Self> {
        tracing::info!("building the Rust contestants (cargo build --release)");
        let database = kube_secondary_build::binary(
            repo,
            "kube-secondary-examples",
            "database",
            kube_secondary_build::Profile::Release,
        )?;
        let bin_dir = cache.join("bin");
        std::fs::create_dir_all(&bin_dir)?;
        let controller_runtime = bin_dir.join("bench-controller-runtime");
        tracing::info!("building the controller-runtime contestant (go build)");
        run(
            Command::new("go")
                .current_dir(repo.join("bench/controller-runtime"))
                .env("GOWORK", "off")
                .env("GOTOOLCHAIN", "local")
                .env("CGO_ENABLED", "0")
                .env("GOFLAGS", "-mod=mod")
                .env("GOMODCACHE", cache.join("go/mod"))
                .env("GOCACHE", cache.join("go/build"))
                .args(["build", "-o"])
                .arg(&controller_runtime)
                .arg("."),
            "go build of bench/controller-runtime",
        )?;
        Ok(Self {
            database,
            controller_runtime,
        })
    }
}

/// A running contestant.
pub struct Running {
    pub contestant: Contestant,
    child: Child,
    metrics_addr: String,
}

/// Counters read from a contestant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Handler runs by trigger (`reconcile` when the contestant cannot tell triggers apart).
    pub wakeups: BTreeMap<String, u64>,
    /// API requests by verb.
    pub requests: BTreeMap<String, u64>,
}

impl Counters {
    /// Wake-ups of every trigger.
    pub fn total_wakeups(&self) -> u64 {
        self.wakeups.values().sum()
    }

    /// Requests of every verb but `event`: the Events kube-secondary records on primaries
    /// (counted apart by its `RequestCounts`; the other contestants record none) are listed by
    /// verb in the report, not counted in the totals and ratios.
    pub fn total_requests(&self) -> u64 {
        let events = |verb: &&String| verb.as_str() != "event";
        self.requests
            .iter()
            .filter(|(verb, _)| events(verb))
            .map(|(_, n)| n)
            .sum()
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Counters) -> Counters {
        let diff = |now: &BTreeMap<String, u64>, then: &BTreeMap<String, u64>| {
            now.iter()
                .map(|(key, value)| (key.clone(), value - then.get(key).copied().unwrap_or(0)))
                .filter(|(_, value)| *value > 0)
                .collect()
        };
        Counters {
            wakeups: diff(&self.wakeups, &earlier.wakeups),
            requests: diff(&self.requests, &earlier.requests),
        }
    }
}

impl Running {
    /// Starts `contestant` watching `namespace`, serving counters on `port`.
    pub fn start(
        contestant: Contestant,
        binaries: &Binaries,
        namespace: &str,
        port: u16,
        log: &Path,
    ) -> anyhow::Result<Self> {
        let metrics_addr = format!("127.0.0.1:{port}");
        let mut command = match contestant {
            Contestant::ControllerRuntime => {
                let mut command = Command::new(&binaries.controller_runtime);
                command.args(["--namespace", namespace, "--metrics-addr", &metrics_addr]);
                command
            }
            rust => {
                let mode = match rust {
                    Contestant::Timer => "timer",
                    Contestant::ByHand => "by-hand",
                    _ => "kube-secondary",
                };
                let mut command = Command::new(&binaries.database);
                command.args([
                    "--mode",
                    mode,
                    "--namespace",
                    namespace,
                    "--metrics-addr",
                    &metrics_addr,
                ]);
                let filter = std::env::var("BENCH_OPERATOR_LOG"); // default: warnings
                command.env("RUST_LOG", filter.as_deref().unwrap_or("warn"));
                command
            }
        };
        let log = std::fs::File::create(log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        Ok(Self {
            contestant,
            child,
            metrics_addr,
        })
    }

    /// The process id, for /proc readings.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads the counters, retrying while the contestant starts.
    pub async fn counters(&self) -> anyhow::Result<Counters> {
        let mut last_error = None;
        for _ in 0..100 {
            match self.try_counters().await {
                Ok(counters) => return Ok(counters),
                Err(error) => last_error = Some(error),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(last_error.expect("tried at least once"))
    }

    async fn try_counters(&self) -> anyhow::Result<Counters> {
        match self.contestant {
            Contestant::ControllerRuntime => {
                let text = http_get(&self.metrics_addr, "/metrics").await?;
                Ok(parse_prometheus(&text, &CONTROLLER_RUNTIME))
            }
            Contestant::KubeSecondary => {
                let text = http_get(&self.metrics_addr, "/metrics").await?;
                Ok(parse_prometheus(&text, &KUBE_SECONDARY))
            }
            _ => {
                let body: serde_json::Value =
                    serde_json::from_str(&http_get(&self.metrics_addr, "/metrics.json").await?)?;
                let wakeups = body
                    .pointer("/kube_secondary/wakeups")
                    .or_else(|| body.get("wakeups"))
                    .cloned()
                    .unwrap_or_default();
                Ok(Counters {
                    wakeups: serde_json::from_value(wakeups)?,
                    requests: serde_json::from_value(
                        body.get("requests").cloned().unwrap_or_default(),
                    )?,
                })
            }
        }
    }

    /// Stops the contestant (SIGTERM, then SIGKILL after 5 s).
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The names under which a contestant exports its counters in Prometheus text.
pub struct Exported {
    /// Handler runs; by the label `trigger` when it has one, else all `reconcile`.
    wakeups: &'static str,
    /// API requests, by the label `verb`.
    requests: &'static str,
}

/// The controller-runtime contestant's own counters.
pub const CONTROLLER_RUNTIME: Exported = Exported {
    wakeups: "bench_reconciles_total",
    requests: "bench_requests_total",
};

/// kube-secondary's metrics (`Metrics::register`, `RequestCounts::register`), served by
/// `Controller::serve_endpoints`.
pub const KUBE_SECONDARY: Exported = Exported {
    wakeups: "kube_secondary_wakeups_total",
    requests: "kube_secondary_api_requests_total",
};

/// The value of the label `label` in `labels` (`a="x",b="y"`).
fn label<'a>(labels: &'a str, label: &str) -> Option<&'a str> {
    labels
        .split(',')
        .find_map(|pair| pair.strip_prefix(label)?.strip_prefix("=\""))
        .and_then(|value| value.split('"').next())
}

/// Reads wake-ups and requests by verb from Prometheus text, under the names `exported` gives.
pub fn parse_prometheus(text: &str, exported: &Exported) -> Counters {
    let mut counters = Counters::default();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => (name, labels.trim_end_matches('}')),
            None => (series, ""),
        };
        if name == exported.wakeups {
            let trigger = label(labels, "trigger").unwrap_or("reconcile");
            *counters.wakeups.entry(trigger.to_string()).or_default() += value as u64;
        } else if name == exported.requests
            && let Some(verb) = label(labels, "verb")
        {
            *counters.requests.entry(verb.to_string()).or_default() += value as u64;
        }
    }
    counters
}

async fn http_get(addr: &str, path: &str) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("malformed HTTP response"))?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "GET {path}: {head}"
    );
    Ok(body.to_string())
}

#[cfg(test)]
#[path = "contestant_tests.rs"]
mod tests;
