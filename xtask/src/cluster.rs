//! `cargo xtask cluster up|down|status|env`: etcd, kube-apiserver and kube-controller-manager on
//! 127.0.0.1, each in a process group of its own, recorded in the cluster state.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cluster_state::{State, apiserver_ready, kubeconfig_path, lock, read_state, save};
use crate::process::{self, alive};
use crate::{apiserver, build, certs, kubeconfig, paths, progress};

/// Garbage collection and namespace deletion, the workload controllers that give children
/// realistic status churn, and ClusterRole aggregation (`view`, `edit` and `admin` take in the
/// roles labelled for them, as the primary-all reader role is).
const CONTROLLERS: &str = "garbage-collector-controller,namespace-controller,deployment-controller,replicaset-controller,statefulset-controller,job-controller,clusterrole-aggregation-controller";

/// How `cluster up` starts the control plane.
#[derive(clap::Args, Clone, Debug)]
pub struct UpOptions {
    /// The controllers kube-controller-manager runs (its `--controllers` flag).
    #[arg(long, default_value = CONTROLLERS)]
    pub controllers: String,
    /// The kube-apiserver's port on 127.0.0.1 (default: a free one).
    #[arg(long)]
    pub apiserver_port: Option<u16>,
    /// kube-controller-manager's requests per second to the API server (its `--kube-api-qps`,
    /// burst twice that; default its own, 20). At 20 its Deployment and ReplicaSet controllers
    /// trail a cold start of thousands of Deployments by many minutes; the benchmark at large N
    /// raises it.
    #[arg(long)]
    pub controller_qps: Option<u32>,
}

impl Default for UpOptions {
    fn default() -> Self {
        Self {
            controllers: CONTROLLERS.into(),
            apiserver_port: None,
            controller_qps: None,
        }
    }
}

/// Prints `export KUBECONFIG=…`, `export KUBE_SECONDARY_PKI=…` (the certificates the
/// primary-all tests need) and the `PATH` with the built `kubectl` first on stdout, so
/// `eval "$(cargo xtask cluster env)"` works.
pub fn print_env() -> anyhow::Result<()> {
    println!("export KUBECONFIG={}", kubeconfig_path()?.display());
    println!("export KUBE_SECONDARY_PKI={}", paths::pki_dir()?.display());
    println!("export PATH={}:\"$PATH\"", paths::bin_dir()?.display());
    Ok(())
}

/// Starts the cluster, or reuses the one running. Returns whether this call started it.
pub fn up(options: &UpOptions) -> anyhow::Result<bool> {
    let _lock = lock()?;
    // Also when a running cluster is reused: the tests need every binary, kubectl included.
    build::ensure()?;
    if let Some(state) = read_state()? {
        if state.all_alive() && apiserver_ready() {
            tracing::info!(
                "a cluster is already running (apiserver https://127.0.0.1:{}); reusing it \
                 (`cargo xtask cluster down` stops it)",
                state.apiserver_port
            );
            print_env()?;
            return Ok(false);
        }
        tracing::warn!(
            "found the state of a cluster that no longer runs (crashed, killed or the machine \
             restarted); stopping what is left of it and starting fresh"
        );
        stop_recorded(&state)?;
    }
    if let Some(port) = options.apiserver_port {
        process::check_port(port, "--apiserver-port")?;
    }
    let started = Instant::now();
    let pki = paths::pki_dir()?;
    if !certs::FILES.iter().all(|file| pki.join(file).exists()) {
        progress::show("generating certificates (RSA-2048, first run only)", || {
            certs::ensure(&pki)
        })?;
    }
    let dir = paths::cluster_dir()?;
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    let mut state = State {
        pids: BTreeMap::new(),
        args: BTreeMap::new(),
        etcd_port: process::free_port()?,
        apiserver_port: options.apiserver_port.map_or_else(process::free_port, Ok)?,
    };
    save(&state)?;
    if let Err(error) = start_all(&mut state, options, &dir, &pki, &logs) {
        tracing::info!(
            "start-up failed; stopping what was started (logs stay in {})",
            logs.display()
        );
        stop_recorded(&state)?;
        return Err(error);
    }
    tracing::info!(
        "control plane ready in {:.1}s: apiserver https://127.0.0.1:{}, state and logs in {}",
        started.elapsed().as_secs_f64(),
        state.apiserver_port,
        dir.display()
    );
    print_env()?;
    Ok(true)
}

