//! `cargo xtask bench [--quick] [--scenario NAME]… [--primaries N]… [--contestant NAME]… [--seed N] [--idle-seconds S] [--out DIR]`
//! `cargo xtask bench --merge DIR… [--out DIR]`
//!
//! Runs the `database` job's four implementations through the idle, drift, noise and churn
//! scenarios against the cluster in `KUBECONFIG`, one contestant at a time, and writes
//! `bench/results/results.{json,md,svg}`. `--scenario primary-all`, run only when named, reads
//! one Database with its children through the aggregated API and the alternatives instead
//! (see `primary_all`). `--primaries N` runs the chosen scenarios at N, their built-in run at that
//! size if there is one, else their first one over N primaries (say, `--scenario idle
//! --primaries 10000`), and sets primary-all's N. `--merge` runs nothing: it joins the `results.json`
//! of earlier runs (say, one run per N) into one report, which is how the memory cost per cached
//! child gets measured across N. `BENCH_OPERATOR_LOG` sets the Rust contestants' `RUST_LOG`.

mod contestant;
mod disturb;
mod primary_all;
mod procfs;
mod report;
mod restart;
mod run;
mod saved;
mod scenario;
mod tracker;

use saved::{Saved, markdown, merge, write_results};

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use contestant::{Binaries, Contestant};
use kube::Client;
use kube_secondary::crd::install_crd;
use kube_secondary_examples::database::Database;
use kube_secondary_examples::support::init_tracing;
use scenario::Scenario;

struct Args {
    quick: bool,
    scenarios: Vec<String>,
    primaries: Vec<usize>,
    contestants: Vec<Contestant>,
    seed: u64,
    out: PathBuf,
    merge: Vec<PathBuf>,
    /// Overrides the length of the idle windows.
    idle_seconds: Option<u64>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        quick: false,
        scenarios: vec![],
        primaries: vec![],
        contestants: vec![],
        seed: 42,
        out: PathBuf::from("bench/results"),
        merge: vec![],
        idle_seconds: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow::anyhow!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--scenario" => args.scenarios.push(value()?),
            "--primaries" => args.primaries.push(value()?.parse()?),
            "--contestant" => args.contestants.push(Contestant::parse(&value()?)?),
            "--seed" => args.seed = value()?.parse()?,
            "--out" => args.out = PathBuf::from(value()?),
            "--merge" => args.merge.push(PathBuf::from(value()?)),
            "--idle-seconds" => args.idle_seconds = Some(value()?.parse()?),
            other => anyhow::bail!(
                "unknown argument `{other}`; known: --quick, --scenario idle|drift|noise|churn|primary-all, --primaries N, --contestant NAME, --seed N, --out DIR, --merge DIR, --idle-seconds S"
            ),
        }
    }
    if args.contestants.is_empty() {
        args.contestants = Contestant::ALL.to_vec();
    }
    Ok(args)
}

fn scenarios(quick: bool) -> Vec<Scenario> {
    if quick {
        vec![
            Scenario::Idle {
                primaries: 10,
                seconds: 30,
            },
            Scenario::Idle {
                primaries: 50,
                seconds: 30,
            },
            Scenario::Drift {
                primaries: 10,
                count: 30,
                per_second: 3.0,
            },
            Scenario::Noise {
                primaries: 10,
                count: 60,
                per_second: 10.0,
            },
            Scenario::Churn {
                primaries: 20,
                seconds: 10,
                per_second: 200.0,
            },
        ]
    } else {
        vec![
            Scenario::Idle {
                primaries: 10,
                seconds: 300,
            },
            Scenario::Idle {
                primaries: 100,
                seconds: 300,
            },
            Scenario::Idle {
                primaries: 1000,
                seconds: 300,
            },
            Scenario::Drift {
                primaries: 100,
                count: 300,
                per_second: 5.0,
            },
            Scenario::Noise {
                primaries: 100,
                count: 600,
                per_second: 20.0,
            },
            Scenario::Churn {
                primaries: 100,
                seconds: 30,
                per_second: 1000.0,
            },
        ]
    }
}

