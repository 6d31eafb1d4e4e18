//! Where the project keeps what it builds and runs, outside the repository.

use std::path::PathBuf;

/// The Kubernetes version the control plane is built from (matches k8s-openapi's `v1_37`).
pub const KUBERNETES_VERSION: &str = "v1.37.2";

/// The cache root: `$KUBE_SECONDARY_CACHE`, else `~/.cache/kube-secondary`.
pub fn cache() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("KUBE_SECONDARY_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME")
        .ok_or_else(|| anyhow::anyhow!("set HOME or KUBE_SECONDARY_CACHE"))?;
    Ok(PathBuf::from(home).join(".cache/kube-secondary"))
}

/// The built control-plane binaries of [`KUBERNETES_VERSION`].
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    Ok(cache()?.join("bin").join(KUBERNETES_VERSION))
}

/// The certificates and keys: kept across `cluster down`, generated once (RSA key generation is
/// slow in a debug build).
pub fn pki_dir() -> anyhow::Result<PathBuf> {
    Ok(cache()?.join("pki"))
}

/// The running cluster's state: pids, ports, certificates, kubeconfig, logs. Another instance
/// runs beside it when `$KUBE_SECONDARY_CLUSTER` names one (the fault suite's, `faults`, which
/// kills and restarts its processes without disturbing the tests on the first).
pub fn cluster_dir() -> anyhow::Result<PathBuf> {
    cluster_dir_of(std::env::var("KUBE_SECONDARY_CLUSTER").ok().as_deref())
}

/// The state directory of the instance `name` (`None`: the default one).
pub fn cluster_dir_of(name: Option<&str>) -> anyhow::Result<PathBuf> {
    Ok(match name.filter(|name| !name.is_empty()) {
        Some(name) => cache()?.join(format!("cluster-{name}")),
        None => cache()?.join("cluster"),
    })
}

/// The repository root (xtask lives one level below it).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_path_buf()
}
