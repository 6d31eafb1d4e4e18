//! `cargo xtask cluster up|down|status|env`: etcd, kube-apiserver and kube-controller-manager on
//! 127.0.0.1, started as process groups of their own and recorded in the cluster state.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::{build, certs, kubeconfig, paths, progress};

/// The controllers kube-controller-manager runs: garbage collection and namespace deletion, plus
/// the workload controllers that give children realistic status churn.
const CONTROLLERS: &str = "garbage-collector-controller,namespace-controller,deployment-controller,replicaset-controller,statefulset-controller,job-controller";

/// What `up` recorded.
#[derive(Serialize, Deserialize)]
pub struct State {
    /// Process ids (each the leader of its own process group), in start order.
    pub pids: BTreeMap<String, i32>,
    pub etcd_port: u16,
    pub apiserver_port: u16,
}

fn state_path() -> anyhow::Result<PathBuf> {
    Ok(paths::cluster_dir()?.join("state.json"))
}

/// The admin kubeconfig of the cluster.
pub fn kubeconfig_path() -> anyhow::Result<PathBuf> {
    Ok(paths::cluster_dir()?.join("kubeconfig"))
}

/// Records the state; called after every start so a crash leaves nothing untracked.
fn save(state: &State) -> anyhow::Result<()> {
    std::fs::write(state_path()?, serde_json::to_string_pretty(state)?)?;
    Ok(())
}