fn version(command: &str, args: &[&str]) -> String {
    Command::new(command)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let args = parse_args()?;
    if !args.merge.is_empty() {
        return merge(&args.merge, &args.out);
    }
    let repo = std::env::current_dir()?;
    let cache = std::env::var_os("KUBE_SECONDARY_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/kube-secondary"))
        })
        .ok_or_else(|| anyhow::anyhow!("set HOME or KUBE_SECONDARY_CACHE"))?;
    let client = Client::try_default().await.map_err(|e| {
        anyhow::anyhow!("no cluster ({e}); start one with `cargo xtask cluster up` and export the KUBECONFIG it prints")
    })?;
    install_crd::<Database>(&client, "kube-secondary-bench").await?;
    let logs = args.out.join("logs");
    std::fs::create_dir_all(&logs)?;
    let plan = scenario::plan(
        &scenarios(args.quick),
        &args.scenarios,
        &args.primaries,
        args.idle_seconds,
    );
    let primary_all_sizes = match args.scenarios.iter().any(|s| s == "primary-all") {
        false => vec![],
        true if args.primaries.is_empty() => vec![primary_all::Plan::default_primaries(args.quick)],
        true => args.primaries.clone(),
    };
    let binaries = match plan.is_empty() {
        true => None,
        false => Some(Binaries::build(&repo, &cache)?),
    };
    let server_binary = match primary_all_sizes.is_empty() {
        true => None,
        false => Some(primary_all::build(&repo)?),
    };
    let total = plan.len() * args.contestants.len() + primary_all_sizes.len();
    let machine = format!(
        "{} · {} cores · {} · {} · Kubernetes v1.37.2 control plane on loopback · seed {}{}",
        version("uname", &["-srm"]),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        version("rustc", &["--version"]),
        version("go", &["version"]),
        args.seed,
        if args.quick { " · --quick" } else { "" },
    );
    std::fs::create_dir_all(&args.out)?;
    let started = Instant::now();
    let mut saved = Saved {
        machine,
        results: vec![],
        primary_all: vec![],
        failures: vec![],
    };
    for (s, scenario) in plan.iter().enumerate() {
        for (c, contestant) in args.contestants.iter().enumerate() {
            let step = s * args.contestants.len() + c + 1;
            let what = format!(
                "{} N={} — {}",
                scenario.name(),
                scenario.primaries(),
                contestant.name()
            );
            println!(
                "[{step}/{total}] {what} (elapsed {:.0}s)",
                started.elapsed().as_secs_f64()
            );
            let port = 19000 + step as u16;
            match run::run(
                &client,
                binaries.as_ref().expect("built for a non-empty plan"),
                *contestant,
                *scenario,
                args.seed,
                port,
                &logs,
            )
            .await
            {
                Ok(result) => {
                    println!(
                        "    wake-ups {} · requests {} · CPU {:.2}s · p99 {} ms{} · final state {}",
                        result.counters.total_wakeups(),
                        result.counters.total_requests(),
                        result.cpu_seconds,
                        result
                            .latency_ms
                            .map_or("–".into(), |l| format!("{:.0}", l[2])),
                        result.episodes.map_or(String::new(), |episodes| format!(
                            " · repaired {}/{episodes} episodes",
                            result.repaired
                        )),
                        if result.final_state_ok { "ok" } else { "WRONG" }
                    );
                    saved.results.push(result);
                }
                // One failed run (say, the cluster refusing to converge) does not discard the rest.
                Err(error) => {
                    tracing::error!(run = %what, "run failed: {error:#}");
                    saved.failures.push(format!("{what}: {error:#}"));
                }
            }
            write_results(&args.out, &saved)?;
        }
    }
    let pki = std::env::var_os("KUBE_SECONDARY_PKI")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("pki"));
    for (i, &primaries) in primary_all_sizes.iter().enumerate() {
        let step = plan.len() * args.contestants.len() + i + 1;
        let what = format!("primary-all N={primaries}");
        println!(
            "[{step}/{total}] {what} (elapsed {:.0}s)",
            started.elapsed().as_secs_f64()
        );
        let binary = server_binary.as_deref().expect("built for primary-all");
        let plan = primary_all::Plan::new(primaries, args.quick);
        match primary_all::run(&client, binary, &pki, &logs, plan, args.seed).await {
            Ok(result) => saved.primary_all.push(result),
            Err(error) => {
                tracing::error!(run = %what, "run failed: {error:#}");
                saved.failures.push(format!("{what}: {error:#}"));
            }
        }
        write_results(&args.out, &saved)?;
    }
    println!("{}", markdown(&saved));
    println!(
        "wrote {}/results.{{json,md{}}} in {:.0}s",
        args.out.display(),
        if saved.results.is_empty() { "" } else { ",svg" },
        started.elapsed().as_secs_f64()
    );
    anyhow::ensure!(
        saved.failures.is_empty(),
        "{} run(s) failed",
        saved.failures.len()
    );
    Ok(())
}
