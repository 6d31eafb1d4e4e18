//! The results as JSON, a Markdown table and an SVG chart.

use std::fmt::Write as _;

use crate::contestant::{Contestant, Counters};
use crate::primary_all::PrimaryAllResult;
use crate::run::RunResult;

fn fmt_opt(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

/// Children per primary: Deployment, Service, Secret and ConfigMap.
const CHILDREN_PER_PRIMARY: f64 = 4.0;

/// How a contestant's peak RSS grows with N over its idle runs.
#[derive(Debug, PartialEq)]
pub struct MemorySlope {
    pub contestant: Contestant,
    /// (N, peak RSS MiB) of the smallest and the largest N.
    pub from: (usize, f64),
    pub to: (usize, f64),
}

impl MemorySlope {
    /// KiB of peak RSS per added primary with everything the contestant caches for it.
    pub fn kib_per_primary(&self) -> f64 {
        (self.to.1 - self.from.1) * 1024.0 / (self.to.0 - self.from.0) as f64
    }

    /// The same per cached child, the primary's own share included (so an upper bound); `None`
    /// for a contestant that caches no children.
    pub fn kib_per_child(&self) -> Option<f64> {
        self.contestant
            .caches_children()
            .then(|| self.kib_per_primary() / CHILDREN_PER_PRIMARY)
    }
}

/// The RSS slope from the smallest to the largest N of each contestant's idle runs; contestants
/// with idle runs at fewer than two sizes have none.
pub fn memory_slopes(results: &[RunResult]) -> Vec<MemorySlope> {
    Contestant::ALL
        .iter()
        .filter_map(|&contestant| {
            let idle = || {
                results.iter().filter(move |r| {
                    r.contestant == contestant
                        && r.scenario.name() == "idle"
                        && r.peak_rss_mib > 0.0
                })
            };
            let point = |r: &RunResult| (r.scenario.primaries(), r.peak_rss_mib);
            let from = idle().min_by_key(|r| r.scenario.primaries()).map(point)?;
            let to = idle().max_by_key(|r| r.scenario.primaries()).map(point)?;
            (to.0 > from.0).then_some(MemorySlope {
                contestant,
                from,
                to,
            })
        })
        .collect()
}

/// One row per run, grouped by scenario, then the `primary-all` runs' sections.
pub fn markdown(
    results: &[RunResult],
    primary_all: &[PrimaryAllResult],
    machine: &str,
    failures: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Measured on {machine}.\n");
    if !results.is_empty() {
        wakeup_table(&mut out, results);
        out.push_str(&crate::restart::markdown(results));
    }
    out.push_str(&crate::primary_all::markdown(primary_all));
    if !failures.is_empty() {
        let _ = writeln!(out, "\nRuns that failed (no figures):\n");
        for failure in failures {
            let _ = writeln!(out, "- {failure}");
        }
    }
    out
}

/// The requests of `counters` by verb (`none` without any); Events on primaries are listed after
/// the requests the totals count.
pub fn requests_by_verb(counters: &Counters) -> String {
    let requests = &counters.requests;
    let mut verbs: Vec<String> = requests
        .iter()
        .filter(|(verb, _)| verb.as_str() != "event")
        .map(|(verb, n)| format!("{verb} {n}"))
        .collect();
    if let Some(events) = requests.get("event") {
        verbs.push(format!("+ Events {events}"));
    }
    match verbs.is_empty() {
        true => "none".to_string(),
        false => verbs.join(", "),
    }
}

fn wakeup_table(out: &mut String, results: &[RunResult]) {
    let _ = writeln!(
        out,
        "| scenario | N | contestant | wake-ups | wake-ups/primary/h | API requests (by verb) | req/event | wake-ups/event | CPU s | peak RSS MiB | repair p50/p95/p99/max ms | repaired | final state |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in results {
        let latency = r.latency_ms.map_or_else(
            || "–".into(),
            |[p50, p95, p99, max]| format!("{p50:.0}/{p95:.0}/{p99:.0}/{max:.0}"),
        );
        let repaired = match (r.scenario.name(), r.episodes) {
            ("drift", _) => format!("{}/{}", r.repaired, r.events),
            ("churn", Some(episodes)) => format!("{}/{episodes} episodes", r.repaired),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} | {} ({}) | {} | {} | {:.2} | {:.1} | {} | {} | {} |",
            r.scenario.name(),
            r.scenario.primaries(),
            r.contestant.name(),
            r.counters.total_wakeups(),
            r.wakeups_per_primary_hour(),
            r.counters.total_requests(),
            requests_by_verb(&r.counters),
            fmt_opt(r.requests_per_event(), 2),
            fmt_opt(r.wakeups_per_event(), 2),
            r.cpu_seconds,
            r.peak_rss_mib,
            latency,
            repaired,
            if r.final_state_ok { "ok" } else { "WRONG" },
        );
    }
    if results
        .iter()
        .any(|r| matches!(r.scenario.name(), "drift" | "churn"))
    {
        let _ = writeln!(
            out,
            "\nRepair latency is timed on watch events. Drift rows: from the event that showed each drift to the one that showed it undone; repaired of the drifts made. Churn rows: per ConfigMap, an episode runs from the first event that showed it edited while it was last seen correct to the first that showed it correct again (edits during an episode do not restart it); repaired of the episodes started, those still open after the window and the settling being unrepaired."
        );
    }
    let slopes = memory_slopes(results);
    if !slopes.is_empty() {
        let _ = writeln!(
            out,
            "\nMemory as N grows (idle runs; slope of peak RSS between the smallest and the largest N; per child includes the primary's own share):\n"
        );
        let _ = writeln!(
            out,
            "| contestant | N | peak RSS MiB | KiB per primary | KiB per cached child |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|");
        for slope in &slopes {
            let _ = writeln!(
                out,
                "| {} | {} → {} | {:.1} → {:.1} | {:.1} | {} |",
                slope.contestant.name(),
                slope.from.0,
                slope.to.0,
                slope.from.1,
                slope.to.1,
                slope.kib_per_primary(),
                slope.kib_per_child().map_or_else(
                    || "– (caches no children)".to_string(),
                    |k| format!("{k:.1}")
                ),
            );
        }
    }
}

