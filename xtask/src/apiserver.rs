//! `cargo xtask apiserver`: `kube-secondary-apiserver` on 127.0.0.1, serving Databases from the
//! running cluster, registered with its aggregation layer until ctrl-c.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use kube_secondary::crd::install_crd;
use kube_secondary::primary_all::served_groups;
use kube_secondary_apiserver::KindSpec;
use kube_secondary_apiserver::register::{api_service_name, register, unregister};
use kube_secondary_examples::database::Database;

use kube_secondary_build::Profile;

use crate::process::{self, Lock};
use crate::{cluster_state, kubeconfig, paths};

/// The kinds served: the example's Database, with the children its operator makes and the
/// Deployment's ReplicaSets and Pods.
const PRIMARY: &str = "demo.kube-secondary.dev/v1/Database";
const CHILDREN: [&str; 6] = [
    "apps/v1/Deployment",
    "apps/v1/ReplicaSet",
    "v1/Pod",
    "v1/Service",
    "v1/Secret",
    "v1/ConfigMap",
];
const LABEL_KEY: &str = "app.kubernetes.io/instance";

/// The lock the e2e tests take too: one process at a time owns the cluster's `APIService`.
fn lock_path() -> anyhow::Result<PathBuf> {
    Ok(paths::cluster_dir()?.join("primary-all.lock"))
}

/// Builds the server, runs it on a free port, registers it, and unregisters it on ctrl-c.
pub fn run() -> anyhow::Result<()> {
    anyhow::ensure!(
        cluster_state::running()?,
        "no cluster is running; start one with `cargo xtask cluster up`"
    );
    let binary = build()?;
    let _lock = Lock::take(
        &lock_path()?,
        "an e2e test run or another `cargo xtask apiserver`",
    )?;
    let pki = paths::pki_dir()?;
    let port = process::free_port()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(kubeconfig::client(&cluster_state::kubeconfig_path()?))?;
    runtime.block_on(install_crd::<Database>(&client, "kube-secondary-demo"))?;

    let mut server = Server::spawn(&binary, port, &pki)?;
    runtime.block_on(server.wait_ready(port, &pki.join("ca.crt")))?;
    let ca = std::fs::read(pki.join("ca.crt"))?;
    let primary = KindSpec::parse(PRIMARY)?;
    let groups = served_groups([primary.group.as_str()]);
    runtime.block_on(register(&client, port, &ca, &groups))?;
    let names: Vec<String> = groups.iter().map(|group| api_service_name(group)).collect();
    println!(
        "kube-secondary-apiserver serves https://127.0.0.1:{port}, registered as the APIServices \
         {}. Try:\n\
         \n  kubectl get databases.primary-all.demo.kube-secondary.dev -n NS NAME\
         \n  kubectl get databases.primary-all.demo.kube-secondary.dev -n NS NAME -o yaml\
         \n  kubectl explain databases.primary-all.demo.kube-secondary.dev\
         \n  kubectl get --raw '/apis/primary-all.demo.kube-secondary.dev/v1/namespaces/NS/databases/NAME?depth=2'\
         \n\n(`cargo xtask demo` in another shell makes a Database `orders` in kube-secondary-demo.) \
         ctrl-c unregisters and stops it.",
        names.join(", ")
    );
    let outcome = runtime.block_on(async {
        tokio::select! {
            signal = tokio::signal::ctrl_c() => signal.map_err(anyhow::Error::from),
            exited = server.exited() => Err(anyhow::anyhow!("the server exited ({exited})")),
        }
    });
    eprintln!("unregistering {}", names.join(", "));
    let unregistered = runtime.block_on(unregister(&client));
    drop(server);
    outcome.and(unregistered)
}

/// Removes the `APIService`s before the cluster stops, if any is registered: an unavailable one
/// breaks discovery, and so garbage collection and namespace deletion, during the teardown.
pub fn unregister_before_down() -> anyhow::Result<()> {
    if !cluster_state::apiserver_ready() {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = kubeconfig::client(&cluster_state::kubeconfig_path()?).await?;
        unregister(&client).await
    })
}

/// `cargo build` of the server's binary; returns its path.
fn build() -> anyhow::Result<PathBuf> {
    let (package, profile) = ("kube-secondary-apiserver", Profile::Debug);
    kube_secondary_build::binary(&paths::repo(), package, package, profile)
}

/// The running server, in a process group of its own (so ctrl-c reaches only xtask, which
/// unregisters before stopping it); stopped when dropped.
struct Server {
    child: Child,
}

impl Server {
    fn spawn(binary: &Path, port: u16, pki: &Path) -> anyhow::Result<Self> {
        let mut command = Command::new(binary);
        command
            .env("KUBECONFIG", cluster_state::kubeconfig_path()?)
            .arg(format!("--bind=127.0.0.1:{port}"))
            .arg(format!(
                "--tls-cert={}",
                pki.join("extension.crt").display()
            ))
            .arg(format!("--tls-key={}", pki.join("extension.key").display()))
            .arg(format!("--primary={PRIMARY}"))
            .args(CHILDREN.map(|child| format!("--child={child}")))
            .arg(format!("--label-key={LABEL_KEY}"))
            .process_group(0);
        let child = command
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
        Ok(Self { child })
    }

    /// Waits until `/readyz` answers 200: the primary caches synced and the request-header
    /// trust read, so the aggregator's first connection is asked for its client certificate.
    async fn wait_ready(&mut self, port: u16, ca: &Path) -> anyhow::Result<()> {
        let mut config = kube::Config::new(format!("https://127.0.0.1:{port}").parse()?);
        config.root_cert_file = Some(ca.to_path_buf());
        let client = kube::Client::try_from(config)?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let request = http::Request::get("/readyz").body(Vec::new())?;
            let why = match client.request_text(request).await {
                Ok(_) => return Ok(()),
                Err(error) => error.to_string(),
            };
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("kube-secondary-apiserver exited during start-up ({status})");
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "kube-secondary-apiserver on 127.0.0.1:{port} was not ready within a minute: {why}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Resolves when the server exits, with its exit status.
    async fn exited(&mut self) -> std::process::ExitStatus {
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id() as i32;
        process::stop("kube-secondary-apiserver", pid);
        let _ = self.child.wait();
    }
}
