//! The `kube-secondary-apiserver` process under test, and its turn with the cluster's
//! primary-all APIServices (`v1.primary-all.demo.kube-secondary.dev` for the Databases).

use kube_secondary_build::Profile;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use kube::{Api, Client};
use kube_secondary::primary_all::{served_group, served_groups};
use kube_secondary_apiserver::KindSpec;
use kube_secondary_apiserver::register::{api_service_name, register, unregister};

/// The kinds served: the example's Database and the four kinds of its children.
pub const PRIMARY: &str = "demo.kube-secondary.dev/v1/Database";
pub const CHILDREN: [&str; 4] = [
    "apps/v1/Deployment",
    "v1/Service",
    "v1/Secret",
    "v1/ConfigMap",
];

/// How long to wait for another process (an e2e run, `cargo xtask apiserver`) to end its turn
/// with the APIService.
const TURN_PATIENCE: Duration = Duration::from_secs(1800);

/// Builds the server in release mode, as the other contestants are; returns its path.
pub fn build(repo: &Path) -> anyhow::Result<PathBuf> {
    tracing::info!("building kube-secondary-apiserver (cargo build --release)");
    let package = "kube-secondary-apiserver";
    kube_secondary_build::binary(repo, package, package, Profile::Release)
}

/// The running server.
pub struct ServerProcess {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl ServerProcess {
    /// Starts `binary` on a free port of 127.0.0.1 with the extension serving certificate of
    /// `pki`, talking to the cluster of `KUBECONFIG`; its output goes to `log`.
    pub fn start(binary: &Path, pki: &Path, log: &Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = File::create(log)?;
        let child = Command::new(binary)
            .arg(format!("--bind=127.0.0.1:{port}"))
            .arg(format!(
                "--tls-cert={}",
                pki.join("extension.crt").display()
            ))
            .arg(format!("--tls-key={}", pki.join("extension.key").display()))
            .arg(format!("--primary={PRIMARY}"))
            .args(CHILDREN.map(|child| format!("--child={child}")))
            .arg(format!(
                "--label-key={}",
                kube_secondary_examples::database::desired::INSTANCE_LABEL
            ))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        Ok(Self { child, port })
    }

    /// The process id, for /proc readings.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails if the server has exited.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        match self.child.try_wait()? {
            Some(status) => anyhow::bail!("kube-secondary-apiserver exited ({status})"),
            None => Ok(()),
        }
    }

    /// Stops it (SIGTERM, then SIGKILL after 5 s).
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

/// This process's turn with the primary-all APIServices: the lock file the e2e tests and
/// `cargo xtask apiserver` take (`primary-all.lock` beside the kubeconfig), held from before
/// registering until after unregistering.
pub struct Registration {
    lock: File,
    port: u16,
    /// What was registered before this turn, in words, for the report.
    pub found: String,
}

/// `primary-all.lock` beside the first kubeconfig of `KUBECONFIG`.
fn lock_path() -> anyhow::Result<PathBuf> {
    let kubeconfig = std::env::var_os("KUBECONFIG")
        .ok_or_else(|| anyhow::anyhow!("set KUBECONFIG to the local control plane's"))?;
    let first = std::env::split_paths(&kubeconfig)
        .next()
        .ok_or_else(|| anyhow::anyhow!("KUBECONFIG names no file"))?;
    Ok(first.with_file_name("primary-all.lock"))
}

/// The API group of [`PRIMARY`].
fn primary_group() -> anyhow::Result<String> {
    Ok(KindSpec::parse(PRIMARY)?.group)
}

/// The name of the APIService the Databases are served through.
fn api_service() -> anyhow::Result<String> {
    Ok(api_service_name(&served_group(&primary_group()?)))
}

/// The port the registered APIService of the Databases routes to, if one is registered.
async fn registered_port(client: &Client) -> anyhow::Result<Option<Option<i32>>> {
    let api_service = Api::<APIService>::all(client.clone())
        .get_opt(&api_service()?)
        .await?;
    Ok(api_service.map(|a| a.spec.and_then(|s| s.service).and_then(|s| s.port)))
}

impl Registration {
    /// Waits for the lock, then registers the server on `port`. An APIService found while the
    /// lock is ours was left by a holder that ended without unregistering; `register` replaces
    /// it, and the report says so.
    pub async fn take(client: &Client, port: u16, ca_bundle: &[u8]) -> anyhow::Result<Self> {
        let path = lock_path()?;
        let deadline = Instant::now() + TURN_PATIENCE;
        let mut said = false;
        let lock = loop {
            let file = File::options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            match file.try_lock() {
                Ok(()) => break file,
                Err(TryLockError::WouldBlock) => {
                    anyhow::ensure!(
                        Instant::now() < deadline,
                        "{} was held for {TURN_PATIENCE:?} by another process serving primary-all",
                        path.display()
                    );
                    if !said {
                        println!(
                            "    waiting for {} (an e2e run or `cargo xtask apiserver` has the APIService)",
                            path.display()
                        );
                        said = true;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(TryLockError::Error(e)) => anyhow::bail!("lock {}: {e}", path.display()),
            }
        };
        let name = api_service()?;
        let found = match registered_port(client).await? {
            None => "none registered".to_string(),
            Some(other) => {
                let other = other.map_or("no port".into(), |p| format!("port {p}"));
                tracing::warn!(
                    "{name} is registered ({other}) though nobody holds {}; replacing it",
                    path.display()
                );
                format!("a stale {name} ({other}, lock free) was replaced")
            }
        };
        let groups = served_groups([primary_group()?.as_str()]);
        register(client, port, ca_bundle, &groups).await?;
        Ok(Self { lock, port, found })
    }

    /// Unregisters if the APIService still routes to this server (leaves anyone else's alone),
    /// then lets go of the lock.
    pub async fn release(self, client: &Client) -> anyhow::Result<()> {
        let outcome = match registered_port(client).await? {
            Some(Some(port)) if port == i32::from(self.port) => unregister(client).await,
            Some(other) => {
                let name = api_service()?;
                tracing::warn!(?other, "{name} routes elsewhere now; not unregistering it");
                Ok(())
            }
            None => Ok(()),
        };
        drop(self.lock);
        outcome
    }
}
