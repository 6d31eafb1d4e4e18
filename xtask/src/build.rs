//! Builds kube-apiserver, kube-controller-manager and etcd from Go modules, once per version.

use std::path::Path;
use std::process::Command;

use crate::paths::{self, KUBERNETES_VERSION};
use crate::progress;

/// The control-plane binaries, in [`paths::bin_dir`].
pub const BINARIES: [&str; 3] = ["etcd", "kube-apiserver", "kube-controller-manager"];

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
    if Command::new("go").arg("version").output().is_err() {
        anyhow::bail!(
            "Go is not installed: the control plane is built from Go modules. Install Go 1.26 or newer (e.g. `apt-get install golang` or from go.dev) and make sure `go` is on PATH"
        );
    }
    std::fs::create_dir_all(&bin)?;
    let logs = cache.join("logs");
    std::fs::create_dir_all(&logs)?;
    let log_path = logs.join("go-build.log");
    eprintln!(
        "building the Kubernetes {KUBERNETES_VERSION} control plane from Go modules (10–20 min cold; cached in {})",
        cache.display()
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
        "building kube-apiserver, kube-controller-manager and etcd",
        || {
            go_command(&cache)
                .current_dir(paths::repo().join("xtask/controlplane"))
                .args(["build", "-trimpath", "-ldflags", &ldflags, "-o"])
                .arg(format!("{}/", out.display()))
                .args([
                    "k8s.io/kubernetes/cmd/kube-apiserver",
                    "k8s.io/kubernetes/cmd/kube-controller-manager",
                    "go.etcd.io/etcd/server/v3",
                ])
                .stdout(log.try_clone().expect("log file"))
                .stderr(log)
                .status()
        },
    )?;
    if !status.success() {
        anyhow::bail!(
            "the Go build failed; log: {}\n{}",
            log_path.display(),
            progress::tail(&log_path, 20)
        );
    }
    std::fs::rename(out.join("server"), bin.join("etcd"))?;
    std::fs::rename(out.join("kube-apiserver"), bin.join("kube-apiserver"))?;
    std::fs::rename(
        out.join("kube-controller-manager"),
        bin.join("kube-controller-manager"),
    )?;
    std::fs::write(stamp_file, want)?;
    Ok(())
}