fn read_state() -> anyhow::Result<Option<State>> {
    match std::fs::read_to_string(state_path()?) {
        Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Whether `pid` runs (reaping it first if it is our exited child).
fn alive(pid: i32) -> bool {
    let mut status = 0;
    // SAFETY: waitpid with WNOHANG only reaps an exited child of ours; kill with signal 0 only checks.
    unsafe {
        libc::waitpid(pid, &mut status, libc::WNOHANG);
        libc::kill(pid, 0) == 0
    }
}

fn signal_group(pid: i32, signal: i32) {
    // SAFETY: signals the process group we created for `pid` (process_group(0) makes pid the pgid).
    unsafe {
        libc::kill(-pid, signal);
    }
}

/// Stops a process group: SIGTERM, then SIGKILL after 10 s.
fn stop(name: &str, pid: i32) {
    if !alive(pid) {
        return;
    }
    signal_group(pid, libc::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    if alive(pid) {
        eprintln!("  {name} (pid {pid}) ignored SIGTERM; killing it");
        signal_group(pid, libc::SIGKILL);
        std::thread::sleep(Duration::from_millis(200));
        alive(pid);
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn spawn(name: &str, binary: &Path, args: &[String], logs: &Path) -> anyhow::Result<i32> {
    let log = std::fs::File::create(logs.join(format!("{name}.log")))?;
    let child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
    Ok(child.id() as i32)
}

/// Polls `ready` until it returns true; fails with the log tail if `pid` dies or time runs out.
fn wait_ready(
    name: &str,
    pid: i32,
    log: &Path,
    limit: Duration,
    mut ready: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if ready() {
            return Ok(());
        }
        if !alive(pid) {
            anyhow::bail!(
                "{name} exited during start-up; log: {}\n{}",
                log.display(),
                progress::tail(log, 25)
            );
        }
        if start.elapsed() > limit {
            anyhow::bail!(
                "{name} was not ready within {limit:?}; log: {}\n{}",
                log.display(),
                progress::tail(log, 25)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    if stream
        .write_all(format!("GET {path} HTTP/1.0\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200")
}

/// Whether the apiserver answers `/readyz` with 200, authenticating as admin.
pub fn apiserver_ready() -> bool {
    let Ok(path) = kubeconfig_path() else {
        return false;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let Ok(client) = kubeconfig::client(&path).await else {
            return false;
        };
        let request = http::Request::get("/readyz")
            .body(Vec::new())
            .expect("request");
        tokio::time::timeout(Duration::from_secs(3), client.request_text(request))
            .await
            .is_ok_and(|r| r.is_ok_and(|body| body.trim() == "ok"))
    })
}

/// Whether a recorded cluster runs and is ready.
pub fn running() -> anyhow::Result<bool> {
    Ok(match read_state()? {
        Some(state) => state.pids.values().all(|pid| alive(*pid)) && apiserver_ready(),
        None => false,
    })
}

fn print_env() -> anyhow::Result<()> {
    println!("export KUBECONFIG={}", kubeconfig_path()?.display());
    Ok(())
}

/// Starts the cluster, or reuses the one running. Returns whether this call started it.
pub fn up() -> anyhow::Result<bool> {
    if let Some(state) = read_state()? {
        if state.pids.values().all(|pid| alive(*pid)) && apiserver_ready() {
            eprintln!(
                "a cluster is already running (apiserver on 127.0.0.1:{}); reusing it",
                state.apiserver_port
            );
            print_env()?;
            return Ok(false);
        }
        eprintln!(
            "found state of a cluster that is no longer running (crashed or machine restarted); cleaning it up"
        );
        down()?;
    }
    build::ensure()?;
    let started = Instant::now();
    let dir = paths::cluster_dir()?;
    let (pki, logs) = (dir.join("pki"), dir.join("logs"));
    std::fs::create_dir_all(&logs)?;
    certs::ensure(&pki)?;
    let bin = paths::bin_dir()?;
    let (etcd_port, peer_port, apiserver_port) = (free_port()?, free_port()?, free_port()?);
    let mut state = State {
        pids: BTreeMap::new(),
        etcd_port,
        apiserver_port,
    };
    save(&state)?;
    if let Err(error) = start_all(&mut state, &bin, &dir, &pki, &logs, peer_port) {
        let _ = down();
        return Err(error);
    }
    eprintln!(
        "control plane ready in {:.1}s (apiserver https://127.0.0.1:{apiserver_port}, logs in {})",
        started.elapsed().as_secs_f64(),
        logs.display()
    );
    print_env()?;
    Ok(true)
}

fn start_all(
    state: &mut State,
    bin: &Path,
    dir: &Path,
    pki: &Path,
    logs: &Path,
    peer_port: u16,
) -> anyhow::Result<()> {
    let p = |name: &str| pki.join(name).display().to_string();
    let (etcd_port, apiserver_port) = (state.etcd_port, state.apiserver_port);
    let peer = format!("http://127.0.0.1:{peer_port}");
    let client_url = format!("http://127.0.0.1:{etcd_port}");
    let etcd_args: Vec<String> = vec![
        format!("--data-dir={}", dir.join("etcd").display()),
        format!("--listen-client-urls={client_url}"),
        format!("--advertise-client-urls={client_url}"),
        format!("--listen-peer-urls={peer}"),
        format!("--initial-advertise-peer-urls={peer}"),
        format!("--initial-cluster=default={peer}"),
        "--unsafe-no-fsync=true".into(),
    ];
    let etcd = spawn("etcd", &bin.join("etcd"), &etcd_args, logs)?;
    state.pids.insert("1-etcd".into(), etcd);
    save(state)?;
    progress::show("starting etcd", || {
        wait_ready(
            "etcd",
            etcd,
            &logs.join("etcd.log"),
            Duration::from_secs(30),
            || http_ok(etcd_port, "/health"),
        )
    })?;

    kubeconfig::write(&kubeconfig_path()?, apiserver_port, pki)?;
    let apiserver_args: Vec<String> = vec![
        format!("--etcd-servers={client_url}"),
        "--bind-address=127.0.0.1".into(),
        format!("--secure-port={apiserver_port}"),
        "--advertise-address=127.0.0.1".into(),
        "--endpoint-reconciler-type=none".into(),
        format!("--cert-dir={}", pki.display()),
        format!("--tls-cert-file={}", p("apiserver.crt")),
        format!("--tls-private-key-file={}", p("apiserver.key")),
        format!("--client-ca-file={}", p("ca.crt")),
        "--authorization-mode=RBAC".into(),
        format!("--service-account-issuer=https://127.0.0.1:{apiserver_port}/"),
        format!("--service-account-key-file={}", p("sa.pub")),
        format!("--service-account-signing-key-file={}", p("sa.key")),
        "--service-cluster-ip-range=10.0.0.0/24".into(),
        "--allow-privileged=true".into(),
        "--disable-admission-plugins=ServiceAccount".into(),
        format!("--requestheader-client-ca-file={}", p("front-proxy-ca.crt")),
        "--requestheader-allowed-names=front-proxy-client".into(),
        "--requestheader-username-headers=X-Remote-User".into(),
        "--requestheader-group-headers=X-Remote-Group".into(),
        "--requestheader-extra-headers-prefix=X-Remote-Extra-".into(),
        format!("--proxy-client-cert-file={}", p("front-proxy-client.crt")),
        format!("--proxy-client-key-file={}", p("front-proxy-client.key")),
    ];
    let apiserver = spawn(
        "kube-apiserver",
        &bin.join("kube-apiserver"),
        &apiserver_args,
        logs,
    )?;
    state.pids.insert("2-kube-apiserver".into(), apiserver);
    save(state)?;
    let log = logs.join("kube-apiserver.log");
    progress::show("starting kube-apiserver", || {
        wait_ready(
            "kube-apiserver",
            apiserver,
            &log,
            Duration::from_secs(120),
            apiserver_ready,
        )
    })?;

    let manager_args: Vec<String> = vec![
        format!("--kubeconfig={}", kubeconfig_path()?.display()),
        format!("--controllers={CONTROLLERS}"),
        "--leader-elect=false".into(),
        "--use-service-account-credentials=false".into(),
        format!("--root-ca-file={}", p("ca.crt")),
        format!("--service-account-private-key-file={}", p("sa.key")),
        "--secure-port=0".into(),
    ];
    let manager = spawn(
        "kube-controller-manager",
        &bin.join("kube-controller-manager"),
        &manager_args,
        logs,
    )?;
    state
        .pids
        .insert("3-kube-controller-manager".into(), manager);
    save(state)?;
    std::thread::sleep(Duration::from_secs(1));
    if !alive(manager) {
        let log = logs.join("kube-controller-manager.log");
        anyhow::bail!(
            "kube-controller-manager exited; log: {}\n{}",
            log.display(),
            progress::tail(&log, 25)
        );
    }
    Ok(())
}

/// Stops every recorded process (last started first) and removes the state.
pub fn down() -> anyhow::Result<()> {
    let Some(state) = read_state()? else {
        eprintln!("no cluster is recorded; nothing to stop");
        return Ok(());
    };
    for (name, pid) in state.pids.iter().rev() {
        let name = name.split_once('-').map_or(name.as_str(), |(_, name)| name);
        stop(name, *pid);
        eprintln!("  stopped {name} (pid {pid})");
    }
    std::fs::remove_dir_all(paths::cluster_dir()?)?;
    Ok(())
}

/// Prints what runs.
pub fn status() -> anyhow::Result<()> {
    let Some(state) = read_state()? else {
        println!("no cluster (start one with `cargo xtask cluster up`)");
        return Ok(());
    };
    for (name, pid) in &state.pids {
        let name = name.split_once('-').map_or(name.as_str(), |(_, name)| name);
        println!(
            "{name:<24} pid {pid:<8} {}",
            if alive(*pid) {
                "running"
            } else {
                "NOT RUNNING"
            }
        );
    }
    println!(
        "apiserver https://127.0.0.1:{} {}",
        state.apiserver_port,
        if apiserver_ready() {
            "ready"
        } else {
            "NOT READY"
        }
    );
    print_env()
}

/// `cluster up|down|status|env`.
pub fn command(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some("up") => up().map(drop),
        Some("down") => down(),
        Some("status") => status(),
        Some("env") => print_env(),
        _ => anyhow::bail!("usage: cargo xtask cluster up|down|status|env"),
    }
}
