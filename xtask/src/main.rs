//! `cargo xtask …`: the project's own tooling.
//!
//! - `cluster up|down|status|env`: a real Kubernetes control plane built from Go modules, on loopback;
//! - `test`: everything CI runs (format, lints, unit, compile and end-to-end tests);
//! - `demo`: the `database` operator repairing drift, with its wake-up counts;
//! - `bench [--quick] …`: the wake-up benchmark against the running cluster.

mod build;
mod certs;
mod cluster;
mod demo;
mod kubeconfig;
mod paths;
mod progress;
mod test;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("cluster") => cluster::command(&args[1..]),
        Some("test") => test::run(),
        Some("demo") => demo::run(),
        Some("bench") => test::bench(&args[1..]),
        _ => Err(anyhow::anyhow!(
            "usage: cargo xtask cluster up|down|status|env | test | demo | bench [--quick] [--scenario NAME]… [--contestant NAME]…"
        )),
    };
    if let Err(error) = result {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
