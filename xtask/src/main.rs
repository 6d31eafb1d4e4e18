//! `cargo xtask …`: the project's own tooling.
//!
//! - `cluster up|down|status|env`: a real Kubernetes control plane built from Go modules, on loopback;
//! - `cluster signal|restart|compact`: the faults the fault suite injects;
//! - `test [--faults]`: everything CI runs (format, lints, unit, compile, end-to-end and fault tests);
//! - `demo`: the `database` operator repairing drift, with its wake-up counts;
//! - `bench [--quick] …`: the wake-up benchmark against the running cluster;
//! - `loc`: the `database` operator's lines with kube-secondary and by hand;
//! - `apiserver`: the aggregated `primary-all` API server, registered with the cluster until ctrl-c.

use clap::{Parser, Subcommand};

mod apiserver;
mod build;
mod certs;
mod cluster;
mod cluster_fault;
mod cluster_state;
mod demo;
mod kubeconfig;
mod loc;
mod paths;
mod process;
mod progress;
mod test;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "kube-secondary's own tooling"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) on 127.0.0.1.
    Cluster {
        #[command(subcommand)]
        command: ClusterCommand,
    },
    /// Everything CI runs: fmt, clippy, unit and compile tests, then the end-to-end tests and
    /// the fault suite (on a control plane of its own).
    Test {
        /// Runs the fault suite alone.
        #[arg(long)]
        faults: bool,
    },
    /// Starts (or reuses) the cluster and runs the demo scenario.
    Demo,
    /// The wake-up benchmark against the running cluster; arguments go to the benchmark.
    Bench {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Lines of operator logic of the `database` job: kube-secondary against kube-rs by hand.
    Loc,
    /// Runs the `primary-all` API server on 127.0.0.1 and registers it with the running
    /// cluster; ctrl-c unregisters it.
    Apiserver,
}

#[derive(Subcommand)]
enum ClusterCommand {
    /// Builds the binaries if needed, starts them and prints `export KUBECONFIG=…`.
    Up(cluster::UpOptions),
    /// Stops the processes `up` started and removes their state.
    Down,
    /// Says what runs.
    Status,
    /// Prints `export KUBECONFIG=…`.
    Env,
    /// Sends a signal (KILL, TERM, STOP, CONT) to one of the cluster's processes.
    Signal { binary: String, signal: String },
    /// Starts one of the cluster's processes again, as it was first started.
    Restart { binary: String },
    /// Compacts etcd's history up to now: older watches resume with 410 Gone.
    Compact,
}

/// `RUST_LOG` if set, else only xtask's own messages (kube logs every failed readiness probe
/// as an error).
fn log_filter() -> tracing_subscriber::EnvFilter {
    match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => tracing_subscriber::EnvFilter::new(directives),
        _ => tracing_subscriber::EnvFilter::new("xtask=info"),
    }
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(log_filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .init();
    let result = match Cli::parse().command {
        Command::Cluster { command } => match command {
            ClusterCommand::Up(options) => cluster::up(&options).map(drop),
            ClusterCommand::Down => cluster::down(),
            ClusterCommand::Status => cluster::status(),
            ClusterCommand::Env => cluster::print_env(),
            ClusterCommand::Signal { binary, signal } => cluster_fault::signal(&binary, &signal),
            ClusterCommand::Restart { binary } => cluster_fault::restart(&binary),
            ClusterCommand::Compact => cluster_fault::compact().map(drop),
        },
        Command::Test { faults } => test::run(faults),
        Command::Demo => demo::run(),
        Command::Bench { args } => test::bench(&args),
        Command::Loc => loc::run(),
        Command::Apiserver => apiserver::run(),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
