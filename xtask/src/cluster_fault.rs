//! `cargo xtask cluster signal|restart`: the faults the fault suite injects into a running
//! control plane, by the pids and arguments the cluster state recorded.

use std::time::{Duration, Instant};

use crate::cluster_state::{State, apiserver_ready, lock, read_state};
use crate::{cluster, paths, process};

/// The recorded key and pid of `binary` (`etcd`, `kube-apiserver`, `kube-controller-manager`).
fn find(state: &State, binary: &str) -> anyhow::Result<(String, i32)> {
    state
        .pids
        .iter()
        .find(|(key, _)| key.split_once('-').is_some_and(|(_, name)| name == binary))
        .map(|(key, pid)| (key.clone(), *pid))
        .ok_or_else(|| anyhow::anyhow!("no {binary} in the cluster state"))
}

fn recorded() -> anyhow::Result<State> {
    read_state()?.ok_or_else(|| anyhow::anyhow!("no cluster is recorded"))
}

/// Sends `signal` (`KILL`, `TERM`, `STOP` or `CONT`) to `binary`'s process group; after `KILL`
/// or `TERM`, waits until it is gone.
pub fn signal(binary: &str, signal: &str) -> anyhow::Result<()> {
    let state = recorded()?;
    let (_, pid) = find(&state, binary)?;
    let number = match signal {
        "KILL" => libc::SIGKILL,
        "TERM" => libc::SIGTERM,
        "STOP" => libc::SIGSTOP,
        "CONT" => libc::SIGCONT,
        other => anyhow::bail!("signal `{other}`: expected KILL, TERM, STOP or CONT"),
    };
    // SAFETY: signals the process group `up` created for this recorded pid.
    unsafe {
        libc::kill(-pid, number);
    }
    if matches!(signal, "KILL" | "TERM") {
        let deadline = Instant::now() + Duration::from_secs(30);
        while process::alive(pid, binary) {
            anyhow::ensure!(Instant::now() < deadline, "{binary} (pid {pid}) still runs");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    tracing::info!("sent SIG{signal} to {binary} (pid {pid})");
    Ok(())
}

/// Starts `binary` again with the arguments it was first started with, and waits until it is
/// ready (the API server answering `/readyz`, etcd `/health`).
pub fn restart(binary: &str) -> anyhow::Result<()> {
    let _lock = lock()?;
    let mut state = recorded()?;
    let (key, pid) = find(&state, binary)?;
    anyhow::ensure!(
        !process::alive(pid, binary),
        "{binary} (pid {pid}) still runs"
    );
    let args = state.args.get(&key).cloned().ok_or_else(|| {
        anyhow::anyhow!("the cluster state has no arguments for {binary}; start it with this xtask")
    })?;
    let logs = paths::cluster_dir()?.join("logs");
    let pid = cluster::start(&mut state, &key, &paths::bin_dir()?, &args, &logs)?;
    let log = logs.join(format!("{binary}.log"));
    let etcd_port = state.etcd_port;
    let ready: Box<dyn Fn() -> bool> = match binary {
        "kube-apiserver" => Box::new(apiserver_ready),
        "etcd" => Box::new(move || process::http_ok(etcd_port, "/health")),
        _ => Box::new(|| true),
    };
    process::wait_ready(binary, pid, &log, Duration::from_secs(120), ready)?;
    tracing::info!("restarted {binary} (pid {pid})");
    Ok(())
}

/// Compacts etcd's history up to its current revision, through etcd's JSON gateway: every watch
/// that resumes from an older resourceVersion then gets `410 Gone` (once the API server's own
/// watch cache no longer holds it, e.g. after a restart). Returns the revision.
pub fn compact() -> anyhow::Result<u64> {
    let state = recorded()?;
    // Any range read answers with the store's current revision in its header.
    let range = etcd_post(state.etcd_port, "/v3/kv/range", r#"{"key":"AA=="}"#)?;
    let revision: u64 = range["header"]["revision"]
        .as_str()
        .and_then(|revision| revision.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("etcd answered no revision: {range}"))?;
    let body = format!(r#"{{"revision":"{revision}","physical":true}}"#);
    etcd_post(state.etcd_port, "/v3/kv/compaction", &body)?;
    tracing::info!("compacted etcd up to revision {revision}");
    Ok(revision)
}

fn etcd_post(port: u16, path: &str, body: &str) -> anyhow::Result<serde_json::Value> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let request = format!(
        "POST {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (head, json) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow::anyhow!("etcd answered no body: {response}"))?;
    anyhow::ensure!(head.contains(" 200 "), "etcd {path}: {head}\n{json}");
    Ok(serde_json::from_str(json)?)
}
