//! `cargo xtask test` (everything CI runs) and `cargo xtask bench`.

use std::process::Command;
use std::time::Instant;

use crate::{cluster, paths};

fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(paths::repo());
    cargo
}

/// Runs one step, printing its name and time; fails with the step's name.
fn step(name: &str, command: &mut Command) -> anyhow::Result<()> {
    eprintln!("==> {name}");
    let start = Instant::now();
    let status = command
        .status()
        .map_err(|e| anyhow::anyhow!("{name}: cannot run: {e}"))?;
    eprintln!(
        "    {name}: {} in {:.1}s",
        if status.success() { "ok" } else { "FAILED" },
        start.elapsed().as_secs_f64()
    );
    anyhow::ensure!(status.success(), "step `{name}` failed");
    Ok(())
}

fn ensure_components() -> anyhow::Result<()> {
    for (component, probe) in [
        ("rustfmt", ["fmt", "--version"]),
        ("clippy", ["clippy", "--version"]),
    ] {
        if !cargo()
            .args(probe)
            .output()
            .is_ok_and(|o| o.status.success())
        {
            step(
                &format!("installing {component}"),
                Command::new("rustup").args(["component", "add", component]),
            )?;
        }
    }
    Ok(())
}

/// Stops a cluster this run started, also when a step fails or panics.
struct StopOnDrop(bool);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if self.0 {
            eprintln!("==> stopping the control plane this run started");
            if let Err(error) = cluster::down() {
                eprintln!("    could not stop it: {error:#}");
            }
        }
    }
}

/// fmt, clippy, unit + compile tests, then the end-to-end tests against a control plane.
pub fn run() -> anyhow::Result<()> {
    let start = Instant::now();
    ensure_components()?;
    step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    step(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "cargo clippy (end-to-end tests)",
        cargo().args([
            "clippy",
            "-p",
            "kube-secondary-tests",
            "--all-targets",
            "--features",
            "e2e",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    step(
        "cargo test (unit, compile-fail, doc)",
        cargo().args(["test", "--workspace"]),
    )?;
    let started = cluster::up()?;
    let _stop = StopOnDrop(started);
    step(
        "end-to-end tests against the control plane",
        cargo()
            .args([
                "test",
                "-p",
                "kube-secondary-tests",
                "--features",
                "e2e",
                "--test",
                "e2e",
            ])
            .env("KUBECONFIG", cluster::kubeconfig_path()?),
    )?;
    eprintln!("all checks passed in {:.0}s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Runs the benchmark against the running cluster.
pub fn bench(args: &[String]) -> anyhow::Result<()> {
    anyhow::ensure!(
        cluster::running()?,
        "no cluster is running; start one with `cargo xtask cluster up`"
    );
    step(
        "benchmark",
        cargo()
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "kube-secondary-bench",
                "--",
            ])
            .args(args)
            .env("KUBECONFIG", cluster::kubeconfig_path()?),
    )
}