const COLORS: [&str; 4] = ["#d62728", "#ff7f0e", "#2ca02c", "#1f77b4"];

fn color(contestant: Contestant) -> &'static str {
    COLORS[Contestant::ALL
        .iter()
        .position(|c| *c == contestant)
        .unwrap_or(0)]
}

/// A bar chart panel: for each group, one bar per contestant, on a log10 axis.
fn panel(out: &mut String, x: f64, title: &str, groups: &[(String, Vec<(Contestant, f64)>)]) {
    let (width, height, top) = (560.0, 260.0, 40.0);
    let max = groups
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(_, v)| *v))
        .fold(1.0f64, f64::max);
    let decades = max.log10().ceil().max(1.0);
    let scale = |v: f64| {
        if v <= 0.0 {
            0.0
        } else {
            ((v.log10() + 1.0).max(0.0) / (decades + 1.0)) * height
        }
    };
    let _ = writeln!(
        out,
        r#"<text x="{}" y="20" font-size="15" font-weight="bold">{title}</text>"#,
        x + 10.0
    );
    for d in 0..=(decades as i32) {
        let y = top + height - scale(10f64.powi(d));
        let _ = writeln!(
            out,
            r##"<line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>"##,
            x + 50.0,
            x + width,
            x + 46.0,
            y + 3.0,
            10f64.powi(d)
        );
    }
    let group_width = (width - 60.0) / groups.len().max(1) as f64;
    for (g, (label, bars)) in groups.iter().enumerate() {
        let gx = x + 60.0 + g as f64 * group_width;
        let bar_width = (group_width - 16.0) / bars.len().max(1) as f64;
        for (b, (contestant, value)) in bars.iter().enumerate() {
            let h = scale(*value);
            let bx = gx + b as f64 * bar_width;
            let _ = writeln!(
                out,
                r#"<rect x="{bx:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{} {label}: {value:.1}</title></rect>"#,
                top + height - h,
                bar_width - 2.0,
                color(*contestant),
                contestant.name()
            );
            let _ = writeln!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{value:.0}</text>"#,
                bx + bar_width / 2.0 - 1.0,
                top + height - h - 3.0
            );
        }
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{}" font-size="12" text-anchor="middle">{label}</text>"#,
            gx + (group_width - 16.0) / 2.0,
            top + height + 16.0
        );
    }
}

/// The latency panel's groups: p50 and p99 per scenario and size (drift and churn latencies are
/// measured differently, so never share a bar group), one bar per contestant.
fn latency_groups(results: &[RunResult]) -> Vec<(String, Vec<(Contestant, f64)>)> {
    let mut groups: Vec<(String, Vec<(Contestant, f64)>)> = Vec::new();
    for r in results {
        let Some([p50, _, p99, _]) = r.latency_ms else {
            continue;
        };
        let run = format!("{} N={}", r.scenario.name(), r.scenario.primaries());
        for (quantile, value) in [("p50", p50), ("p99", p99)] {
            let label = format!("{run} {quantile}");
            match groups.iter_mut().find(|(l, _)| *l == label) {
                Some((_, bars)) => bars.push((r.contestant, value)),
                None => groups.push((label, vec![(r.contestant, value)])),
            }
        }
    }
    groups
}

/// Wake-ups per scenario, and p50 and p99 repair latency per scenario, per contestant, log scale.
pub fn svg(results: &[RunResult]) -> String {
    let mut wakeups: Vec<(String, Vec<(Contestant, f64)>)> = Vec::new();
    for r in results {
        let label = format!("{} N={}", r.scenario.name(), r.scenario.primaries());
        match wakeups.iter_mut().find(|(l, _)| *l == label) {
            Some((_, bars)) => bars.push((r.contestant, r.counters.total_wakeups() as f64)),
            None => wakeups.push((
                label,
                vec![(r.contestant, r.counters.total_wakeups() as f64)],
            )),
        }
    }
    let latency = latency_groups(results);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="360" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect width="1200" height="360" fill="white"/>"#);
    panel(
        &mut out,
        0.0,
        "Wake-ups in the measured window (log scale)",
        &wakeups,
    );
    panel(&mut out, 600.0, "Repair latency, ms (log scale)", &latency);
    for (i, contestant) in Contestant::ALL.iter().enumerate() {
        let x = 80.0 + i as f64 * 200.0;
        let _ = writeln!(
            out,
            r#"<rect x="{x}" y="335" width="12" height="12" fill="{}"/><text x="{}" y="345" font-size="12">{}</text>"#,
            color(*contestant),
            x + 16.0,
            contestant.name()
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