/// The flags of the three binaries: see CONTROL_PLANE.md in the project notes for why each is there.
fn start_all(
    state: &mut State,
    options: &UpOptions,
    dir: &Path,
    pki: &Path,
    logs: &Path,
) -> anyhow::Result<()> {
    let bin = paths::bin_dir()?;
    let p = |name: &str| pki.join(name).display().to_string();
    let (etcd_port, apiserver_port) = (state.etcd_port, state.apiserver_port);
    let peer = format!("http://127.0.0.1:{}", process::free_port()?);
    let client_url = format!("http://127.0.0.1:{etcd_port}");
    let etcd_args = vec![
        format!("--data-dir={}", dir.join("etcd").display()),
        format!("--listen-client-urls={client_url}"),
        format!("--advertise-client-urls={client_url}"),
        format!("--listen-peer-urls={peer}"),
        format!("--initial-advertise-peer-urls={peer}"),
        format!("--initial-cluster=default={peer}"),
        "--unsafe-no-fsync=true".into(),
    ];
    let etcd = start(state, "1-etcd", &bin, &etcd_args, logs)?;
    progress::show("starting etcd", || {
        process::wait_ready(
            "etcd",
            etcd,
            &logs.join("etcd.log"),
            Duration::from_secs(30),
            || process::http_ok(etcd_port, "/health"),
        )
    })?;

    kubeconfig::write(&kubeconfig_path()?, apiserver_port, pki)?;
    let apiserver_args = vec![
        format!("--etcd-servers={client_url}"),
        "--bind-address=127.0.0.1".into(),
        format!("--secure-port={apiserver_port}"),
        "--advertise-address=127.0.0.1".into(),
        "--endpoint-reconciler-type=none".into(),
        format!("--cert-dir={}", dir.join("apiserver").display()),
        format!("--tls-cert-file={}", p("apiserver.crt")),
        format!("--tls-private-key-file={}", p("apiserver.key")),
        format!("--client-ca-file={}", p("ca.crt")),
        "--authorization-mode=RBAC".into(),
        format!("--service-account-issuer=https://127.0.0.1:{apiserver_port}/"),
        format!("--service-account-key-file={}", p("sa.pub")),
        format!("--service-account-signing-key-file={}", p("sa.key")),
        // 65,534 ClusterIPs: the benchmark's 1,000 primaries each own a Service (a /24 ran out).
        "--service-cluster-ip-range=10.0.0.0/16".into(),
        "--allow-privileged=true".into(),
        "--disable-admission-plugins=ServiceAccount".into(),
        // The aggregation layer: the front-proxy CA and the client certificate it signed.
        format!("--requestheader-client-ca-file={}", p("front-proxy-ca.crt")),
        "--requestheader-allowed-names=front-proxy-client".into(),
        "--requestheader-username-headers=X-Remote-User".into(),
        "--requestheader-group-headers=X-Remote-Group".into(),
        "--requestheader-extra-headers-prefix=X-Remote-Extra-".into(),
        format!("--proxy-client-cert-file={}", p("front-proxy-client.crt")),
        format!("--proxy-client-key-file={}", p("front-proxy-client.key")),
    ];
    let apiserver = start(state, "2-kube-apiserver", &bin, &apiserver_args, logs)?;
    let log = logs.join("kube-apiserver.log");
    progress::show("starting kube-apiserver", || {
        process::wait_ready(
            "kube-apiserver",
            apiserver,
            &log,
            Duration::from_secs(120),
            apiserver_ready,
        )
    })?;

    let mut manager_args = vec![
        format!("--kubeconfig={}", kubeconfig_path()?.display()),
        format!("--controllers={}", options.controllers),
        "--leader-elect=false".into(),
        "--use-service-account-credentials=false".into(),
        format!("--root-ca-file={}", p("ca.crt")),
        format!("--service-account-private-key-file={}", p("sa.key")),
        "--secure-port=0".into(),
    ];
    if let Some(qps) = options.controller_qps {
        manager_args.push(format!("--kube-api-qps={qps}"));
        manager_args.push(format!("--kube-api-burst={}", qps.saturating_mul(2)));
    }
    let manager = start(
        state,
        "3-kube-controller-manager",
        &bin,
        &manager_args,
        logs,
    )?;
    let log = logs.join("kube-controller-manager.log");
    let settled = Instant::now() + Duration::from_secs(1);
    progress::show("starting kube-controller-manager", || {
        // It has no health port here (--secure-port=0): ready means still alive a second later.
        process::wait_ready(
            "kube-controller-manager",
            manager,
            &log,
            Duration::from_secs(5),
            || Instant::now() > settled,
        )
    })
}

/// Spawns `bin/<name>` and records it at once.
pub(crate) fn start(
    state: &mut State,
    key: &str,
    bin: &Path,
    args: &[String],
    logs: &Path,
) -> anyhow::Result<i32> {
    let name = key.split_once('-').map_or(key, |(_, name)| name);
    let pid = process::spawn(name, &bin.join(name), args, logs)?;
    state.pids.insert(key.into(), pid);
    state.args.insert(key.into(), args.to_vec());
    save(state)?;
    Ok(pid)
}

/// Stops the recorded processes (last started first) and forgets them and their data; logs stay.
fn stop_recorded(state: &State) -> anyhow::Result<()> {
    for (name, pid) in state.processes().rev() {
        if alive(pid, name) {
            process::stop(name, pid);
            tracing::info!("stopped {name} (pid {pid})");
        }
    }
    let dir = paths::cluster_dir()?;
    for data in ["state.json", "kubeconfig"] {
        let _ = std::fs::remove_file(dir.join(data));
    }
    for data in ["etcd", "apiserver"] {
        let _ = std::fs::remove_dir_all(dir.join(data));
    }
    Ok(())
}

/// Stops every recorded process and removes the cluster's state, data and logs.
pub fn down() -> anyhow::Result<()> {
    let _lock = lock()?;
    match read_state()? {
        Some(state) => {
            if state.all_alive()
                && let Err(error) = apiserver::unregister_before_down()
            {
                tracing::warn!("could not unregister the primary-all APIService: {error:#}");
            }
            stop_recorded(&state)?
        }
        None => tracing::info!("no cluster is recorded; nothing to stop"),
    }
    let dir = paths::cluster_dir()?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}

/// Prints what runs.
pub fn status() -> anyhow::Result<()> {
    let Some(state) = read_state()? else {
        println!("no cluster (start one with `cargo xtask cluster up`)");
        return Ok(());
    };
    for (name, pid) in state.processes() {
        let running = if alive(pid, name) {
            "running"
        } else {
            "NOT RUNNING"
        };
        println!("{name:<24} pid {pid:<8} {running}");
    }
    let ready = apiserver_ready();
    println!(
        "apiserver https://127.0.0.1:{} {}",
        state.apiserver_port,
        if ready { "ready" } else { "NOT READY" }
    );
    if !state.all_alive() {
        println!("stale: `cargo xtask cluster up` cleans it up and starts fresh");
    }
    print_env()
}
