//! `cargo xtask test` (everything CI runs) and `cargo xtask bench`.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::cluster::{self, UpOptions};
use crate::{cluster_state, paths};

fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.current_dir(paths::repo());
    cargo
}

/// The steps run so far and how long each took, printed as a summary at the end.
#[derive(Default)]
struct Steps(Vec<(String, Duration, bool)>);

impl Steps {
    /// Runs one command as a step, printing its name and time; fails naming the step.
    fn run(&mut self, name: &str, command: &mut Command) -> anyhow::Result<()> {
        self.timed(name, || {
            let status = command
                .status()
                .map_err(|e| anyhow::anyhow!("cannot run `{command:?}`: {e}"))?;
            anyhow::ensure!(status.success(), "`{command:?}` failed ({status})");
            Ok(())
        })
    }

    fn timed<T>(
        &mut self,
        name: &str,
        step: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        eprintln!("==> {name}");
        let start = Instant::now();
        let result = step();
        let took = start.elapsed();
        eprintln!(
            "    {name}: {} in {:.1}s",
            if result.is_ok() { "ok" } else { "FAILED" },
            took.as_secs_f64()
        );
        self.0.push((name.to_string(), took, result.is_ok()));
        result.map_err(|e| e.context(format!("step `{name}` failed")))
    }

    fn summary(&self) {
        eprintln!("\nsummary:");
        for (name, took, ok) in &self.0 {
            let outcome = if *ok { "ok" } else { "FAILED" };
            eprintln!("  {outcome:<6} {:>7.1}s  {name}", took.as_secs_f64());
        }
    }
}

fn ensure_components(steps: &mut Steps) -> anyhow::Result<()> {
    for component in ["rustfmt", "clippy"] {
        let subcommand = if component == "rustfmt" {
            "fmt"
        } else {
            "clippy"
        };
        let installed = cargo()
            .args([subcommand, "--version"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            steps.run(
                &format!("rustup component add {component}"),
                Command::new("rustup").current_dir(paths::repo()).args([
                    "component",
                    "add",
                    component,
                ]),
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

/// fmt, clippy, unit + compile tests, then the end-to-end tests against a control plane and the
/// fault suite against one of its own; stops at the first failure. `faults_only`: the fault
/// suite alone.
pub fn run(faults_only: bool) -> anyhow::Result<()> {
    let start = Instant::now();
    let mut steps = Steps::default();
    let result = match faults_only {
        true => faults(&mut steps),
        false => run_steps(&mut steps).and_then(|()| faults(&mut steps)),
    };
    steps.summary();
    match &result {
        Ok(()) => eprintln!("all checks passed in {:.0}s", start.elapsed().as_secs_f64()),
        Err(_) => eprintln!("FAILED after {:.0}s", start.elapsed().as_secs_f64()),
    }
    result
}

fn run_steps(steps: &mut Steps) -> anyhow::Result<()> {
    ensure_components(steps)?;
    steps.run(
        "cargo fmt --all --check",
        cargo().args(["fmt", "--all", "--check"]),
    )?;
    steps.run(
        "cargo clippy --workspace --all-targets",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    steps.run(
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
    steps.run(
        "cargo test --workspace (unit, compile-fail, doc)",
        cargo().args(["test", "--workspace"]),
    )?;
    let started = steps.timed("control plane (start or reuse)", || {
        cluster::up(&UpOptions::default())
    })?;
    let _stop = StopOnDrop(started);
    let database = database_example(steps)?;
    steps.run(
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
            .env("KUBECONFIG", cluster_state::kubeconfig_path()?)
            .env("KUBE_SECONDARY_PKI", paths::pki_dir()?)
            .env("KUBE_SECONDARY_DATABASE", database)
            .env("PATH", path_with_kubectl()?),
    )
}

/// The `database` example the end-to-end and fault tests run as processes, built once.
fn database_example(steps: &mut Steps) -> anyhow::Result<std::path::PathBuf> {
    steps.timed(
        "build the database example (run as replicas by the tests)",
        || {
            let profile = kube_secondary_build::Profile::Debug;
            kube_secondary_build::binary(
                &paths::repo(),
                "kube-secondary-examples",
                "database",
                profile,
            )
        },
    )
}

/// The control-plane instance of the fault suite, beside the one of the other tests.
const FAULTS: &str = "faults";

/// Stops the fault suite's control plane, also when a step fails or panics.
struct DownOnDrop(std::path::PathBuf);

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        eprintln!("==> stopping the fault suite's control plane");
        let down = Command::new(&self.0)
            .args(["cluster", "down"])
            .env("KUBE_SECONDARY_CLUSTER", FAULTS)
            .status();
        if !down.is_ok_and(|status| status.success()) {
            eprintln!(
                "    could not stop it: run `KUBE_SECONDARY_CLUSTER={FAULTS} cargo xtask cluster down`"
            );
        }
    }
}

/// The fault suite (`tests/faults`), one test at a time, on a control plane of its own that it
/// kills, stops, compacts and restarts through this xtask.
fn faults(steps: &mut Steps) -> anyhow::Result<()> {
    let xtask = std::env::current_exe()?;
    steps.run(
        "control plane of the fault suite",
        Command::new(&xtask)
            .args(["cluster", "up"])
            .env("KUBE_SECONDARY_CLUSTER", FAULTS)
            .stdout(std::process::Stdio::null()),
    )?;
    let _down = DownOnDrop(xtask.clone());
    let database = database_example(steps)?;
    let kubeconfig = paths::cluster_dir_of(Some(FAULTS))?.join("kubeconfig");
    let figures = paths::repo().join("target").join("fault-figures.txt");
    let _ = std::fs::remove_file(&figures);
    steps.run(
        "fault suite (API server killed, etcd compacted, operator killed and stopped)",
        cargo()
            .args(["test", "-p", "kube-secondary-tests", "--features", "e2e"])
            .args(["--test", "faults", "--", "--test-threads=1", "--nocapture"])
            .env("KUBECONFIG", kubeconfig)
            .env("KUBE_SECONDARY_CLUSTER", FAULTS)
            .env("KUBE_SECONDARY_XTASK", &xtask)
            .env("KUBE_SECONDARY_DATABASE", database)
            .env("KUBE_SECONDARY_FAULT_FIGURES", &figures)
            .env("PATH", path_with_kubectl()?),
    )?;
    // What each fault cost, gathered in one place (also in `target/fault-figures.txt`).
    if let Ok(gathered) = std::fs::read_to_string(&figures) {
        println!("fault figures:");
        for line in gathered.lines() {
            println!("  - {line}");
        }
    }
    Ok(())
}

/// `PATH` with the directory of the built `kubectl` first: end-to-end tests run it as users do.
fn path_with_kubectl() -> anyhow::Result<std::ffi::OsString> {
    let mut dirs = vec![paths::bin_dir()?];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Ok(std::env::join_paths(dirs)?)
}

/// Runs the benchmark against the running cluster.
pub fn bench(args: &[String]) -> anyhow::Result<()> {
    // Merging earlier results measures nothing, so it needs no cluster.
    let merging = args.iter().any(|a| a == "--merge");
    anyhow::ensure!(
        merging || cluster_state::running()?,
        "no cluster is running; start one with `cargo xtask cluster up`"
    );
    Steps::default().run(
        "benchmark",
        cargo()
            .args(["run", "--release", "-p", "kube-secondary-bench", "--"])
            .args(args)
            .env("KUBECONFIG", cluster_state::kubeconfig_path()?)
            .env("KUBE_SECONDARY_PKI", paths::pki_dir()?),
    )
}
