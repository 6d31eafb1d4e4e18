//! Where a running control plane is recorded (its processes and ports, the admin kubeconfig), and
//! whether it answers: what `cluster` writes and every other command reads.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::process::{Lock, alive};
use crate::{kubeconfig, paths};

/// What `up` recorded.
#[derive(Serialize, Deserialize)]
pub struct State {
    /// Process ids (each the leader of its own process group) by `<start order>-<binary>`.
    pub pids: BTreeMap<String, i32>,
    /// The arguments each was started with, by the same key: what a restart starts it with.
    #[serde(default)]
    pub args: BTreeMap<String, Vec<String>>,
    pub etcd_port: u16,
    pub apiserver_port: u16,
}

impl State {
    /// `(binary, pid)` in start order.
    pub fn processes(&self) -> impl DoubleEndedIterator<Item = (&str, i32)> {
        self.pids.iter().map(|(key, pid)| {
            let name = key.split_once('-').map_or(key.as_str(), |(_, name)| name);
            (name, *pid)
        })
    }

    pub fn all_alive(&self) -> bool {
        self.processes().all(|(name, pid)| alive(pid, name))
    }
}

pub fn state_path() -> anyhow::Result<PathBuf> {
    Ok(paths::cluster_dir()?.join("state.json"))
}

/// The admin kubeconfig of the cluster.
pub fn kubeconfig_path() -> anyhow::Result<PathBuf> {
    Ok(paths::cluster_dir()?.join("kubeconfig"))
}

pub fn lock() -> anyhow::Result<Lock> {
    let cache = paths::cache()?;
    std::fs::create_dir_all(&cache)?;
    let dir = paths::cluster_dir()?;
    let name = dir
        .file_name()
        .expect("a named directory")
        .to_string_lossy();
    Lock::take(
        &cache.join(format!("{name}.lock")),
        "another `cargo xtask cluster up`",
    )
}

/// Records the state; called after every start so a crash leaves nothing untracked.
pub fn save(state: &State) -> anyhow::Result<()> {
    std::fs::write(state_path()?, serde_json::to_string_pretty(state)?)?;
    Ok(())
}

pub fn read_state() -> anyhow::Result<Option<State>> {
    let path = state_path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "cannot read {} ({e}); stop its processes by hand and delete it",
                path.display()
            )
        })?)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// Whether the apiserver answers `/readyz`, authenticating as admin and trusting the cluster CA.
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
    Ok(read_state()?.is_some_and(|state| state.all_alive() && apiserver_ready()))
}
