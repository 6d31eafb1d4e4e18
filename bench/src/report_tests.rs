//! Tests of `report.rs`.

use super::*;
use crate::contestant::Counters;
use crate::scenario::Scenario;

fn idle(contestant: Contestant, primaries: usize, peak_rss_mib: f64) -> RunResult {
    RunResult {
        contestant,
        scenario: Scenario::Idle {
            primaries,
            seconds: 300,
        },
        converge_seconds: 1.0,
        window_seconds: 300.0,
        converge_cpu_seconds: None,
        counters: Counters::default(),
        cpu_seconds: 0.0,
        peak_rss_mib,
        converged_rss_mib: peak_rss_mib,
        events: 0,
        repaired: 0,
        episodes: None,
        latency_ms: None,
        final_state_ok: true,
        restart: None,
    }
}

#[test]
fn memory_slope_spans_the_smallest_and_largest_idle_n() {
    let results = [
        idle(Contestant::KubeSecondary, 100, 25.0),
        idle(Contestant::KubeSecondary, 1000, 145.0),
        idle(Contestant::KubeSecondary, 10, 20.0),
        idle(Contestant::Timer, 100, 18.0),
        idle(Contestant::Timer, 1000, 27.0),
        idle(Contestant::ByHand, 100, 18.0),
        idle(Contestant::ByHand, 1000, 36.0),
        // One size only: no slope.
        idle(Contestant::ControllerRuntime, 100, 38.0),
    ];
    let slopes = memory_slopes(&results);
    assert_eq!(slopes.len(), 3);
    let ks = &slopes[2];
    assert_eq!(ks.contestant, Contestant::KubeSecondary);
    assert_eq!((ks.from, ks.to), ((10, 20.0), (1000, 145.0)));
    // 125 MiB over 990 primaries.
    assert!((ks.kib_per_primary() - 125.0 * 1024.0 / 990.0).abs() < 1e-9);
    assert!((ks.kib_per_child().unwrap() - 125.0 * 256.0 / 990.0).abs() < 1e-9);
    let timer = &slopes[0];
    assert_eq!(timer.contestant, Contestant::Timer);
    assert_eq!(timer.kib_per_child(), None);
    assert!((timer.kib_per_primary() - 9.0 * 1024.0 / 900.0).abs() < 1e-9);
    let by_hand = &slopes[1];
    assert_eq!(by_hand.contestant, Contestant::ByHand);
    assert_eq!(by_hand.kib_per_child(), None, "owns() stores no children");
}

#[test]
fn results_read_back_as_written() {
    let written = vec![idle(Contestant::ControllerRuntime, 100, 38.7)];
    let json = serde_json::to_string(&written).unwrap();
    let read: Vec<RunResult> = serde_json::from_str(&json).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].contestant, Contestant::ControllerRuntime);
    assert_eq!(
        read[0].scenario,
        Scenario::Idle {
            primaries: 100,
            seconds: 300
        }
    );
    assert_eq!(read[0].peak_rss_mib, 38.7);
}

fn churn(contestant: Contestant, repaired: usize, episodes: usize, p50: f64) -> RunResult {
    RunResult {
        scenario: Scenario::Churn {
            primaries: 20,
            seconds: 10,
            per_second: 200.0,
        },
        events: 2000,
        repaired,
        episodes: Some(episodes),
        latency_ms: Some([p50, p50 * 2.0, p50 * 3.0, p50 * 4.0]),
        ..idle(contestant, 20, 30.0)
    }
}

fn drift(contestant: Contestant, p50: f64) -> RunResult {
    RunResult {
        scenario: Scenario::Drift {
            primaries: 10,
            count: 30,
            per_second: 3.0,
        },
        events: 30,
        repaired: 30,
        latency_ms: Some([p50, p50, p50 * 2.0, p50 * 2.0]),
        ..idle(contestant, 10, 30.0)
    }
}

#[test]
fn a_churn_row_shows_its_latency_and_repaired_of_the_episodes() {
    let results = [
        drift(Contestant::KubeSecondary, 7.0),
        churn(Contestant::KubeSecondary, 950, 953, 12.0),
    ];
    let table = markdown(&results, &[], "a machine", &[]);
    assert!(table.contains("| 7/7/14/14 | 30/30 |"), "{table}");
    assert!(
        table.contains("| 12/24/36/48 | 950/953 episodes |"),
        "{table}"
    );
}

#[test]
fn the_latency_chart_keeps_drift_and_churn_apart() {
    let results = [
        drift(Contestant::KubeSecondary, 7.0),
        drift(Contestant::ControllerRuntime, 9.0),
        churn(Contestant::KubeSecondary, 950, 953, 12.0),
        churn(Contestant::ControllerRuntime, 900, 910, 40.0),
    ];
    let groups = latency_groups(&results);
    let labels: Vec<&str> = groups.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "drift N=10 p50",
            "drift N=10 p99",
            "churn N=20 p50",
            "churn N=20 p99"
        ]
    );
    assert_eq!(
        groups[2].1,
        [
            (Contestant::KubeSecondary, 12.0),
            (Contestant::ControllerRuntime, 40.0)
        ]
    );
    assert!(svg(&results).contains(">Repair latency, ms (log scale)<"));
}

#[test]
fn results_without_episodes_read_back() {
    let mut json = serde_json::to_value(idle(Contestant::Timer, 10, 18.0)).unwrap();
    json.as_object_mut().unwrap().remove("episodes");
    let read: RunResult = serde_json::from_value(json).unwrap();
    assert_eq!(read.episodes, None);
}
