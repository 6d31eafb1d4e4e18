//! The start-up figures of the idle runs: how long a cold start took to create every child, and
//! what a restart over the converged primaries costs (time until every primary ran once, requests
//! by verb, peak RSS of the new process).

use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::contestant::{Binaries, Contestant, Counters, Running};
use crate::procfs;
use crate::run::RunResult;

/// What a restart over converged primaries cost.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Restart {
    /// Seconds from the process start until every primary ran once.
    pub ready_seconds: f64,
    /// Wake-ups and API requests until the counters settled.
    pub counters: Counters,
    /// CPU seconds of the new process until then.
    pub cpu_seconds: f64,
    /// Peak RSS of the new process, MiB.
    pub peak_rss_mib: f64,
}

/// Starts `contestant` again over `primaries` converged primaries in `namespace`, and measures
/// until its counters settle two seconds after every primary ran (five seconds after for a
/// contestant that never settles; at most a minute plus a second per ten primaries).
pub async fn measure(
    contestant: Contestant,
    binaries: &Binaries,
    namespace: &str,
    port: u16,
    log: &Path,
    primaries: usize,
) -> anyhow::Result<Restart> {
    let started = Instant::now();
    let running = Running::start(contestant, binaries, namespace, port, log)?;
    let limit = Duration::from_secs(60 + primaries as u64 / 10);
    let mut ready = None;
    let mut last = Counters::default();
    let mut stable_since = Instant::now();
    let counters = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = running.counters().await?;
        if ready.is_none() && now.total_wakeups() >= primaries as u64 {
            ready = Some(started.elapsed());
        }
        if now != last {
            (last, stable_since) = (now.clone(), Instant::now());
        }
        // The timer never settles: five seconds after its first pass bound it.
        let settled = stable_since.elapsed() >= Duration::from_secs(2)
            || ready.is_some_and(|at| started.elapsed() >= at + Duration::from_secs(5));
        if (ready.is_some() && settled) || started.elapsed() > limit {
            break now;
        }
    };
    let pid = running.pid();
    let cpu_seconds = procfs::cpu_seconds(pid)?;
    let peak_rss_mib = procfs::peak_rss_mib(pid).unwrap_or(0.0);
    running.stop().await;
    let ready = ready.ok_or_else(|| {
        anyhow::anyhow!(
            "{} ran {} of {primaries} primaries within {limit:?} of its restart",
            contestant.name(),
            counters.total_wakeups()
        )
    })?;
    Ok(Restart {
        ready_seconds: ready.as_secs_f64(),
        counters,
        cpu_seconds,
        peak_rss_mib,
    })
}

/// The start-up table of the idle runs, empty without any.
pub fn markdown(results: &[RunResult]) -> String {
    let mut out = String::new();
    let idle = results.iter().filter(|r| r.scenario.name() == "idle");
    let mut rows = idle.peekable();
    if rows.peek().is_none() {
        return out;
    }
    let _ = writeln!(
        out,
        "\nStart-up (idle runs): a cold start creates every child (converge: until every child is in place; CPU: the operator's until then; peak RSS: of the whole run); a restart over the converged primaries runs each once (ready: every primary ran).\n"
    );
    let _ = writeln!(
        out,
        "| N | contestant | cold start: converge s | cold start: CPU s | peak RSS MiB | restart: ready s | restart: requests (by verb) | restart: CPU s | restart: peak RSS MiB |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let (ready, requests, cpu, rss) = match &r.restart {
            Some(restart) => (
                format!("{:.1}", restart.ready_seconds),
                crate::report::requests_by_verb(&restart.counters),
                format!("{:.2}", restart.cpu_seconds),
                format!("{:.1}", restart.peak_rss_mib),
            ),
            None => ("–".into(), "–".into(), "–".into(), "–".into()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.1} | {} | {:.1} | {ready} | {requests} | {cpu} | {rss} |",
            r.scenario.primaries(),
            r.contestant.name(),
            r.converge_seconds,
            r.converge_cpu_seconds
                .map_or("–".into(), |cpu| format!("{cpu:.2}")),
            r.peak_rss_mib,
        );
    }
    out
}
