//! Builds kube-apiserver, kube-controller-manager, etcd and kubectl from Go modules, once per
//! version.

use std::path::Path;
use std::process::Command;

use crate::paths::{self, KUBERNETES_VERSION};
use crate::progress;

/// The control-plane binaries and kubectl, in [`paths::bin_dir`].
pub const BINARIES: [&str; 4] = [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kubectl",
];

/// The Go environment: caches inside the project cache, the committed go.mod as it is.
pub fn go_command(cache: &Path) -> Command {
    let mut go = Command::new("go");
    go.env("GOWORK", "off")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env("GOFLAGS", "-mod=mod")
        .env("GOMODCACHE", cache.join("go/mod"))
        .env("GOCACHE", cache.join("go/build"));
    go
}

fn stamp() -> anyhow::Result<String> {
    let go_sum = std::fs::read(paths::repo().join("xtask/controlplane/go.sum"))?;
    Ok(format!("{KUBERNETES_VERSION} {:016x}", fnv(&go_sum)))
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x100000001b3)
    })
}

/// Fails, saying what to install, unless a Go toolchain new enough for the committed go.mod is
/// on PATH.
fn check_go() -> anyhow::Result<()> {
    const INSTALL: &str = "install Go 1.26 or newer from https://go.dev/dl/ (or your package \
                           manager) and put `go` on PATH";
    let output = Command::new("go").arg("version").output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run `go` ({e}): the control plane is built from Go modules; {INSTALL}"
        )
    })?;
    let version = String::from_utf8_lossy(&output.stdout);
    // "go version go1.26.1 linux/amd64"
    let minor = version
        .split_whitespace()
        .nth(2)
        .and_then(|v| v.strip_prefix("go1."))
        .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|v| v.parse::<u32>().ok());
    match minor {
        Some(minor) if minor >= 26 => Ok(()),
        _ => anyhow::bail!(
            "found `{}`, too old for xtask/controlplane/go.mod; {INSTALL}",
            version.trim()
        ),
    }
}

/// Builds the binaries unless this version (and go.sum) was built before.
pub fn ensure() -> anyhow::Result<()> {
    let cache = paths::cache()?;
    let bin = paths::bin_dir()?;
    let stamp_file = bin.join(".stamp");
    let want = stamp()?;
    if std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(want.as_str())
        && BINARIES.iter().all(|b| bin.join(b).exists())
    {
        return Ok(());
    }
    check_go()?;
    std::fs::create_dir_all(&bin)?;
    let logs = cache.join("logs");
    std::fs::create_dir_all(&logs)?;
    let log_path = logs.join("go-build.log");
    tracing::info!(
        "building the Kubernetes {KUBERNETES_VERSION} control plane and kubectl from Go modules \
         (once per version: 10–20 min on 2 cores, 2–4 GB of memory; cached in {}; log in {})",
        cache.display(),
        log_path.display()
    );
    let version = KUBERNETES_VERSION.trim_start_matches('v');
    let (major, minor) = version
        .split_once('.')
        .map(|(a, rest)| (a, rest.split('.').next().unwrap_or("0")))
        .unwrap_or(("1", "0"));
    let ldflags = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]
        .iter()
        .map(|pkg| format!("-X {pkg}.gitVersion={KUBERNETES_VERSION} -X {pkg}.gitMajor={major} -X {pkg}.gitMinor={minor}"))
        .collect::<Vec<_>>()
        .join(" ");
    let out = bin.join("build");
    std::fs::create_dir_all(&out)?;
    let log = std::fs::File::create(&log_path)?;
    let status = progress::show(
        "building kube-apiserver, kube-controller-manager, etcd and kubectl",
        || {
            go_command(&cache)
                .current_dir(paths::repo().join("xtask/controlplane"))
                .args(["build", "-trimpath", "-ldflags", &ldflags, "-o"])
                .arg(format!("{}/", out.display()))
                .args([
                    "k8s.io/kubernetes/cmd/kube-apiserver",
                    "k8s.io/kubernetes/cmd/kube-controller-manager",
                    "k8s.io/kubernetes/cmd/kubectl",
                    "go.etcd.io/etcd/server/v3",
                ])
                .stdout(log.try_clone().expect("log file"))
                .stderr(log)
                .status()
        },
    )?;
    if !status.success() {
        anyhow::bail!(
            "the Go build failed; log: {}\n{}\n(killed? it needs 2–4 GB of memory; a download \
             error? check that proxy.golang.org is reachable, or set GOPROXY)",
            log_path.display(),
            progress::tail(&log_path, 20),
        );
    }
    // `go build -o dir/` names etcd after its import path: `server` (or `v3` in older Go releases).
    let etcd = ["server", "v3"]
        .map(|name| out.join(name))
        .into_iter()
        .find(|path| path.exists())
        .ok_or_else(|| {
            anyhow::anyhow!("the Go build wrote no etcd binary into {}", out.display())
        })?;
    std::fs::rename(etcd, bin.join("etcd"))?;
    for name in ["kube-apiserver", "kube-controller-manager", "kubectl"] {
        std::fs::rename(out.join(name), bin.join(name))?;
    }
    let _ = std::fs::remove_dir(&out);
    std::fs::write(stamp_file, want)?;
    Ok(())
}
